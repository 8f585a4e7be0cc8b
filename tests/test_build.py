"""The parallel full build (index/whoosh/build.py, index/whoosh/build_writer.py) writes the index a
plain single Whoosh writer writes: the same documents, stored fields, columns, field
lengths, postings and term statistics (hence the same scores), the same stories, counts
and failures, reported by file name whichever worker read the file."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive import Dispatch, UnreadableDispatch, discover, read_file
from index import SearchRequest, open_index, reindex
from index.results import Failure, ReindexReport
from index.whoosh import stories
from index.whoosh import writer as index_writer
from index.whoosh.build import split
from index.whoosh.build_writer import BulkSegmentWriter
from index.whoosh.internals import index_segments
from index.whoosh.schema import document
from index.whoosh.store import create_fresh, open_live, publish

pytestmark = pytest.mark.slow

WORDS = ("armée américaine combats Tripoli maréchal Haftar l'offensive d'une qu'il aujourd'hui États-Unis "
         "sécurité conférence nationale élections 14h30 3 morts plan B œuvre Noël jusqu'à l’émissaire "
         "réfugiés frontière Benghazi pétrole gouvernement négociations cessez-le-feu ONU").split()
STOP_ONLY = "Le la les de du et"


def _paragraph(rnd: random.Random, n: int) -> str:
    return " ".join(rnd.choice(WORDS) for _ in range(n)) + "."


def write_archive(root: Path, count: int) -> None:
    """`count` small dispatch files: stories of two or three versions (one undated),
    titles of stop words only, JSON Lines with a broken line, and unreadable files."""
    rnd = random.Random(11)
    shared = [_paragraph(rnd, 40) for _ in range(count // 20)]
    for n in range(count):
        folder = root / f"{n // 400:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        if n % 97 == 5:
            (folder / f"d{n:05d}.txt").write_bytes(b"\x00\x01binary" * 10)
            continue
        if n % 89 == 7:
            (folder / f"d{n:05d}.txt").write_text("", encoding="utf-8")
            continue
        if n % 150 == 9:
            lines = [json.dumps({"id": f"j{n}-{k}", "date": f"2019-04-0{k}", "title": _paragraph(rnd, 5),
                                 "body": _paragraph(rnd, 30)}) for k in range(1, 4)]
            (folder / f"d{n:05d}.jsonl").write_text("\n".join([*lines, "{broken"]) + "\n", encoding="utf-8")
            continue
        date = "" if n % 7 == 3 else f"date 2019-04-{n % 28 + 1:02d}\n\n"
        title = STOP_ONLY if n % 53 == 1 else f"Dépêche {n} {rnd.choice(WORDS)}"
        body = [_paragraph(rnd, rnd.randint(5, 60)) for _ in range(rnd.randint(1, 4))]
        if n % 5 < 2:  # a version: the story's paragraph, and words of its own
            body.insert(0, shared[n // 5 % len(shared)])
        (folder / f"d{n:05d}.txt").write_text(f"{date}{title}\n\n" + "\n\n".join(body), encoding="utf-8")


def read_archive(root: Path, report: ReindexReport) -> Iterator[tuple[Dispatch, int, int]]:
    """Each dispatch under `root` with its file's size and mtime, read through the
    archive's public readers; what they refuse goes into the report, as reindex words it."""
    root = root.resolve()
    for found in discover(root):
        if found.skipped:
            report.failures.append(Failure(found.relative, found.skipped))
            continue
        stat = found.path.stat()
        try:
            reading = read_file(found.path, root)
        except UnreadableDispatch as error:
            report.failures.append(Failure(found.relative, error.reason))
            continue
        report.failures.extend(Failure(problem.path, problem.reason) for problem in reading.problems)
        for dispatch in reading.dispatches:
            yield dispatch, stat.st_size, stat.st_mtime_ns


def plain_build(index_dir: Path, root: Path) -> ReindexReport:
    """The reference: one Whoosh writer in this process, then the same story grouping."""
    report = ReindexReport()
    ix, name = create_fresh(index_dir)
    with ix.writer(**index_writer.WRITER_OPTIONS) as writer:
        for dispatch, size, mtime in read_archive(root, report):
            writer.add_document(**document(dispatch, size, mtime))
            report.added += 1
    with ix.reader() as reader:
        rewrites = stories.regroup_all(reader)
    with ix.writer(**index_writer.WRITER_OPTIONS) as writer:
        for doc in rewrites:
            writer.delete_by_term("id", doc["id"])
            writer.add_document(**doc)
    publish(index_dir, name)
    return report


def index_contents(ix) -> dict:
    """Everything a search reads from an index, by dispatch id rather than by document
    number: stored fields, columns, field lengths, each term's postings and statistics."""
    with ix.reader() as reader:
        ids = reader.column_reader("id")
        columns = {name: reader.column_reader(name) for name, field in ix.schema.items() if field.column_type}
        scorable = [name for name, field in ix.schema.items() if field.scorable]
        docs = {
            ids[n]: (reader.stored_fields(n), {name: column[n] for name, column in columns.items()},
                     {name: reader.doc_field_length(n, name) for name in scorable})
            for n in reader.all_doc_ids()
        }
        terms = {}
        for field, text in reader.all_terms():
            info = reader.term_info(field, text)
            matcher = reader.postings(field, text)
            postings = []
            while matcher.is_active():
                postings.append((ids[matcher.id()], matcher.weight(), matcher.value()))
                matcher.next()
            terms[field, text] = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                                  info.max_weight(), sorted(postings))
        totals = {name: reader.field_length(name) for name in scorable}
        return {"docs": docs, "terms": terms, "totals": totals, "count": reader.doc_count()}


@pytest.fixture(scope="module")
def archive_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("build") / "archive"
    write_archive(root, index_writer.PARALLEL_THRESHOLD + 300)
    return root


def test_a_parallel_build_writes_what_a_single_writer_writes(archive_root, tmp_path):
    expected = plain_build(tmp_path / "plain", archive_root)
    calls = []
    report = reindex(tmp_path / "parallel", [archive_root], rebuild=True,
                     progress=lambda done, total: calls.append((done, total)))
    plain, parallel = open_live(tmp_path / "plain"), open_live(tmp_path / "parallel")
    assert len(index_segments(parallel)) >= 2  # one per worker (and the stories' rewrites)
    assert (report.added, report.failures) == (expected.added, expected.failures)
    assert report.documents == plain.doc_count()
    contents = index_contents(parallel)
    assert contents == index_contents(plain)
    # The archive has what the comparison is meant to cover.
    story_ids = [stored["story"] for stored, _, _ in contents["docs"].values()]
    assert len(story_ids) - len(set(story_ids)) > 50
    assert any("inferred_date" in stored for stored, _, _ in contents["docs"].values())
    # Every file once, in order, ending with all of them.
    total = sum(1 for path in archive_root.rglob("*") if path.is_file())
    assert [done for done, _ in calls] == list(range(1, total + 1))
    assert {t for _, t in calls} == {total}
    # Scores too: the same hits in the same order with the same scores.
    for query in ("armée américaine", '"maréchal Haftar"', "Noël -pétrole"):
        request = SearchRequest(query=query, page_size=50, collapse_versions=False, with_facets=False,
                                with_snippets=False)
        hits = [open_index(d).search(request).hits for d in (tmp_path / "plain", tmp_path / "parallel")]
        assert hits[0]
        assert [(h.id, round(h.score, 9)) for h in hits[0]] == [(h.id, round(h.score, 9)) for h in hits[1]]


def test_workers_report_bad_files_by_name(archive_root, tmp_path):
    report = reindex(tmp_path / "index", [archive_root], rebuild=True)
    reasons = {failure.path: failure.reason for failure in report.failures}
    # Files from the start and the end of the list: read by different workers.
    assert "00/d00005.txt" in reasons and "00/d00007.txt" in reasons
    last_binary = max(n for n in range(index_writer.PARALLEL_THRESHOLD + 300) if n % 97 == 5)
    assert f"{last_binary // 400:02d}/d{last_binary:05d}.txt" in reasons
    assert reasons["00/d00009.jsonl#L4"].startswith("line 4: invalid JSON")


@pytest.mark.parametrize("spill_every", [0, 37])
def test_the_bulk_segment_writer_writes_what_whoosh_writes(tmp_path, seeds_dir, spill_every):
    """With `spill_every`, the bulk writer moves its postings to a run file every so many
    documents: the segment is the same."""
    root = tmp_path / "archive"
    write_archive(root, 300)
    indexes = []
    for name, writer_class in (("plain", None), ("bulk", BulkSegmentWriter)):
        report = ReindexReport()
        ix, _ = create_fresh(tmp_path / name)
        writer = ix.writer(**index_writer.WRITER_OPTIONS) if writer_class is None else writer_class(ix, **index_writer.SEGMENT_OPTIONS)
        added = 0
        for folder in (root, seeds_dir):
            for dispatch, size, mtime in read_archive(folder, report):
                writer.add_document(**document(dispatch, size, mtime))
                added += 1
                if writer_class and spill_every and added % spill_every == 0:
                    writer.spill()
        if writer_class:
            assert writer.spills == (added // spill_every if spill_every else 0)
        writer.commit(merge=False)
        indexes.append(ix)
    assert len(index_segments(indexes[1])) == 1
    assert index_contents(indexes[0]) == index_contents(indexes[1])
    # The run files were unlinked when made: nothing is left beside the index.
    assert not [path.name for path in (tmp_path / "bulk").iterdir() if path.name.startswith(".postings")]


def test_a_build_past_its_memory_budget_writes_one_segment_per_worker(archive_root, tmp_path, monkeypatch):
    """A budget of 20 KB of postings: each worker spills every few files, and still
    writes a single segment, the same documents and postings as one plain writer."""
    monkeypatch.setattr(index_writer, "BUILD_LIMIT_MB", 0.02)
    plain_build(tmp_path / "plain", archive_root)
    reindex(tmp_path / "parallel", [archive_root], rebuild=True)
    segments = index_segments(open_live(tmp_path / "parallel"))
    # A segment per worker, and the two halves of the stories' rewrites.
    assert len(segments) <= index_writer.BUILD_WORKERS + 2
    assert index_contents(open_live(tmp_path / "parallel")) == index_contents(open_live(tmp_path / "plain"))


def test_shares_are_contiguous_and_balanced_by_size():
    sizes = [random.Random(3).randint(1, 1000) for _ in range(1001)]
    shares = split(sizes, 2)
    assert [i for share in shares for i in share] == list(range(len(sizes)))
    halves = [sum(sizes[i] for i in share) for share in shares]
    assert abs(halves[0] - halves[1]) <= max(sizes)
    assert split([5], 2) == [range(0, 1)]
    assert split([], 2) == []


def test_a_forked_child_dies_with_its_parent(tmp_path):
    """A build killed half-way leaves no forked child behind: one would hold the reindex
    lock it inherited and keep writing into the index the next run cleans away."""
    import signal
    import subprocess
    import sys

    import psutil

    script = ("import time\nfrom index.whoosh import forked\n"
              "wait = forked.start(lambda: time.sleep(60))\nprint('started', flush=True)\nwait()\n")
    parent = psutil.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout.readline().strip() == "started"
    children = parent.children()
    assert len(children) == 1
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    parent.stdout.close()
    _, alive = psutil.wait_procs(children, timeout=3)
    assert alive == [], "the child outlived its parent"
