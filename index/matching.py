"""The set of documents a query matches, as a sorted NumPy array of document numbers.

The count, the date facets and date sorting need every match but no score. For the
queries people type most (words, with `OU` or field prefixes) the set is computed from
the posting lists with NumPy set operations, and each term's posting list is cached per
index generation (index/postings.py), since a documentalist refining a search repeats
most words; phrases read positions only in the documents holding all their words
(index/phrases.py). Anything else (exclusions alone, `Every`) is left to Whoosh.
"""

from __future__ import annotations

from functools import reduce

import numpy as np
from whoosh import query as wq

from index.cache import LruCache, array_bytes
from index.phrases import phrase_docs
from index.postings import postings

_EMPTY = np.empty(0, dtype=np.int64)
# Sets that needed positions or Whoosh's matchers, per generation: bounded in bytes
# (a set may hold every document of the archive).
FOUND_BYTES = 32 * 1024 * 1024
_found: LruCache[np.ndarray] = LruCache(FOUND_BYTES, weigh=array_bytes)


def matching(searcher, q: wq.Query, generation: tuple) -> np.ndarray:
    """Sorted document numbers of the live documents matching `q`."""
    found = _sets(searcher, q, generation)
    if found is None:
        def ask_whoosh() -> np.ndarray:
            docs = np.fromiter(searcher.docs_for_query(q), dtype=np.int64)
            docs.sort()
            return docs

        found = _found.get((generation, q), ask_whoosh)
    return found


def _sets(searcher, q: wq.Query, generation: tuple) -> np.ndarray | None:
    if isinstance(q, wq.Term):
        return _postings(searcher, q.fieldname, q.text, generation)
    if isinstance(q, (wq.Or, wq.DisjunctionMax)):
        parts = [_sets(searcher, sub, generation) for sub in q.subqueries]
        if any(part is None for part in parts):
            return None
        return np.unique(np.concatenate(parts)) if parts else _EMPTY
    if isinstance(q, wq.And):
        parts = [_sets(searcher, sub, generation) for sub in q.subqueries]
        if not parts or any(part is None for part in parts):
            return None
        # Smallest first: every later intersection is cheaper.
        parts.sort(key=len)
        return reduce(np.intersect1d, parts)
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


def _postings(searcher, field: str, text, generation: tuple) -> np.ndarray:
    return postings(searcher, field, text, generation).docs
