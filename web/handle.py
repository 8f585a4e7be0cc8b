"""The app's one handle on the index, opened when the index first exists.

A server may start before the first reindex (or be pointed at an index that needs a
rebuild, or at a cluster that does not answer yet): pages then answer 503 with a
message, and the index is opened as soon as it is there, without a restart. Which
engine holds the index is configuration (index/backend.py).
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import current_app

from index import ArchiveIndex, Backend, IndexMissing, NeedsRebuild, SearchUnavailable, open_backend


class IndexHandle:
    def __init__(self, index_dir: str | Path, warm: bool = True, backend: Backend | None = None) -> None:
        self.index_dir = Path(index_dir)
        self.backend = backend or Backend(index_dir=self.index_dir)
        self._warm = warm
        self._lock = threading.Lock()
        self._index: ArchiveIndex | None = None
        try:
            self._index = open_backend(self.backend, warm=warm)
        except (IndexMissing, NeedsRebuild, SearchUnavailable):
            pass  # reported by each request until the index is there

    def get(self) -> ArchiveIndex:
        """The shared `ArchiveIndex` (or `OpenSearchIndex`); IndexMissing, NeedsRebuild or
        SearchUnavailable while there is none."""
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._index = open_backend(self.backend, warm=self._warm)
        return self._index

    def close(self) -> None:
        """Close the index's files now (a test app done with, a server stopping), not
        whenever the garbage collector reaches them."""
        with self._lock:
            index, self._index = self._index, None
        if index is not None:
            index.close()


def archive_index() -> ArchiveIndex:
    """The current app's index (raises IndexMissing / NeedsRebuild / SearchUnavailable,
    answered with 503)."""
    return current_app.extensions["archive_index"].get()
