"""Where the index lives on disk, and how it is replaced without ever being lost.

An index folder holds one or more Whoosh indexes, each under its own name, and a small
`CURRENT` file naming the live one. A rebuild writes a new index beside the live one and
switches `CURRENT` with an atomic rename only once it is complete, so a rebuild killed
half-way leaves the previous index searchable. Incremental updates go into the live index
through Whoosh's own atomic commit (segments first, then the table of contents).
"""

from __future__ import annotations

import os
import pickle
import shutil
import struct
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile

from index.errors import IndexDamaged, IndexLocked, IndexMissing, IndexUnwritable, NeedsRebuild
from index.whoosh.schema import VERSION_FILE, build_schema, needs_rebuild, write_version

CURRENT_FILE = "CURRENT"
LOCK_NAME = "REINDEX"


def current_name(index_dir: Path) -> str | None:
    try:
        name = (index_dir / CURRENT_FILE).read_text().strip()
    except OSError:
        return None
    return name or None


def open_named(index_dir: Path | str, name: str) -> whoosh_index.Index:
    """The index `name` in `index_dir`, read with the code's schema.

    Whoosh stores the schema pickled in each index, naming the modules of our analysis
    classes: read back, it would tie an index to where those classes lived when it was
    written, and an index written before a module moved failed to open with
    ModuleNotFoundError. Given a schema, Whoosh skips the pickled one; that the index
    was written for this schema is what `schema-version.json` says (`needs_rebuild`).
    """
    try:
        return whoosh_index.open_dir(str(index_dir), indexname=name, schema=build_schema())
    except whoosh_index.EmptyIndexError:
        raise  # no index at all (IndexMissing to the caller), though Whoosh's IndexError
    except (whoosh_index.IndexError, EOFError, ValueError, struct.error, pickle.UnpicklingError,
            AssertionError) as error:
        # What Whoosh raises on a table of contents cut short or garbled (its generation
        # number checked by an `assert`).
        _close_files_left_open(error)
        raise IndexDamaged(Path(index_dir), f"sa table des matières est tronquée ou altérée : {error}") from error


def _close_files_left_open(error: BaseException) -> None:
    """Close the files a failed read left open in its frames: Whoosh closes the table of
    contents only once it is read, and the error would keep it open until collected."""
    frame = error.__traceback__
    while frame is not None:
        for value in frame.tb_frame.f_locals.values():
            if isinstance(value, StructFile) and not value.is_closed:
                value.close()
        frame = frame.tb_next


def open_live(index_dir: Path) -> whoosh_index.Index:
    """The live index, or IndexMissing / NeedsRebuild with a message for a person."""
    name = current_name(index_dir)
    if name is None:
        raise IndexMissing(index_dir)
    try:
        live = open_named(index_dir, name)
    except whoosh_index.EmptyIndexError:
        raise IndexMissing(index_dir) from None
    if needs_rebuild(index_dir):
        live.close()
        raise NeedsRebuild(index_dir)
    return live


def create_fresh(index_dir: Path) -> tuple[whoosh_index.Index, str]:
    """A new, empty index beside the live one; it becomes live through `publish`."""
    name = f"ix{uuid.uuid4().hex[:12]}"
    index_dir.mkdir(parents=True, exist_ok=True)
    return whoosh_index.create_in(str(index_dir), build_schema(), indexname=name), name


def publish(index_dir: Path, name: str) -> None:
    """Make `name` the live index (atomic), then delete the files of the others."""
    write_version(index_dir)
    pointer = index_dir / f".{CURRENT_FILE}.{os.getpid()}"
    pointer.write_text(name)
    with pointer.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(pointer, index_dir / CURRENT_FILE)
    remove_stale(index_dir)


def remove_stale(index_dir: Path) -> None:
    """Delete the files of every index but the live one (left by a finished or killed
    rebuild). Call it under the reindex lock only."""
    keep = current_name(index_dir)
    # Whoosh names every file of an index after it (`_NAME_3.toc`, `NAME_abc.seg`), and
    # the folder of a writer's temporary files too (`NAME.tmp`, left by a killed rebuild).
    # Searchers already open keep their open files: unlinking does not disturb them.
    for path in index_dir.iterdir():
        name = path.name.lstrip("_")
        # The half-written pointer or version file of a killed publish (`.CURRENT.123`).
        pending = path.name.startswith((f".{CURRENT_FILE}.", f".{VERSION_FILE}."))
        if pending or (name.startswith("ix") and (keep is None or not name.startswith(keep))):
            # Tidying only: a file that cannot go now (a read-only folder) goes next time,
            # and must not fail a rebuild that is already published.
            with suppress(OSError):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink(missing_ok=True)


@contextmanager
def reindex_lock(index_dir: Path, timeout: float) -> Iterator[None]:
    """Hold the folder's reindex lock; wait at most `timeout` seconds, then IndexLocked.

    The lock is an OS file lock: a reindex that dies (even by SIGKILL) releases it.
    """
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        lock = FileStorage(str(index_dir)).lock(LOCK_NAME)
        deadline = time.monotonic() + timeout
        while not lock.acquire(blocking=False):
            if time.monotonic() >= deadline:
                raise IndexLocked(index_dir, timeout)
            time.sleep(0.1)
    except OSError as error:
        # A read-only folder (or disk) where the lock file cannot be created.
        raise IndexUnwritable(index_dir, error.strerror or str(error)) from None
    try:
        yield
    finally:
        lock.release()
