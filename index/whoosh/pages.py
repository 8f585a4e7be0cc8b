"""The documents on one page of results, before they are read: the full matches in the
list's order, then the partial matches (some of the words) after all of them.

The full matches are ordered one of three ways, by what is known of the query:
- ranked by our own scorer (index/whoosh/scoring.py) among the matches `select` scored;
- ranked by Whoosh, for a query the scorer does not know (`-mot` alone, …);
- by date, when a date order is asked for or there are no words to rank (browsing).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from whoosh import query as wq
from whoosh.collectors import FilterCollector
from whoosh.searching import TimeLimit

from index.paging import MAX_PARTIAL_LISTED, Window
from index.results import Sort, Terms
from index.whoosh import partial, query, selection, versions
from index.whoosh.internals import filter_sets
from index.whoosh.matching import matching as match_set, members
from index.whoosh.scoring import Scored
from index.whoosh.selection import Selection

PARTIAL_SECONDS = 0.5


class Candidate(NamedTuple):
    """A document on the page, not read yet: its number, its score (0.0 in date order)
    and whether it holds only some of the words. Named because each way of ordering
    builds them and the hits are made from them far from there."""

    docnum: int
    score: float
    partial: bool


def full_page(searcher, chosen: Selection, window: Window) -> list[Candidate]:
    """The full matches on the page, in the list's order."""
    if not window.reaches_full:
        return []
    request, scored, kept, codes = chosen.request, chosen.scored, chosen.kept, chosen.codes
    start, end = window.start, window.end
    if request.sort is Sort.RELEVANCE and scored is not None:
        return _ranked(scored, kept, codes, start, end)
    if request.sort is Sort.RELEVANCE and not isinstance(chosen.everything, wq.Every):
        # Without a date filter every match is kept: no need to pass the set.
        allowed = set(kept.tolist()) if kept.size < chosen.unfiltered else None
        results = searcher.search(chosen.everything, filter=allowed, limit=end,
                                  collapse="story" if codes is not None else None)
        return [Candidate(hit.docnum, hit.score, False) for hit in results[start:end]]
    ranked = selection.by_date(kept, chosen.keys, request.sort, codes, chosen.generation, limit=end)
    return [Candidate(int(docnum), 0.0, False) for docnum in ranked[start:end]]


def _ranked(scored: Scored, kept: np.ndarray, codes: np.ndarray | None, start: int, end: int) -> list[Candidate]:
    pool = scored if kept.size == scored.size else scored.only(members(scored.docs, kept))
    # Collapsed, each story is represented by its best-scoring version.
    page = pool.ranked(codes, end)[start:end]
    return [Candidate(docnum, score, False) for docnum, score in zip(page.tolist(), pool.score_of(page).tolist())]


@dataclass(frozen=True)
class Partials:
    """The documents holding only some of the words: `total` of them counted (none of
    a story listed in full), `listed` reachable, `on_page` those on this page. When
    the page reaches them, `terms` are their words to mark too, and `pool` the
    documents among which a partial hit's other versions are looked for."""

    total: int = 0
    listed: int = 0
    on_page: tuple[Candidate, ...] = ()
    terms: Terms = Terms()
    pool: np.ndarray | None = None


def partial_matches(searcher, generation: tuple, chosen: Selection, window: Window) -> Partials:
    """The partial matches a page counts and shows (none when relevance was capped:
    they would stand past the last page)."""
    anything, named, codes, keys = chosen.parsed.anything, chosen.named, chosen.codes, chosen.keys
    if anything is None or window.capped:
        return Partials()
    some = match_set(searcher, partial.without_bonuses(anything), generation)
    if named is not None:
        some = some[named[some]]
    shown = _shown(chosen.kept, codes, keys.size)
    others = some[~shown[some]]
    total = int(versions.counted(others, keys, codes, chosen.date_filter).size)
    listed = min(total, MAX_PARTIAL_LISTED)
    if window.end <= window.listed or not listed:
        return Partials(total, listed)
    wanted = window.partial_slice(listed)
    best = _best_partial(searcher, chosen, shown, wanted.stop)
    # Versions folded into a partial hit are the other partial matches.
    return Partials(total, listed, tuple(best[wanted]), query.highlighted(anything), others)


def _best_partial(searcher, chosen: Selection, shown: np.ndarray, room: int) -> list[Candidate]:
    """The best `room` documents holding some of the words, after those holding them all
    (collapsed: one per story, and none of a story already shown: `shown` marks them);
    only those the date, source and author filters keep."""
    date_filter, named, keys, codes = chosen.date_filter, chosen.named, chosen.keys, chosen.codes
    q = chosen.parsed.anything

    def keep(found: Scored) -> Scored:
        if date_filter.active:
            found = found.only(date_filter.mask(keys[found.docs]))
        if named is not None:
            found = found.only(named[found.docs])
        return found.only(~shown[found.docs])

    page = partial.best(chosen.scorer, q, keep, room, codes)
    if page is not None:
        return [Candidate(docnum, score, True) for docnum, score in page]
    allowed = None
    if date_filter.active or named is not None:
        mask = date_filter.mask(keys) if date_filter.active else np.ones(keys.size, dtype=bool)
        allowed = set(np.flatnonzero(mask if named is None else mask & named).tolist())
        if not allowed:
            # Whoosh reads an empty `filter` set as no filter at all.
            return []
    collector = searcher.collector(limit=room, collapse="story" if codes is not None else None)
    # Partial matches are a help, not the answer: past a time budget, the best
    # found so far are shown rather than keeping the person waiting.
    timed = _TimedFilter(collector, allowed, set(np.flatnonzero(shown).tolist()) or None, PARTIAL_SECONDS)
    try:
        searcher.search_with_collector(q, timed)
    except TimeLimit:
        pass
    return [Candidate(hit.docnum, hit.score, True) for hit in timed.results()]


class _TimedFilter(FilterCollector):
    """Whoosh's FilterCollector (`allow`, `restrict`: sets of document numbers) that
    stops with TimeLimit after `seconds`. Whoosh's TimeLimitCollector cannot wrap a
    FilterCollector: it collects the matches itself, and the filter is bypassed (the
    partial matches then repeated the full ones and ignored the date filter)."""

    def __init__(self, child, allow, restrict, seconds: float) -> None:
        super().__init__(child, allow, restrict)
        self.seconds = seconds

    def prepare(self, top_searcher, q, context):
        super().prepare(top_searcher, q, context)
        self.deadline = time.perf_counter() + self.seconds

    def collect_matches(self):
        child, (allow, restrict) = self.child, filter_sets(self)
        for sub_docnum in child.matches():
            if time.perf_counter() > self.deadline:
                raise TimeLimit
            docnum = self.offset + sub_docnum
            if (allow is not None and docnum not in allow) or (restrict is not None and docnum in restrict):
                continue
            child.collect(sub_docnum)


def _shown(kept: np.ndarray, codes: np.ndarray | None, size: int) -> np.ndarray:
    """A mark on every document number shown among the full matches: those `kept`, or
    grouped, every version of their stories (a boolean array, as long as the index)."""
    if codes is None:
        shown = np.zeros(size, dtype=bool)
        shown[kept] = True
        return shown
    stories = np.zeros(int(codes.max()) + 1 if codes.size else 0, dtype=bool)
    stories[codes[kept]] = True
    return stories[codes]
