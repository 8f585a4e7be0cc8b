"""Plain types that leave `index/`: requests, hits, facets, reports.

Nothing here refers to Whoosh, so `web/` and the command line never see an engine type.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import NamedTuple

from archive.model import PartialDate


# Deeper than this, a person is not reading any more: pages stop there.
MAX_RESULTS_DEPTH = 10_000
# The most hits a page holds.
MAX_PAGE_SIZE = 100
# Other versions of a story listed (and compared) on a dispatch's page at once.
VERSIONS_SHOWN = 10


class Sort(StrEnum):
    RELEVANCE = "relevance"
    NEWEST = "newest"
    OLDEST = "oldest"


@dataclass(frozen=True)
class SearchRequest:
    """What a person asked: the query text, filters, order and page.

    `year`, `month` (`YYYY-MM`) and `day` (`YYYY-MM-DD`) drill down the date facets,
    as the URL writes them; both backends read them once, into one `PartialDate`
    (index/readings.py `request_dates`). `date_from`/`date_to` bound a range
    (inclusive, partial dates allowed); `undated` keeps only dispatches without a date.
    """

    query: str = ""
    year: int | None = None
    month: str | None = None
    day: str | None = None
    date_from: PartialDate | None = None
    date_to: PartialDate | None = None
    undated: bool = False
    sort: Sort = Sort.RELEVANCE
    page: int = 1
    page_size: int = 10
    # Only the ranked page is computed when False (benchmarks, the evaluation command).
    with_facets: bool = True
    with_snippets: bool = True
    # One hit per story (the best version) unless asked otherwise.
    collapse_versions: bool = True
    # Every word in its exact form, as if each were quoted (the exact switch).
    exact: bool = False
    # Only dispatches credited to each of these sources and authors (any spelling of
    # an agency, case and accents aside).
    sources: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()

    def without_drilldown(self) -> SearchRequest:
        """The request without the year, month or day chosen on the facets (a trend
        counts every period inside `du`/`au` and `date:`)."""
        return replace(self, year=None, month=None, day=None)


class Terms(NamedTuple):
    """What to mark in a text: analysed `stems`, and `exact` forms (each kind is compared
    with the same kind of term of the text's words). Named rather than a bare pair: a
    query's terms travel from its parsing to every hit's snippet, and swapping the two
    kinds marked the wrong words silently."""

    stems: frozenset[str] = frozenset()
    exact: frozenset[str] = frozenset()

    def merged(self, other: Terms) -> Terms:
        """Both sets of terms (a page showing partial matches marks their words too)."""
        return Terms(self.stems | other.stems, self.exact | other.exact)


@dataclass(frozen=True)
class SearchHit:
    id: str
    title: str
    date: PartialDate | None
    source_path: str
    byline: str | None
    score: float
    # HTML: the dispatch's text escaped, with the matched words in <mark>…</mark>.
    snippet: str
    # True when the dispatch holds only some of the query's words.
    partial: bool = False
    date_inferred: bool = False
    story_id: str | None = None
    # Other versions of the same story (ids), when results are collapsed.
    other_versions: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()

    @property
    def precision(self) -> str | None:
        return str(self.date.precision) if self.date else None


@dataclass(frozen=True)
class FacetValue:
    value: str  # `2019`, `2019-04`, `2019-04-07`
    count: int


@dataclass(frozen=True)
class Facets:
    years: tuple[FacetValue, ...] = ()
    months: tuple[FacetValue, ...] = ()  # only when a year is chosen
    days: tuple[FacetValue, ...] = ()  # only when a month is chosen
    undated: int = 0
    # The most frequent sources and authors (see index/whoosh/credits.py).
    sources: tuple[FacetValue, ...] = ()
    authors: tuple[FacetValue, ...] = ()


@dataclass(frozen=True)
class Histogram:
    """What a query finds per year, month or day (`unit`), for trends over time: the
    periods that have something, in order; the undated apart, and those dated less
    precisely than the unit (a month when counting days)."""

    unit: str  # "year", "month" or "day"
    values: tuple[FacetValue, ...] = ()
    undated: int = 0
    imprecise: int = 0

    @property
    def total(self) -> int:
        return sum(v.count for v in self.values) + self.undated + self.imprecise


@dataclass(frozen=True)
class Offer:
    """Another reading of the query, offered in one click: the exact forms when they
    find far fewer dispatches than the variants (`exact`, `variants`: how many each
    finds), or an operator typed in lower case."""

    kind: str  # "exact" or "operator"
    message: str
    query: str  # the query text to search instead
    exact: int | None = None
    variants: int | None = None


@dataclass(frozen=True)
class SearchResult:
    """One page of results. `total` counts what the list counts: dispatches, or stories
    when versions are grouped; `dispatches` counts dispatches either way. Partial matches
    (some of the words) are counted apart and listed after every full match."""

    request: SearchRequest
    total: int  # results holding all the words, or `needed` of them (after filters): dispatches, or stories
    hits: tuple[SearchHit, ...]
    facets: Facets
    # A corrected query drawn from the index vocabulary, when a word is unknown.
    suggestion: str | None = None
    # A message for the person when the query could not be read as typed.
    notice: str | None = None
    elapsed: float = 0.0
    offers: tuple[Offer, ...] = ()
    dispatches: int = 0  # dispatches holding all the words, versions counted apart
    partial_total: int = 0  # results holding only some of the words
    # Positions the pages reach: the full matches (relevance stops at MAX_RESULTS_DEPTH),
    # then the best partial matches; the first partial match stands at `first_partial`.
    listed: int = 0
    first_partial: int = 0
    # A long query's full matches hold at least `needed` of its `words_searched` words
    # rather than all of them (index/whoosh/longqueries.py); 0 for a query needing every word.
    needed: int = 0
    words_searched: int = 0

    @property
    def pages(self) -> int:
        return max(1, -(-self.listed // self.request.page_size))

    @property
    def grouped(self) -> bool:
        return self.request.collapse_versions


@dataclass(frozen=True)
class Failure:
    path: str
    reason: str


@dataclass
class ReindexReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    documents: int = 0  # documents in the index after the run

    @property
    def changed(self) -> int:
        return self.added + self.updated + self.removed
