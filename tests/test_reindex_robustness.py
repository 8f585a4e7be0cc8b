"""Reindexing against what archives really hold: file names that are not UTF-8, a disk
that fills during a rebuild, a crash of the program itself. Real files, real indexes,
the real `archive` command in a subprocess."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from index import SearchRequest, open_index, reindex
from index import writer as index_writer
from index.store import current_name

ARCHIVE = str(Path(sys.executable).with_name("archive"))
LATIN1_NAME = b"caf\xe9.txt"  # « café.txt » written by Windows or an FTP client


def write_raw(folder: Path, name: bytes, text: str) -> Path:
    """A file whose name is these bytes on disk, whatever they decode to."""
    descriptor = os.open(os.fsencode(folder) + b"/" + name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(descriptor, text.encode("utf-8"))
    finally:
        os.close(descriptor)
    return Path(os.fsdecode(os.fsencode(folder) + b"/" + name))


def dispatch(number: int) -> str:
    # Distinct words in each file: no two are versions of one story.
    return f"Dépêche {number}\n\nTexte numéro {number} : " + " ".join(f"w{number}x{i}" for i in range(6)) + ".\n"


def archive(*args: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run([ARCHIVE, *args], capture_output=True, timeout=300, **options)


def ids(index_dir: Path) -> set[str]:
    with open_index(index_dir) as index:
        request = SearchRequest(query="texte", page_size=100, collapse_versions=False, with_facets=False)
        return {hit.id for hit in index.search(request).hits}


def other_indexes(index_dir: Path) -> list[str]:
    """Files and folders of any index but the live one (what a failed build leaves)."""
    live = current_name(index_dir)
    return sorted(p.name for p in index_dir.iterdir() if p.name.lstrip("_").startswith("ix")
                  and not p.name.lstrip("_").startswith(live or "\0"))


# -- file names that are not UTF-8 -------------------------------------------------------


def test_a_latin1_file_name_is_indexed_readably_by_every_kind_of_run(tmp_path):
    root, index_dir = tmp_path / "archive", tmp_path / "index"
    root.mkdir()
    (root / "ok.txt").write_text(dispatch(1))
    # Incremental: an index exists, then the Latin-1 file arrives.
    assert reindex(index_dir, [root]).failures == []
    write_raw(root, LATIN1_NAME, dispatch(2))
    report = reindex(index_dir, [root])
    assert (report.added, report.failures) == (1, [])
    assert ids(index_dir) == {"ok.txt", "café.txt"}
    # A second run sees it unchanged (the same name, so the same id).
    report = reindex(index_dir, [root])
    assert (report.added, report.unchanged, report.failures) == (0, 2, [])
    # A rebuild, and a first build into a new folder.
    for directory, rebuild in ((index_dir, True), (tmp_path / "fresh", False)):
        report = reindex(directory, [root], rebuild=rebuild)
        assert (report.added, report.failures) == (2, [])
        assert ids(directory) == {"ok.txt", "café.txt"}


@pytest.mark.slow
def test_a_latin1_file_name_in_a_parallel_build(tmp_path):
    root, index_dir = tmp_path / "archive", tmp_path / "index"
    root.mkdir()
    count = index_writer.PARALLEL_THRESHOLD
    for number in range(count):
        (root / f"{number:05d}.txt").write_text(dispatch(number))
    # Names at both ends of the list: read by both workers.
    write_raw(root, b"00000-\xe9t\xe9.txt", dispatch(count))
    write_raw(root, b"zz-d\xe9p\xeache.txt", dispatch(count + 1))
    report = reindex(index_dir, [root])
    assert (report.added, report.failures) == (count + 2, [])
    assert report.documents == count + 2
    with open_index(index_dir) as index:
        assert index.get("00000-été.txt") is not None
        assert index.get("zz-dépêche.txt").dispatch.title == f"Dépêche {count + 1}"
    assert other_indexes(index_dir) == []


@pytest.mark.slow
def test_the_page_the_command_and_the_report_show_the_decoded_name(tmp_path):
    from web import create_app

    root, index_dir = tmp_path / "archive", tmp_path / "index"
    root.mkdir()
    path = write_raw(root, LATIN1_NAME, dispatch(1))
    write_raw(root, b"vide-\xe9.txt", "")  # fails: its name is in the report
    done = archive("reindex", "--index", str(index_dir), str(root))
    assert done.returncode == 1, done.stderr
    assert b"Traceback" not in done.stderr
    assert "  failed: vide-é.txt: empty file (0 bytes)" in done.stdout.decode("utf-8").splitlines()
    shown = archive("show", str(path))
    assert shown.returncode == 0, shown.stderr
    assert '"id": "café.txt"' in shown.stdout.decode("utf-8")
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    page = client.get("/depeche/café.txt")
    assert page.status_code == 200
    assert BeautifulSoup(page.data, "html.parser").find("code").get_text() == "café.txt"
    results = client.get("/api/search", query_string={"q": "texte"}).get_json()
    assert [hit["id"] for hit in results["hits"]] == ["café.txt"]


def test_two_names_that_read_alike_refuse_the_one_that_is_not_utf8(tmp_path):
    root, index_dir = tmp_path / "archive", tmp_path / "index"
    root.mkdir()
    write_raw(root, LATIN1_NAME, dispatch(1))
    write_raw(root, "café.txt".encode("utf-8"), dispatch(2))
    for rebuild in (False, True):
        report = reindex(index_dir, [root], rebuild=rebuild)
        assert [(f.path, f.reason.split(" (")[0]) for f in report.failures] == [
            ("café.txt", "another file has this name once the bytes of its name")
        ]
        assert "b'caf\\xe9.txt'" in report.failures[0].reason
        with open_index(index_dir) as index:
            assert index.get("café.txt").dispatch.title == "Dépêche 2"


# -- a rebuild that fills the disk -------------------------------------------------------


def limit_file_size() -> None:
    """In a child: no file may grow past 64 kB; writes fail with EFBIG instead of the
    process being killed by SIGXFSZ."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))


@pytest.mark.slow
def test_a_rebuild_that_fills_the_disk_removes_its_unfinished_index(tmp_path):
    root, index_dir = tmp_path / "archive", tmp_path / "index"
    root.mkdir()
    for number in range(40):
        (root / f"{number:04d}.txt").write_text(dispatch(number))
    assert archive("reindex", "--index", str(index_dir), str(root)).returncode == 0
    live, before = current_name(index_dir), ids(index_dir)
    for number in range(40, 1000):  # an index of them is past 64 kB
        (root / f"{number:04d}.txt").write_text(dispatch(number))
    failed = archive("reindex", "--rebuild", "--index", str(index_dir), str(root), preexec_fn=limit_file_size)
    assert failed.returncode == 4, failed.stderr
    assert b"File too large" in failed.stderr
    assert other_indexes(index_dir) == []
    assert current_name(index_dir) == live
    assert ids(index_dir) == before


# -- a crash of the program --------------------------------------------------------------


@pytest.mark.slow
def test_a_crashed_reindex_has_its_own_exit_code_and_keeps_its_traceback(tmp_path):
    root, index_dir = tmp_path / "archive", tmp_path / "index"
    root.mkdir()
    (root / "a.txt").write_text(dispatch(1))
    assert archive("reindex", "--index", str(index_dir), str(root)).returncode == 0
    # A damaged table of contents: Whoosh fails in a way the program does not expect.
    for toc in index_dir.glob("*.toc"):
        toc.write_bytes(b"garbage")
    (root / "b.txt").write_text(dispatch(2))
    crashes = tmp_path / "tmp"
    crashes.mkdir()
    env = {**os.environ, "TMPDIR": str(crashes)}
    crashed = archive("reindex", "--index", str(index_dir), str(root), env=env)
    assert crashed.returncode == 5
    lines = crashed.stderr.decode().strip().splitlines()
    assert "Traceback" not in crashed.stderr.decode()
    assert lines[-1].startswith("Error: the reindex stopped on an unexpected error (IndexError: ")
    written = list(crashes.iterdir())
    assert len(written) == 1 and lines[-1].endswith(f"the traceback is in {written[0]}")
    assert written[0].read_text().startswith("Traceback (most recent call last):")
    debug = archive("reindex", "--debug", "--index", str(index_dir), str(root), env=env)
    assert debug.returncode == 5
    assert debug.stderr.decode().startswith("Traceback (most recent call last):")
    assert len(list(crashes.iterdir())) == 1
