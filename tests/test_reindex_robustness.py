"""Reindexing against what archives really hold: file names that are not UTF-8, a disk
that fills during a rebuild, a crash of the program itself, and what one huge dispatch
costs a page. Real files, real indexes, the real `archive` command in a subprocess."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from limits import limit_file_size
from bs4 import BeautifulSoup

from index import SearchRequest, open_index, reindex
from index.compare import COMPARED_CHARS
from index.french import TOKEN_PATTERN
from index.whoosh import writer as index_writer
from index.whoosh.snippets import HIGHLIGHT_CHARS, SNIPPET_SCAN_CHARS, _word_tokens
from index.whoosh.store import current_name

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
    assert "  en échec : vide-é.txt : empty file (0 bytes)" in done.stdout.decode("utf-8").splitlines()
    shown = archive("show", str(path))
    assert shown.returncode == 0, shown.stderr
    assert '"id": "café.txt"' in shown.stdout.decode("utf-8")
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    page = client.get("/depeche/café.txt")
    assert page.status_code == 200
    assert BeautifulSoup(page.data, "html.parser").find("code").get_text() == "café.txt"
    results = client.get("/api/search", query_string={"q": "texte"}).get_json()
    assert [hit["id"] for hit in results["hits"]] == ["café.txt"]


@pytest.mark.slow
def test_the_report_prints_folders_named_in_latin1_on_a_strict_terminal(tmp_path):
    root = Path(os.fsdecode(os.fsencode(tmp_path) + b"/d\xe9p\xeaches"))
    root.mkdir()
    write_raw(root, b"a.txt", dispatch(1))
    write_raw(root, b"vide.txt", "")
    index_dir = Path(os.fsdecode(os.fsencode(tmp_path) + b"/index-\xe9"))
    strict = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}
    done = archive("reindex", "--index", str(index_dir), str(root), env=strict)
    assert b"Traceback" not in done.stderr
    assert done.returncode == 1
    lines = done.stdout.decode("utf-8").splitlines()
    assert lines[0].endswith("1 dépêche dans " + str(tmp_path) + "/index-\\udce9")
    assert lines[1:] == ["  en échec : vide.txt : empty file (0 bytes)"]


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
    # A damaged column of the files' paths: Whoosh fails in a way the program does not expect.
    for column in index_dir.glob("*.path.col"):
        column.write_bytes(b"garbage")
    (root / "b.txt").write_text(dispatch(2))
    crashes = tmp_path / "tmp"
    crashes.mkdir()
    env = {**os.environ, "TMPDIR": str(crashes)}
    crashed = archive("reindex", "--index", str(index_dir), str(root), env=env)
    assert crashed.returncode == 5
    lines = crashed.stderr.decode().strip().splitlines()
    assert "Traceback" not in crashed.stderr.decode()
    assert lines[-1].startswith("Erreur : la réindexation s’est arrêtée sur une erreur inattendue (ValueError: ")
    written = list(crashes.iterdir())
    assert len(written) == 1 and lines[-1].endswith(f"la trace est dans {written[0]}")
    assert written[0].read_text().startswith("Traceback (most recent call last):")
    debug = archive("reindex", "--debug", "--index", str(index_dir), str(root), env=env)
    assert debug.returncode == 5
    assert debug.stderr.decode().startswith("Traceback (most recent call last):")
    assert len(list(crashes.iterdir())) == 1
    # A damaged table of contents is expected: it says what mends it, and exits 4.
    for toc in index_dir.glob("*.toc"):
        toc.write_bytes(b"garbage")
    damaged = archive("reindex", "--index", str(index_dir), str(root), env=env)
    assert damaged.returncode == 4 and "Traceback" not in damaged.stderr.decode()
    assert damaged.stderr.decode().strip().splitlines()[-1].startswith(f"Erreur : l’index dans {index_dir} est illisible")
    assert damaged.stderr.decode().strip().endswith("lancez « archive reindex --rebuild »")
    assert len(list(crashes.iterdir())) == 1


# -- what one huge dispatch costs a page -------------------------------------------------


OPENING = "Les combats reprennent à Tripoli, où l'offensive du maréchal Haftar piétine. "
OIL = "Le pétrole de la raffinerie flambe, la raffinerie brûle son pétrole. "


def huge_body(seed: int, changed: float = 0.0) -> str:
    """About 1 MB: an opening on the fighting in Tripoli, then filler, then a long tail
    about oil (most of the body). With `changed`, that share of the paragraphs is replaced (another version
    of the same story)."""
    rng = random.Random(1)  # the same paragraphs for every version
    other = random.Random(seed)
    paragraphs = [OPENING * 20] * 40  # 60,000 characters on the fighting
    while sum(map(len, paragraphs)) < 1_000_000:
        filler = " ".join(f"m{rng.randrange(30000)}" for _ in range(60)) + "."
        oil = OIL if sum(map(len, paragraphs)) > 150_000 else ""
        paragraph = oil + filler
        if other.random() < changed:
            paragraph = " ".join(f"n{other.randrange(30000)}" for _ in range(60)) + "."
        paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


def words_in(text: str) -> int:
    return len(re.findall(TOKEN_PATTERN, text))


def analysed_words(action) -> int:
    """How many words the snippet and highlighting code analyses while `action` runs."""
    _word_tokens.cache_clear()
    action()
    info = _word_tokens.cache_info()
    return info.hits + info.misses


@pytest.fixture(scope="module")
def huge_index(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("huge") / "archive"
    root.mkdir()
    (root / "grand.txt").write_text("date 2019-04-07\nGrande dépêche\n\n" + huge_body(1))
    (root / "grand-suite.txt").write_text("date 2019-04-08\nGrande dépêche, suite\n\n" + huge_body(2, changed=0.1))
    (root / "combats.txt").write_text("date 2019-04-07\nCombats\n\n" + OPENING * 2)
    (root / "petrole.txt").write_text("date 2019-04-07\nPétrole\n\n" + OIL * 2)
    index_dir = root.parent / "index"
    assert reindex(index_dir, [root]).failures == []
    return index_dir


@pytest.mark.slow
def test_a_snippet_analyses_only_the_opening_of_a_huge_body(huge_index):
    with open_index(huge_index) as index:
        body = index.get("grand.txt").dispatch.body
        request = SearchRequest(query="pétrole", collapse_versions=False, with_facets=False)
        hits = []
        work = analysed_words(lambda: hits.extend(index.search(request).hits))
    assert {hit.id for hit in hits} == {"grand.txt", "grand-suite.txt", "petrole.txt"}
    # Each hit's snippet looks at most at the opening of its body.
    assert work <= 3 * words_in(body[:SNIPPET_SCAN_CHARS]) < words_in(body)
    # The oil is past the opening: the snippet of a huge dispatch shows its start.
    huge = next(hit for hit in hits if hit.id == "grand.txt")
    assert huge.snippet.startswith("Les combats reprennent")


@pytest.mark.slow
def test_the_page_of_a_huge_dispatch_highlights_a_bounded_part_and_loses_no_text(huge_index):
    with open_index(huge_index) as index:
        stored = []
        work = analysed_words(lambda: stored.append(index.get("grand.txt", highlight="pétrole")))
    (stored,) = stored
    body = stored.dispatch.body
    # The words of the title and of the paragraphs begun within the budget, at most.
    budget, bound = HIGHLIGHT_CHARS, words_in(stored.dispatch.title)
    for paragraph in stored.dispatch.paragraphs:
        if budget <= 0:
            break
        bound, budget = bound + words_in(paragraph), budget - len(paragraph)
    assert work <= bound < words_in(body) / 2
    shown = [BeautifulSoup(html, "html.parser") for html in stored.paragraphs_html]
    assert "\n\n".join(soup.get_text() for soup in shown) == body
    marked = [i for i, soup in enumerate(shown) if soup.find("mark")]
    assert marked and sum(map(len, stored.dispatch.paragraphs[: marked[-1]])) < HIGHLIGHT_CHARS


@pytest.mark.slow
def test_similar_dispatches_come_from_the_opening_of_a_huge_dispatch(huge_index):
    with open_index(huge_index) as index:
        similar = [hit.id for hit in index.similar("grand.txt")]
        small = [hit.id for hit in index.similar("combats.txt")]
    # The oil fills most of the body but comes after its opening.
    assert similar == ["combats.txt"]
    assert len(small) == 1 and small[0] in {"grand.txt", "grand-suite.txt"}  # one story


@pytest.mark.slow
def test_two_huge_versions_are_compared_by_their_opening_and_the_page_says_so(huge_index):
    from web import create_app

    with open_index(huge_index) as index:
        (version,) = index.get("grand.txt").versions
    comparison = version.comparison
    assert version.id == "grand-suite.txt"
    assert comparison.truncated
    compared = sum(len(block.text) + len(block.other) for block in comparison.blocks)
    assert compared <= 2 * COMPARED_CHARS
    assert comparison.same
    client = create_app({"TESTING": True, "INDEX_DIR": str(huge_index)}).test_client()
    page = BeautifulSoup(client.get("/depeche/grand.txt").data, "html.parser")
    assert "seul leur début est comparé" in page.find(class_="version-truncated").get_text()
    data = client.get("/api/depeche/grand.txt").get_json()
    assert data["versions"][0]["comparison"]["truncated"] is True
