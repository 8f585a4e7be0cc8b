"""Partial matches: the best documents holding some of the words, after those holding
them all, with a bonus where two query words stand close together.

The words' scores are summed over whole arrays (index/whoosh/scoring.py). The proximity bonus
needs positions, which are costly to read: it is checked only for the documents that
could still reach the page, best upper bound first (their words' score plus every bonus
they might earn), until the page's last score beats the next candidate's bound. The
page is the one Whoosh would rank, without scoring every document that holds a word.

Nor are all those documents scored: the words' ceilings (each term's best score) tell
which documents cannot reach the page whatever they hold, those holding only the
most common words, once the documents of the rarest word have shown what the page's
last scores at least (MaxScore, `_essential`).
"""

from __future__ import annotations

import numpy as np
from whoosh import query as wq

from index.whoosh.matching import members, union
from index.whoosh.phrases import phrase_docs
from index.whoosh.query import Near
from index.whoosh.scoring import Scored, Scorer, union_sum, intersect_sum

# Candidates whose proximity is checked in a first round, per hit wanted.
_CANDIDATES_PER_HIT = 4


def best(scorer: Scorer, q: wq.Query, keep, room: int, codes: np.ndarray | None) -> list[tuple[int, float]] | None:
    """The `room` best partial matches of `q` (the words `Or`-ed, with `Near`
    bonuses and `Not` exclusions as index/whoosh/query.py builds them) among the documents
    `keep` leaves (a function of a Scored); None when the query is not of that shape."""
    inner, excluded = (q.subqueries[0], q.subqueries[1:]) if isinstance(q, wq.And) else (q, [])
    if not isinstance(inner, wq.Or) or any(not isinstance(ex, wq.Not) for ex in excluded):
        return None
    words = [sub for sub in inner.subqueries if not isinstance(sub, Near)]
    near = [sub for sub in inner.subqueries if isinstance(sub, Near)]
    if inner.boost != 1.0 or any(len(pair.words) != 2 for pair in near):
        return None
    among = _essential(scorer, words, near, excluded, keep, room, codes) if room > 0 else None
    base = _summed(scorer, words, excluded, keep, among)
    if base is None:
        return None
    if not base.size or room <= 0:
        return []
    if not near:
        return _top(base, room, codes)
    bounds = [_bound(scorer, pair, base) for pair in near]
    upper = union_sum([base, *bounds])
    order = upper.ranked()
    size = room * _CANDIDATES_PER_HIT
    while True:
        candidates = np.sort(order[:size])
        scores = base.score_of(candidates)
        for pair, bound in zip(near, bounds):
            close = _close(scorer, pair, candidates)
            if close.size:
                scores[np.searchsorted(candidates, close)] += bound.score_of(close)
        page = _top(Scored(candidates, scores), room, codes)
        if size >= order.size:
            return page
        next_bound = float(upper.score_of(order[size:size + 1])[0])
        if len(page) == room and page[-1][1] > next_bound:
            return page
        size *= 4


def _essential(scorer: Scorer, words: list, near: list, excluded: list, keep, room: int,
               codes: np.ndarray | None) -> np.ndarray | None:
    """The documents worth scoring for the `room` best (MaxScore): a document holding
    only words whose best scores (with the bonuses of their pairs) add up to less than
    what the `room`-th best already found scores cannot reach the page. None: every
    document holding a word is.

    That score is read from the documents of the word of highest ceiling (the rarest,
    as a rule), scored exactly; the words left out are the most common ones, whose
    posting lists are the longest.
    """
    ceilings = [scorer.ceiling(word) for word in words]
    if any(c is None for c in ceilings):
        return None
    # A pair's bonus: both its words' best scores, times its boost (`_bound`).
    pair_ceilings = [sum(scorer.ceiling(wq.Term(pair.fieldname, w)) for w in pair.words) * pair.boost
                     for pair in near]
    # A document holding a term of a word that is terms in OR (a word in title and
    # body, stem and exact form) matches that word.
    held = [set(word.iter_all_terms()) if _any_term(word) else set() for word in words]
    sets = [scorer.docs(word) for word in words]
    top = max(range(len(words)), key=lambda i: (ceilings[i], -sets[i].size))
    found = _summed(scorer, words, excluded, keep, sets[top])
    if found is None:
        return None
    best = found.ranked(codes, room)
    if best.size < room:
        return None
    # The `room`-th best of these: the page's last scores at least that much.
    floor = float(found.score_of(best[-1:])[0])
    left: list[int] = []
    for i in sorted(range(len(words)), key=lambda i: ceilings[i]):
        if i == top:
            break
        essential = set().union(*(held[j] for j in range(len(words)) if j not in left and j != i))
        # Bonuses a document holding none of the essential words' terms may still earn.
        bonus = sum(c for pair, c in zip(near, pair_ceilings)
                    if not any((pair.fieldname, w) in essential for w in pair.words))
        # A margin for the order of the sums: scores are added in another order.
        if (sum(ceilings[j] for j in left) + ceilings[i] + bonus) * (1 + 1e-9) >= floor:
            break
        left.append(i)
    if not left:
        return None
    size = scorer.searcher.reader().doc_count_all()
    return union([sets[i] for i in range(len(words)) if i not in left], size)


def _summed(scorer: Scorer, words: list, excluded: list, keep, among: np.ndarray | None) -> Scored | None:
    """The words' scores summed (among those documents, when given), without the
    excluded ones and what `keep` leaves out; None for a word the scorer does not know."""
    parts = [scorer.score(word, among) for word in words]
    if any(part is None for part in parts):
        return None
    found = union_sum(parts)
    for ex in excluded:
        found = found.without(scorer.docs(ex.query))
    return keep(found)


def _any_term(q: wq.Query) -> bool:
    """Whether `q` matches every document holding any one of its terms."""
    if isinstance(q, wq.Term):
        return True
    if isinstance(q, wq.Or) and q.minmatch:
        return False
    return isinstance(q, (wq.Or, wq.DisjunctionMax)) and all(_any_term(sub) for sub in q.subqueries)


def without_bonuses(q: wq.Query) -> wq.Query:
    """`q` without its `Near` bonuses: the same documents (a bonus needs both its words),
    found from the posting lists alone rather than by reading positions."""
    if isinstance(q, wq.And):
        return wq.And([without_bonuses(q.subqueries[0]), *q.subqueries[1:]])
    if isinstance(q, wq.Or):
        return wq.Or([sub for sub in q.subqueries if not isinstance(sub, Near)], boost=q.boost)
    return q


def _top(found: Scored, room: int, codes: np.ndarray | None) -> list[tuple[int, float]]:
    ranked = found.ranked(codes, room)
    return list(zip(ranked.tolist(), found.score_of(ranked).tolist()))


def _bound(scorer: Scorer, pair: wq.Phrase, base: Scored) -> Scored:
    """The bonus `pair` gives a document of `base` holding both its words, whether or
    not they stand close (Whoosh scores a phrase as its words, times its boost)."""
    both = intersect_sum([scorer.term(pair.fieldname, word) for word in pair.words]).times(pair.boost)
    return both.only(members(both.docs, base.docs))


def _close(scorer: Scorer, pair: Near, docs: np.ndarray) -> np.ndarray:
    """The documents of `docs` where the pair's words stand in order, at most
    `slop` positions apart (as Whoosh's phrase with slop matches them)."""
    return phrase_docs(scorer.searcher, pair.fieldname, pair.words, pair.slop, scorer.generation, among=docs)
