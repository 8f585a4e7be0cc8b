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

from index import postings as pl


def phrase_docs(searcher, field: str, words: list, slop: int, generation: tuple,
                among: np.ndarray | None = None) -> np.ndarray:
    """Sorted document numbers where `words` stand as a phrase (`among` these, if given)."""
    lists = [pl.postings(searcher, field, word, generation).docs for word in words]
    if not lists or any(docs.size == 0 for docs in lists):
        return np.empty(0, dtype=np.int64)
    # Posting lists and `among` are sorted and unique: no need to sort them again.
    candidates = reduce(lambda a, b: np.intersect1d(a, b, assume_unique=True), sorted(lists, key=len))
    if among is not None:
        candidates = np.intersect1d(candidates, among, assume_unique=True)
    if len(words) == 1 or not candidates.size:
        return candidates.astype(np.int64)
    reader = searcher.reader()
    ends: dict[int, set[int]] = {doc: set(p) for doc, p in pl.positions(reader, field, words[0], candidates).items()}
    for word in words[1:]:
        if not ends:
            break
        found = pl.positions(reader, field, word, np.array(sorted(ends), dtype=np.int64))
        ends = {
            doc: following
            for doc, positions in found.items()
            if (following := {p for p in positions if any(p - d in ends[doc] for d in range(1, slop + 1))})
        }
    return np.array(sorted(ends), dtype=np.int64)
