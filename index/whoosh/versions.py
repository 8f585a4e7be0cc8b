"""What search and the dispatch page read about the versions of a story: a number per
document shared by one story's versions (to collapse results and count stories), the
versions folded into a hit, each other version compared with the dispatch shown, and
« Dépêches similaires » from other stories.

How versions are grouped at reindex is in index/whoosh/stories.py.
"""

from __future__ import annotations

import numpy as np
from whoosh import query as wq

from index.cache import LruCache, shared
from index.compare import Version
from index.stored import version_of
from index.whoosh.column_values import every_value
from index.whoosh.scoring import Scorer, firsts

# Key terms of a dispatch that « Dépêches similaires » searches for, drawn from its
# first SIMILAR_CHARS characters: Whoosh analyses the whole text and weighs each of its
# distinct words, 11 s for an 8 MB dispatch.
SIMILAR_TERMS = 12
SIMILAR_CHARS = 50_000

# A few generations: the live one, and the previous while threads move over.
_codes: LruCache[np.ndarray] = LruCache(4)


def story_codes(searcher, generation_key: tuple) -> np.ndarray:
    """A number per document number, shared by the versions of one story (cached per
    index generation, like the date keys)."""

    def read() -> np.ndarray:
        numbers: dict[str, int] = {}
        stories = every_value(searcher.reader(), "story")
        return np.fromiter((numbers.setdefault(s, len(numbers)) for s in stories), dtype=np.int64, count=len(stories))

    return _codes.get(generation_key, read)


def first_of_each(ranked: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """The documents of `ranked` that come first in their story, in ranked order."""
    return ranked[firsts(codes[ranked])]


# From this many documents on, each story's first version is found in one pass over an
# array as long as the stories (`np.minimum.at`) rather than by sorting the documents.
DENSE_FROM = 4096


def first_versions(docnums: np.ndarray, keys: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """One document per story among `docnums` (ascending): its earliest dated one, or its
    first when none is dated. Grouped, a story counts once, at the date it first
    appeared: so days add up to their month and months to their year, and the number a
    facet shows is what a click on it gives."""
    dated = keys[docnums]
    if docnums.size < DENSE_FROM:
        ranked = docnums[np.lexsort((docnums, dated, dated == 0))]
        return np.sort(first_of_each(ranked, codes))
    # The same order as one number per document, undated last, then by date and number:
    # the smallest of each story is its first version. (Keys are below 10^8 < 2^27,
    # document numbers below 2^31.)
    order = ((dated == 0).astype(np.int64) << 59) | (dated.astype(np.int64) << 31) | docnums.astype(np.int64)
    best = np.full(int(codes.max()) + 1, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(best, codes[docnums], order)
    found = best[best != np.iinfo(np.int64).max] & ((1 << 31) - 1)
    found.sort()
    return found


# Every story's first version, per generation: what the empty query counts.
_every_first: LruCache[np.ndarray] = LruCache(4)


def counted(docnums: np.ndarray, keys: np.ndarray, codes: np.ndarray | None, date_filter,
            whole: tuple | None = None) -> np.ndarray:
    """What a total counts among the matching `docnums`: each dispatch, or grouped (with
    story `codes`) each story's first version; those in the `date_filter`'s period.
    `whole`: the generation, when `docnums` is every live document (the empty query),
    whose first versions are then found once for the generation."""
    if codes is None:
        units = docnums
    elif whole is not None:
        units = _every_first.get(whole, lambda: shared(first_versions(docnums, keys, codes)))
    else:
        units = first_versions(docnums, keys, codes)
    return units[date_filter.mask(keys[units])] if date_filter.active else units


def other_versions(searcher, docnum: int, pool: np.ndarray, codes: np.ndarray, keys: np.ndarray) -> tuple[str, ...]:
    """Ids of the documents of `pool` in the same story as `docnum`, oldest first."""
    same = pool[(codes[pool] == codes[docnum]) & (pool != docnum)]
    if same.size == 0:
        return ()
    same = same[np.lexsort((same, keys[same], keys[same] == 0))]
    # Stored fields, not the `id` column: a column reader reads its offsets first.
    return tuple(searcher.stored_fields(int(n))["id"] for n in same)


def compared(searcher, docnum: int, paragraphs: tuple[str, ...], keys: np.ndarray,
             start: int = 0, limit: int | None = None) -> tuple[tuple[Version, ...], int]:
    """The other versions of the document's story, oldest first, from `start` and at
    most `limit` of them, each compared with it; and how many there are in all.

    Only the versions shown are read and compared: a story sent 3,000 times made each
    of its pages list and compare every copy (20 MB of HTML).
    """
    story = searcher.stored_fields(docnum).get("story")
    if story is None:
        return (), 0
    others = np.fromiter((n for n in searcher.docs_for_query(wq.Term("story", story)) if n != docnum), dtype=np.int64)
    if others.size == 0:
        return (), 0
    # Oldest first by the date keys (a version's own date, else the one it took from its
    # story), undated last; a month or a year counts from its first day.
    own = keys[others]
    first_day = own // 10000 * 10000 + np.maximum(own // 100 % 100, 1) * 100 + np.maximum(own % 100, 1)
    ordered = others[np.lexsort((others, first_day, own == 0))]
    found = []
    for n in ordered[start: None if limit is None else start + limit].tolist():
        found.append(version_of(searcher.stored_fields(n), paragraphs))
    return tuple(found), int(others.size)


def similar(scorer: Scorer, docnum: int, limit: int) -> tuple[list[tuple[int, float]], frozenset[str]]:
    """Dispatches of other stories sharing the document's key terms (Whoosh's
    more-like-this terms of its opening, its own story left out), one per story; and
    those key terms."""
    searcher = scorer.searcher
    # What `searcher.key_terms([docnum], "body")` does for a field without vectors,
    # on the opening of the text.
    body = searcher.stored_fields(docnum).get("body") or ""
    terms = searcher.key_terms_from_text("body", body[:SIMILAR_CHARS], numterms=SIMILAR_TERMS)
    if not terms:
        return [], frozenset()
    codes = story_codes(searcher, scorer.generation)
    found = scorer.score(wq.Or([wq.Term("body", text, boost=weight) for text, weight in terms]))
    found = found.only(codes[found.docs] != codes[docnum])
    best = found.ranked(codes, limit)
    return list(zip(best.tolist(), found.score_of(best).tolist())), frozenset(text for text, _ in terms)
