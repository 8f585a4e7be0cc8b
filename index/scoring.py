"""Ranking with NumPy: Whoosh's BM25F scores, computed over whole posting arrays.

Whoosh scores one posting at a time, walking a tree of matchers in Python; on 34,000
dispatches a query of common words spent most of its time there, since every match is
scored. Here each term's scores are one vector operation over its cached postings
(index/postings.py), and queries combine them as Whoosh's matchers do: a sum over the
parts of AND and OR, the best of a word searched in title and body (`DisjunctionMax`),
boosts multiplied in. The formula, idf, average lengths and length quantisation are
Whoosh's own, so scores agree with Whoosh's to rounding (tests/test_scoring.py).

A query this module does not know returns None, and the caller asks Whoosh.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

import numpy as np
from whoosh import query as wq

from index import postings as pl
from index.longqueries import AtLeast
from index.phrases import phrase_docs


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
        return self.only(~np.isin(self.docs, docs, assume_unique=True)) if docs.size else self

    def times(self, boost: float) -> Scored:
        return self if boost == 1.0 else Scored(self.docs, self.scores * boost)

    def ranked(self, codes: np.ndarray | None = None, limit: int | None = None) -> np.ndarray:
        """Document numbers best first, ties in document order as Whoosh breaks them;
        with story `codes`, only each story's best document. With `limit`, the first
        `limit` of them (and stories are looked for among the best documents first)."""
        order = self.docs[np.lexsort((self.docs, -self.scores))]
        if codes is None:
            return order[:limit]
        reach = order.size if limit is None else 4 * limit
        while True:
            _, first = np.unique(codes[order[:reach]], return_index=True)
            if reach >= order.size or first.size >= limit:
                return order[np.sort(first)][:limit]
            reach *= 4

    def score_of(self, docs: np.ndarray) -> np.ndarray:
        """Scores of `docs`, which must all be among the matches."""
        return self.scores[np.searchsorted(self.docs, docs)]


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
        self._b = dict(getattr(weighting, "_field_B", {}))
        self._default_b = weighting.B

    def docs(self, q: wq.Query) -> np.ndarray:
        """The sorted documents `q` matches, unscored (what exclusions and phrases need)."""
        return self._matching(self.searcher, q, self.generation)

    def score(self, q: wq.Query) -> Scored | None:
        """The matches of `q` with Whoosh's scores, or None for a query left to Whoosh."""
        if q is wq.NullQuery:
            return NOTHING
        if isinstance(q, wq.Term):
            return self.term(q.fieldname, q.text).times(q.boost)
        if isinstance(q, wq.Phrase):
            return self._phrase(q)
        if isinstance(q, wq.AndNot):
            positive = self.score(q.a)
            return None if positive is None else positive.without(self.docs(q.b))
        if not isinstance(q, (wq.And, wq.Or, wq.DisjunctionMax)):
            return None
        subqueries = q.subqueries
        if not subqueries:
            return NOTHING
        if len(subqueries) == 1:
            # Whoosh uses the one sub-query's matcher as it is: no boost of its own.
            return self.score(subqueries[0])
        if isinstance(q, wq.And):
            return self._and(subqueries, q.boost)
        if isinstance(q, AtLeast):
            return self._at_least(q)
        if isinstance(q, wq.Or) and (q.minmatch or q.scale):
            return None
        if isinstance(q, wq.DisjunctionMax) and q.tiebreak:
            return None
        parts = [self.score(sub) for sub in subqueries]
        if any(part is None for part in parts):
            return None
        combined = union_max(parts) if isinstance(q, wq.DisjunctionMax) else union_sum(parts)
        return combined.times(q.boost)

    def term(self, field: str, text) -> Scored:
        """BM25 (Whoosh's `bm25`) of every live document holding the term."""
        found = pl.postings(self.searcher, field, text, self.generation)
        if not found.size:
            return NOTHING
        searcher = self.searcher
        idf = searcher.idf(field, text)
        average = searcher.avg_field_length(field) or 1
        b, k1 = self._b.get(field, self._default_b), self._k1
        tf = found.weights.astype(np.float64)
        length = pl.lengths(searcher, field, self.generation)[found.docs]
        return Scored(found.docs, idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * length / average))))

    def _and(self, subqueries, boost: float) -> Scored | None:
        wanted = [sub for sub in subqueries if not isinstance(sub, wq.Not)]
        if not wanted:
            return None
        parts = [self.score(sub) for sub in wanted]
        if any(part is None for part in parts):
            return None
        found = intersect_sum(parts)
        for sub in subqueries:
            if isinstance(sub, wq.Not):
                found = found.without(self.docs(sub.query))
                # Whoosh matches « not x » with an inverse matcher scoring 1 everywhere:
                # every score moves alike, the ranking does not.
                found = Scored(found.docs, found.scores + 1.0)
        return found.times(boost)

    def _at_least(self, q: AtLeast) -> Scored | None:
        parts = [self.score(sub) for sub in q.subqueries]
        if any(part is None for part in parts) or any(not isinstance(b, wq.Phrase) for b in q.bonus):
            return None
        found = at_least_sum(parts, q.needed)
        if not found.size:
            return found
        scores = found.scores.copy()
        for pair in q.bonus:
            # Positions are read only in the documents already found (index/phrases.py).
            close = phrase_docs(self.searcher, pair.fieldname, pair.words, pair.slop, self.generation, among=found.docs)
            if close.size:
                bonus = sum(self.term(pair.fieldname, word).score_of(close) for word in pair.words)
                scores[np.searchsorted(found.docs, close)] += pair.boost * bonus
        return Scored(found.docs, scores).times(q.boost)

    def _phrase(self, q: wq.Phrase) -> Scored:
        """Whoosh scores a phrase as its words together (an intersection), times its
        boost; the documents are those where the words stand as the phrase asks."""
        docs = self.docs(q)
        if not docs.size:
            return NOTHING
        scores = sum(self.term(q.fieldname, word).score_of(docs) for word in q.words)
        return Scored(docs, np.asarray(scores, dtype=np.float64)).times(q.boost)


def union_sum(parts: list[Scored]) -> Scored:
    parts = [part for part in parts if part.size]
    if len(parts) < 2:
        return parts[0] if parts else NOTHING
    docs, inverse = np.unique(np.concatenate([p.docs for p in parts]), return_inverse=True)
    scores = np.bincount(inverse, weights=np.concatenate([p.scores for p in parts]), minlength=docs.size)
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


def intersect_sum(parts: list[Scored]) -> Scored:
    def both(a: Scored, b: Scored) -> Scored:
        docs, ia, ib = np.intersect1d(a.docs, b.docs, assume_unique=True, return_indices=True)
        return Scored(docs, a.scores[ia] + b.scores[ib])

    # Smallest first: every later intersection is cheaper (and the sum is the same).
    return reduce(both, sorted(parts, key=lambda p: p.size))
