"""What search and the dispatch page read about the versions of a story: a number per
document shared by one story's versions (to collapse results and count stories), the
versions folded into a hit, each other version compared with the dispatch shown, and
« Dépêches similaires » from other stories.

How versions are grouped at reindex is in index/stories.py.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
from whoosh import query as wq

from archive.model import PartialDate
from index.compare import Version, compare
from index.schema import date_from_key

# Key terms of a dispatch that « Dépêches similaires » searches for.
SIMILAR_TERMS = 12

_codes: OrderedDict[tuple, np.ndarray] = OrderedDict()
_codes_lock = threading.Lock()


def story_codes(searcher, generation_key: tuple) -> np.ndarray:
    """A number per document number, shared by the versions of one story (cached per
    index generation, like the date keys)."""
    with _codes_lock:
        codes = _codes.get(generation_key)
        if codes is not None:
            _codes.move_to_end(generation_key)
            return codes
    numbers: dict[str, int] = {}
    stories = searcher.reader().column_reader("story")
    codes = np.fromiter((numbers.setdefault(s, len(numbers)) for s in stories), dtype=np.int64)
    with _codes_lock:
        _codes[generation_key] = codes
        while len(_codes) > 4:
            _codes.popitem(last=False)
    return codes


def first_of_each(ranked: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """The documents of `ranked` that come first in their story, in ranked order."""
    _, first = np.unique(codes[ranked], return_index=True)
    return ranked[np.sort(first)]


def count(docnums: np.ndarray, codes: np.ndarray) -> int:
    """How many stories the documents belong to."""
    return int(np.unique(codes[docnums]).size)


def other_versions(searcher, docnum: int, pool: np.ndarray, codes: np.ndarray, keys: np.ndarray) -> tuple[str, ...]:
    """Ids of the documents of `pool` in the same story as `docnum`, oldest first."""
    same = pool[(codes[pool] == codes[docnum]) & (pool != docnum)]
    if same.size == 0:
        return ()
    same = same[np.lexsort((same, keys[same], keys[same] == 0))]
    ids = searcher.reader().column_reader("id")
    return tuple(ids[int(n)] for n in same)


def compared(searcher, docnum: int, paragraphs: tuple[str, ...]) -> tuple[Version, ...]:
    """The other versions of the document's story, oldest first, each compared with it."""
    story = searcher.stored_fields(docnum).get("story")
    if story is None:
        return ()
    found = []
    for n in searcher.docs_for_query(wq.Term("story", story)):
        if n == docnum:
            continue
        fields = searcher.stored_fields(n)
        own = date_from_key(fields.get("date_key", 0))
        inferred = fields.get("inferred_date")
        date = own or (PartialDate.from_iso(inferred) if inferred else None)
        other = tuple(fields["body"].split("\n\n"))
        found.append(Version(fields["id"], fields["title"], date, own is None and date is not None, compare(paragraphs, other)))
    return tuple(sorted(found, key=lambda v: (v.date is None, v.date.first_day() if v.date else None, v.id)))


def similar(searcher, docnum: int, limit: int) -> tuple[list[tuple[int, float]], frozenset[str]]:
    """Dispatches of other stories sharing the document's key terms (Whoosh's
    more-like-this, with its versions masked), one per story; and those key terms."""
    terms = searcher.key_terms([docnum], "body", numterms=SIMILAR_TERMS)
    if not terms:
        return [], frozenset()
    story = searcher.stored_fields(docnum).get("story")
    own_story = set(searcher.docs_for_query(wq.Term("story", story))) if story else set()
    q = wq.Or([wq.Term("body", text, boost=weight) for text, weight in terms])
    results = searcher.search(q, limit=limit, mask=own_story | {docnum}, collapse="story")
    return [(hit.docnum, hit.score) for hit in results], frozenset(text for text, _ in terms)
