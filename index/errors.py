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
