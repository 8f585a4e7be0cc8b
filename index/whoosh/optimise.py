"""`archive optimise`: rewrite the live index into a fresh one, as a full build lays it out.

Updates never touch the large segments a build wrote (index/whoosh/merging.py): a dispatch
removed or rewritten there is only masked, and the small segments updates write pile
up slowly. Both cost a little at every search. Optimising copies every live document,
in order, into a new index with the build's segment writer (no external sort: past
one memory budget, postings go to run files merged term by term), then publishes
it the way `reindex --rebuild` does: the previous index stays live until the new one is
complete, and a run killed half-way leaves it searchable.

Nothing is read from the archive's files and nothing is regrouped: each document is
written back from its stored fields and columns, story and inferred date included, so
the optimised index holds the same documents, scored the same as a fresh build of
them, with the same stories.
"""

from __future__ import annotations

import errno
import time
from dataclasses import dataclass
from pathlib import Path

from whoosh.writing import LockError

from index.errors import IndexLocked, IndexUnwritable
from index.results import ReindexReport
from index.whoosh.build import build_parallel
from index.whoosh.internals import index_segments
from index.whoosh.schema import restored
from index.whoosh.store import create_fresh, open_live, open_named, publish, reindex_lock, remove_stale
from index.whoosh.writer import BUILD_LIMIT_MB, BUILD_WORKERS, SEGMENT_OPTIONS

# Documents per unit of work (what progress counts and workers share).
RUN_DOCS = 100
# Below this many documents one worker does it all (a second costs more than it saves).
PARALLEL_DOCS = 2000


@dataclass(frozen=True)
class OptimiseReport:
    documents: int  # documents in the optimised index
    purged: int  # deleted documents whose space was reclaimed
    segments_before: int
    segments_after: int
    seconds: float


@dataclass(frozen=True)
class _Run:
    """Documents `start` to `stop` (numbers in the live index at `location`)."""

    location: tuple[str, str]
    start: int
    stop: int

    @property
    def size(self) -> int:
        return self.stop - self.start


def optimise(index_dir: Path, *, progress=None, lock_timeout: float = 10.0) -> OptimiseReport:
    """Rewrite the live index of `index_dir` without its deletions, in few segments.

    Holds the reindex lock (IndexLocked when another run holds it longer than
    `lock_timeout`); IndexUnwritable when the disk refuses the write (the live index is
    untouched).
    """
    started = time.perf_counter()
    index_dir = Path(index_dir)
    with reindex_lock(index_dir, lock_timeout):
        remove_stale(index_dir)
        live = open_live(index_dir)
        with live.reader() as reader:
            total, alive = reader.doc_count_all(), reader.doc_count()
        before = len(index_segments(live))
        location = (live.storage.folder, live.indexname)
        runs = [_Run(location, start, min(start + RUN_DOCS, total)) for start in range(0, total, RUN_DOCS)]
        workers = BUILD_WORKERS if alive >= PARALLEL_DOCS else 1
        try:
            fresh, name = create_fresh(index_dir)
            try:
                # Progress in documents (of the live index, deleted ones included).
                counted = progress and (lambda done, _: progress(min(done * RUN_DOCS, total), total))
                build_parallel(fresh, runs, _documents, ReindexReport(), counted, workers=workers,
                               limitmb=BUILD_LIMIT_MB, options=SEGMENT_OPTIONS)
                publish(index_dir, name)
            except BaseException:
                # As a killed rebuild: the unfinished index goes, the live one stays.
                remove_stale(index_dir)
                raise
        except LockError:
            raise IndexLocked(index_dir, lock_timeout) from None
        except OSError as error:
            reason = "le disque est plein" if error.errno == errno.ENOSPC else (error.strerror or str(error))
            raise IndexUnwritable(index_dir, reason) from None
        optimised = open_live(index_dir)
        documents, after = optimised.doc_count(), len(index_segments(optimised))
    return OptimiseReport(documents, total - alive, before, after, time.perf_counter() - started)


_readers: dict[tuple[str, str], object] = {}


def _documents(run: _Run, report: ReindexReport) -> list[dict]:
    """The live documents of `run`, whole again: what `document` made of them, with
    the story and inferred date they have now. Runs in a build worker, which opens its
    own reader of the live index (a reader's files are not shared across a fork)."""
    reader = _readers.get(run.location)
    if reader is None:
        reader = _readers[run.location] = open_named(*run.location).reader()
    columns = {name: reader.column_reader(name) for name in ("size", "mtime", "minhash", "facet_key")}
    docs = []
    for n in range(run.start, run.stop):
        if reader.is_deleted(n):
            continue
        stored = reader.stored_fields(n)
        doc = restored(stored, columns["size"][n], columns["mtime"][n], columns["minhash"][n])
        doc["story"] = stored["story"]
        if "inferred_date" in stored:
            doc["inferred_date"] = stored["inferred_date"]
        doc["facet_key"] = columns["facet_key"][n]
        # The exact-form fields index the same texts (see `schema.stamped`).
        doc["title_exact"], doc["body_exact"] = doc.get("title"), doc.get("body")
        docs.append(doc)
    return docs
