"""`archive reindex --watch`: keep the index in step with folders as files arrive.

The folders are watched with watchfiles (the operating system's notifications, read by
its Rust core). Changes are batched: a batch ends once the folders have been quiet for
`quiet` seconds (or after `longest` seconds of steady changes, so a long copy is indexed
as it goes), and each batch runs the ordinary incremental `reindex`, with its lock and
its crash-safe commit. That run compares every file's size and mtime with the index,
so it needs no list of what changed, and nothing a batch missed stays missed.

A running server sees each commit on its next request (index/whoosh/search.py compares the
`CURRENT` pointer and Whoosh's latest generation with its searcher's, per request).

A broken file is reported once, not at every batch; again only if it is mended and
breaks anew. Another reindex holding the index is waited for. Ctrl-C (or SIGTERM)
stops the watch between or inside a batch (an interrupted commit leaves the index as
it was) and prints a summary; the exit code is then 0.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from index import ArchiveIndexError, IndexLocked, ReindexReport, reindex

Echo = Callable[[str], None]

# How long the watcher waits for changes before it answers « none » (the first answer
# starts the first run; later ones only wake the loop up).
STARTED_MS = 300


@dataclass
class WatchSummary:
    """What a watch did, for the summary printed when it stops."""

    batches: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    failed_files: set[str] = field(default_factory=set)

    def line(self) -> str:
        return (f"Surveillance arrêtée : {self.batches} passe(s) de réindexation, {self.added} dépêche(s) ajoutée(s), "
                f"{self.updated} mise(s) à jour, {self.removed} retirée(s), "
                f"{len(self.failed_files)} fichier(s) en échec signalé(s).")


class _Reported:
    """Failures already told, so that a broken file is reported once."""

    def __init__(self) -> None:
        self.seen: set[tuple[str, str]] = set()
        self.error: str | None = None  # the index error of the last run, if any

    def new(self, current: set[tuple[str, str]]) -> list[tuple[str, str]]:
        """The failures not told yet; those gone (a mended file) are forgotten, so
        that the file breaking again is told again."""
        fresh = sorted(current - self.seen)
        self.seen = set(current)
        return fresh


def watch(
    index_dir: Path,
    roots: Sequence[Path],
    echo: Echo,
    *,
    rebuild: bool = False,
    lock_timeout: float = 10.0,
    quiet: float = 0.5,
    longest: float = 5.0,
    show: Callable[[str], str] = str,
) -> WatchSummary:
    """Reindex `roots` into `index_dir` now (`rebuild`: from scratch) and after every
    batch of changes, until interrupted (KeyboardInterrupt, or SIGTERM turned into one).
    `show` makes a file name printable. Raises ArchiveIndexError only for the first
    run; later index errors are reported and the watch goes on (a full disk may be
    freed)."""
    from watchfiles import watch as watch_changes

    summary = WatchSummary()
    reported = _Reported()
    index_dir = Path(index_dir).resolve()
    roots = [Path(root).resolve() for root in roots]
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        # The first run waits for the watcher's first answer (changes, or none within
        # STARTED_MS): a file arriving during that run is then a change already seen.
        changes = watch_changes(*roots, watch_filter=_Filter(index_dir), debounce=int(longest * 1000),
                                step=int(quiet * 1000), rust_timeout=STARTED_MS, yield_on_timeout=True,
                                raise_interrupt=True)
        first = True
        for batch in changes:
            if first or batch:
                _run(index_dir, roots, echo, summary, reported, lock_timeout, show, first=first,
                     rebuild=rebuild and first)
            if first:
                echo(f"Surveillance de {', '.join(show(str(r)) for r in roots)} (Ctrl+C pour arrêter)")
                first = False
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    return summary


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


class _Filter:
    """watchfiles' default filter (editors' swap files, `.git`, `__pycache__`…), and
    nothing under the index folder: when it lies inside a watched folder, each commit
    would otherwise start the next batch."""

    def __init__(self, index_dir: Path) -> None:
        from watchfiles import DefaultFilter

        self.default = DefaultFilter()
        self.index_dir = str(index_dir)

    def __call__(self, change, path: str) -> bool:
        inside = path == self.index_dir or path.startswith(self.index_dir + "/")
        return not inside and self.default(change, path)


def _run(index_dir: Path, roots: list[Path], echo: Echo, summary: WatchSummary, reported: _Reported,
         lock_timeout: float, show: Callable[[str], str], first: bool, rebuild: bool = False) -> None:
    """One reindex run (`rebuild`: from scratch); waits as long as another reindex
    holds the index."""
    waiting = False
    while True:
        try:
            report = reindex(index_dir, roots, rebuild=rebuild, lock_timeout=lock_timeout)
            break
        except IndexLocked:
            if not waiting:
                echo(f"Une autre réindexation tient l’index {show(str(index_dir))} : la surveillance attend qu’elle finisse.")
                waiting = True
        except ArchiveIndexError as error:
            if first:
                raise
            if str(error) != reported.error:
                echo(f"Erreur : {show(str(error))}")
                reported.error = str(error)
            return
    reported.error = None
    summary.batches += 1
    _tell(report, echo, summary, reported, show, first)


def _tell(report: ReindexReport, echo: Echo, summary: WatchSummary, reported: _Reported,
          show: Callable[[str], str], first: bool) -> None:
    summary.added += report.added
    summary.updated += report.updated
    summary.removed += report.removed
    new = reported.new({(f.path, f.reason) for f in report.failures})
    if first or report.added or report.updated or report.removed:
        echo(f"{time.strftime('%H:%M:%S')} {report.added} ajoutée(s), {report.updated} mise(s) à jour, "
             f"{report.removed} retirée(s) ; {report.documents} dépêche(s) dans l’index")
    for path, reason in new:
        summary.failed_files.add(path)
        echo(f"  en échec : {show(path)} : {show(reason)}")
