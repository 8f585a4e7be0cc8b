"""A full build on every core: one worker process per share of the files.

Whoosh's own parallel writer (`procs=N`) makes the parent read and parse every file and
pickle each document to its sub-processes; on two cores the parent then competes with
the workers it feeds. Here each worker reads its own files, analyses them and writes
its own segment into the fresh index; the parent only reports progress and, at the
end, commits one table of contents listing every worker's segment.

Shares are contiguous runs of the file list, balanced by bytes, and segments are listed
in share order: documents get the numbers a single writer would have given them, so
the build does not depend on which worker finishes first.

A full build writes into a fresh index that nothing reads until `store.publish`, so a
worker that fails (or a parent killed half-way) leaves nothing visible: the parent
stops the other workers and raises the first worker's error, and workers stop on their
own when their parent has gone.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from index.results import Failure, ReindexReport
from index.whoosh.build_writer import BulkSegmentWriter
from index.whoosh.forked import die_with_parent, picklable
from index.whoosh.internals import close_segment, commit_segments
from index.whoosh.store import open_named

Progress = Callable[[int, int], None]

# How long the parent waits for a message before checking that its workers still live.
_POLL_SECONDS = 1.0
# Workers report the files they have read at most this often (a message per file
# costs more than the progress bar needs).
_REPORT_SECONDS = 0.1


@dataclass
class _Outcome:
    segments: list
    added: int
    failures: list[Failure]
    words: dict  # the worker's word cache (BulkSegmentWriter.words)


def split(sizes: Sequence[int], shares: int) -> list[range]:
    """Contiguous ranges of indexes into `sizes`, of near-equal total size each."""
    total = sum(sizes) or 1
    bounds, running, share = [0], 0, 1
    for i, size in enumerate(sizes):
        running += size
        while share < shares and running * shares >= total * share:
            bounds.append(i + 1)
            share += 1
    bounds += [len(sizes)] * (shares + 1 - len(bounds))
    return [range(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]


def build_parallel(ix, files: list, documents: Callable, report: ReindexReport, progress: Progress | None,
                   *, workers: int, limitmb: int, options: dict) -> dict:
    """Write `files` into the empty index `ix` with `workers` processes; return the
    workers' word caches merged, for the writer of what follows (story rewrites).

    `documents(file, report)` gives the documents of one item of `files` (anything with
    a `size`, which balances the shares: a file, or a run of another index's documents
    for `archive optimise`) and records its failures.
    """
    shares = [files[r.start : r.stop] for r in split([f.size for f in files], workers)]
    # Forked workers start at once with the parent's modules and file list (as Whoosh's
    # own parallel writer does); spawned ones would import everything again, and
    # re-run an unguarded main script.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    messages = context.Queue()
    location = ix.storage.folder, ix.indexname
    processes = [
        context.Process(target=_work, args=(location, n, share, documents, limitmb, options, messages, os.getpid()),
                        daemon=True)
        for n, share in enumerate(shares)
    ]
    # The parent's writer only holds the index's write lock and commits the table of
    # contents; its own (empty) segment is dropped.
    writer = BulkSegmentWriter(ix, **options)
    try:
        for process in processes:
            process.start()
        outcomes = _collect(processes, messages, len(files), progress)
    except BaseException:
        for process in processes:
            if process.is_alive():
                process.terminate()
        writer.cancel()
        raise
    finally:
        for process in processes:
            if process.pid is not None:
                process.join()
    for n in range(len(shares)):
        report.added += outcomes[n].added
        report.failures.extend(outcomes[n].failures)
    close_segment(writer)
    commit_segments(writer, [segment for n in range(len(shares)) for segment in outcomes[n].segments])
    words: dict = {}
    for outcome in outcomes.values():
        words.update(outcome.words)
    return words


def _collect(processes, messages, total: int, progress: Progress | None) -> dict[int, _Outcome]:
    outcomes: dict[int, _Outcome] = {}
    done = 0
    while len(outcomes) < len(processes):
        try:
            kind, n, payload = messages.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            for n, process in enumerate(processes):
                if n not in outcomes and not process.is_alive():
                    raise RuntimeError(f"a build worker stopped (exit code {process.exitcode})") from None
            continue
        if kind == "files":
            # One call per file, as a single writer makes them.
            if progress:
                for count in range(done + 1, done + payload + 1):
                    progress(count, total)
            done += payload
        elif kind == "error":
            raise payload
        else:
            outcomes[n] = payload
    return outcomes


def _work(location, n: int, share: list, documents: Callable, limitmb: int, options: dict, messages, parent: int) -> None:
    """A worker: index `share` into segments of the index at `location`, report back."""
    die_with_parent(parent)
    try:
        messages.put(("done", n, _index_share(location, share, documents, limitmb, options, messages, n, parent)))
    except BaseException as error:  # noqa: BLE001 - every failure goes to the parent
        messages.put(("error", n, picklable(error)))


def _index_share(location, share, documents, limitmb, options, messages, n, parent) -> _Outcome:
    ix = open_named(*location)
    local = ReindexReport()
    segments: list = []
    # `_lk=False`: the parent holds the index's lock for the whole build.
    writer = BulkSegmentWriter(ix, _lk=False, **options)
    unreported, reported = 0, time.monotonic()
    try:
        for file in share:
            if os.getppid() != parent:
                raise SystemExit("the build was abandoned")
            for doc in documents(file, local):
                writer.add_document(**doc)
                local.added += 1
            if writer.memory > limitmb * 2**20:
                writer.spill()
            unreported += 1
            if time.monotonic() - reported >= _REPORT_SECONDS:
                messages.put(("files", n, unreported))
                unreported, reported = 0, time.monotonic()
        segments += writer.finish_segments()
        messages.put(("files", n, unreported))
    except BaseException:
        writer.abandon()
        raise
    return _Outcome(segments, local.added, local.failures, writer.words)
