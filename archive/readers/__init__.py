"""One reader per format, picked by the file's suffix."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from archive.errors import UnreadableDispatch
from archive.names import readable_name
from archive.readers.base import MAX_DISPATCH_BYTES, Reading, Source
from archive.readers.html import read_html
from archive.readers.jsonl import read_jsonl
from archive.readers.text import read_text

Reader = Callable[[Source], Reading]

READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".text": read_text,
    ".html": read_html,
    ".htm": read_html,
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
}

# Exports hold many dispatches, so they may be larger (each record is capped on its own).
MAX_BYTES = {read_text: MAX_DISPATCH_BYTES, read_html: MAX_DISPATCH_BYTES, read_jsonl: 512 << 20}


def reader_for(path: Path) -> Reader | None:
    return READERS.get(path.suffix.lower())


def read_file(path: Path, root: Path) -> Reading:
    """Read one file of the archive rooted at `root`; UnreadableDispatch if none of it is
    usable. The file is opened once, with its size checked before its bytes are read."""
    relative = readable_name(path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name)
    reader = reader_for(path)
    if reader is None:
        raise UnreadableDispatch(relative, f"unsupported file type {path.suffix or '(none)'!r}")
    data = _read_bytes(path, relative, MAX_BYTES[reader])
    try:
        return reader(Source(path, relative, data))
    except RecursionError:
        raise UnreadableDispatch(relative, "structure nested too deeply to read") from None


def _read_bytes(path: Path, relative: str, limit: int) -> bytes:
    # O_NONBLOCK: opening a named pipe called `x.txt` must not wait for a writer forever;
    # it changes nothing for a regular file.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise UnreadableDispatch(relative, f"cannot read the file ({error.strerror or error})") from None
    try:
        status = os.fstat(descriptor)
        if stat.S_ISDIR(status.st_mode):
            raise UnreadableDispatch(relative, "not a file but a folder")
        if not stat.S_ISREG(status.st_mode):
            raise UnreadableDispatch(relative, "not a regular file (a device, pipe or socket)")
        if status.st_size > limit:
            raise _too_large(relative, status.st_size, limit)
        with open(descriptor, "rb", closefd=False) as handle:
            # Sized by fstat(), not by the limit: no 8 MB buffer for a 3 KB file.
            data = handle.read(status.st_size + 1)
            if len(data) > status.st_size:  # it grew since (or is a /proc file): read on
                data += handle.read(limit + 1 - len(data))
        if len(data) > limit:
            raise _too_large(relative, len(data), limit)
        return data
    except OSError as error:
        raise UnreadableDispatch(relative, f"cannot read the file ({error.strerror or error})") from None
    finally:
        os.close(descriptor)


def _too_large(relative: str, size: int, limit: int) -> UnreadableDispatch:
    return UnreadableDispatch(relative, f"file too large ({size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB)")


__all__ = ["READERS", "Reading", "Source", "read_file", "reader_for", "UnreadableDispatch"]
