"""Second robustness pass on JSON Lines exports: one bad record costs that record at most
(or only the field that is bad), is reported by its line, and no id is shared; through a
real reindex and the real web app."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from archive import UnreadableDispatch, read_file
from archive.readers.base import MAX_DISPATCH_BYTES
from hostile_cases import HOSTILE
from index import open_index, reindex
from web import create_app

GOOD = "date 2019-04-07 Bonne dépêche\n\nLe port de Tripoli a rouvert.\n"


def record(**fields) -> str:
    return json.dumps(fields, ensure_ascii=False)


def read(folder: Path, lines: list[str | bytes], name: str = "export.jsonl"):
    path = folder / name
    path.write_bytes(b"\n".join(line if isinstance(line, bytes) else line.encode() for line in lines) + b"\n")
    return read_file(path, folder)


def problems(reading) -> list[tuple[str, str]]:
    return [(p.path, p.reason) for p in reading.problems]


def app_over(tmp_path: Path, files: dict[str, bytes | str]):
    root = tmp_path / "archive"
    root.mkdir()
    for name, content in files.items():
        (root / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    report = reindex(tmp_path / "index", [root])
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index"), "ARCHIVE_ROOT": str(root)})
    return report, app.test_client()


# Item 2: half an emoji, in any field, through the reindex and the web app.


def test_lone_surrogates_are_replaced_and_the_dispatch_is_indexed_and_served(tmp_path):
    report, client = app_over(tmp_path, {
        "coupe.jsonl": (HOSTILE / "lone-surrogates.jsonl").read_bytes(),
        "bonne.txt": GOOD,
    })
    assert report.added == report.documents == 4
    assert [(f.path, f.reason.split(":")[0]) for f in report.failures] == [
        ("coupe.jsonl#L1", "line 1"), ("coupe.jsonl#L2", "line 2"),
    ]
    for dispatch_id in ["coupe.jsonl#emoji-1", "coupe.jsonl#emoji-2", "bonne.txt"]:
        path = dispatch_id.replace("#", "%23")
        page = client.get(f"/depeche/{path}")
        assert page.status_code == 200
        api = client.get(f"/api/depeche/{path}")
        assert api.status_code == 200
        api.get_data().decode("utf-8")  # strictly: a lone surrogate cannot be in UTF-8
    data = client.get("/api/depeche/coupe.jsonl%23emoji-1").get_json()
    assert (data["title"], data["byline"], data["url"]) == ("Coupé \ufffd", "Jean \ufffdDupont", "https://exemple.fr/\ufffd")
    hits = client.get("/api/search?q=emoji").get_json()
    assert {hit["id"] for hit in hits["hits"]} >= {"coupe.jsonl#emoji-1", "coupe.jsonl#emoji-entier"}


# Item 3: a NUL byte costs its line.


def test_a_nul_byte_refuses_its_line_and_keeps_the_others(tmp_path):
    reading = read(tmp_path, [
        record(title="Un", body="Premier."), b'{"title": "Deux\x00", "body": "x"}', record(title="Trois", body="Fin."),
    ])
    assert [d.id for d in reading.dispatches] == ["export.jsonl#L1", "export.jsonl#L3"]
    assert problems(reading) == [("export.jsonl#L2", "line 2: NUL byte (binary data): line left out")]
    # NULs on every line: a binary file; NULs everywhere with a UTF-16 BOM: a UTF-16 export.
    with pytest.raises(UnreadableDispatch) as refused:
        read(tmp_path, [b'{"a\x00": 1}', b"\x00\x01\x02"], "binaire.jsonl")
    assert refused.value.reason == "binary file (contains NUL bytes)"
    (tmp_path / "seize.jsonl").write_bytes((record(title="Été", body="Chaud.") + "\n").encode("utf-16"))
    (utf16,) = read_file(tmp_path / "seize.jsonl", tmp_path).dispatches
    assert utf16.title == "Été"


# Item 5: a record is capped like a file.


def test_a_record_just_over_the_size_limit_is_refused_by_line(tmp_path):
    head = '{"title": "Énorme", "body": "'
    over = head + "a" * (MAX_DISPATCH_BYTES + 1 - len(head.encode()) - 2) + '"}'
    at = head + "é" * ((MAX_DISPATCH_BYTES - len(head.encode()) - 2) // 2) + '"}'
    assert len(over.encode()) == MAX_DISPATCH_BYTES + 1 and len(at.encode()) <= MAX_DISPATCH_BYTES
    reading = read(tmp_path, [record(title="Avant", body="Petit."), over, at, record(title="Après", body="Petit.")])
    assert [d.title for d in reading.dispatches] == ["Avant", "Énorme", "Après"]
    assert problems(reading) == [
        ("export.jsonl#L2", f"line 2: record too large ({(MAX_DISPATCH_BYTES + 1) / 1e6:.1f} MB; "
                            f"the limit is {MAX_DISPATCH_BYTES / 1e6:.0f} MB)"),
    ]


# Item 11: ids unique by construction, duplicates reported.


def test_an_own_id_of_the_line_form_cannot_take_another_records_id(tmp_path, make_archive):
    root = make_archive({"export.jsonl": "\n".join([
        record(id="L2", title="Un", body="Le premier record."),
        record(title="Deux", body="Le second, sans id."),
        record(id="l3", title="Trois", body="Une minuscule."),
    ])})
    report = reindex(tmp_path / "index", [root])
    assert report.added == report.documents == 3
    assert [(f.path, f.reason) for f in report.failures] == [
        ("export.jsonl#L1", "line 1: id 'L2' has the form kept for line numbers: named by its line"),
        ("export.jsonl#L3", "line 3: id 'l3' has the form kept for line numbers: named by its line"),
    ]
    index = open_index(tmp_path / "index")
    assert [index.get(f"export.jsonl#L{n}").dispatch.title for n in (1, 2, 3)] == ["Un", "Deux", "Trois"]


def test_a_repeated_own_id_is_reported_with_the_line_of_the_first(tmp_path):
    reading = read(tmp_path, [record(id=7, title="Un", body="x."), record(id="7", title="Deux", body="y.")])
    assert [d.id for d in reading.dispatches] == ["export.jsonl#7", "export.jsonl#L2"]
    assert problems(reading) == [("export.jsonl#L2", "line 2: id '7' repeats the id of line 1: named by its line")]


@pytest.mark.parametrize(
    ("own", "why"),
    [
        ("avec espace", "holds spaces or control characters"),
        ("fin\u001b[2J", "holds spaces or control characters"),
        ("x" * 201, "is empty or longer than 200 characters"),
        (True, "a boolean"),
        ({"id": 1}, "an object"),
    ],
)
def test_an_unusable_own_id_is_reported(tmp_path, own, why):
    reading = read(tmp_path, [record(id=own, title="Un", body="x.")])
    assert [d.id for d in reading.dispatches] == ["export.jsonl#L1"]
    ((path, reason),) = problems(reading)
    assert path == "export.jsonl#L1" and reason.endswith(": named by its line")
    if isinstance(own, str):
        assert reason == f"line 1: id {own[:40]!r} {why}: named by its line"
    else:
        assert reason == f"line 1: id is {why}, not a string or a number: named by its line"


# Item 12: obvious forms accepted, the rest reported on its line.


def test_fields_in_obvious_other_forms_are_read(tmp_path):
    reading = read(tmp_path, [
        record(title="Liste", body=["Un.", " ", "Deux."], date=20190407, author=["Jean Dupont", "Marie Curie"]),
        record(title="Mois", body="x.", date=201904),
        record(title="Année", body="x.", published=2019),
    ])
    first, month, year = reading.dispatches
    assert (first.paragraphs, first.date.iso(), first.byline) == (("Un.", "Deux."), "2019-04-07", "Jean Dupont, Marie Curie")
    assert (month.date.iso(), year.date.iso()) == ("2019-04", "2019")
    assert reading.problems == ()


def test_fields_of_another_type_are_reported_and_left_out(tmp_path):
    reading = read(tmp_path, [
        record(title="Un", body=42, author=["Jean", 3], source={"nom": "AFP"}, url=["https://a.fr"]),
        record(title=["Deux"], body="Texte.", date=123, published=[2019]),
        record(title="Trois", body="Texte.", date=20191332),
    ])
    assert [d.title for d in reading.dispatches] == ["Un", "Texte.", "Trois"]
    assert all(d.byline is None and d.url is None and d.date is None for d in reading.dispatches)
    assert problems(reading) == [
        ("export.jsonl#L1", "line 1: 'body' is a number, not text: left out"),
        ("export.jsonl#L1", "line 1: 'author' is an array of other things than strings, not text: left out"),
        ("export.jsonl#L1", "line 1: 'source' is an object, not text: left out"),
        ("export.jsonl#L1", "line 1: 'url' is an array, not text: left out"),
        ("export.jsonl#L2", "line 2: 'title' is an array, not text: left out"),
        ("export.jsonl#L2", "line 2: 'date' is a number, not text: left out"),
        ("export.jsonl#L2", "line 2: 'published' is an array, not text: left out"),
        ("export.jsonl#L3", "line 3: impossible date '2019-13-32', kept undated"),
    ]


# Item 17: an own id a browser would resolve to another page.


def test_result_links_lead_to_the_dispatch_whatever_its_own_id(tmp_path):
    report, client = app_over(tmp_path, {"export.jsonl": "\n".join([
        record(id="/../../aide", title="Chemin", body="Un texte sur Misrata."),
        record(id="a/./b", title="Point", body="Un texte sur Misrata aussi."),
        record(id="afp/2019/1", title="Dossiers", body="Encore Misrata."),
    ])})
    assert [(f.path, f.reason) for f in report.failures] == [
        ("export.jsonl#L1", "line 1: id '/../../aide' has an empty, `.` or `..` path segment: named by its line"),
        ("export.jsonl#L2", "line 2: id 'a/./b' has an empty, `.` or `..` path segment: named by its line"),
    ]
    page_url = "http://localhost/?q=misrata"
    soup = BeautifulSoup(client.get(page_url).get_data(as_text=True), "html.parser")
    links = {a.get_text(): a["href"] for a in soup.select(".hit-title a")}
    assert set(links) == {"Chemin", "Point", "Dossiers"}
    for title, href in links.items():
        resolved = urlsplit(urljoin(page_url, href))  # as the browser resolves it
        assert resolved.path.startswith("/depeche/export.jsonl%23")
        response = client.get(resolved.path + "?" + resolved.query)
        assert response.status_code == 200
        shown = BeautifulSoup(response.get_data(as_text=True), "html.parser").find("h1").get_text(strip=True)
        assert shown == title, unquote(resolved.path)
