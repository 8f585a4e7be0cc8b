"""Phrases: the documents where words stand in order, each within `slop` positions of
the one before, as Whoosh's `Phrase` (a `SpanNear2`, ordered, at least one apart)
matches them.

The candidates are the documents holding every word, found from the cached posting
arrays; positions are then read for those documents only. Whoosh instead walks the
intersection one document at a time and builds span objects for each: on 34,000
dispatches « "jeune homme" » took it about 50 ms.
"""

from __future__ import annotations

from functools import reduce

import numpy as np
from whoosh import query as wq
from whoosh.matching import ListMatcher, NullMatcher

from index.whoosh import postings as pl


def phrase_docs(searcher, field: str, words: list, slop: int, generation: tuple,
                among: np.ndarray | None = None, steps: list[int] | None = None) -> np.ndarray:
    """Sorted document numbers where `words` stand as a phrase (`among` these, if given).
    `steps`: how far each word stands from the one before, 1 (within `slop`) or 0 (at
    the same position: a stop word and the word after it, see `Sequence`)."""
    lists = [pl.postings(searcher, field, word, generation).docs for word in words]
    if not lists or any(docs.size == 0 for docs in lists):
        return np.empty(0, dtype=np.int64)
    # Posting lists and `among` are sorted and unique: no need to sort them again.
    candidates = reduce(lambda a, b: np.intersect1d(a, b, assume_unique=True), sorted(lists, key=len))
    if among is not None:
        candidates = np.intersect1d(candidates, among, assume_unique=True)
    return _follow(searcher.reader(), field, words, slop, steps, candidates)


def _follow(reader, field: str, words: list, slop: int, steps: list[int] | None, candidates: np.ndarray) -> np.ndarray:
    """The `candidates` (documents holding every word) where the words stand in order."""
    if len(words) == 1 or not candidates.size:
        return candidates.astype(np.int64)
    steps = steps or [1] * len(words)
    ends: dict[int, set[int]] = {doc: set(p) for doc, p in pl.positions(reader, field, words[0], candidates).items()}
    for word, step in zip(words[1:], steps[1:]):
        if not ends:
            break
        reach = range(1, slop + 1) if step else (0,)
        found = pl.positions(reader, field, word, np.array(sorted(ends), dtype=np.int64))
        ends = {
            doc: following
            for doc, positions in found.items()
            if (following := {p for p in positions if any(p - d in ends[doc] for d in reach)})
        }
    return np.array(sorted(ends), dtype=np.int64)


class Sequence(wq.Phrase):
    """A quoted phrase of exact forms with its stop words: each stop word at the
    position of the word after it, as the exact fields index them (`steps`: 0 for a
    term at the position of the one before, 1 for the next position, within `slop`).

    The archive's matching and scoring read it through `phrase_docs`; Whoosh's own
    search (queries index/whoosh/scoring.py leaves to it) through `matcher`, which reads the
    same positions without the cached posting arrays."""

    def __init__(self, fieldname: str, words: list[str], steps: list[int], slop: int = 1, boost: float = 1.0) -> None:
        super().__init__(fieldname, words, slop=slop, boost=boost)
        self.steps = list(steps)

    def __eq__(self, other) -> bool:
        return super().__eq__(other) and getattr(other, "steps", None) == self.steps

    def __hash__(self) -> int:
        return super().__hash__() ^ hash(tuple(self.steps))

    def __repr__(self) -> str:
        return f"Sequence({self.fieldname!r}, {self.words!r}, {self.steps!r}, slop={self.slop})"

    def normalize(self):
        if not self.words:
            return wq.NullQuery
        if len(self.words) == 1:
            return wq.Term(self.fieldname, self.words[0], boost=self.boost)
        return self

    def matcher(self, searcher, context=None):
        reader = searcher.reader()
        lists = []
        for word in self.words:
            if (self.fieldname, word) not in reader:
                return NullMatcher()
            lists.append(np.fromiter(reader.postings(self.fieldname, word).all_ids(), dtype=np.int64))
        candidates = reduce(np.intersect1d, sorted(lists, key=len))
        docs = _follow(reader, self.fieldname, self.words, self.slop, self.steps, candidates)
        return ListMatcher(docs.tolist(), all_weights=self.boost) if docs.size else NullMatcher()
