"""The set of documents a query matches, as a sorted NumPy array of document numbers.

The count, the date facets and date sorting need every match but no score. For the
queries people type most (words, with `OU` or field prefixes) the set is computed from
the posting lists with NumPy set operations, and each term's posting list is cached per
index generation (index/whoosh/postings.py), since a documentalist refining a search repeats
most words; phrases read positions only in the documents holding all their words
(index/whoosh/phrases.py). Anything else (exclusions alone, `Every`) is left to Whoosh.

Large unions and intersections are marked in one boolean array per call, as long as the
index, rather than sorted: at 341,000 dispatches, `np.unique` over the postings of a
query's common words (a million and more) was a good part of a query's time, where
marking them is a pass over each list. Both give the same sorted array.
"""

from __future__ import annotations

import numpy as np
from whoosh import query as wq

from index.cache import LruCache, array_bytes
from index.whoosh.longqueries import AtLeast
from index.whoosh.phrases import phrase_docs
from index.whoosh.postings import postings

_EMPTY = np.empty(0, dtype=np.int64)
# Sets that needed positions or Whoosh's matchers, per generation: bounded in bytes
# (a set may hold every document of the archive).
FOUND_BYTES = 32 * 1024 * 1024
_found: LruCache[np.ndarray] = LruCache(FOUND_BYTES, weigh=array_bytes)


# Past this many postings in all, sets are combined by marking them in a boolean array
# over every document number (a pass over each list and one over the array) rather than
# by sorting them: sorting costs more than that pass from a few thousand on.
DENSE_FROM = 4096


def matching(searcher, q: wq.Query, generation: tuple, memo: dict | None = None) -> np.ndarray:
    """Sorted document numbers of the live documents matching `q`. With `memo` (a
    dict), the set of every sub-query met is kept there too, keyed by the sub-query:
    ranking the matches needs their sizes (index/whoosh/scoring.py)."""
    found = _sets(searcher, q, generation, memo)
    if found is None:
        def ask_whoosh() -> np.ndarray:
            docs = np.fromiter(searcher.docs_for_query(q), dtype=np.int64)
            docs.sort()
            return docs

        found = _found.get((generation, q), ask_whoosh)
    return found


def _sets(searcher, q: wq.Query, generation: tuple, memo: dict | None = None) -> np.ndarray | None:
    if memo is not None:
        if q in memo:
            return memo[q]
        found = memo[q] = _set(searcher, q, generation, memo)
        return found
    return _set(searcher, q, generation, memo)


def _set(searcher, q: wq.Query, generation: tuple, memo: dict | None) -> np.ndarray | None:
    if isinstance(q, wq.Term):
        return _postings(searcher, q.fieldname, q.text, generation)
    if isinstance(q, AtLeast):
        parts = [_sets(searcher, sub, generation) for sub in q.subqueries]
        if not parts or any(part is None for part in parts):
            return None
        docs, counts = np.unique(np.concatenate(parts), return_counts=True)
        return docs[counts >= q.needed]
    if isinstance(q, (wq.Or, wq.DisjunctionMax)):
        parts = [_sets(searcher, sub, generation, memo) for sub in q.subqueries]
        if any(part is None for part in parts):
            return None
        return union(parts, searcher.reader().doc_count_all())
    if isinstance(q, wq.And):
        # `a -b`: the documents of every wanted part, none of an excluded one.
        wanted = [sub for sub in q.subqueries if not isinstance(sub, wq.Not)]
        parts = [_sets(searcher, sub, generation, memo) for sub in wanted]
        if not parts or any(part is None for part in parts):
            return None
        found = intersection(parts, searcher.reader().doc_count_all())
        for sub in q.subqueries:
            if isinstance(sub, wq.Not) and found.size:
                if (excluded := _sets(searcher, sub.query, generation, memo)) is None:
                    return None
                found = found[~members(found, excluded)]
        return found
    if isinstance(q, wq.AndNot):
        found = _sets(searcher, q.a, generation, memo)
        excluded = _sets(searcher, q.b, generation, memo) if found is not None else None
        return None if excluded is None else found[~members(found, excluded)]
    if isinstance(q, wq.Phrase):
        field = searcher.schema[q.fieldname] if q.fieldname in searcher.schema else None
        if field is None or not field.format or not field.format.supports("positions"):
            return None
        steps = getattr(q, "steps", None)
        return _found.get((generation, q), lambda: phrase_docs(searcher, q.fieldname, q.words, q.slop, generation,
                                                               steps=steps))
    if q is wq.NullQuery:
        return _EMPTY
    return None


def union(parts: list[np.ndarray], size: int) -> np.ndarray:
    """The sorted union of sorted arrays of document numbers below `size`."""
    parts = [part for part in parts if part.size]
    if len(parts) < 2:
        return parts[0] if parts else _EMPTY
    if sum(part.size for part in parts) < DENSE_FROM:
        joined = np.sort(np.concatenate(parts))
        return joined[np.r_[True, joined[1:] != joined[:-1]]]
    marked = np.zeros(size, dtype=bool)
    for part in parts:
        marked[part] = True
    return np.flatnonzero(marked)


def members(docs: np.ndarray, among: np.ndarray) -> np.ndarray:
    """Which of the sorted `docs` are in the sorted `among` (a boolean mask). Few,
    looked up by bisection; many, by marking `among`. (`np.isin` and `np.unique` go
    through a hash table in NumPy 2.4: 300 ms for 150,000 document numbers where
    sorting takes one; bisecting as many takes 25.)"""
    if not among.size or not docs.size:
        return np.zeros(docs.size, dtype=bool)
    if docs.size + among.size < DENSE_FROM:
        at = np.minimum(np.searchsorted(among, docs), among.size - 1)
        return among[at] == docs
    marked = np.zeros(max(int(docs[-1]), int(among[-1])) + 1, dtype=bool)
    marked[among] = True
    return marked[docs]


def intersection(parts: list[np.ndarray], size: int) -> np.ndarray:
    """The sorted intersection of sorted arrays of document numbers below `size`."""
    # Smallest first: every later step is cheaper, and an empty one ends it.
    parts = sorted(parts, key=len)
    found = parts[0]
    for part in parts[1:]:
        if not found.size:
            break
        if found.size + part.size < DENSE_FROM:
            found = np.intersect1d(found, part, assume_unique=True)
        elif found.size * 32 < part.size:
            # A few documents against a long list: each looked up in it.
            at = np.minimum(np.searchsorted(part, found), part.size - 1)
            found = found[part[at] == found]
        else:
            marked = np.zeros(size, dtype=bool)
            marked[part] = True
            found = found[marked[found]]
    return found


def _postings(searcher, field: str, text, generation: tuple) -> np.ndarray:
    return postings(searcher, field, text, generation).docs
