"""Hostile files: each gives its dispatch or one named, reasoned failure, and every other
file still goes in.

The small files are checked in under `tests/hostile/`; what cannot be (a 50 MB file,
links, a file nobody may read, names with a newline) is made in `tmp_path`. A file made
unreadable with `chmod 000` is readable all the same by root, which tests often run as:
the reindex then runs in a child process that has given up root's power to bypass file
permissions (CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH), so the permission is enforced.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from archive import PartialDate, UnreadableDispatch, read_file
from hostile_cases import SECOND_PASS
from scaling import assert_grows_linearly

HOSTILE = Path(__file__).resolve().parent / "hostile"

# Files read as one dispatch: title, date, and the text of the last paragraph.
DISPATCHES = {
    "windows-1252.txt": (
        "Grève à la SNCF : « ça coûte cher »",
        "2019-04-08",
        "Les cheminots déçus réclament 15 € de prime ; l’œuvre du gouvernement est critiquée.",
    ),
    "utf16-bom.txt": (
        "Élection européenne",
        "2019-04-09",
        "Les électeurs français étaient appelés aux urnes dimanche.",
    ),
    # UTF-8, then a paragraph in Windows-1252: both read right, no « Ã© ».
    "mixed-encodings.txt": (
        "Hausse des prix à la pompe",
        "2019-04-10",
        "Les automobilistes déçus réclament une baisse des taxes, précise le ministère.",
    ),
    # Impossible dates: the dispatch is kept undated, and the report says why.
    "impossible-month.txt": ("Un mois qui n'existe pas", None, "Ce texte porte une date au treizième mois."),
    "impossible-day.txt": ("Un jour qui n'existe pas", None, "Ce texte porte la date du 31 février."),
}

# Problems reported beside a dispatch that is kept.
KEPT_WITH_PROBLEMS = {
    "impossible-month.txt": [("impossible-month.txt", "impossible date in the header: 'date 2019-13'")],
    "impossible-day.txt": [("impossible-day.txt", "impossible date in the header: 'date 31/02/2019'")],
}

# Files refused whole, with the reason given.
REFUSED = {
    "empty.txt": "empty file (0 bytes)",
    "only-whitespace.txt": "empty file (only white space)",
    "image-png.txt": "binary file (a PNG image)",
    "archive-gzip.html": "binary file (a gzip archive)",
    "nul-bytes.txt": "binary file (contains NUL bytes)",
    "control-chars.txt": "binary file (control characters)",
    "utf8-bom-invalid.txt": "undecodable bytes: declared utf-8 but byte 9 is invalid",
    "only-scripts.html": "HTML page with no text",
    "all-broken.jsonl": (
        "no readable line (3 broken; first: line 1: invalid JSON "
        "(Expecting ',' delimiter: line 1 column 21 (char 20)))"
    ),
}

JSONL_TITLES = ["Première ligne valide", "Date impossible", "Dernière ligne valide"]
# (line, reason, exact?): Python's own JSON messages are compared by their start only.
JSONL_PROBLEMS = [
    (2, "line 2: invalid JSON (Unterminated string starting at: line 1 column 48 (char 47))", True),
    (3, "line 3: not a JSON object", True),
    (4, "line 4: impossible date '2019-02-31', kept undated", True),
    (5, "line 5: no title and no body", True),
    (6, "line 6: invalid JSON (", False),
]

BIG_BYTES = 50 * 1024 * 1024
NESTING = 10_000
OUTSIDE_REASON = "symbolic link pointing outside the archive"
PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def test_the_checked_in_corpus_is_small_and_complete():
    files = {p.name for p in HOSTILE.iterdir() if p.suffix != ".md"}
    assert files == {*DISPATCHES, *REFUSED, "broken-lines.jsonl", *SECOND_PASS}
    assert max(p.stat().st_size for p in HOSTILE.iterdir()) < 100_000


@pytest.mark.parametrize("name", sorted(DISPATCHES))
def test_a_hostile_file_gives_its_dispatch(name):
    title, date, last = DISPATCHES[name]
    reading = read_file(HOSTILE / name, HOSTILE)
    (dispatch,) = reading.dispatches
    assert dispatch.title == title
    assert dispatch.date == (PartialDate.from_iso(date) if date else None)
    assert dispatch.paragraphs[-1] == last
    assert [(p.path, p.reason) for p in reading.problems] == KEPT_WITH_PROBLEMS.get(name, [])


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_hostile_file_is_refused_with_its_reason(name):
    with pytest.raises(UnreadableDispatch) as refused:
        read_file(HOSTILE / name, HOSTILE)
    assert (refused.value.path, refused.value.reason) == (name, REFUSED[name])


def test_a_jsonl_file_keeps_its_good_lines_and_names_the_broken_ones():
    reading = read_file(HOSTILE / "broken-lines.jsonl", HOSTILE)
    assert [d.title for d in reading.dispatches] == JSONL_TITLES
    assert [d.date.iso() if d.date else None for d in reading.dispatches] == ["2019-04-11", None, "2019-04-12"]
    check_jsonl_problems([(p.path, p.reason) for p in reading.problems])


def check_jsonl_problems(problems: list[tuple[str, str]]) -> None:
    assert len(problems) == len(JSONL_PROBLEMS)
    for (path, reason), (line, expected, exact) in zip(problems, JSONL_PROBLEMS):
        assert path == f"broken-lines.jsonl#L{line}"
        assert reason == expected if exact else reason.startswith(expected)


def test_a_50_mb_file_is_refused_by_its_size_without_being_read(tmp_path):
    big = tmp_path / "enorme.txt"
    with big.open("wb") as handle:
        handle.write(b" date 2019-04-07 Un titre\n\n" + b"Du texte. " * 100)
        handle.truncate(BIG_BYTES)
    tracemalloc.start()
    try:
        with pytest.raises(UnreadableDispatch) as refused:
            read_file(big, tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert refused.value.reason == "file too large (52.4 MB; the limit is 8 MB)"
    assert peak < 1_000_000  # reading it would have allocated 50 MB


def test_html_nested_10000_levels_deep_is_read(tmp_path):
    page = tmp_path / "profond.html"
    page.write_text(nested_page())
    (dispatch,) = read_file(page, tmp_path).dispatches
    assert dispatch.paragraphs == ("Un paragraphe enfoui sous dix mille balises.",)

    def read_nested(scale: int) -> None:
        page.write_text(nested_page(NESTING // 4 * scale))
        read_file(page, tmp_path)

    assert_grows_linearly(read_nested, 1, "nesting")


def nested_page(levels: int = NESTING) -> str:
    return "<div>" * levels + "<p>Un paragraphe enfoui sous dix mille balises.</p>" + "</div>" * levels


def good_text(number: int) -> str:
    # Distinct words in each, so that no two are taken for versions of one story.
    words = " ".join(f"mot{number}x{i}" for i in range(12))
    return f" date 2019-05-{number:02d} Bonne dépêche numéro {number}\n\nElle dit {words}.\n"


def build_hostile_archive(root: Path, outside: Path) -> dict[str, object]:
    """Every hostile file beside good ones; returns what each generated file should give."""
    shutil.copytree(HOSTILE, root, ignore=shutil.ignore_patterns("*.md"))
    for number in range(1, 21):
        (root / "bonnes").mkdir(exist_ok=True)
        (root / "bonnes" / f"depeche-{number:02d}.txt").write_text(good_text(number))
    generated: dict[str, object] = {
        "noms/avec des espaces.txt": "Un nom avec des espaces",
        "noms/dépêche accentuée «é».txt": "Un nom accentué",
        "noms/une\nligne de plus.txt": "Un nom sur deux lignes",
        "profond.html": "Un paragraphe enfoui sous dix mille balises.",
    }
    (root / "noms").mkdir()
    for name, title in generated.items():
        if name.endswith(".txt"):
            (root / name).write_text(f" date 2019-06-01 {title}\n\nLe texte de « {title} ».\n")
    # A name in Latin-1 bytes, as archives copied from Windows or FTP hold them: indexed
    # under that name read as Windows-1252.
    with open(os.fsencode(root / "noms") + b"/caf\xe9 latin-1.txt", "wb") as handle:
        handle.write(" date 2019-06-01 Un nom en Latin-1\n\nLe texte d'un fichier au nom en Latin-1.\n".encode())
    generated["noms/café latin-1.txt"] = "Un nom en Latin-1"
    (root / "profond.html").write_text(nested_page())
    with (root / "enorme.txt").open("wb") as handle:
        handle.truncate(BIG_BYTES)
    # Links out of the root: to a file, to a folder holding dispatches, and a broken one.
    outside.mkdir()
    (outside / "secret.txt").write_text(" date 2019-01-01 Secret\n\nNe doit pas être indexé.\n")
    (root / "lien-fichier.txt").symlink_to(outside / "secret.txt")
    (root / "lien-dossier").symlink_to(outside, target_is_directory=True)
    (root / "lien-casse.txt").symlink_to(root / "nulle-part.txt")
    # A link inside the root is followed.
    (root / "lien-interne.txt").symlink_to(root / "bonnes" / "depeche-01.txt")
    unreadable = root / "illisible.txt"
    unreadable.write_text(" date 2019-01-02 Illisible\n\nPersonne ne peut lire ce fichier.\n")
    unreadable.chmod(0)
    os.mkfifo(root / "tube.txt")
    return generated


def without_permission_override() -> None:
    """In a child process: drop root's power to bypass file permissions, so that `chmod
    000` is enforced as it is for anyone else. Raises if the kernel refuses."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) refused")


REINDEX_CHILD = """
import json, sys
from pathlib import Path
from index import reindex
report = reindex(Path(sys.argv[1]), [Path(sys.argv[2])])
print(json.dumps({"failures": [[f.path, f.reason] for f in report.failures],
                  "added": report.added, "documents": report.documents}))
"""


@pytest.mark.slow
def test_a_reindex_of_every_hostile_file_keeps_all_the_good_ones(tmp_path):
    root, index_dir = tmp_path / "archive", tmp_path / "index"
    generated = build_hostile_archive(root, tmp_path / "dehors")
    child = subprocess.run(
        [sys.executable, "-c", REINDEX_CHILD, str(index_dir), str(root)],
        capture_output=True, text=True, timeout=300,
        preexec_fn=without_permission_override if os.geteuid() == 0 else None,
    )
    assert child.returncode == 0, child.stderr
    report = json.loads(child.stdout)
    failures = report["failures"]

    # Whole files refused, each with its reason, and nothing else refused.
    expected = dict(REFUSED) | {
        "enorme.txt": "file too large (52.4 MB; the limit is 8 MB)",
        "illisible.txt": "cannot read the file (Permission denied)",
        "tube.txt": "not a regular file (a device, pipe or socket)",
        "lien-fichier.txt": OUTSIDE_REASON,
        "lien-dossier": OUTSIDE_REASON,
        "lien-casse.txt": "broken symbolic link",
    }
    expected |= {name: reason for name, reasons in KEPT_WITH_PROBLEMS.items() for _, reason in reasons}
    second_pass = [problem for _, problems in SECOND_PASS.values() for problem in problems]
    expected |= {path: reason for path, reason in second_pass if "#" not in path}
    whole = {path: reason for path, reason in failures if "#" not in path}
    assert whole == expected
    check_jsonl_problems([(p, r) for p, r in failures if p.startswith("broken-lines.jsonl#")])
    records = [(p, r) for p, r in failures if "#" in p and not p.startswith("broken-lines.jsonl#")]
    assert sorted(records) == sorted((p, r) for p, r in second_pass if "#" in p)
    assert len(failures) == len(expected) + len(JSONL_PROBLEMS) + len(records)

    # Every dispatch read: the 20 good files, the link inside the root, the hostile files
    # that decode, the JSON Lines' good records, the odd names and the nested page.
    from index import open_index

    index = open_index(index_dir)
    dispatches = 20 + 1 + len(DISPATCHES) + len(JSONL_TITLES) + len(generated)
    dispatches += sum(len(kept) for kept, _ in SECOND_PASS.values())
    assert report["added"] == report["documents"] == index.count() == dispatches
    for number in range(1, 21):
        stored = index.get(f"bonnes/depeche-{number:02d}.txt")
        assert stored.dispatch.title == f"Bonne dépêche numéro {number}"
    assert index.get("lien-interne.txt").dispatch.title == "Bonne dépêche numéro 1"
    for name, (title, date, _) in DISPATCHES.items():
        stored = index.get(name).dispatch
        assert (stored.title, stored.date.iso() if stored.date else None) == (title, date)
    for name, title in generated.items():
        assert title in index.get(name).dispatch.title
    for dispatch in read_file(HOSTILE / "broken-lines.jsonl", HOSTILE).dispatches:
        assert index.get(dispatch.id).dispatch.title == dispatch.title
    for dispatch_id, title in (kept for kept, _ in SECOND_PASS.values() for kept in kept):
        assert index.get(dispatch_id).dispatch.title == title
    # Nothing from outside the root went in, through either link.
    from index import SearchRequest

    assert index.search(SearchRequest(query="secret")).total == 0


def test_the_reindex_report_gives_one_line_per_failure(tmp_path, runner):
    """A file name holding a newline must not split its failure over two lines."""
    from web.cli import cli

    root = tmp_path / "archive"
    root.mkdir()
    (root / "vide\navec un retour.txt").write_bytes(b"")
    (root / "bonne.txt").write_text(good_text(1))
    result = runner.invoke(cli, ["reindex", "--index", str(tmp_path / "index"), str(root)])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("1 ajoutée(s), 0 mise(s) à jour, 0 retirée(s), 0 inchangée(s), 1 en échec en ")
    assert lines[1:] == ["  en échec : vide\\navec un retour.txt : empty file (0 bytes)"]
