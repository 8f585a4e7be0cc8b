"""The set of documents a query matches, as a sorted NumPy array of document numbers.

The count, the date facets and date sorting need every match but no score. For the
queries people type most (words, with `OU` or field prefixes) the set is computed from
the posting lists with NumPy set operations, and each term's posting list is cached per
index generation, since a documentalist refining a search repeats most words. Anything
else (phrases, exclusions, wildcards) is left to Whoosh's own matcher.
"""

from __future__ import annotations

from functools import reduce

import numpy as np
from whoosh import query as wq

from index.cache import LruCache

_EMPTY = np.empty(0, dtype=np.int64)
_CACHE_SIZE = 4096

_postings_cache: LruCache[np.ndarray] = LruCache(_CACHE_SIZE)


def matching(searcher, q: wq.Query, generation: tuple) -> np.ndarray:
    """Sorted document numbers of the live documents matching `q`."""
    found = _sets(searcher, q, generation)
    if found is None:
        found = np.fromiter(searcher.docs_for_query(q), dtype=np.int64)
        found.sort()
    return found


def _sets(searcher, q: wq.Query, generation: tuple) -> np.ndarray | None:
    if isinstance(q, wq.Term):
        return _postings(searcher, q.fieldname, q.text, generation)
    if isinstance(q, (wq.Or, wq.DisjunctionMax)):
        parts = [_sets(searcher, sub, generation) for sub in q.subqueries]
        if any(part is None for part in parts):
            return None
        return reduce(np.union1d, parts, _EMPTY)
    if isinstance(q, wq.And):
        parts = [_sets(searcher, sub, generation) for sub in q.subqueries]
        if not parts or any(part is None for part in parts):
            return None
        # Smallest first: every later intersection is cheaper.
        parts.sort(key=len)
        return reduce(np.intersect1d, parts)
    if q is wq.NullQuery:
        return _EMPTY
    return None


def _postings(searcher, field: str, text, generation: tuple) -> np.ndarray:
    def read() -> np.ndarray:
        reader = searcher.reader()
        if (field, text) not in reader:
            return _EMPTY
        # The reader's matcher leaves deleted documents out.
        return np.fromiter(reader.postings(field, text).all_ids(), dtype=np.int64)

    return _postings_cache.get((generation, field, text), read)
