"""Searching the archive: ranked or dated pages of hits, snippets, date facets, and
« did you mean ».

One pass gathers every matching document without scoring (for the count and the facets);
the ranked page is then computed with Whoosh's top-k pruning, restricted to the documents
the date filters keep. Sorting by date needs no scores at all.
"""

from __future__ import annotations

import threading
import time
from contextlib import suppress
from math import log
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from whoosh import query as wq
from whoosh import scoring
from whoosh.collectors import FilterCollector
from whoosh.index import EmptyIndexError
from whoosh.reading import ReaderClosed
from whoosh.searching import Searcher, TimeLimit

from archive.model import DateSource, Dispatch, PartialDate
from index import credits, export as exporting, facets, partial, permalinks, postings, query, selection, versions
from index.offers import exact_offer
from index.readings import join_notices
from index.matching import matching as match_set, members
from index.compare import Version
from index.errors import IndexMissing
from index.results import MAX_PAGE_SIZE, MAX_RESULTS_DEPTH, Facets, Histogram, SearchHit, SearchRequest, SearchResult, Sort
from index.schema import date_from_key, names
from index.scoring import Scored, Scorer
from index.snippets import highlight_paragraphs, snippet
from index.suggest import suggest
from index.store import current_name, open_live
from index.whoosh_internals import filter_sets

# Other versions of a story listed (and compared) on a dispatch's page at once.
VERSIONS_SHOWN = 10
PARTIAL_SECONDS = 0.5
# Partial matches are a help after the answer: the best hundred are listed, all counted.
MAX_PARTIAL_LISTED = 100


class _BM25F(scoring.BM25F):
    """Whoosh's BM25F with the usual BM25 idf, log(1 + (N - n + 0.5) / (n + 0.5)).

    Whoosh's own, log(N / (n + 1)) + 1, never falls below 1: a word found in nearly
    every dispatch still weighs an eighth of a rare one in an archive of a few thousand.
    Here it weighs almost nothing, which ranks better the matches that hold only some
    of the words (MRR@10 on the PIAF dev split: 0.760 → 0.770).
    """

    def idf(self, searcher, fieldname, text):
        parent = searcher.get_parent()
        n = parent.doc_frequency(fieldname, text)
        return log(1 + (parent.doc_count_all() - n + 0.5) / (n + 0.5))


# K1 below Whoosh's 1.2: a word said once counts nearly as much as a word said often,
# as suits short dispatches (tuned on the PIAF dev split with index/evaluate.py).
WEIGHTING = _BM25F(B=0.75, K1=0.7)


@dataclass(frozen=True)
class StoredDispatch:
    """A dispatch as the index holds it, with its text highlighted for a query."""

    dispatch: Dispatch
    paragraphs_html: tuple[str, ...]
    title_html: str
    date_inferred: PartialDate | None = None
    story_id: str | None = None
    # Other versions of its story, oldest first, each compared with this one: those
    # from `versions_start`, at most the number asked; `versions_total` in all.
    versions: tuple[Version, ...] = ()
    versions_total: int = 0
    versions_start: int = 0


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
        open_live(self.index_dir).close()  # fail early: IndexMissing, NeedsRebuild
        # A server reads ahead what its first queries need, for each generation it sees.
        self._warm = warm
        self._warmed: set[tuple] = set()
        if warm:
            self._searcher()

    def close(self) -> None:
        """Close the searchers of every thread (their segment files stay open until then)."""
        with self._open_lock:
            searchers, self._open = self._open, set()
        for searcher in searchers:
            _close(searcher)

    def _forget(self, searcher: Searcher) -> None:
        with self._open_lock:
            self._open.discard(searcher)
        _close(searcher)

    def __enter__(self) -> ArchiveIndex:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    def _searcher(self) -> tuple[Searcher, tuple]:
        name = current_name(self.index_dir)
        cached = getattr(self._local, "state", None)
        if cached is not None and cached[1] == name and _up_to_date(cached[0]):
            return cached[0], cached[2]
        # Not `Searcher.refresh()`: it reuses the readers of segments the commit kept,
        # with their deletions as they were, so dispatches removed or replaced by an
        # incremental reindex were still counted and found until a restart.
        if cached is not None:
            # Forgotten before the new one is opened: while the index is missing (a
            # folder removed and rebuilt) the open fails, and a closed searcher kept
            # here answered every later request with ReaderClosed, even once the
            # index was back.
            self._local.state = None
            self._forget(cached[0])
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
        self._local.state = (searcher, name, generation)
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
                facets.date_keys(searcher, generation)
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
        started = time.perf_counter()
        searcher, generation = self._searcher()
        request = replace(request, page=max(1, request.page), page_size=min(max(1, request.page_size), MAX_PAGE_SIZE))
        chosen = selection.select(searcher, generation, request)
        request, parsed, notice, date_filter = chosen.request, chosen.parsed, chosen.notice, chosen.date_filter
        everything, keys, scorer, scored = chosen.everything, chosen.keys, chosen.scorer, chosen.scored
        matching, codes, units, kept = chosen.matching, chosen.codes, chosen.units, chosen.kept
        named, unfiltered = chosen.named, chosen.unfiltered
        total, dispatches = int(units.size), int(chosen.in_period.size)
        found = Facets()
        if request.with_facets:
            # Facets drill down inside the period asked for (`du`/`au`, `date:`), not
            # inside the chosen year or month: the other years stay a click away.
            period = facets.date_filter(
                replace(request, year=None, month=None, day=None, undated=False), parsed.date_from, parsed.date_to
            ) if date_filter.active else facets.DateFilter()
            counted = units if not date_filter.active else versions.counted(matching, keys, codes, period)
            found = facets.count(keys, counted, request)
            # A source or an author counts what a click on it gives: inside every filter.
            found = replace(found, **{
                field: credits.count(credits.table(searcher, generation, field), matching, keys, codes, date_filter)
                for field in credits.FIELDS
            })
        # Relevance stops at MAX_RESULTS_DEPTH (and says so); date order reaches every result.
        capped = request.sort is Sort.RELEVANCE and scored is not None and total > MAX_RESULTS_DEPTH
        listed = min(total, MAX_RESULTS_DEPTH) if capped else total
        start = (request.page - 1) * request.page_size
        end = start + request.page_size
        hits = self._page(searcher, everything, scored, kept, unfiltered, keys, request, codes) if start < listed else []
        stems, exact = query.highlighted(everything)
        partial_total = partial_listed = 0
        pools = {False: matching}  # other versions of a full match: among all the matches
        if parsed.anything is not None and not capped:
            # Dispatches holding some of the words come after all those holding them all,
            # under their own heading and count, on whichever page they fall.
            some = match_set(searcher, partial.without_bonuses(parsed.anything), generation)
            if named is not None:
                some = some[named[some]]
            shown = _shown(kept, codes, keys.size)
            others = some[~shown[some]]
            partial_total = int(versions.counted(others, keys, codes, date_filter).size)
            partial_listed = min(partial_total, MAX_PARTIAL_LISTED)
            if end > listed and partial_listed:
                first, last = max(0, start - listed), min(end - listed, partial_listed)
                more_hits = self._partial(searcher, scorer, parsed.anything, shown, keys, date_filter, last, codes, named)
                hits += more_hits[first:last]
                more = query.highlighted(parsed.anything)
                stems, exact = stems | more[0], exact | more[1]
                # Versions folded into a partial hit are the other partial matches.
                pools[True] = others
        terms = (stems, exact)
        if codes is not None and hits:
            # Only the versions of the stories on the page: one pass over each pool,
            # rather than one per hit.
            on_page = codes[[docnum for docnum, _, _ in hits]]
            pools = {kind: pool[np.isin(codes[pool], on_page)] for kind, pool in pools.items()}
        results = tuple(
            self._hit(searcher, docnum, score, partial, terms, request,
                      versions.other_versions(searcher, docnum, pools[partial], codes, keys) if codes is not None else ())
            for docnum, score, partial in hits
        )
        if capped:
            notice = join_notices(notice, f"le classement par pertinence s’arrête aux {MAX_RESULTS_DEPTH:,} premiers résultats"
                           .replace(",", "\u202f") + " : triez par date ou choisissez une période pour aller plus loin")
        suggestion = None if parsed.is_empty else suggest(searcher, parsed.words, generation, total)
        offers = parsed.offers
        if (offer := exact_offer(searcher, generation, parsed, date_filter, keys, dispatches, named)) is not None:
            offers += (offer,)
        return SearchResult(
            request=request,
            total=total,
            hits=results,
            facets=found,
            suggestion=suggestion,
            notice=notice,
            elapsed=time.perf_counter() - started,
            offers=offers,
            dispatches=dispatches,
            partial_total=partial_total,
            listed=listed + partial_listed,
            first_partial=listed,
            needed=parsed.needed,
            words_searched=parsed.words_searched,
        )

    def histogram(self, request: SearchRequest, unit: str) -> Histogram:
        """What `request` finds per year, month or day (`unit`), counted as the facets
        count: grouped, a story once at its first version; inside the request's period
        (`du`/`au`, `date:`) and its source and author filters, not its drill-down."""
        searcher, generation = self._searcher()
        chosen = selection.select(searcher, generation, replace(request, year=None, month=None, day=None))
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
        return exporting.Export(searcher, generation, request, self._hit, text=text, batch=batch)

    def _page(self, searcher, q, scored: Scored | None, kept: np.ndarray, matching_size: int, keys: np.ndarray,
              request: SearchRequest, codes: np.ndarray | None = None) -> list:
        start = (request.page - 1) * request.page_size
        end = start + request.page_size
        if request.sort is Sort.RELEVANCE and scored is not None:
            pool = scored if kept.size == scored.size else scored.only(members(scored.docs, kept))
            # Collapsed, each story is represented by its best-scoring version.
            page = pool.ranked(codes, end)[start:end]
            return [(docnum, score, False) for docnum, score in zip(page.tolist(), pool.score_of(page).tolist())]
        if request.sort is Sort.RELEVANCE and not isinstance(q, wq.Every):
            # Without a date filter every match is kept: no need to pass the set.
            allowed = set(kept.tolist()) if kept.size < matching_size else None
            results = searcher.search(q, filter=allowed, limit=end, collapse="story" if codes is not None else None)
            return [(hit.docnum, hit.score, False) for hit in results[start:end]]
        ranked = selection.by_date(kept, keys, request.sort, codes)
        return [(int(docnum), 0.0, False) for docnum in ranked[start:end]]

    def _partial(self, searcher, scorer: Scorer, q, shown: np.ndarray, keys, date_filter, room: int,
                 codes: np.ndarray | None = None, named: np.ndarray | None = None) -> list:
        """Documents holding some of the words, after those holding them all (collapsed:
        one per story, and none of a story already shown: `shown` marks them); only
        those in `named` (a mask of the sources and authors asked for) when given."""

        def keep(found: Scored) -> Scored:
            if date_filter.active:
                found = found.only(date_filter.mask(keys[found.docs]))
            if named is not None:
                found = found.only(named[found.docs])
            return found.only(~shown[found.docs])

        page = partial.best(scorer, q, keep, room, codes)
        if page is not None:
            return [(docnum, score, True) for docnum, score in page]
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
        return [(hit.docnum, hit.score, True) for hit in timed.results()]

    def _hit(self, searcher, docnum: int, score: float, partial: bool, terms, request,
             others: tuple[str, ...] = (), fields: dict | None = None) -> SearchHit:
        fields = fields if fields is not None else searcher.stored_fields(docnum)
        own = date_from_key(fields.get("date_key", 0))
        inferred = fields.get("inferred_date")
        return SearchHit(
            id=fields["id"],
            title=fields["title"],
            date=own or (PartialDate.from_iso(inferred) if inferred else None),
            date_inferred=own is None and bool(inferred),
            other_versions=others,
            source_path=fields["path"],
            byline=fields.get("byline"),
            sources=names(fields.get("sources")),
            authors=names(fields.get("authors")),
            score=float(score),
            snippet=snippet(fields["body"], terms[0], exact=terms[1]) if request.with_snippets else "",
            partial=partial,
            story_id=fields.get("story"),
        )

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
        terms: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
        if highlight.strip():
            parsed = query.parse(highlight, searcher.schema, exact=exact).bounded(searcher.reader(), generation)
            terms = query.highlighted(parsed.everything)
        paragraphs = tuple(fields["body"].split("\n\n"))
        date = date_from_key(fields.get("date_key", 0))
        dispatch = Dispatch(
            id=fields["id"],
            source_path=fields["path"],
            title=fields["title"],
            paragraphs=paragraphs,
            date=date,
            date_source=DateSource(fields.get("date_source", "none")) if date else DateSource.NONE,
            title_derived=bool(fields.get("title_derived")),
            byline=fields.get("byline"),
            url=fields.get("url"),
            sources=names(fields.get("sources")),
            authors=names(fields.get("authors")),
        )
        inferred = fields.get("inferred_date")
        versions_start = max(0, versions_start)
        shown, total = versions.compared(searcher, docnum, paragraphs, facets.date_keys(searcher, generation),
                                         versions_start, versions_limit)
        return StoredDispatch(
            dispatch=dispatch,
            paragraphs_html=highlight_paragraphs(paragraphs, *terms),
            title_html=highlight_paragraphs((fields["title"],), *terms)[0],
            date_inferred=PartialDate.from_iso(inferred) if inferred else None,
            story_id=fields.get("story"),
            versions=shown,
            versions_total=total,
            versions_start=versions_start,
        )

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
        request = SearchRequest()
        return tuple(self._hit(searcher, n, score, False, (terms, frozenset()), request) for n, score in found)


def _up_to_date(searcher: Searcher) -> bool:
    """Whether the searcher still reads the latest commit; not when its files are gone."""
    try:
        return not searcher.is_closed and searcher.up_to_date()
    except (OSError, ReaderClosed, EmptyIndexError):
        return False


def _close(searcher: Searcher) -> None:
    # A searcher is closed once only: Whoosh raises ReaderClosed the second time.
    with suppress(ReaderClosed):
        searcher.close()


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



def open_index(index_dir: Path, warm: bool = False) -> ArchiveIndex:
    """A shared handle on the index in `index_dir` (IndexMissing, NeedsRebuild); `warm`
    reads ahead, in a background thread, what queries need from each new generation."""
    return ArchiveIndex(index_dir, warm=warm)
