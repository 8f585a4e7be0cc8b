"""Which search engine holds the archive: Whoosh in a folder (the default, nothing to
run) or an OpenSearch cluster. `web/` and the command line name it by configuration only
(`ARCHIVE_BACKEND=whoosh|opensearch`, `ARCHIVE_OPENSEARCH_URL`, `ARCHIVE_OPENSEARCH_INDEX`,
`ARCHIVE_OPENSEARCH_VERIFY`, or the options of the same names) and get an object with
the same methods either way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from index.errors import ArchiveIndexError
from index.protocol import SearchBackend
from index.results import ReindexReport

BACKENDS = ("whoosh", "opensearch")


class UnknownBackend(ArchiveIndexError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown search backend {name!r}: choose one of {', '.join(BACKENDS)}")


@dataclass(frozen=True)
class Backend:
    """Where the archive is: `kind` and, for Whoosh, the folder; for OpenSearch, the
    nodes (comma-separated addresses), the alias, and how certificates are checked."""

    kind: str = "whoosh"
    index_dir: Path = Path("index-data")
    opensearch_url: str | None = None
    opensearch_index: str | None = None
    opensearch_verify: str | bool | None = None

    def __post_init__(self) -> None:
        if self.kind not in BACKENDS:
            raise UnknownBackend(self.kind)

    @classmethod
    def from_config(cls, config: Mapping, index_dir: Path | str | None = None) -> Backend:
        """From a Flask config (`ARCHIVE_`-prefixed environment variables, prefix gone):
        BACKEND, OPENSEARCH_URL, OPENSEARCH_INDEX, OPENSEARCH_VERIFY, INDEX_DIR."""
        def text(name: str) -> str | None:
            # Flask reads prefixed variables as JSON when they parse: `123` is a number.
            value = config.get(name)
            return None if value is None else str(value)

        verify = config.get("OPENSEARCH_VERIFY")
        return cls(
            kind=str(config.get("BACKEND") or "whoosh").strip().lower(),
            index_dir=Path(index_dir or config.get("INDEX_DIR") or "index-data"),
            opensearch_url=text("OPENSEARCH_URL"),
            opensearch_index=text("OPENSEARCH_INDEX"),
            opensearch_verify=verify if isinstance(verify, bool) or verify is None else str(verify),
        )

    def target(self):
        from index.opensearch.connection import Target

        return Target.from_settings(self.opensearch_url, self.opensearch_index, self.opensearch_verify)

    @property
    def where(self) -> str:
        """The index as a person names it, for messages."""
        if self.kind == "whoosh":
            return str(self.index_dir)
        target = self.target()
        return f"{target.index} on {target.shown}"


def open_backend(backend: Backend, warm: bool = False) -> SearchBackend:
    """The archive's index: an `ArchiveIndex` (Whoosh) or an `OpenSearchIndex`, with the
    same methods (index/protocol.py). Raises IndexMissing or NeedsRebuild, and for a cluster
    SearchUnavailable when it does not answer."""
    if backend.kind == "opensearch":
        from index.opensearch.search import OpenSearchIndex

        return OpenSearchIndex(backend.target(), warm=warm)
    from index.whoosh.search import open_index

    return open_index(backend.index_dir, warm=warm)


def reindex_backend(backend: Backend, roots: Sequence[Path], *, rebuild: bool = False, progress=None,
                    lock_timeout: float = 10.0) -> ReindexReport:
    """index/whoosh/writer.py's `reindex` into the chosen backend."""
    if backend.kind == "opensearch":
        from index.opensearch.writer import reindex as into_cluster

        return into_cluster(backend.target(), roots, rebuild=rebuild, progress=progress, lock_timeout=lock_timeout)
    from index.whoosh.writer import reindex

    return reindex(backend.index_dir, roots, rebuild=rebuild, progress=progress, lock_timeout=lock_timeout)
