"""What a reindex compares: the files under the archive roots, and the files the index holds.

Both sides are a few hundred thousand entries on a large archive, and a no-op reindex
does nothing else, so both are kept as columns (lists of keys, sizes and mtimes) and
compared with set operations, never as an object per file:

- the walk yields a folder's consecutive files as one run (archive/discover.py `walk`),
  each stat'ed by name in its open folder, so the system does not resolve the whole
  path again for each file;
- the index side is read from its sortable columns a whole segment at a time
  (index/column_values.py), paths left as UTF-8 bytes: no stored document is loaded
  and no path is decoded.

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
from itertools import compress
from pathlib import Path

from archive import Found, walk
from archive.names import needs_renaming, readable_name
from index.column_values import column_values
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
    for root, prefix in zip(roots, root_prefixes(roots)):
        root = Path(root).resolve()
        if not root.is_dir():
            report.failures.append(Failure(readable_name(str(root)), "not a folder"))
            continue
        prefix = readable_name(prefix)
        found.roots.append((root, prefix))
        which = len(found.roots) - 1
        for item in walk(root):
            if isinstance(item, Found):
                report.failures.append(Failure(prefix + item.relative, item.skipped))
                continue
            base = prefix + item.relative
            folder = os.path.join(item.folder, "")
            for name, readable, stat in zip(item.names, item.readable_names(), _stats(item.folder, item.names)):
                if isinstance(stat, OSError):
                    report.failures.append(Failure(base + readable, f"cannot read the file ({stat.strerror})"))
                    continue
                found.keys.append(base + readable)
                found.wheres.append(folder + name)
                found.sizes.append(stat.st_size)
                found.mtimes.append(stat.st_mtime_ns)
                found.which_root.append(which)
    return _unique(found, report)


def _stats(folder: str, names: list[str]) -> list[os.stat_result | OSError]:
    """Each file's stat (links followed), or the error that stat raised."""
    folder_fd = None
    if _BY_FOLDER:
        try:
            folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            folder_fd = None
    stats: list[os.stat_result | OSError] = []
    try:
        for name in names:
            try:
                if folder_fd is None:
                    stats.append(os.stat(os.path.join(folder, name)))
                else:
                    stats.append(os.stat(name, dir_fd=folder_fd))
            except OSError as error:
                stats.append(error)
    finally:
        if folder_fd is not None:
            os.close(folder_fd)
    return stats


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
    """What the index holds, per file (its path as UTF-8 bytes): size and mtime, and how
    many live dispatches came from it."""

    stamps: dict[bytes, tuple[int, int]]
    counts: Counter


def indexed(reader) -> Indexed:
    """The files a Whoosh reader holds, read from columns only, a whole column of a
    segment at a time; deleted documents left out."""
    stamps: dict[bytes, tuple[int, int]] = {}
    counts: Counter = Counter()
    for leaf, _ in reader.leaf_readers():
        paths = column_values(leaf, "path", translate=False)
        sizes = column_values(leaf, "size")
        mtimes = column_values(leaf, "mtime")
        if leaf.has_deletions():
            live = [True] * len(paths)
            for docnum in leaf.deleted_docs_set:
                live[docnum] = False
            paths, sizes, mtimes = (list(compress(column, live)) for column in (paths, sizes, mtimes))
        counts.update(paths)
        # Every dispatch of a file carries the file's size and mtime.
        stamps.update(zip(paths, zip(sizes, mtimes)))
    return Indexed(stamps, counts)


@dataclass
class Comparison:
    """A scan against what the index holds."""

    changed: list[int]  # positions in the scan of new files and files whose size or mtime moved
    gone: list[str]  # keys of indexed files no longer found
    unchanged_dispatches: int  # live dispatches of the files left as they are


def compare(found: Scan, held: Indexed) -> Comparison:
    stamps = held.stamps
    encoded = [key.encode("utf-8") for key in found.keys]
    changed = [n for n, (key, stamp) in enumerate(zip(encoded, zip(found.sizes, found.mtimes)))
               if stamps.get(key) != stamp]
    gone = stamps.keys() - set(encoded)
    moved = sum(held.counts[encoded[n]] for n in changed) + sum(held.counts[path] for path in gone)
    return Comparison(changed, sorted(path.decode("utf-8") for path in gone), held.counts.total() - moved)
