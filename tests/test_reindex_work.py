"""What a reindex reads and writes, counted: a no-op reads no dispatch file and leaves
the index's files as they were; an update reads the changed files only; an edit in
place is picked up.

The contract (index/scan.py): a file is unchanged when its size and mtime, to the
nanosecond, are those the index holds. An edit gives the file a new mtime, even when
it keeps its size; content rewritten with its old mtime put back by hand waits for
`archive reindex --rebuild`.

Files read are counted with a wrapper around the real reader (`index.reindexing.read_file`),
the index's files by listing the folder with each file's size and mtime.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from archive import Run, discover, walk
from index import SearchRequest, open_index, reindex
from index import reindexing as index_writer
from index.whoosh import stories
from index.whoosh.column_values import live_documents
from index.whoosh.store import open_live


def dispatch(word: str, n: int) -> str:
    return f"Dépêche {n}\n\nLe port de Tripoli annonce {word} pour la cargaison numéro {n}."


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The archive files the reindex reads, in order (the real reader does the reading)."""
    seen: list[str] = []
    real = index_writer.read_file

    def counting(path, root):
        seen.append(Path(path).relative_to(root).as_posix())
        return real(path, root)

    monkeypatch.setattr(index_writer, "read_file", counting)
    return seen


def index_files(directory: Path) -> dict[str, tuple[int, int]]:
    """Every file of the index folder with its size and mtime (the reindex lock aside:
    taking it is all a no-op may do)."""
    return {path.name: (path.stat().st_size, path.stat().st_mtime_ns)
            for path in directory.iterdir() if path.name != "REINDEX"}


def found(directory: Path, text: str) -> set[str]:
    result = open_index(directory).search(SearchRequest(query=text, collapse_versions=False, page_size=100))
    return {hit.id for hit in result.hits if not hit.partial}


@pytest.fixture
def archive(make_archive) -> Path:
    return make_archive({f"{year}/{n:03d}.txt": dispatch("une reprise", n)
                         for year in (2018, 2019) for n in range(12)}
                        | {"flux.jsonl": '{"id": "a", "title": "Un", "body": "Le port de Benghazi rouvre."}\n'
                                         '{"id": "b", "title": "Deux", "body": "Le port de Syrte ferme."}\n'})


def test_a_no_op_reads_no_file_and_writes_nothing(tmp_path, archive, reads):
    directory = tmp_path / "index"
    reindex(directory, [archive])
    assert len(reads) == 25
    before = index_files(directory)
    reads.clear()

    report = reindex(directory, [archive])
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 0, 26)
    assert reads == []
    assert index_files(directory) == before


def test_an_update_reads_only_the_changed_files_and_a_no_op_after_it_reads_none(tmp_path, archive, reads):
    directory = tmp_path / "index"
    reindex(directory, [archive])
    (archive / "2019/004.txt").write_text(dispatch("une grève", 4), encoding="utf-8")
    (archive / "2018/007.txt").unlink()
    (archive / "2019/new.txt").write_text(dispatch("un accord", 99), encoding="utf-8")
    reads.clear()

    report = reindex(directory, [archive])
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 1, 24)
    assert sorted(reads) == ["2019/004.txt", "2019/new.txt"]
    reads.clear()
    # The update left deletions in the index: their dispatches are not counted.
    report = reindex(directory, [archive])
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 0, 26)
    assert reads == []


def test_an_edit_in_place_of_the_same_size_is_picked_up(tmp_path, archive, reads):
    directory = tmp_path / "index"
    reindex(directory, [archive])
    path = archive / "2019/005.txt"
    old = path.read_text(encoding="utf-8")
    new = old.replace("une reprise", "une rupture")
    assert len(new.encode()) == len(old.encode())
    stat = path.stat()
    # Written in place (same inode, same folder listing); the clock may not have moved
    # on a coarse file system, so the new mtime is set as a later write would set it.
    with path.open("r+", encoding="utf-8") as handle:
        handle.write(new)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert path.stat().st_size == stat.st_size and path.stat().st_ino == stat.st_ino
    reads.clear()

    report = reindex(directory, [archive])
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 1, 0, 25)
    assert reads == ["2019/005.txt"]
    assert found(directory, "rupture") == {"2019/005.txt"}


def test_content_changed_under_its_old_size_and_mtime_waits_for_a_rebuild(tmp_path, archive, reads):
    directory = tmp_path / "index"
    reindex(directory, [archive])
    path = archive / "2019/006.txt"
    stat = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("une reprise", "une rupture"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    reads.clear()

    # Size and mtime are the index's: the file is taken as unchanged, and not read.
    report = reindex(directory, [archive])
    assert (report.updated, report.unchanged) == (0, 26)
    assert reads == []
    assert found(directory, "rupture") == set()
    reindex(directory, [archive], rebuild=True)
    assert found(directory, "rupture") == {"2019/006.txt"}


def test_the_walk_gives_discover_its_files_in_order(tmp_path, make_archive):
    root = make_archive({name: dispatch("une reprise", n) for n, name in enumerate(
        ["b.txt", "a/z.txt", "a/b/y.txt", "a-b.txt", "a.html", "a/c.txt", "a/notes.md", "z/x.txt", "z/y.txt",
         "z/.cache.txt", "z/txt", "z/notes.md", "z/X.TXT"])})
    os.symlink(tmp_path, root / "a/dehors.txt")
    listed = []
    for item in walk(root):
        listed += [(f.relative, f.skipped) for f in item.found()] if isinstance(item, Run) else \
            [(item.relative, item.skipped)]
    assert listed == [(f.relative, f.skipped) for f in discover(root)]
    assert listed == [("a/b/y.txt", None), ("a/c.txt", None), ("a/dehors.txt", listed[2][1]), ("a/z.txt", None),
                      ("a-b.txt", None), ("a.html", None), ("b.txt", None), ("z/X.TXT", None), ("z/x.txt", None),
                      ("z/y.txt", None)]
    assert "outside" in listed[2][1]
    # One run per stretch of a folder's files: z's come as one.
    runs = [item for item in walk(root) if isinstance(item, Run)]
    assert [(run.relative, run.names) for run in runs][-1] == ("z/", ["X.TXT", "x.txt", "y.txt"])


def test_live_documents_are_whooshs_own(tmp_path, archive):
    directory = tmp_path / "index"
    reindex(directory, [archive])
    (archive / "2018/003.txt").unlink()
    (archive / "2019/008.txt").write_text(dispatch("une grève", 8), encoding="utf-8")
    reindex(directory, [archive])
    with open_live(directory).reader() as reader:
        assert reader.has_deletions()
        assert live_documents(reader).nonzero()[0].tolist() == list(reader.all_doc_ids())


def test_an_updates_band_candidates_hold_every_row_sharing_a_band():
    rng = np.random.default_rng(7)
    bands = rng.integers(0, 2**64, size=(3 * stories.FILTER_ROWS // 2, 64), dtype=np.uint64)
    added = rng.integers(0, 2**64, size=(5, 64), dtype=np.uint64)
    sharing = {11: (0, 3), 70_000: (4, 63), 98_303: (2, 0)}  # row: (added row, band)
    for row, (which, band) in sharing.items():
        bands[row, band] = added[which, band]
    # The same value in another band is not a shared band.
    bands[5, 1] = added[0, 2]
    candidates = stories._band_candidates(bands, added).tolist()
    exact = [n for n in candidates if any((bands[n] == mine).any() for mine in added)]
    assert exact == sorted(sharing)
    # A filter, not a scan: random rows seldom get through.
    assert len(candidates) < len(bands) // 100


def test_two_folders_whose_names_read_alike_refuse_the_files_of_the_one_not_in_utf8(tmp_path):
    # The files' own names are plain: only the folders' names clash once decoded.
    root = tmp_path / "archive"
    for raw, n in ((b"caf\xe9", 1), ("café".encode("utf-8"), 2)):
        folder = os.path.join(os.fsencode(root), raw)
        os.makedirs(folder)
        with open(os.path.join(folder, b"depeche.txt"), "w", encoding="utf-8") as handle:
            handle.write(dispatch("une reprise", n))
    report = reindex(tmp_path / "index", [root])
    assert [failure.path for failure in report.failures] == ["café/depeche.txt"]
    assert "b'depeche.txt'" in report.failures[0].reason
    assert report.added == 1
    with open_index(tmp_path / "index") as index:
        assert index.get("café/depeche.txt").dispatch.title == "Dépêche 2"
