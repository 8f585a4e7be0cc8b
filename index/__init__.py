"""Everything Whoosh: the French analyzer, the index on disk, reindexing and searching.

`open_backend` gives the same surface over an OpenSearch cluster (index/opensearch/)
when the configuration names one (index/backend.py).

Only plain types cross this boundary (`SearchRequest` in; `SearchResult`, `SearchHit`,
`StoredDispatch` with its `Version`s and their `Comparison`, `ReindexReport` out), so the
rest of the archive never sees Whoosh.
"""

from index.backend import Backend, open_backend, reindex_backend
from index.cache import clear_caches
from index.compare import Block, Change, Comparison, Version
from index.export import Export, ExportRow
from index.errors import (
    ArchiveIndexError, IndexLocked, IndexMissing, IndexUnwritable, NeedsRebuild, SearchUnavailable, Unsupported,
)
from index.lead import LEAD_WORDS
from index.longqueries import LONG_QUERY_SHARE, LONG_QUERY_WORDS
from index.permalinks import HashMatch
from index.query import MAX_QUERY_CHARS
from index.results import MAX_PAGE_SIZE, MAX_RESULTS_DEPTH, Facets, FacetValue, Failure, Histogram, Offer, ReindexReport, SearchHit, SearchRequest, SearchResult, Sort
from index.schema import SCHEMA_VERSION, needs_rebuild
from index.search import ArchiveIndex, StoredDispatch, open_index
from index.optimise import OptimiseReport, optimise
from index.writer import reindex

__all__ = [
    "LEAD_WORDS",
    "LONG_QUERY_SHARE",
    "LONG_QUERY_WORDS",
    "MAX_QUERY_CHARS",
    "MAX_PAGE_SIZE",
    "MAX_RESULTS_DEPTH",
    "SCHEMA_VERSION",
    "ArchiveIndex",
    "ArchiveIndexError",
    "Backend",
    "Block",
    "Change",
    "Comparison",
    "FacetValue",
    "Facets",
    "Export",
    "ExportRow",
    "Failure",
    "HashMatch",
    "Histogram",
    "IndexLocked",
    "IndexMissing",
    "IndexUnwritable",
    "NeedsRebuild",
    "Offer",
    "OptimiseReport",
    "ReindexReport",
    "SearchUnavailable",
    "SearchHit",
    "SearchRequest",
    "SearchResult",
    "Sort",
    "StoredDispatch",
    "Unsupported",
    "Version",
    "clear_caches",
    "needs_rebuild",
    "open_backend",
    "open_index",
    "optimise",
    "reindex",
    "reindex_backend",
]
