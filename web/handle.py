"""The app's one handle on the index, opened when the index first exists.

A server may start before the first reindex (or be pointed at an index that needs a
rebuild): pages then answer 503 with a message, and the index is opened as soon as it
is there, without a restart.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import current_app

from index import ArchiveIndex, IndexMissing, NeedsRebuild, open_index


class IndexHandle:
    def __init__(self, index_dir: str | Path, warm: bool = True) -> None:
        self.index_dir = Path(index_dir)
        self._warm = warm
        self._lock = threading.Lock()
        self._index: ArchiveIndex | None = None
        try:
            self._index = open_index(self.index_dir, warm=warm)
        except (IndexMissing, NeedsRebuild):
            pass  # reported by each request until the index is there

    def get(self) -> ArchiveIndex:
        """The shared `ArchiveIndex`; IndexMissing or NeedsRebuild while there is none."""
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._index = open_index(self.index_dir, warm=self._warm)
        return self._index

    def close(self) -> None:
        """Close the index's files now (a test app done with, a server stopping), not
        whenever the garbage collector reaches them."""
        with self._lock:
            index, self._index = self._index, None
        if index is not None:
            index.close()


def archive_index() -> ArchiveIndex:
    """The current app's index (raises IndexMissing / NeedsRebuild, answered with 503)."""
    return current_app.extensions["archive_index"].get()
