"""Searching the archive: ranked or dated pages of hits, snippets, date facets, and
« did you mean », through `ArchiveIndex`, a handle shared by a server's threads.

One pass gathers every matching document without scoring (for the count and the facets:
index/whoosh/selection.py); the ranked page is then computed with top-k pruning, restricted to
the documents the date filters keep (index/whoosh/pages.py), and sorting by date needs no
scores at all. What is on the page is read back as hits by index/stored.py.
"""

from __future__ import annotations

import threading
import time
import weakref
from contextlib import suppress
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

import numpy as np
from whoosh.index import EmptyIndexError
from whoosh.reading import ReaderClosed
from whoosh.searching import Searcher

from index import facets
from index.credits import FIELDS
from index.errors import IndexMissing
from index.paging import MAX_PARTIAL_LISTED, Window, bounded
from index.results import VERSIONS_SHOWN, Facets, Histogram, Offer, SearchHit, SearchRequest, SearchResult, Terms
from index.stored import StoredDispatch, paragraphs
from index.whoosh import credits, export as exporting, pages, permalinks, postings, query, selection, versions
from index.whoosh.column_values import date_keys
from index.whoosh.hits import hit_of, stored_dispatch
from index.whoosh.matching import matching as match_set
from index.whoosh.offers import exact_offer
from index.whoosh.scoring import Scorer
from index.whoosh.store import current_name, open_live
from index.whoosh.suggest import suggest
from index.whoosh.weighting import WEIGHTING


class _Open(NamedTuple):
    """A thread's open searcher, the published index folder it reads (`name`) and the
    generation key its cache entries share: a rebuild publishes another folder, a
    reindex another generation, and either makes the searcher stale."""

    searcher: Searcher
    name: str | None
    generation: tuple


class ArchiveIndex:
    """A handle on the live index in a folder, safe to share between threads.

    Each thread keeps its own Whoosh searcher (Whoosh searchers are not thread-safe) and
    refreshes it when a reindex has committed or a rebuild has been published, so a
    running server sees new dispatches without a restart.
    """

    def __init__(self, index_dir: Path, warm: bool = False) -> None:
        self.index_dir = Path(index_dir)
        self._local = threading.local()
        # Every thread's open searcher, so that `close` can close them all.
        self._open: set[Searcher] = set()
        self._open_lock = threading.Lock()
        # Closed when the handle is dropped without `close`, too, and not by `__del__`:
        # a handle held in a reference cycle (a Flask app is one) is finalized by the
        # garbage collector together with the searchers' files, in no set order, and
        # files finalized first are left unclosed (ResourceWarning). A finalizer holds
        # the searchers itself, so they are closed before anything of the cycle.
        weakref.finalize(self, _close_all, self._open, self._open_lock)
        open_live(self.index_dir).close()  # fail early: IndexMissing, NeedsRebuild
        # A server reads ahead what its first queries need, for each generation it sees.
        self._warm = warm
        self._warmed: set[tuple] = set()
        if warm:
            self._searcher()

    def close(self) -> None:
        """Close the searchers of every thread (their segment files stay open until then)."""
        _close_all(self._open, self._open_lock)

    def _forget(self, searcher: Searcher) -> None:
        with self._open_lock:
            self._open.discard(searcher)
        _close(searcher)

    def __enter__(self) -> ArchiveIndex:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _searcher(self) -> tuple[Searcher, tuple]:
        name = current_name(self.index_dir)
        cached = getattr(self._local, "state", None)
        if cached is not None and cached.name == name and _up_to_date(cached.searcher):
            return cached.searcher, cached.generation
        # Not `Searcher.refresh()`: it reuses the readers of segments the commit kept,
        # with their deletions as they were, so dispatches removed or replaced by an
        # incremental reindex were still counted and found until a restart.
        if cached is not None:
            # Forgotten before the new one is opened: while the index is missing (a
            # folder removed and rebuilt) the open fails, and a closed searcher kept
            # here answered every later request with ReaderClosed, even once the
            # index was back.
            self._local.state = None
            self._forget(cached.searcher)
        try:
            searcher = open_live(self.index_dir).searcher(weighting=WEIGHTING)
        except OSError:
            # Files going away under us (a folder removed or replaced by a copy):
            # no index for now, the next request looks again.
            raise IndexMissing(self.index_dir) from None
        with self._open_lock:
            self._open.add(searcher)
        generation = (name, searcher.reader().generation())
        # One generation key per searcher, shared by every cache entry made through it
        # (a new tuple for each query was held by each of its cache keys).
        self._local.state = _Open(searcher, name, generation)
        if self._warm and generation not in self._warmed:
            with self._open_lock:
                start = generation not in self._warmed
                self._warmed.add(generation)
            if start:
                threading.Thread(target=self.warm, name="archive-warm", daemon=True).start()
        return searcher, generation

    def warm(self) -> int:
        """Read ahead what queries need from the live generation: date keys, story
        codes, field lengths and the postings of frequent terms. Best effort: a reindex
        publishing meanwhile only makes it useless. Returns the postings read."""
        try:
            with open_live(self.index_dir).searcher(weighting=WEIGHTING) as searcher:
                generation = (current_name(self.index_dir), searcher.reader().generation())
                date_keys(searcher, generation)
                versions.story_codes(searcher, generation)
                # The exact forms' lengths too: every unquoted word also scores its
                # exact form (query.EXACT_BOOST), and reading a field's lengths takes
                # a second or two at 341,000 dispatches, paid by the first query.
                for field in query.EXACT_FIELDS.values():
                    postings.lengths(searcher, field, generation)
                return postings.warm(searcher, generation, ("title", "body"))
        except Exception:  # noqa: BLE001 - the index moved or went: queries read it themselves
            return 0

    def count(self) -> int:
        return self._searcher()[0].doc_count()

    def search(self, request: SearchRequest) -> SearchResult:
        """One page of results: what `request` selects, counted and drilled down in
        facets, its full matches on the page then its partial ones, each read as a hit."""
        started = time.perf_counter()
        searcher, generation = self._searcher()
        chosen = selection.select(searcher, generation, bounded(request))
        request, parsed = chosen.request, chosen.parsed
        window = Window.of(request, int(chosen.units.size), ranked=chosen.scored is not None)
        full = pages.full_page(searcher, chosen, window)
        partials = pages.partial_matches(searcher, generation, chosen, window)
        terms = query.highlighted(chosen.everything).merged(partials.terms)
        return SearchResult(
            request=request,
            total=window.total,
            hits=self._hits(searcher, chosen, [*full, *partials.on_page], terms, partials.pool),
            facets=self._facets(searcher, generation, chosen) if request.with_facets else Facets(),
            suggestion=None if parsed.is_empty else suggest(searcher, parsed.words, generation, window.total),
            notice=window.notice(chosen.notice),
            offers=self._offers(searcher, generation, chosen),
            dispatches=int(chosen.in_period.size),
            partial_total=partials.total,
            listed=window.listed + partials.listed,
            first_partial=window.listed,
            needed=parsed.needed,
            words_searched=parsed.words_searched,
            elapsed=time.perf_counter() - started,  # last: the time of all the above
        )

    @staticmethod
    def _offers(searcher, generation: tuple, chosen: selection.Selection) -> tuple[Offer, ...]:
        """The query's other readings, and its exact forms when they find far fewer."""
        offer = exact_offer(searcher, generation, chosen.parsed, chosen.date_filter, chosen.keys,
                            int(chosen.in_period.size), chosen.named)
        return chosen.parsed.offers + ((offer,) if offer is not None else ())

    @staticmethod
    def _facets(searcher, generation: tuple, chosen: selection.Selection) -> Facets:
        """Date facets drilling down inside the period asked for (`du`/`au`, `date:`),
        not inside the chosen year or month: the other years stay a click away. A
        source or an author counts what a click on it gives: inside every filter."""
        counted = chosen.units
        if chosen.date_filter.active:
            counted = versions.counted(chosen.matching, chosen.keys, chosen.codes, chosen.dates.span, chosen.whole)
        found = facets.count(chosen.keys, counted, chosen.dates.period)
        whole = chosen.whole
        return replace(found, **{
            field: credits.count(credits.table(searcher, generation, field), chosen.matching, chosen.keys, chosen.codes,
                                 chosen.date_filter, whole=None if whole is None else (whole, field))
            for field in FIELDS
        })

    @staticmethod
    def _hits(searcher, chosen: selection.Selection, candidates: list[pages.Candidate], terms: Terms,
              partial_pool: np.ndarray | None) -> tuple[SearchHit, ...]:
        """The page's hits, each with the other versions of its story among the full
        matches (a full hit) or the partial ones (a partial hit)."""
        codes, keys = chosen.codes, chosen.keys
        pools = {False: chosen.matching} if partial_pool is None else {False: chosen.matching, True: partial_pool}
        if codes is not None and candidates:
            # Only the versions of the stories on the page: one pass over each pool,
            # rather than one per hit.
            on_page = codes[[c.docnum for c in candidates]]
            pools = {kind: pool[np.isin(codes[pool], on_page)] for kind, pool in pools.items()}
        shown = terms if chosen.request.with_snippets else None
        return tuple(
            hit_of(searcher.stored_fields(c.docnum), c.score, c.partial, shown,
                   versions.other_versions(searcher, c.docnum, pools[c.partial], codes, keys) if codes is not None else ())
            for c in candidates
        )

    def histogram(self, request: SearchRequest, unit: str) -> Histogram:
        """What `request` finds per year, month or day (`unit`), counted as the facets
        count: grouped, a story once at its first version; inside the request's period
        (`du`/`au`, `date:`) and its source and author filters, not its drill-down."""
        searcher, generation = self._searcher()
        chosen = selection.select(searcher, generation, request.without_drilldown())
        return facets.histogram(chosen.keys, chosen.units, unit)

    def export(self, request: SearchRequest, text: bool = False, batch: int = exporting.BATCH) -> exporting.Export:
        """Every result of `request` holding all the words, in its order (relevance past
        MAX_RESULTS_DEPTH too), read `batch` at a time, with the full text if `text`.
        Close the export, or read it to the end, to release its searcher."""
        self._searcher()  # IndexMissing / NeedsRebuild now, not mid-way
        try:
            searcher = open_live(self.index_dir).searcher(weighting=WEIGHTING)
        except OSError:
            raise IndexMissing(self.index_dir) from None
        generation = (current_name(self.index_dir), searcher.reader().generation())
        return exporting.Export(searcher, generation, request, text=text, batch=batch)

    def get(self, dispatch_id: str, highlight: str = "", exact: bool = False, versions_start: int = 0,
            versions_limit: int | None = VERSIONS_SHOWN) -> StoredDispatch | None:
        """The dispatch with this id, its text highlighted for the query `highlight`
        (`exact`: read with the exact switch), and `versions_limit` of its story's other
        versions from `versions_start`."""
        searcher, generation = self._searcher()
        docnum = searcher.document_number(id=dispatch_id)
        if docnum is None:
            return None
        fields = searcher.stored_fields(docnum)
        terms = Terms()
        if highlight.strip():
            parsed = query.parse(highlight, searcher.schema, exact=exact).bounded(searcher.reader(), generation)
            terms = query.highlighted(parsed.everything)
        versions_start = max(0, versions_start)
        shown, total = versions.compared(searcher, docnum, paragraphs(fields), date_keys(searcher, generation),
                                         versions_start, versions_limit)
        return stored_dispatch(fields, terms, shown, total, versions_start)

    def permalink_key(self, dispatch_id: str, length: int = permalinks.SHORT) -> str | None:
        """What names this dispatch's text in a permalink (index/permalinks.py): the
        first digits of its content hash, all of them when they are shared; None for
        an id the index does not hold."""
        searcher, _ = self._searcher()
        docnum = searcher.document_number(id=dispatch_id)
        if docnum is None:
            return None
        return permalinks.permalink_key(searcher, searcher.stored_fields(docnum)["hash"], length)

    def by_hash(self, prefix: str) -> list[permalinks.HashMatch]:
        """The dispatches whose content hash starts with `prefix` (a permalink's key)."""
        return permalinks.lookup(self._searcher()[0], prefix)

    def similar(self, dispatch_id: str, limit: int = 5) -> tuple[SearchHit, ...]:
        """« Dépêches similaires »: other stories sharing the dispatch's key terms (its
        own versions left out), one hit per story, best first."""
        searcher, generation = self._searcher()
        docnum = searcher.document_number(id=dispatch_id)
        if docnum is None:
            return ()
        found, terms = versions.similar(Scorer(searcher, generation, match_set), docnum, limit)
        return tuple(hit_of(searcher.stored_fields(n), score, False, Terms(terms)) for n, score in found)


def _up_to_date(searcher: Searcher) -> bool:
    """Whether the searcher still reads the latest commit; not when its files are gone."""
    try:
        return not searcher.is_closed and searcher.up_to_date()
    except (OSError, ReaderClosed, EmptyIndexError):
        return False


def _close_all(searchers: set[Searcher], lock: threading.Lock) -> None:
    """Close the searchers of the set and empty it (in place: a finalizer holds it)."""
    with lock:
        closing = list(searchers)
        searchers.clear()
    for searcher in closing:
        _close(searcher)


def _close(searcher: Searcher) -> None:
    # A searcher is closed once only: Whoosh raises ReaderClosed the second time.
    with suppress(ReaderClosed):
        searcher.close()


def open_index(index_dir: Path, warm: bool = False) -> ArchiveIndex:
    """A shared handle on the index in `index_dir` (IndexMissing, NeedsRebuild); `warm`
    reads ahead, in a background thread, what queries need from each new generation."""
    return ArchiveIndex(index_dir, warm=warm)


# What web/, the OpenSearch backend and tests import from here.
__all__ = ["MAX_PARTIAL_LISTED", "VERSIONS_SHOWN", "WEIGHTING", "ArchiveIndex", "StoredDispatch", "open_index"]
