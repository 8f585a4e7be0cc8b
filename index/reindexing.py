"""The walk both engines' `reindex` make over the files, and what they do with a file
alike: read its dispatches under the file's index key (failures into the report, by
name), and count a changed file's dispatches against what the index held of it.

`read_files` is the walk of a full build on one process (Whoosh's below
PARALLEL_THRESHOLD files, OpenSearch's always) and of every update; `read_changed` is
an update's whole reading of its changed files. Only what is done with the dispatches
differs: a Whoosh writer's documents, or a cluster's bulk actions.

A Whoosh build of many files does not walk here: each of its forked workers walks its
own share of the files (index/whoosh/build.py), reading them with `read_dispatches`
where the documents are analysed, and reports progress by message to the parent; that
loop also writes the runs of another index's documents for `archive optimise`, which
are not files. Walking the files in the parent and handing the dispatches to the
workers is what that design avoids (the parent would compete with its workers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from archive import Dispatch, UnreadableDispatch, read_file
from index.fingerprints import Fingerprint, fingerprint
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


def read_files(files: Sequence[ScannedFile], report: ReindexReport,
               progress: Progress | None) -> Iterator[tuple[ScannedFile, list[Dispatch]]]:
    """Each file with its dispatches (`read_dispatches`), in order. A file counts as done
    once the caller has handled its dispatches and asks for the next one: `progress` is
    called then, with the files done and the files in all."""
    for done, file in enumerate(files, start=1):
        yield file, read_dispatches(file, report)
        if progress:
            progress(done, len(files))


def read_changed(changed: Sequence[ScannedFile], held: Callable[[ScannedFile], dict[str, str]], report: ReindexReport,
                 progress: Progress | None) -> list[tuple[Dispatch, ScannedFile, Fingerprint]]:
    """An update's changed files read, their dispatches counted against what the index
    held of each file (`held(file)`: id → content hash, empty for a new file), and
    fingerprinted for grouping: (dispatch, its file, its fingerprint), in order."""
    added = []
    for file, dispatches in read_files(changed, report, progress):
        count_changes(held(file), dispatches, report)
        added += [(dispatch, file, fingerprint(dispatch.body)) for dispatch in dispatches]
    return added
