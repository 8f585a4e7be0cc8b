"""Everything Whoosh: the French analyzer, the index on disk, reindexing and searching.

`open_backend` gives the same surface over an OpenSearch cluster (index/opensearch/)
when the configuration names one (index/backend.py).

Only plain types cross this boundary (`SearchRequest` in; `SearchResult`, `SearchHit`,
`StoredDispatch` with its `Version`s and their `Comparison`, `ReindexReport` out), so the
rest of the archive never sees Whoosh. `__all__` is what `web/` and `bench/` use; tests
and tools that need an internal (a cache to clear, the schema version) import it from
its module (`from index.cache import clear_caches`).
"""

from index.backend import Backend, open_backend, reindex_backend
from index.errors import (
    ArchiveIndexError, IndexLocked, IndexMissing, NeedsRebuild, SearchUnavailable, Unsupported,
)
from index.export import Export, ExportRow
from index.lead import LEAD_WORDS
from index.longqueries import LONG_QUERY_SHARE, LONG_QUERY_WORDS
from index.optimise import OptimiseReport, optimise
from index.permalinks import normalise_key
from index.query import MAX_QUERY_CHARS
from index.results import MAX_PAGE_SIZE, Facets, Histogram, ReindexReport, SearchHit, SearchRequest, SearchResult, Sort
from index.search import ArchiveIndex, StoredDispatch, open_index
from index.compare import Version
from index.writer import reindex

__all__ = [
    # Limits and figures the page and /aide state.
    "LEAD_WORDS",
    "LONG_QUERY_SHARE",
    "LONG_QUERY_WORDS",
    "MAX_PAGE_SIZE",
    "MAX_QUERY_CHARS",
    # Opening, writing and searching an index.
    "ArchiveIndex",
    "Backend",
    "open_backend",
    "open_index",
    "optimise",
    "reindex",
    "reindex_backend",
    "normalise_key",
    # The plain types that cross the boundary.
    "Export",
    "ExportRow",
    "Facets",
    "Histogram",
    "OptimiseReport",
    "ReindexReport",
    "SearchHit",
    "SearchRequest",
    "SearchResult",
    "Sort",
    "StoredDispatch",
    "Version",
    # Errors, each with a message a person can act on.
    "ArchiveIndexError",
    "IndexLocked",
    "IndexMissing",
    "NeedsRebuild",
    "SearchUnavailable",
    "Unsupported",
]
