"""What both engines' `reindex` do with a file alike: read its dispatches under the
file's index key (failures into the report, by name), and count a changed file's
dispatches against what the index held of it.

The walk over the files is each engine's own (index/whoosh/writer.py, whose full build
forks workers that read the files themselves, and index/opensearch/writer.py); the files
come from index/scan.py and the counts go into one `ReindexReport`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from archive import Dispatch, UnreadableDispatch, read_file
from index.results import Failure, ReindexReport
from index.scan import ScannedFile

# Called with (files done, files in all) as a reindex goes.
Progress = Callable[[int, int], None]


def read_dispatches(file: ScannedFile, report: ReindexReport) -> list[Dispatch]:
    """The file's dispatches, with ids and paths under the file's index key."""
    try:
        reading = read_file(file.found.path, file.root)
    except UnreadableDispatch as error:
        report.failures.append(Failure(file.key, error.reason))
        return []
    report.failures.extend(Failure(p.path, p.reason) for p in reading.problems)
    if file.key == file.found.relative:
        return list(reading.dispatches)
    prefix = file.key[: -len(file.found.relative)]
    return [_renamed(d, prefix) for d in reading.dispatches]


def _renamed(dispatch: Dispatch, prefix: str) -> Dispatch:
    return replace(dispatch, id=prefix + dispatch.id, source_path=prefix + dispatch.source_path)


def count_changes(old: dict[str, str], dispatches: list[Dispatch], report: ReindexReport) -> None:
    """Count a changed file's dispatches into the report against what the index held of it
    (`old`: id → content hash): added, updated (the hash moved), unchanged, removed."""
    for dispatch in dispatches:
        if dispatch.id not in old:
            report.added += 1
        elif old[dispatch.id] != dispatch.content_hash:
            report.updated += 1
        else:
            report.unchanged += 1
    fresh = {dispatch.id for dispatch in dispatches}
    report.removed += sum(1 for dispatch_id in old if dispatch_id not in fresh)
