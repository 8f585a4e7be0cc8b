"""The archive's index: an engine-neutral core here, and two engines beneath it.

`index/` itself holds what does not depend on an engine: the plain types that cross this
boundary, the surface both engines offer (index/protocol.py), the choice of engine
(index/backend.py), the French rules both analyse by, story grouping, the scan of the
archive's files, and the readings of a request. The engines are `index/whoosh/` (the
index on disk: analysis, schema, reindexing, searching) and `index/opensearch/` (the
same surface over a cluster); `open_backend` picks one from the configuration. Core
modules import neither engine; only this package and index/backend.py reach into them.

Only plain types cross this boundary (`SearchRequest` in; `SearchResult`, `SearchHit`,
`StoredDispatch` with its `Version`s and their `Comparison`, `ReindexReport` out), so the
rest of the archive never sees an engine type. `__all__` is what `web/` and `bench/` use;
tests and tools that need an internal (a cache to clear, the schema version) import it
from its module (`from index.cache import clear_caches`).
"""

from index.backend import Backend, open_backend, reindex_backend
from index.errors import (
    ArchiveIndexError, IndexDamaged, IndexLocked, IndexMissing, NeedsRebuild, SearchUnavailable, Unsupported,
)
from index.compare import Version
from index.export import ExportRow
from index.permalinks import normalise_key
from index.results import MAX_PAGE_SIZE, Facets, Histogram, ReindexReport, SearchHit, SearchRequest, SearchResult, Sort
from index.stored import StoredDispatch
from index.whoosh.export import Export
from index.whoosh.lead import LEAD_WORDS
from index.whoosh.longqueries import LONG_QUERY_SHARE, LONG_QUERY_WORDS
from index.whoosh.optimise import OptimiseReport, optimise
from index.whoosh.query import MAX_QUERY_CHARS
from index.whoosh.search import ArchiveIndex, open_index
from index.whoosh.writer import reindex

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
    "IndexDamaged",
    "IndexLocked",
    "IndexMissing",
    "NeedsRebuild",
    "SearchUnavailable",
    "Unsupported",
]
