"""Which documents a request finds, and in which order: shared by the result pages and
the export of a whole result set, so that an export lists exactly what the pages list.

`select` reads the query and the date filters and gathers the matches (unscored, plus
their scores when the scorer knows the query); `ordered` ranks the documents a list
shows, every one of them, by relevance or by date.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh import query as wq

from index import facets
from index.cache import LruCache, shared
from index.readings import RequestDates, request_dates
from index.results import SearchRequest, Sort
from index.whoosh import credits
from index.whoosh import query, versions
from index.whoosh.column_values import date_keys
from index.whoosh.matching import matching as match_set
from index.whoosh.scoring import Scored, Scorer


@dataclass(frozen=True)
class Selection:
    """The matches of a request. `units` is what totals count (dispatches, or each
    story's first version when grouped); `kept` the documents a list may show."""

    request: SearchRequest  # with the period put right when it was given backwards
    parsed: query.ParsedQuery
    notice: str | None
    dates: RequestDates
    keys: np.ndarray
    scorer: Scorer
    scored: Scored | None  # None: a query the scorer does not know (left to Whoosh)
    matching: np.ndarray  # inside the source and author filters
    unfiltered: int  # how many match before those filters
    named: np.ndarray | None  # a mask of the documents the source/author filters keep
    codes: np.ndarray | None  # story codes when versions are grouped
    units: np.ndarray
    in_period: np.ndarray
    kept: np.ndarray
    # The generation when the matches are every live document (the empty query, no
    # source or author asked for): what is counted of them is kept per generation.
    whole: tuple | None

    @property
    def everything(self):
        return self.parsed.everything

    @property
    def date_filter(self) -> facets.DateFilter:
        return self.dates.filter

    @property
    def generation(self) -> tuple:
        return self.scorer.generation


def select(searcher, generation: tuple, request: SearchRequest) -> Selection:
    parsed = query.parse(request.query, searcher.schema, exact=request.exact).bounded(searcher.reader(), generation)
    request, dates, notice = request_dates(request, (parsed.date_from, parsed.date_to), parsed.notice)
    date_filter = dates.filter
    everything = parsed.everything
    keys = date_keys(searcher, generation)
    # Sources and authors asked for, in the URL and in the query (`source:AFP`).
    named = credits.allowed(searcher, generation, {
        "sources": (*request.sources, *parsed.sources), "authors": (*request.authors, *parsed.authors),
    })
    scorer = Scorer(searcher, generation, match_set)
    # The matches are found first, as sets (what counts and facets need), and only they
    # are scored; a query the scorer does not know (everything, `-mot` alone) is left
    # to Whoosh.
    every = isinstance(everything, wq.Every)
    found = match_set(searcher, everything, generation) if every else scorer.docs(everything)
    unfiltered = int(found.size)
    if named is not None:
        found = found[named[found]]
    scored = None if every else scorer.score(everything, among=found)
    matching = scored.docs if scored is not None else found
    # Grouped, a story counts once, at its first version (versions.counted): days
    # add up to their month, and a facet's number is what a click on it gives.
    codes = versions.story_codes(searcher, generation) if request.collapse_versions else None
    whole = generation if every and named is None else None
    units = versions.counted(matching, keys, codes, date_filter, whole)
    in_period = versions.counted(matching, keys, None, date_filter)
    # Under a date filter, a story is shown by its first version (in the period);
    # otherwise by its best one among all the matches.
    kept = units if codes is not None and date_filter.active else in_period
    return Selection(request, parsed, notice, dates, keys, scorer, scored, matching, unfiltered, named,
                     codes, units, in_period, kept, whole)


def by_date(kept: np.ndarray, keys: np.ndarray, sort: Sort, codes: np.ndarray | None, generation: tuple,
            limit: int | None = None) -> np.ndarray:
    """`kept` newest or oldest first, undated dispatches last either way, then in
    document order; with story `codes`, each story's first document only. `limit`: only
    the first so many are wanted (a page), and only enough of the order is grouped."""
    ranked = _in_date_order(kept, keys, sort, generation)
    if codes is None:
        return ranked if limit is None else ranked[:limit]
    if limit is None:
        return versions.first_of_each(ranked, codes)
    # A story's first document in a prefix of the order is its first in the whole
    # order: a prefix holding `limit` stories is enough.
    size = max(4 * limit, 1024)
    while True:
        found = versions.first_of_each(ranked[:size], codes)
        if found.size >= limit or size >= ranked.size:
            return found[:limit]
        size *= 4


# From a set this large against the index (1/8 of it), the documents are taken in the
# index's whole date order, filtered, rather than sorted: the empty query's page spent
# 30 of its 70 ms sorting 340,000 dates.
WHOLE_ORDER_FROM = 8
# The whole order per generation and direction: the live one and the previous.
_date_orders: LruCache[np.ndarray] = LruCache(4)


def _in_date_order(kept: np.ndarray, keys: np.ndarray, sort: Sort, generation: tuple) -> np.ndarray:
    if kept.size * WHOLE_ORDER_FROM < keys.size:
        return _date_sorted(kept, keys, sort)
    order = _date_orders.get((generation, sort is Sort.OLDEST),
                             lambda: shared(_date_sorted(np.arange(keys.size, dtype=np.int64), keys, sort)))
    inside = np.zeros(keys.size, dtype=bool)
    inside[kept] = True
    return order[inside[order]]


def _date_sorted(docnums: np.ndarray, keys: np.ndarray, sort: Sort) -> np.ndarray:
    dated = keys[docnums]
    newer = -dated if sort is not Sort.OLDEST else dated
    return docnums[np.lexsort((docnums, newer, dated == 0))]


def ordered(searcher, selection: Selection) -> np.ndarray:
    """Every document the list shows, in its order: the whole ranking, not the
    MAX_RESULTS_DEPTH that pages reach by relevance (an export goes to the end)."""
    request, kept, codes, scored = selection.request, selection.kept, selection.codes, selection.scored
    if request.sort is Sort.RELEVANCE and scored is not None:
        pool = scored if kept.size == scored.size else scored.only(np.isin(scored.docs, kept, assume_unique=True))
        return pool.ranked(codes)
    if request.sort is Sort.RELEVANCE and not isinstance(selection.everything, wq.Every):
        allowed = set(kept.tolist()) if kept.size < selection.unfiltered else None
        if allowed is not None and not allowed:
            # Whoosh reads an empty `filter` set as no filter at all.
            return np.empty(0, dtype=np.int64)
        results = searcher.search(selection.everything, filter=allowed, limit=None,
                                  collapse="story" if codes is not None else None)
        return np.fromiter((hit.docnum for hit in results), dtype=np.int64)
    return by_date(kept, selection.keys, request.sort, codes, selection.generation)

