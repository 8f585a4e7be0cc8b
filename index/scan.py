"""What a reindex compares: the files under the archive roots, and the files the index holds.

Both sides are a few hundred thousand entries on a large archive, and a no-op reindex
does nothing else, so both are kept as columns (lists of keys, arrays of sizes and
mtimes), never as an object per file:

- the walk yields a folder's consecutive files as one run (archive/discover.py `walk`),
  each stat'ed by name in its open folder, so the system does not resolve the whole
  path again for each file;
- the index side is read from its sortable columns a whole segment at a time
  (index/whoosh/column_values.py `indexed`), paths left as UTF-8 bytes: no stored
  document is loaded and no path is decoded;
- each scanned file is looked up once in a dict of the index's paths, and the stamps
  at the positions found are compared with NumPy, all files at once.

The floor is the walk and one `stat` per file: at 341,030 dispatches (323,832 files)
the stat calls are about half of a no-op (docs/benchmarks.md).

A file is unchanged when its size and mtime (to the nanosecond) are those the index
holds. A file edited in place gets a new mtime, so the next reindex reads it again;
content rewritten with the same size and its old mtime put back by hand is not seen
until `archive reindex --rebuild` (the contract README states).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import repeat
from pathlib import Path

import numpy as np

from archive import Found, walk
from archive.names import needs_renaming, readable_name
from index.results import Failure, ReindexReport

# Stat a file by its name in its open folder where the system can (Linux, macOS).
_BY_FOLDER = os.stat in os.supports_dir_fd and hasattr(os, "O_DIRECTORY")


@dataclass(frozen=True)
class ScannedFile:
    """One file found under a root, made on demand from `Scan`'s columns."""

    found: Found
    key: str  # the file's name in the index: relative to its root, prefixed when several
    root: Path
    size: int
    mtime: int


@dataclass
class Scan:
    """The files found under the roots, in discovery order, column by column."""

    roots: list[tuple[Path, str]] = field(default_factory=list)  # (root, its prefix)
    keys: list[str] = field(default_factory=list)
    wheres: list[str] = field(default_factory=list)  # the real paths, to open the files
    sizes: list[int] = field(default_factory=list)
    mtimes: list[int] = field(default_factory=list)
    which_root: list[int] = field(default_factory=list)  # index into `roots`

    def __len__(self) -> int:
        return len(self.keys)

    def file(self, n: int) -> ScannedFile:
        root, prefix = self.roots[self.which_root[n]]
        key = self.keys[n]
        return ScannedFile(Found(self.wheres[n], key[len(prefix):]), key, root, self.sizes[n], self.mtimes[n])

    def files(self, positions: Sequence[int] | None = None) -> list[ScannedFile]:
        return [self.file(n) for n in (range(len(self)) if positions is None else positions)]

    def keep(self, positions: Sequence[int]) -> Scan:
        kept = Scan(self.roots)
        for name in ("keys", "wheres", "sizes", "mtimes", "which_root"):
            column = getattr(self, name)
            setattr(kept, name, [column[n] for n in positions])
        return kept


def root_prefixes(roots: Sequence[Path]) -> list[str]:
    """What names each root's files in the index when there are several roots: the
    folder's name, lengthened by its parents until no two roots share one."""
    resolved = [Path(root).resolve() for root in roots]
    if len(resolved) < 2:
        return [""]
    for depth in range(1, max(len(r.parts) for r in resolved) + 1):
        names = ["/".join(r.parts[-depth:]).lstrip("/") for r in resolved]
        if len(set(names)) == len(names):
            return [f"{name}/" for name in names]
    return [f"{r.as_posix().lstrip('/')}/" for r in resolved]


def scan(roots: Sequence[Path], report: ReindexReport) -> Scan:
    """Every dispatch file under `roots` with its size and mtime; what cannot be listed
    or stat'ed goes to the report's failures."""
    found = Scan()
    # Keys can only clash when a name was read as Windows-1252 (`_unique`).
    renamed = False
    for root, prefix in zip(roots, root_prefixes(roots)):
        root = Path(root).resolve()
        if not root.is_dir():
            report.failures.append(Failure(readable_name(str(root)), "not a folder"))
            continue
        renamed = renamed or needs_renaming(prefix)
        prefix = readable_name(prefix)
        found.roots.append((root, prefix))
        which = len(found.roots) - 1
        for item in walk(root):
            if isinstance(item, Found):
                report.failures.append(Failure(prefix + item.relative, item.skipped))
                continue
            base, folder = prefix + item.relative, os.path.join(item.folder, "")
            names, readable = item.names, item.readable_names()
            renamed = renamed or readable is not names or needs_renaming(item.folder)
            stats = _stats(item.folder, names)
            if stats is None:  # some file could not be stat'ed: one at a time
                stats, kept = [], []
                for n, (name, key) in enumerate(zip(names, readable)):
                    try:
                        stats.append(os.stat(folder + name))
                        kept.append(n)
                    except OSError as error:
                        report.failures.append(Failure(base + key, f"cannot read the file ({error.strerror})"))
                names, readable = [names[n] for n in kept], [readable[n] for n in kept]
            # A column at a time: a large archive's scan is mostly this loop.
            found.keys += [base + name for name in readable]
            found.wheres += [folder + name for name in names]
            found.sizes += [stat.st_size for stat in stats]
            found.mtimes += [stat.st_mtime_ns for stat in stats]
            found.which_root += [which] * len(stats)
    return _unique(found, report) if renamed else found


def _stats(folder: str, names: list[str]) -> list[os.stat_result] | None:
    """Each file's stat (links followed), or None when one of them cannot be had."""
    try:
        if not _BY_FOLDER:
            return [os.stat(os.path.join(folder, name)) for name in names]
        folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        return [os.stat(name, dir_fd=folder_fd) for name in names]
    except OSError:
        return None
    finally:
        os.close(folder_fd)


def _unique(found: Scan, report: ReindexReport) -> Scan:
    """Two files whose names read alike once decoded (`café.txt` written in UTF-8 and in
    Latin-1 side by side) would share their dispatch ids: the one whose name is not
    UTF-8 is refused, by name, and the other indexed."""
    if len(set(found.keys)) == len(found.keys):
        return found
    groups: dict[str, list[int]] = {}
    for n, key in enumerate(found.keys):
        groups.setdefault(key, []).append(n)
    refused: set[int] = set()
    for key, group in groups.items():
        # UTF-8 names first (False < True), then in discovery order (a stable sort).
        for n in sorted(group, key=lambda n: needs_renaming(found.wheres[n]))[1:]:
            refused.add(n)
            raw = os.fsencode(os.path.basename(found.wheres[n]))
            report.failures.append(Failure(key, f"another file has this name once the bytes of its name ({raw!r}) "
                                                "are read as Windows-1252: rename it"))
    return found.keep([n for n in range(len(found)) if n not in refused])


@dataclass
class Indexed:
    """What the index holds: each live dispatch's file (its path as UTF-8 bytes), the
    file's size and mtime, in document order."""

    paths: list[bytes]
    sizes: np.ndarray
    mtimes: np.ndarray

    @cached_property
    def positions(self) -> dict[bytes, int]:
        """Each file's last dispatch (every dispatch of a file has the file's stamps)."""
        return dict(zip(self.paths, range(len(self.paths))))

    @cached_property
    def counts(self) -> Counter:
        """Live dispatches per file: needed only for the files that changed."""
        return Counter(self.paths)


@dataclass
class Comparison:
    """A scan against what the index holds."""

    changed: list[int]  # positions in the scan of new files and files whose size or mtime moved
    gone: list[str]  # keys of indexed files no longer found
    unchanged_dispatches: int  # live dispatches of the files left as they are


def compare(found: Scan, held: Indexed) -> Comparison:
    """Looked up once per file, compared at once: for each scanned file, the position
    of its last dispatch in the index (-1 when it has none), then the stamps there."""
    encoded = [key.encode("utf-8") for key in found.keys]
    where = np.fromiter(map(held.positions.get, encoded, repeat(-1)), dtype=np.int64, count=len(encoded))
    known = where >= 0
    same = known.copy()
    same[known] = ((held.sizes[where[known]] == np.array(found.sizes, dtype=np.int64)[known])
                   & (held.mtimes[where[known]] == np.array(found.mtimes, dtype=np.int64)[known]))
    changed = np.flatnonzero(~same).tolist()
    # Scanned keys are distinct: when as many were found as the index holds, none is gone.
    gone = [] if int(known.sum()) == len(held.positions) else held.positions.keys() - set(encoded)
    if not changed and not gone:
        return Comparison([], [], len(held.paths))
    counts = held.counts
    moved = sum(counts[encoded[n]] for n in changed) + sum(counts[path] for path in gone)
    return Comparison(changed, sorted(path.decode("utf-8") for path in gone), len(held.paths) - moved)
