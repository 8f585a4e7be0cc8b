"""Finding the dispatch files under an archive root.

Symbolic links are not followed out of the root (an archive must not index, nor let a
reader reach, files that were never put in it); hidden files and folders are left alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

from archive.names import needs_renaming, readable_name
from archive.readers import READERS

_NAME = attrgetter("name")
_EXTENSIONS = {extension.lstrip(".") for extension in READERS}


@dataclass(frozen=True)
class Found:
    """A dispatch file, or a path passed over and why (`skipped` is then set)."""

    where: str | Path  # the real path, kept as text (given as a Path, turned to text)
    relative: str  # its name in the archive, as text (archive/names.py)
    skipped: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "where", os.fspath(self.where))

    @property
    def path(self) -> Path:
        """The real path, to open the file with. Made on demand: a walk makes hundreds
        of thousands of `Found`, and a no-op reindex opens none of them."""
        return Path(self.where)


@dataclass(frozen=True)
class Run:
    """Files found one after the other in one folder: what `walk` yields instead of a
    `Found` per file, so that a large archive's walk makes one object per folder."""

    folder: str  # the folder's real path, as text
    relative: str  # its name in the archive, as text, ending in "/" ("" for the root)
    names: list[str]  # the files' names on disk, in walk order

    def readable_names(self) -> list[str]:
        """The files' names in the archive (archive/names.py), checked once for the run."""
        if not needs_renaming("".join(self.names)):
            return self.names
        return [readable_name(name) for name in self.names]

    def found(self) -> Iterator[Found]:
        for name, readable in zip(self.names, self.readable_names()):
            yield Found(os.path.join(self.folder, name), self.relative + readable)


def discover(root: Path) -> Iterator[Found]:
    """Every readable-looking file under `root`, and the links and folders passed over.

    The order is stable: sorted by path, folder by folder (`a/z.txt` before `a-b.txt`),
    files and folders interleaved by name. A link to a file inside the root is followed;
    a link to a folder inside it is not (its files are found under their own path), and
    a link that leads out of the root is reported as skipped.
    """
    for item in walk(root):
        if isinstance(item, Found):
            yield item
        else:
            yield from item.found()


def walk(root: Path) -> Iterator[Found | Run]:
    """What `discover` finds, in its order, with consecutive files of a folder as one
    `Run`; a path passed over is a `Found` with `skipped` set."""
    root = root.resolve()
    try:
        stack = _listing(root)
    except OSError as error:
        yield Found(root, ".", skipped=f"cannot list the folder ({error.strerror or error})")
        return
    # Paths stay text (cut, compared, stat'ed as such): pathlib's parsing, three times
    # a file, took most of a no-op reindex's walk of a large archive.
    start = len(os.path.join(root, ""))
    run: Run | None = None
    while stack:
        entry = stack.pop()
        name = entry.name
        if name.startswith("."):
            continue
        is_file = _is_dispatch_name(name)
        skipped = None
        if not entry.is_file(follow_symlinks=False):
            # A folder, a link or a file of another kind (most entries are plain files).
            if entry.is_symlink():
                reason = _link_problem(Path(entry.path), root)
                if reason and (is_file or _is_dir(entry)):
                    skipped = reason
                elif reason or _is_dir(entry):
                    continue
            if skipped is None and entry.is_dir(follow_symlinks=False):
                try:
                    listing = _listing(entry.path)
                except OSError as error:
                    skipped = f"cannot list the folder ({error.strerror or error})"
                else:
                    if not all(e.is_file(follow_symlinks=False) for e in listing):
                        stack.extend(listing)
                        continue
                    # Plain files only (most folders of a large archive): their run at
                    # once, as popping them one by one would have made it.
                    names = [e.name for e in reversed(listing) if _is_dispatch_name(e.name)]
                    if names:
                        if run is not None:
                            yield run
                        run = Run(entry.path, readable_name(entry.path[start:]) + "/", names)
                    continue
        if skipped is not None:
            # The files found before it come first: the order is discover's.
            if run is not None:
                yield run
                run = None
            yield Found(entry.path, readable_name(entry.path[start:]), skipped=skipped)
        elif is_file:
            folder = entry.path[: -len(name) - 1]
            if run is None or run.folder != folder:
                if run is not None:
                    yield run
                relative = folder[start:]
                run = Run(folder, readable_name(relative) + "/" if relative else "", [])
            run.names.append(name)
    if run is not None:
        yield run


def _is_dispatch_name(name: str) -> bool:
    """Not hidden, and with an extension a reader takes (as os.path.splitext gives it)."""
    _, dot, extension = name.rpartition(".")
    return bool(dot) and not name.startswith(".") and extension.lower() in _EXTENSIONS


def _listing(folder: Path | str) -> list[os.DirEntry[str]]:
    """The folder's entries, last name first (the walk pops them from the end)."""
    with os.scandir(folder) as entries:
        return sorted(entries, key=_NAME, reverse=True)


def _link_problem(path: Path, root: Path) -> str | None:
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        return "broken symbolic link"
    except (OSError, RuntimeError):  # a loop of links (RuntimeError before Python 3.13)
        return "symbolic link that cannot be resolved (a loop?)"
    if not target.is_relative_to(root):
        return "symbolic link pointing outside the archive"
    return None


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False
