"""Errors of the index layer, each with a message a person can act on."""

from __future__ import annotations

from pathlib import Path


class ArchiveIndexError(Exception):
    """Base class: the command line prints the message and exits non-zero."""


class IndexMissing(ArchiveIndexError):
    def __init__(self, index_dir: Path) -> None:
        super().__init__(f"no index in {index_dir}: run `archive reindex` first")


class NeedsRebuild(ArchiveIndexError):
    def __init__(self, index_dir: Path) -> None:
        super().__init__(
            f"the index in {index_dir} was written by another version of the archive: "
            "run `archive reindex --rebuild`"
        )


class IndexLocked(ArchiveIndexError):
    def __init__(self, index_dir: Path, waited: float) -> None:
        super().__init__(
            f"another reindex is running on {index_dir} (waited {waited:g} s): "
            "try again when it has finished"
        )
        self.waited = waited


class IndexUnwritable(ArchiveIndexError):
    def __init__(self, index_dir: Path, reason: str) -> None:
        super().__init__(f"cannot write the index in {index_dir}: {reason}; the previous index is unchanged")


class SearchUnavailable(ArchiveIndexError):
    """The search engine (an OpenSearch cluster) does not answer: a server answers 503
    until it is back; a reindex stops with the index as it was."""


class Unsupported(ArchiveIndexError):
    """A function the chosen search backend does not offer."""

    def __init__(self, what: str) -> None:
        super().__init__(f"`{what}` is not available with this search backend")
        self.what = what
