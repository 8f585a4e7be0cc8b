"""Reindexing: what a run adds, updates, removes and leaves, what it reports, and what
the index then finds. Every test builds a real index in `tmp_path`."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from index import IndexDamaged, NeedsRebuild, SearchRequest, open_index, reindex
from index.whoosh.schema import SCHEMA_VERSION, VERSION_FILE, needs_rebuild

SEED_000 = "000_4375ea2097648a51.txt"
SEED_002 = "002_eb2ed1d0cd4a9010.txt"


def counts(report) -> tuple[int, int, int, int, int]:
    return report.added, report.updated, report.removed, report.unchanged, len(report.failures)


def found(index_dir: Path, text: str) -> set[str]:
    result = open_index(index_dir).search(SearchRequest(query=text, collapse_versions=False, page_size=100))
    return {hit.id for hit in result.hits if not hit.partial}


@pytest.fixture
def seeds_copy(tmp_path, seeds_dir) -> Path:
    """The seeds in a folder the test may change."""
    root = tmp_path / "seeds"
    shutil.copytree(seeds_dir, root)
    return root


@pytest.fixture
def built(tmp_path, seeds_copy) -> Path:
    directory = tmp_path / "index"
    report = reindex(directory, [seeds_copy])
    assert counts(report) == (2, 0, 0, 0, 0)
    assert report.documents == 2
    return directory


def test_nothing_touched_nothing_changed(built, seeds_copy):
    report = reindex(built, [seeds_copy])
    assert counts(report) == (0, 0, 0, 2, 0)
    assert report.changed == 0
    assert report.documents == 2


def test_a_touched_file_is_unchanged(built, seeds_copy):
    path = seeds_copy / SEED_002
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    report = reindex(built, [seeds_copy])
    assert counts(report) == (0, 0, 0, 2, 0)
    # The new mtime is remembered: the next run does not read the file again either.
    assert counts(reindex(built, [seeds_copy])) == (0, 0, 0, 2, 0)


def test_a_resaved_file_with_the_same_words_is_unchanged(built, seeds_copy):
    # Other line endings and trailing spaces: the same dispatch to a reader.
    path = seeds_copy / SEED_000
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n") + b"  \r\n")
    assert counts(reindex(built, [seeds_copy])) == (0, 0, 0, 2, 0)


def test_a_deleted_file_disappears(built, seeds_copy):
    assert found(built, "Pompeo") == {SEED_002}
    (seeds_copy / SEED_002).unlink()
    report = reindex(built, [seeds_copy])
    assert counts(report) == (0, 0, 1, 1, 0)
    assert report.documents == 1
    assert found(built, "Pompeo") == set()
    assert found(built, "combats") == {SEED_000}
    assert open_index(built).get(SEED_002) is None


def test_a_changed_file_loses_its_old_words_and_gains_new_ones(built, seeds_copy):
    path = seeds_copy / SEED_002
    path.write_text(path.read_text(encoding="utf-8").replace("Pompeo", "Blinken"), encoding="utf-8")
    report = reindex(built, [seeds_copy])
    assert counts(report) == (0, 1, 0, 1, 0)
    assert found(built, "Blinken") == {SEED_002}
    assert found(built, "Pompeo") == set()
    stored = open_index(built).get(SEED_002)
    assert "Blinken" in stored.dispatch.body and "Pompeo" not in stored.dispatch.body


def test_a_new_file_is_added(built, seeds_copy):
    (seeds_copy / "sub").mkdir()
    (seeds_copy / "sub" / "003.txt").write_text(
        "date 2019-04-09\n\nTrêve à Tripoli\n\nUne trêve humanitaire de deux heures a été demandée.", encoding="utf-8"
    )
    report = reindex(built, [seeds_copy])
    assert counts(report) == (1, 0, 0, 2, 0)
    assert report.documents == 3
    assert found(built, "trêve humanitaire") == {"sub/003.txt"}


def test_exact_counts_of_a_mixed_run(tmp_path, make_archive):
    root = make_archive({
        "keep.txt": "Gardée\n\nLe port de Tripoli a rouvert.",
        "touch.txt": "Touchée\n\nUne grue est tombée à Benghazi.",
        "edit.txt": "Modifiée\n\nLes dockers de Misrata réclament des primes.",
        "gone.txt": "Supprimée\n\nLe port de Syrte ferme pour travaux.",
        "feed.jsonl": "\n".join(json.dumps(r, ensure_ascii=False) for r in [
            {"id": "r1", "title": "Premier", "body": "Un pétrolier est attendu à Tobrouk."},
            {"id": "r2", "title": "Deuxième", "body": "La pêche reprend à Derna."},
            {"id": "r3", "title": "Troisième", "body": "Les vols reprennent à Mitiga."},
        ]),
    })
    directory = tmp_path / "index"
    assert counts(reindex(directory, [root])) == (7, 0, 0, 0, 0)

    stat = (root / "touch.txt").stat()
    os.utime(root / "touch.txt", ns=(stat.st_atime_ns, stat.st_mtime_ns + 3_000_000_000))
    (root / "edit.txt").write_text("Modifiée\n\nLes dockers de Misrata ont obtenu leurs primes.", encoding="utf-8")
    (root / "gone.txt").unlink()
    (root / "new.txt").write_text("Nouvelle\n\nLa centrale de Zouara redémarre.", encoding="utf-8")
    # In the export: r2 changed, r3 removed, r4 added, r1 as it was.
    (root / "feed.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "r1", "title": "Premier", "body": "Un pétrolier est attendu à Tobrouk."},
        {"id": "r2", "title": "Deuxième", "body": "La pêche ne reprend pas à Derna."},
        {"id": "r4", "title": "Quatrième", "body": "Le couvre-feu est levé à Sebha."},
    ]), encoding="utf-8")
    (root / "empty.txt").write_bytes(b"")
    (root / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 100)

    report = reindex(directory, [root])
    # added: new.txt, r4; updated: edit.txt, r2; removed: gone.txt, r3;
    # unchanged: keep.txt, touch.txt, r1; failed: empty.txt, binary.txt.
    assert counts(report) == (2, 2, 2, 3, 2)
    assert report.documents == 7
    assert found(directory, "Sebha") == {"feed.jsonl#r4"}
    assert found(directory, "Mitiga") == set()
    assert found(directory, "obtenu primes") == {"edit.txt"}


def test_failures_name_the_file_and_the_reason_and_the_rest_goes_in(tmp_path, make_archive):
    root = make_archive({
        "good.txt": "Bonne\n\nLe port de Tripoli a rouvert.",
        "empty.txt": b"",
        "blank.txt": "   \n\n \t ",
        "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10,
        "broken.jsonl": '{"id": "ok", "title": "Valide", "body": "Une ligne valide à Benghazi."}\n{pas du json\n',
    })
    report = reindex(tmp_path / "index", [root])
    reasons = {failure.path: failure.reason for failure in report.failures}
    assert set(reasons) == {"empty.txt", "blank.txt", "binary.txt", "broken.jsonl#L2"}
    assert "empty" in reasons["empty.txt"] and "empty" in reasons["blank.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "JSON" in reasons["broken.jsonl#L2"]
    assert report.added == 2 and report.documents == 2
    assert found(tmp_path / "index", "Tripoli") == {"good.txt"}
    assert found(tmp_path / "index", "Benghazi") == {"broken.jsonl#ok"}


def test_a_file_that_becomes_unreadable_loses_its_dispatch(built, seeds_copy):
    (seeds_copy / SEED_002).write_bytes(b"")
    report = reindex(built, [seeds_copy])
    assert counts(report) == (0, 0, 1, 1, 1)
    assert report.failures[0].path == SEED_002
    assert found(built, "Pompeo") == set()


def test_json_lines_records_have_their_own_ids(tmp_path, make_archive):
    root = make_archive({
        "export/afp.jsonl": "\n".join(json.dumps(r, ensure_ascii=False) for r in [
            {"id": "afp-1", "date": "2019-04-07", "title": "Combats à Tripoli", "body": "Les combats ont repris au sud."},
            {"title": "Sans identifiant", "body": "Un convoi humanitaire est arrivé à Misrata."},
            {"id": "afp-3", "published": "2019-04-08T10:00:00Z", "title": "Trêve", "body": "Une trêve a été demandée."},
        ]),
    })
    report = reindex(tmp_path / "index", [root])
    assert report.added == 3 and not report.failures
    assert found(tmp_path / "index", "combats") == {"export/afp.jsonl#afp-1"}
    assert found(tmp_path / "index", "convoi") == {"export/afp.jsonl#L2"}
    archive = open_index(tmp_path / "index")
    stored = archive.get("export/afp.jsonl#afp-3")
    assert stored is not None and stored.dispatch.date.iso() == "2019-04-08"


def test_several_roots_are_prefixed_with_their_folder(tmp_path, make_archive, seeds_dir):
    other = make_archive({"x.txt": "Autre\n\nLe port de Tripoli a rouvert."}, name="autres")
    directory = tmp_path / "index"
    report = reindex(directory, [seeds_dir, other])
    assert report.added == 3
    assert found(directory, "port rouvert") == {"autres/x.txt"}
    assert found(directory, "Pompeo") == {f"seeds/{SEED_002}"}


def test_a_stale_schema_needs_a_rebuild(built, seeds_copy):
    assert not needs_rebuild(built)
    (built / VERSION_FILE).write_text(json.dumps({"schema_version": SCHEMA_VERSION - 1}))
    assert needs_rebuild(built)
    with pytest.raises(NeedsRebuild, match=r"archive reindex --rebuild"):
        open_index(built)
    # An incremental run cannot fix it; a rebuild does.
    with pytest.raises(NeedsRebuild):
        reindex(built, [seeds_copy])
    report = reindex(built, [seeds_copy], rebuild=True)
    assert counts(report) == (2, 0, 0, 0, 0)
    assert not needs_rebuild(built)
    assert found(built, "Pompeo") == {SEED_002}


def test_a_missing_version_file_needs_a_rebuild(built):
    (built / VERSION_FILE).unlink()
    with pytest.raises(NeedsRebuild):
        open_index(built)


def test_an_index_whose_stored_schema_names_a_moved_module_still_opens(built, seeds_copy):
    # Whoosh pickles the schema into each table of contents, naming the modules of our
    # analysis classes. An index written before one of them moved (its schema version
    # saying it fits) must still be searched and updated, not fail on ModuleNotFoundError.
    (toc,) = built.glob("*.toc")
    written = toc.read_bytes()
    assert b"index.whoosh.analysis" in written
    toc.write_bytes(written.replace(b"index.whoosh.analysis", b"index.whoosh.analysiX"))  # the same length
    assert found(built, "Pompeo") == {SEED_002}
    (seeds_copy / SEED_000).unlink()
    assert counts(reindex(built, [seeds_copy])) == (0, 0, 1, 1, 0)
    assert found(built, "Pompeo") == {SEED_002} and open_index(built).count() == 1
    # Its next table of contents names the modules where they are now.
    assert all(b"analysiX" not in toc.read_bytes() for toc in built.glob("*.toc"))


@pytest.mark.parametrize("damage", ["cut short", "garbled"])
def test_an_unreadable_index_asks_for_a_rebuild_which_mends_it(built, seeds_copy, damage):
    (toc,) = built.glob("*.toc")
    written = toc.read_bytes()
    # A copy cut short, or bytes overwritten past the header (a disk fault).
    toc.write_bytes(written[:40] if damage == "cut short" else written[:40] + bytes(len(written) - 40))
    with pytest.raises(IndexDamaged, match=r"illisible .*archive reindex --rebuild"):
        open_index(built)
    with pytest.raises(NeedsRebuild):  # an update cannot mend it: a damaged index needs a rebuild
        reindex(built, [seeds_copy])
    assert counts(reindex(built, [seeds_copy], rebuild=True)) == (2, 0, 0, 0, 0)
    assert found(built, "Pompeo") == {SEED_002}


def test_a_rebuild_replaces_the_index(built, seeds_copy):
    (seeds_copy / SEED_000).unlink()
    report = reindex(built, [seeds_copy], rebuild=True)
    assert counts(report) == (1, 0, 0, 0, 0)
    assert report.documents == 1
    assert found(built, "combats") == {SEED_002}
    # The files of the index it replaced are gone: one table of contents is left.
    assert len(list(built.glob("*.toc"))) == 1


def test_progress_is_reported(tmp_path, seeds_dir):
    calls = []
    reindex(tmp_path / "index", [seeds_dir], progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1] == (2, 2)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert {total for _, total in calls} == {2}


def test_two_roots_with_the_same_folder_name_keep_their_dispatches_apart(tmp_path):
    first, second = tmp_path / "1" / "archive", tmp_path / "2" / "archive"
    first.mkdir(parents=True)
    second.mkdir(parents=True)
    (first / "x.txt").write_text("Un\n\nLe port de Tripoli a rouvert.", encoding="utf-8")
    (second / "x.txt").write_text("Deux\n\nUne grue est tombée sur le quai de Benghazi.", encoding="utf-8")
    directory = tmp_path / "index"
    assert reindex(directory, [first, second]).documents == 2
    report = reindex(directory, [first, second])
    assert counts(report) == (0, 0, 0, 2, 0)
    assert report.documents == 2
    tripoli, benghazi = found(directory, "Tripoli"), found(directory, "Benghazi")
    assert len(tripoli) == len(benghazi) == 1 and tripoli != benghazi


def test_a_killed_publish_leaves_nothing_behind(built, seeds_copy):
    """The pointer and the version file are written beside, then renamed: what a kill
    between the two leaves is a stray file, which the next run removes."""
    (built / f".CURRENT.{os.getpid() + 1}").write_text("ix-half-written")
    (built / f".{VERSION_FILE}.{os.getpid() + 1}").write_text("{")
    assert found(built, "Pompeo") == {SEED_002}
    reindex(built, [seeds_copy], rebuild=True)
    assert sorted(p.name for p in built.iterdir() if p.name.startswith(".")) == []
    assert not needs_rebuild(built) and found(built, "Pompeo") == {SEED_002}
    assert json.loads((built / VERSION_FILE).read_text()) == {"schema_version": SCHEMA_VERSION}
