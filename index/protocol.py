"""What `web/` may ask of the archive's index, whichever engine holds it.

`open_backend` (index/backend.py) gives an `ArchiveIndex` (Whoosh, index/whoosh/search.py) or
an `OpenSearchIndex` (index/opensearch/search.py). They share no code path below this
surface, so nothing but this protocol says they answer the same calls: it names every
method the rest of the archive may use, with plain types in and out, and
tests/test_protocol.py checks that both engines implement exactly it, with the same
parameters and defaults. A method added to one engine and not the other, or a default
that drifts, fails there rather than on one backend's page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from index.export import BATCH, ExportRow
from index.permalinks import SHORT, HashMatch
from index.results import VERSIONS_SHOWN, Histogram, SearchHit, SearchRequest, SearchResult
from index.stored import StoredDispatch


@runtime_checkable
class ResultStream(Protocol):
    """An export's results: `total` of them, iterated once in the list's order, holding
    the engine's resources (a searcher, a point in time) until closed or exhausted."""

    total: int

    def __iter__(self) -> Iterator[ExportRow]: ...

    def close(self) -> None: ...

    @property
    def closed(self) -> bool: ...

    def __enter__(self) -> ResultStream: ...

    def __exit__(self, *exc) -> None: ...


@runtime_checkable
class SearchBackend(Protocol):
    """A handle on the archive's index, safe to share between a server's threads."""

    def search(self, request: SearchRequest) -> SearchResult:
        """A page of results, with its exact counts, facets, offers and notice."""

    def histogram(self, request: SearchRequest, unit: str) -> Histogram:
        """The matches counted by `unit` (year, month, day) over the request's period."""

    def export(self, request: SearchRequest, text: bool = False, batch: int = BATCH) -> ResultStream:
        """Every result of `request`, streamed in batches of `batch` (full texts with `text`)."""

    def get(self, dispatch_id: str, highlight: str = "", exact: bool = False, versions_start: int = 0,
            versions_limit: int | None = VERSIONS_SHOWN) -> StoredDispatch | None:
        """One dispatch, its text highlighted for the query `highlight`, with
        `versions_limit` of its story's other versions from `versions_start`."""

    def similar(self, dispatch_id: str, limit: int = 5) -> tuple[SearchHit, ...]:
        """Dispatches close in content to this one (not its own versions)."""

    def permalink_key(self, dispatch_id: str, length: int = SHORT) -> str | None:
        """The stable key of a dispatch's permalink (index/permalinks.py)."""

    def by_hash(self, prefix: str) -> list[HashMatch]:
        """The dispatches whose permalink key starts with `prefix`."""

    def count(self) -> int:
        """How many dispatches the index holds."""

    def warm(self) -> int:
        """Read ahead what the first queries need; the number of items read."""

    def close(self) -> None:
        """Release the engine's resources (files, connections)."""

    def __enter__(self) -> SearchBackend: ...

    def __exit__(self, *exc) -> None: ...
