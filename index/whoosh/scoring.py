"""Ranking with NumPy: Whoosh's BM25F scores, computed over whole posting arrays.

Whoosh scores one posting at a time, walking a tree of matchers in Python; on 34,000
dispatches a query of common words spent most of its time there, since every match is
scored. Here each term's scores are one vector operation over its cached postings
(index/whoosh/postings.py), and queries combine them as Whoosh's matchers do: a sum over the
parts of AND and OR, the best of a word searched in title and body (`DisjunctionMax`),
boosts multiplied in. The formula, idf, average lengths and length quantisation are
Whoosh's own, so scores agree with Whoosh's to rounding (tests/test_scoring.py).

A query this module does not know returns None, and the caller asks Whoosh.

Given `among`, the documents the whole query matches (index/whoosh/matching.py finds them
with set operations, which is cheaper than scoring), each term is scored only in those
documents: three common words at 341,000 dispatches hold a million postings between
them and match a few thousand documents together. The scores are the same numbers,
down to the last bit, since each is computed by the same operations in the same order
(the parts of an AND are summed smallest first, by the sizes of their whole match sets).
"""

from __future__ import annotations

from dataclasses import dataclass
import numpy as np
from whoosh import query as wq

from index.cache import LruCache
from index.whoosh import lead
from index.whoosh import postings as pl
from index.whoosh.internals import field_b
from index.whoosh.longqueries import AtLeast
from index.whoosh.matching import members
from index.whoosh.phrases import phrase_docs


@dataclass(frozen=True)
class Scored:
    """Matching documents (ascending) and their scores."""

    docs: np.ndarray
    scores: np.ndarray

    @property
    def size(self) -> int:
        return int(self.docs.size)

    def only(self, mask: np.ndarray) -> Scored:
        return Scored(self.docs[mask], self.scores[mask])

    def without(self, docs: np.ndarray) -> Scored:
        return self.only(~members(self.docs, docs)) if docs.size else self

    def times(self, boost: float) -> Scored:
        return self if boost == 1.0 else Scored(self.docs, self.scores * boost)

    def ranked(self, codes: np.ndarray | None = None, limit: int | None = None) -> np.ndarray:
        """Document numbers best first, ties in document order as Whoosh breaks them;
        with story `codes`, only each story's best document. With `limit`, the first
        `limit` of them.

        Only the head of the order is sorted: the best `reach` documents (and any tied
        with the last of them) are an exact prefix of the whole order. Grouped, the
        prefix grows until it holds `limit` stories, or is the whole order: the stories
        it holds come in the order the whole ranking gives them."""
        reach = self.size if limit is None else (limit if codes is None else 4 * limit)
        while True:
            order = self._head(reach)
            if codes is None:
                return order[:limit]
            first = firsts(codes[order])
            if order.size >= self.size or first.size >= limit:
                return order[first][:limit]
            reach *= 4

    def _head(self, reach: int) -> np.ndarray:
        """The documents ranked best, at least `reach` of them (all when fewer), sorted
        by score then document number: every other document ranks after them."""
        if reach >= self.size:
            return self.docs[np.lexsort((self.docs, -self.scores))]
        # The reach-th best score: every document scoring at least that much is in,
        # ties with it included, so nothing left out can rank before one kept.
        least = -np.partition(-self.scores, reach - 1)[reach - 1]
        head = np.flatnonzero(self.scores >= least)
        return self.docs[head[np.lexsort((self.docs[head], -self.scores[head]))]]

    def score_of(self, docs: np.ndarray) -> np.ndarray:
        """Scores of `docs`, which must all be among the matches."""
        return self.scores[np.searchsorted(self.docs, docs)]


# Terms whose best score, idf and average length are kept: about 250 bytes each (key,
# slot, value), 5 MB for each of the two caches at most.
TERMS_KEPT = 20_000
# The best score of each term met, per generation: a float a term (bounded in count).
_ceilings: LruCache[float] = LruCache(TERMS_KEPT)
# Each term's idf and its field's average length, per generation.
_weights: LruCache[tuple[float, float]] = LruCache(TERMS_KEPT)

def firsts(values: np.ndarray) -> np.ndarray:
    """The positions where each value first occurs in `values`, ascending."""
    if values.size < 4096:
        _, first = np.unique(values, return_index=True)
        return np.sort(first)
    # Without sorting (see `matching.members`): the least position of each value.
    first = np.full(int(values.max()) + 1, values.size, dtype=np.int64)
    np.minimum.at(first, values, np.arange(values.size))
    found = first[first < values.size]
    found.sort()
    return found


NOTHING = Scored(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64))


class Scorer:
    """Scores queries against one searcher's index generation."""

    def __init__(self, searcher, generation: tuple, matching) -> None:
        self.searcher = searcher
        self.generation = generation
        # (searcher, query, generation) → sorted document numbers: how sets that need
        # positions (phrases) or that are only excluded are found.
        self._matching = matching
        weighting = searcher.weighting
        self._k1 = weighting.K1
        self._b = field_b(weighting)
        self._default_b = weighting.B
        # Sets of the sub-queries met, for this scorer's (one request's) queries.
        self._sets: dict = {}

    def docs(self, q: wq.Query) -> np.ndarray:
        """The sorted documents `q` matches, unscored (what counts, exclusions and
        phrases need); the sets of its parts are kept for scoring it `among` them."""
        return self._matching(self.searcher, q, self.generation, memo=self._sets)

    def score(self, q: wq.Query, among: np.ndarray | None = None) -> Scored | None:
        """The matches of `q` with Whoosh's scores, or None for a query left to Whoosh.
        With `among` (sorted document numbers), only the matches among them."""
        if q is wq.NullQuery:
            return NOTHING
        if isinstance(q, wq.Term):
            return self.term(q.fieldname, q.text, among).times(q.boost)
        if isinstance(q, wq.Phrase):
            return self._phrase(q, among)
        if isinstance(q, wq.AndNot):
            positive = self.score(q.a, among)
            return None if positive is None else positive.without(self.docs(q.b))
        if not isinstance(q, (wq.And, wq.Or, wq.DisjunctionMax)):
            return None
        subqueries = q.subqueries
        if not subqueries:
            return NOTHING
        if len(subqueries) == 1:
            # Whoosh uses the one sub-query's matcher as it is: no boost of its own.
            return self.score(subqueries[0], among)
        if isinstance(q, wq.And):
            return self._and(subqueries, q.boost, among)
        if isinstance(q, AtLeast):
            return self._at_least(q, among)
        if isinstance(q, wq.Or) and (q.minmatch or q.scale):
            return None
        if isinstance(q, wq.DisjunctionMax) and q.tiebreak:
            return None
        parts = [self.score(sub, among) for sub in subqueries]
        if any(part is None for part in parts):
            return None
        combined = union_max(parts) if isinstance(q, wq.DisjunctionMax) else union_sum(parts)
        return combined.times(q.boost)

    def term(self, field: str, text, among: np.ndarray | None = None) -> Scored:
        """BM25 (Whoosh's `bm25`) of every live document holding the term (of those
        `among` these, when given)."""
        found = pl.postings(self.searcher, field, text, self.generation)
        if not found.size:
            return NOTHING
        docs, tf = found.docs, found.weights
        if among is not None:
            docs, tf = _among(docs, tf, among)
            if not docs.size:
                return NOTHING
        searcher = self.searcher
        # Each a look-up of the term in every segment: once per generation.
        idf, average = _weights.get((self.generation, field, text),
                                    lambda: (searcher.idf(field, text), searcher.avg_field_length(field) or 1))
        b, k1 = self._b.get(field, self._default_b), self._k1
        tf = tf.astype(np.float64)
        length = pl.lengths(searcher, field, self.generation)[docs]
        return Scored(docs, idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * length / average))))

    def ceiling(self, q: wq.Query) -> float | None:
        """A score no document exceeds for `q` (None for a query this module does not
        score): each term's best score, combined as the query combines its parts."""
        if q is wq.NullQuery:
            return 0.0
        if isinstance(q, wq.Term):
            return self._term_ceiling(q.fieldname, q.text) * q.boost
        if isinstance(q, wq.Phrase):
            return sum(self._term_ceiling(q.fieldname, word) for word in q.words) * q.boost
        if not isinstance(q, (wq.And, wq.Or, wq.DisjunctionMax)) or not q.subqueries:
            return None
        if isinstance(q, wq.Or) and (q.minmatch or q.scale) or isinstance(q, wq.DisjunctionMax) and q.tiebreak:
            return None
        wanted = [sub for sub in q.subqueries if not (isinstance(q, wq.And) and isinstance(sub, wq.Not))]
        parts = [self.ceiling(sub) for sub in wanted]
        if not wanted or any(part is None for part in parts):
            return None
        if len(q.subqueries) == 1:
            return parts[0]
        # `Not` parts add 1 to every score of an AND (see `_and`).
        combined = max(parts) if isinstance(q, wq.DisjunctionMax) else sum(parts) + (len(q.subqueries) - len(wanted))
        return combined * q.boost

    def _term_ceiling(self, field: str, text) -> float:
        def best() -> float:
            scores = self.term(field, text).scores
            return float(scores.max()) if scores.size else 0.0

        return _ceilings.get((self.generation, field, text), best)

    def _and(self, subqueries, boost: float, among: np.ndarray | None = None) -> Scored | None:
        wanted = [sub for sub in subqueries if not isinstance(sub, wq.Not)]
        if not wanted:
            return None
        parts = [self.score(sub, among) for sub in wanted]
        if any(part is None for part in parts):
            return None
        # Restricted, a part's size is not its size in full: the order of the sum is.
        found = intersect_sum(parts, None if among is None else [self.docs(sub).size for sub in wanted])
        for sub in subqueries:
            if isinstance(sub, wq.Not):
                found = found.without(self.docs(sub.query))
                # Whoosh matches « not x » with an inverse matcher scoring 1 everywhere:
                # every score moves alike, the ranking does not.
                found = Scored(found.docs, found.scores + 1.0)
        return found.times(boost)

    def _at_least(self, q: AtLeast, among: np.ndarray | None = None) -> Scored | None:
        parts = [self.score(sub, among) for sub in q.subqueries]
        if any(part is None for part in parts) or any(not isinstance(b, wq.Phrase) for b in q.bonus):
            return None
        found = at_least_sum(parts, q.needed)
        if not found.size:
            return found
        scores = found.scores.copy()
        for pair in q.bonus:
            # Positions are read only in the documents already found (index/whoosh/phrases.py).
            close = phrase_docs(self.searcher, pair.fieldname, pair.words, pair.slop, self.generation, among=found.docs)
            if close.size:
                bonus = sum(self.term(pair.fieldname, word).score_of(close) for word in pair.words)
                scores[np.searchsorted(found.docs, close)] += pair.boost * bonus
        scores = lead.boosted(self.searcher.reader(), found.docs, scores, q.lead)
        return Scored(found.docs, scores).times(q.boost)

    def _phrase(self, q: wq.Phrase, among: np.ndarray | None = None) -> Scored:
        """Whoosh scores a phrase as its words together (an intersection), times its
        boost; the documents are those where the words stand as the phrase asks."""
        docs = self.docs(q)
        if among is not None and docs.size:
            docs = docs[members(docs, among)]
        if not docs.size:
            return NOTHING
        scores = sum(self.term(q.fieldname, word).score_of(docs) for word in q.words)
        return Scored(docs, np.asarray(scores, dtype=np.float64)).times(q.boost)


def union_sum(parts: list[Scored]) -> Scored:
    parts = [part for part in parts if part.size]
    if len(parts) < 2:
        return parts[0] if parts else NOTHING
    # Each document's scores added in the order of the parts, from 0 (as `np.bincount`
    # adds them): the same numbers, without sorting every posting.
    marked = np.zeros(max(int(p.docs[-1]) for p in parts) + 1, dtype=bool)
    for part in parts:
        marked[part.docs] = True
    docs = np.flatnonzero(marked)
    # Where each document number stands in `docs`.
    rank = np.cumsum(marked) - 1
    scores = np.zeros(docs.size)
    for part in parts:
        scores[rank[part.docs]] += part.scores
    return Scored(docs, scores)


def at_least_sum(parts: list[Scored], needed: int) -> Scored:
    """The documents in at least `needed` of `parts`, scored as the sum of their parts."""
    parts = [part for part in parts if part.size]
    if not parts:
        return NOTHING
    docs, inverse = np.unique(np.concatenate([p.docs for p in parts]), return_inverse=True)
    scores = np.bincount(inverse, weights=np.concatenate([p.scores for p in parts]), minlength=docs.size)
    enough = np.bincount(inverse, minlength=docs.size) >= needed
    return Scored(docs[enough], scores[enough])


def union_max(parts: list[Scored]) -> Scored:
    parts = [part for part in parts if part.size]
    if len(parts) < 2:
        return parts[0] if parts else NOTHING
    docs = np.concatenate([p.docs for p in parts])
    scores = np.concatenate([p.scores for p in parts])
    order = np.argsort(docs, kind="stable")
    docs, scores = docs[order], scores[order]
    starts = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]])
    return Scored(docs[starts], np.maximum.reduceat(scores, starts))


def intersect_sum(parts: list[Scored], sizes: list[int] | None = None) -> Scored:
    """The documents of every part, their scores summed smallest part first (by
    `sizes` when given: the parts' sizes in full, when they were scored restricted)."""
    order = sorted(range(len(parts)), key=lambda i: parts[i].size if sizes is None else sizes[i])
    found = parts[order[0]]
    for i in order[1:]:
        part = parts[i]
        if found.size == part.size and np.array_equal(found.docs, part.docs):
            # Scored among the matches, the parts of an AND all hold the same documents.
            found = Scored(found.docs, found.scores + part.scores)
            continue
        ia, ib = members(found.docs, part.docs), members(part.docs, found.docs)
        found = Scored(found.docs[ia], found.scores[ia] + part.scores[ib])
    return found


def _among(docs: np.ndarray, weights: np.ndarray, among: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The postings (`docs`, `weights`) of the documents of `among`; both sorted.
    The shorter is looked up in the longer."""
    if not among.size:
        return docs[:0], weights[:0]
    if docs.size + among.size >= 4096:
        keep = members(docs, among)
        return docs[keep], weights[keep]
    if docs.size <= among.size:
        at = np.minimum(np.searchsorted(among, docs), among.size - 1)
        keep = among[at] == docs
        return docs[keep], weights[keep]
    at = np.minimum(np.searchsorted(docs, among), docs.size - 1)
    keep = docs[at] == among
    return docs[at[keep]], weights[at[keep]]
