"""`archive show FILE...`: the dispatches of each file as JSON, bad files as one line."""

import json

import pytest

from archive import read_file
from web.cli import cli


def lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_show_prints_the_seeds_as_json(runner, seeds_dir):
    result = runner.invoke(cli, ["show", str(seeds_dir / "000_4375ea2097648a51.txt"),
                                 str(seeds_dir / "002_eb2ed1d0cd4a9010.txt")])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    first, second = lines(result.stdout)
    assert {k: first[k] for k in ("id", "date", "precision", "date_source", "paragraphs", "title_derived")} == {
        "id": "000_4375ea2097648a51.txt",
        "date": "2019-04",
        "precision": "month",
        "date_source": "header",
        "paragraphs": 8,
        "title_derived": True,
    }
    assert first["title"].startswith("L'armée américaine a annoncé dimanche")
    (seed,) = read_file(seeds_dir / "000_4375ea2097648a51.txt", seeds_dir).dispatches
    assert first["content_hash"] == seed.content_hash
    assert first["title"] == seed.title
    assert {k: second[k] for k in ("id", "date", "precision", "date_source", "paragraphs")} == {
        "id": "002_eb2ed1d0cd4a9010.txt",
        "date": None,
        "precision": None,
        "date_source": "none",
        "paragraphs": 10,
    }
    assert first["content_hash"] != second["content_hash"]


def test_show_prints_one_line_per_jsonl_record_and_warns_about_broken_lines(runner, tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_text('{"title": "Un", "body": "Texte.", "date": "2019-04-07"}\nnope\n'
                    '{"title": "Deux", "body": "Texte."}\n', encoding="utf-8")
    result = runner.invoke(cli, ["show", str(path)])
    assert result.exit_code == 0
    shown = lines(result.stdout)
    assert [(s["id"], s["title"], s["date"], s["precision"]) for s in shown] == [
        ("export.jsonl#L1", "Un", "2019-04-07", "day"),
        ("export.jsonl#L3", "Deux", None, None),
    ]
    assert result.stderr.startswith("Avertissement : export.jsonl#L2: line 2: invalid JSON (")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("vide.txt", b"", "Erreur : vide.txt : empty file (0 bytes)"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00", "Erreur : image.txt : binary file (a PNG image)"),
        ("notes.md", b"# Notes", "Erreur : notes.md : unsupported file type '.md'"),
        ("scripts.html", b"<script>alert(1)</script>", "Erreur : scripts.html : HTML page with no text"),
    ],
)
def test_a_bad_file_is_one_error_line_and_exit_1(runner, tmp_path, name, data, message):
    (tmp_path / name).write_bytes(data)
    result = runner.invoke(cli, ["show", str(tmp_path / name)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == message + "\n"
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_good_files_are_still_shown_beside_a_bad_one(runner, tmp_path, seeds_dir):
    (tmp_path / "vide.txt").write_bytes(b"   \n")
    result = runner.invoke(cli, ["show", str(tmp_path / "vide.txt"), str(seeds_dir / "000_4375ea2097648a51.txt")])
    assert result.exit_code == 1
    assert [s["id"] for s in lines(result.stdout)] == ["000_4375ea2097648a51.txt"]
    assert result.stderr == "Erreur : vide.txt : empty file (only white space)\n"


def test_an_impossible_header_date_is_a_warning_not_an_error(runner, tmp_path):
    (tmp_path / "d.txt").write_text("date 2019-13 Au moins 35 morts.", encoding="utf-8")
    result = runner.invoke(cli, ["show", str(tmp_path / "d.txt")])
    assert result.exit_code == 0
    (shown,) = lines(result.stdout)
    assert (shown["date"], shown["date_source"]) == (None, "none")
    assert result.stderr == "Avertissement : d.txt: impossible date in the header: 'date 2019-13'\n"
