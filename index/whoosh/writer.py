"""`reindex`: bring the index in line with the files under the archive roots.

Unchanged files are recognised by size and mtime alone, the archive's and the index's
compared as columns (index/scan.py: no stored document is loaded, no object is made per
file), and a run with nothing to do writes nothing. A file whose size or mtime moved is
read again and its dispatches' content hashes compared, so a touched but unchanged file
does not count as a change.

Versions of one story are grouped on the way (index/whoosh/stories.py): a full build groups
everything before the new index is published; an update regroups what its changes reach
in the same commit, so a run killed half-way never leaves stories out of step.
"""

from __future__ import annotations

import errno
import os
import time
from bisect import bisect_right
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

from whoosh import query as wq
from whoosh.writing import LockError

from index.errors import IndexLocked, IndexMissing, IndexUnwritable
from index.reindexing import Progress, read_changed, read_dispatches, read_files
from index.results import ReindexReport
from index.scan import Scan, ScannedFile, compare, scan
from index.whoosh import forked, merging, stories
from index.whoosh.build import build_parallel
from index.whoosh.build_writer import BulkSegmentWriter
from index.whoosh.column_values import indexed
from index.whoosh.internals import commit_segments
from index.whoosh.schema import document
from index.whoosh.store import create_fresh, open_live, publish, reindex_lock, remove_stale

# A full build of this many files or more uses every core (index/whoosh/build.py).
PARALLEL_THRESHOLD = 2000
BUILD_WORKERS = min(os.cpu_count() or 1, 2)
# Segments are written as plain files, not one compound file: Whoosh memory-maps a
# compound file once per searcher, and a server keeps a searcher per thread, so each
# thread's resident memory grew by the size of the index.
SEGMENT_OPTIONS = {"compound": False}
WRITER_OPTIONS = {"limitmb": 256, **SEGMENT_OPTIONS}
# The postings a build worker holds in memory before it spills them to a temporary
# run file (index/whoosh/build_writer.py): two workers at this size keep a build, parent
# included, under 1 GB.
BUILD_LIMIT_MB = 160


def reindex(
    index_dir: Path,
    roots: Sequence[Path],
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
    lock_timeout: float = 10.0,
) -> ReindexReport:
    """Add new files, update changed ones, remove deleted ones; `rebuild` starts afresh.

    Raises IndexLocked when another reindex holds the folder longer than `lock_timeout`,
    IndexUnwritable when the disk refuses the write (the previous index is untouched).
    """
    started = time.perf_counter()
    report = ReindexReport()
    index_dir = Path(index_dir)
    with reindex_lock(index_dir, lock_timeout):
        remove_stale(index_dir)
        # The same folder named twice is read once.
        found = scan(list(dict.fromkeys(Path(r).resolve() for r in roots)), report)
        live = None
        if not rebuild:
            try:
                live = open_live(index_dir)
            except IndexMissing:
                live = None
        try:
            if live is None:
                _build(index_dir, found.files(), report, progress)
            else:
                _update(live, found, report, progress)
        except LockError:
            raise IndexLocked(index_dir, lock_timeout) from None
        except OSError as error:
            reason = "le disque est plein" if error.errno == errno.ENOSPC else (error.strerror or str(error))
            raise IndexUnwritable(index_dir, reason) from None
        report.documents = open_live(index_dir).doc_count()
    report.seconds = time.perf_counter() - started
    return report


def _documents(file: ScannedFile, report: ReindexReport) -> list[dict]:
    """The file's documents as a full build writes them (each dispatch alone in its story)."""
    return [document(dispatch, file.size, file.mtime) for dispatch in read_dispatches(file, report)]


def _build(index_dir: Path, files: list[ScannedFile], report: ReindexReport, progress: Progress | None) -> None:
    try:
        ix, name = create_fresh(index_dir)
        _fill(ix, files, report, progress)
        publish(index_dir, name)
    except BaseException:
        # The unfinished index goes now, not at the next run: on a full disk it is what
        # fills the disk. The live index is kept (under the reindex lock, every other
        # index in the folder is this build's).
        remove_stale(index_dir)
        raise


def _fill(ix, files: list[ScannedFile], report: ReindexReport, progress: Progress | None) -> None:
    """Write every file into the fresh index `ix`, then group the stories' versions."""
    if len(files) >= PARALLEL_THRESHOLD and BUILD_WORKERS > 1:
        words = build_parallel(ix, files, _documents, report, progress, workers=BUILD_WORKERS, limitmb=BUILD_LIMIT_MB,
                       options=SEGMENT_OPTIONS)
    else:
        writer = BulkSegmentWriter(ix, **WRITER_OPTIONS)
        try:
            for file, dispatches in read_files(files, report, progress):
                for dispatch in dispatches:
                    # Its MinHash signature is computed where it is indexed (MinHashColumn).
                    writer.add_document(**document(dispatch, file.size, file.mtime))
                    report.added += 1
                if writer.memory > BUILD_LIMIT_MB * 2**20:
                    writer.spill()
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        words = writer.words
    # Every dispatch went in alone in its story; versions are found in the written index
    # and rewritten together, before the index is published.
    with ix.reader() as reader:
        rewrites = stories.regroup_all(reader, reopen=ix.reader)
    if rewrites:
        _rewrite(ix, rewrites, words)


def _rewrite(ix, rewrites: list[dict], words: dict) -> None:
    """Replace the regrouped documents: the second half is written in a forked child
    (index/whoosh/forked.py), the other core being idle by now. Its segment is listed after
    the parent's, so documents get the numbers one writer would have given them.
    With the build's word cache, the rewrites analyse few words anew."""
    half = len(rewrites) // 2

    def second_half() -> list:
        # `_lk=False`: the parent's writer holds the index's lock.
        child = BulkSegmentWriter(ix, _lk=False, words=words, **WRITER_OPTIONS)
        try:
            for doc in rewrites[half:]:
                child.add_document(**doc)
            return child.finish_segments()
        except BaseException:
            child.abandon()
            raise

    theirs = forked.start(second_half)
    writer = BulkSegmentWriter(ix, words=words, **WRITER_OPTIONS)
    try:
        for doc in rewrites:
            writer.delete_by_term("id", doc["id"])
        for doc in rewrites[:half]:
            writer.add_document(**doc)
        segments = list(writer.segments) + writer.finish_segments() + theirs()
    except BaseException:
        writer.cancel()
        # The child writes into this index: wait for it, so that nothing is written
        # there once the caller has removed the unfinished index.
        with suppress(Exception):
            theirs()
        raise
    commit_segments(writer, segments)


def _update(ix, found: Scan, report: ReindexReport, progress: Progress | None) -> None:
    # One searcher on the index as committed: what it holds and, when something
    # changed, the stories' plan (written in the same commit as the change). Nothing
    # is written, nor the index's lock taken, when nothing changed.
    with ix.searcher() as searcher:
        held = indexed(searcher.reader())
        comparison = compare(found, held)
        report.unchanged += comparison.unchanged_dispatches
        changed, gone = found.files(comparison.changed), comparison.gone
        known = {file.key for file in changed if file.key.encode("utf-8") in held.positions}
        if changed or gone:
            with ix.writer(timeout=1.0, **WRITER_OPTIONS) as writer:
                # Small segments only: the build's large ones keep their files (index/whoosh/merging.py).
                writer.mergetype = merging.merge_small
                for key in gone:
                    report.removed += held.counts[key.encode("utf-8")]
                    writer.delete_by_term("path", key)
                # A changed file that is now unreadable loses its old dispatches too: the
                # index reflects the files, and the failure is in the report. (The
                # searcher still sees them: it reads the index as committed.)
                for file in changed:
                    if file.key in known:
                        writer.delete_by_term("path", file.key)
                hashes = _Hashes(searcher)
                added = read_changed(changed, lambda file: hashes.of(file.key) if file.key in known else {}, report,
                                     progress)
                removed = gone + [file.key for file in changed if file.key in known]
                plan = stories.plan_update(searcher, removed, [(d.id, d.date, fp) for d, _, fp in added])
                for dispatch, file, fp in added:
                    stamp = plan.stamps[dispatch.id]
                    writer.add_document(**document(dispatch, file.size, file.mtime, minhash=fp.column_value(),
                                                   story=stamp.story, inferred=stamp.inferred))
                for doc in plan.rewrites:
                    writer.delete_by_term("id", doc["id"])
                    writer.add_document(**doc)
        if progress and not changed:
            progress(0, 0)


class _Hashes:
    """The dispatch ids and content hashes of indexed files (only changed files need
    them: a no-op reindex reads none). A segment's two column readers are opened once,
    when a file first needs them: opening one reads the segment's table of offsets, and
    opening them over the whole index for each changed file took seconds."""

    def __init__(self, searcher) -> None:
        self.searcher = searcher
        leaves = list(searcher.reader().leaf_readers())
        self.leaves = [leaf for leaf, _ in leaves]
        self.offsets = [offset for _, offset in leaves]
        self.columns: dict[int, tuple] = {}

    def of(self, key: str) -> dict[str, str]:
        hashes = {}
        for docnum in self.searcher.docs_for_query(wq.Term("path", key)):
            n = bisect_right(self.offsets, docnum) - 1
            if n not in self.columns:
                self.columns[n] = (self.leaves[n].column_reader("id"), self.leaves[n].column_reader("hash"))
            ids, values = self.columns[n]
            hashes[ids[docnum - self.offsets[n]]] = values[docnum - self.offsets[n]]
        return hashes
