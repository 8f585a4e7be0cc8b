"""`/export.csv` and `/export.jsonl`: every result of a search, in the page's order and
version mode, streamed; and `archive export`."""

from __future__ import annotations

import csv
import gc
import io
import json
import tracemalloc
from pathlib import Path
from urllib.parse import quote

import pytest

from exportdata import write_archive
from index import Export, reindex
from index.export import BATCH
from web import create_app
from web.cli import cli


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """150 dispatches: stories of two versions, undated ones, formula-like titles."""
    base = tmp_path_factory.mktemp("export")
    write_archive(base / "archive", 150)
    reindex(base / "index", [base / "archive"])
    return base


@pytest.fixture(scope="module")
def app(archive):
    app = create_app({"TESTING": True, "INDEX_DIR": str(archive / "index"), "WARM_CACHES": False})
    yield app
    app.extensions["archive_index"].close()


@pytest.fixture
def client(app):
    return app.test_client()


def jsonl(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    lines = response.get_data(as_text=True).splitlines()
    assert int(response.headers["X-Total-Count"]) == len(lines)
    return [json.loads(line) for line in lines]


def csv_rows(client, url: str) -> tuple[bytes, list[dict]]:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_data()
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    return body, rows


def api_pages(client, query: str) -> tuple[int, list[str]]:
    """The ids every page of /api/search lists (full matches only), and its total."""
    ids, page = [], 1
    while True:
        data = client.get(f"/api/search?{query}&page_size=100&page={page}").get_json()
        ids += [hit["id"] for hit in data["hits"] if not hit["partial"]]
        if page >= data["pages"]:
            return data["total"], ids
        page += 1


@pytest.mark.parametrize("sort", ["pertinence", "recent", "ancien"])
@pytest.mark.parametrize("versions", ["", "toutes"])
def test_export_lists_what_the_pages_list_in_their_order(client, sort, versions):
    query = f"q=communiqué&tri={sort}&versions={versions}"
    total, ids = api_pages(client, query)
    rows = jsonl(client, f"/export.jsonl?{query}")
    assert [row["id"] for row in rows] == ids
    assert len(rows) == total


def test_grouped_export_has_one_row_per_story_and_counts_its_versions(client):
    grouped = jsonl(client, "/export.jsonl?q=communiqué")
    every = jsonl(client, "/export.jsonl?q=communiqué&versions=toutes")
    assert len(every) == 150 and len(grouped) < len(every)
    stories = [row["story"] for row in grouped]
    assert len(set(stories)) == len(stories)
    sizes = {}
    for row in every:
        sizes[row["story"]] = sizes.get(row["story"], 0) + 1
    assert {row["story"]: row["versions"] for row in grouped} == sizes
    assert any(size == 2 for size in sizes.values())


def test_date_order_and_filters_are_those_of_the_page(client):
    rows = jsonl(client, "/export.jsonl?tri=ancien&versions=toutes&du=2018&au=2020-06")
    dates = [row["date"] for row in rows]
    assert dates and all("2018" <= date[:7] <= "2020-06" for date in dates)
    assert [_key(d) for d in dates] == sorted(_key(d) for d in dates)
    newest = jsonl(client, "/export.jsonl?versions=toutes")
    assert len(newest) == 150
    dated = [row["date"] for row in newest if row["date"]]
    assert [_key(d) for d in dated] == sorted((_key(d) for d in dated), reverse=True)
    # Undated dispatches come last.
    assert all(row["date"] is None for row in newest[len(dated):])


def _key(date: str) -> str:
    """The index's date key: YYYYMMDD, 00 for an unknown month or day (a month sorts
    before its days)."""
    return date.replace("-", "").ljust(8, "0")


def test_text_is_added_on_request(client):
    plain = jsonl(client, "/export.jsonl?q=communiqué&versions=toutes")
    assert "text" not in plain[0]
    with_text = jsonl(client, "/export.jsonl?q=communiqué&versions=toutes&texte=1")
    for row in with_text[:5]:
        dispatch = client.get("/api/depeche/" + quote(row["id"])).get_json()
        assert row["text"] == "\n\n".join(dispatch["paragraphs"])
    _, rows = csv_rows(client, "/export.csv?q=communiqué&versions=toutes&texte=1")
    assert list(rows[0])[-1] == "text"
    assert [row["text"] for row in rows] == [row["text"] for row in with_text]


def test_csv_is_excel_friendly_and_neutralises_formulas(client):
    body, rows = csv_rows(client, "/export.csv?versions=toutes&tri=ancien")
    assert body.startswith("\ufeff".encode()) and b"\r\n" in body
    assert list(rows[0]) == ["id", "permalink", "date", "precision", "date_inferred", "title", "source", "author",
                            "story", "versions"]
    # The titles as the index holds them (the JSON Lines export leaves them as they are).
    held = [row["title"] for row in jsonl(client, "/export.jsonl?versions=toutes&tri=ancien")]
    formulas = [title for title in held if title.startswith(("=", "+", "-", "@"))]
    assert len(formulas) >= 4
    assert [row["title"] for row in rows] == ["'" + t if t in formulas else t for t in held]
    # Quotes and commas survive the quoting, unchanged.
    assert any('"doubles", virgules' in title for title in held)
    assert all(not value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values())


def test_permalinks_are_the_content_permalinks_of_the_pages(client):
    rows = jsonl(client, "/export.jsonl?versions=toutes")
    for row in rows[:20]:
        # The one the dispatch's own page and the API give, and it shows that dispatch.
        api = client.get("/api/depeche/" + quote(row["id"])).get_json()
        assert row["permalink"] == api["permalink"]
        assert row["permalink"].startswith("http://localhost/d/")
        page = client.get(row["permalink"].removeprefix("http://localhost"))
        assert page.status_code == 200


@pytest.mark.parametrize("url, words", [
    ("/export.csv?texte=2", "texte"),
    ("/export.jsonl?tri=hasard", "Tri inconnu"),
    ("/export.csv?annee=20x9", "année"),
    ("/export.jsonl?versions=quelques", "versions"),
])
def test_bad_parameters_are_a_french_400(client, url, words):
    response = client.get(url)
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)


def test_an_interrupted_export_releases_its_searcher_and_leaves_no_file(archive, client):
    before = sorted(p.name for p in (archive).rglob("*"))
    response = client.get("/export.csv?versions=toutes&texte=1", buffered=False)
    chunks = iter(response.response)
    assert next(chunks)  # the export has started
    exports = [o for o in gc.get_objects() if isinstance(o, Export)]
    assert exports and not all(e.closed for e in exports)
    response.close()  # what the server does when the client goes away
    assert all(e.closed for e in exports)
    assert sorted(p.name for p in archive.rglob("*")) == before


def test_cli_export_streams_the_same_rows(archive, client, runner, tmp_path):
    index = str(archive / "index")
    result = runner.invoke(cli, ["export", "communiqué", "--index", index, "--format", "jsonl", "--versions", "all",
                                 "--sort", "oldest"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    web = jsonl(client, "/export.jsonl?q=communiqué&versions=toutes&tri=ancien")
    assert [row["id"] for row in lines] == [row["id"] for row in web]
    assert [row["permalink"] for row in lines] == [row["permalink"].removeprefix("http://localhost") for row in web]
    assert lines[0]["permalink"].startswith("/d/")
    out = tmp_path / "out.csv"
    result = runner.invoke(cli, ["export", "--index", index, "--output", str(out), "--text", "--year", "2019"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline="")))
    assert rows and all(row["date"].startswith("2019") for row in rows) and all(row["text"] for row in rows)
    assert len(rows) == len(csv_rows(client, "/export.csv?annee=2019")[1])


def _streamed_peak(index_dir: Path) -> int:
    """Peak of memory allocated while an export of the whole archive is asked for and
    read to the end (the index's caches of the generation read beforehand)."""
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "WARM_CACHES": False})
    client = app.test_client()
    client.get("/export.jsonl?texte=1&versions=toutes&q=zzzz")  # caches of the generation
    size = 0
    tracemalloc.start()
    try:
        response = client.get("/export.jsonl?texte=1&versions=toutes", buffered=False)
        for chunk in response.response:
            size += len(chunk)
        response.close()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert size > 0
    return peak


@pytest.mark.slow
def test_streaming_memory_does_not_grow_with_the_export(tmp_path):
    """Four times the rows must not take four times the memory: an export holding
    every row (or every line) before sending would."""
    small, large = 3 * BATCH, 12 * BATCH
    for count in (small, large):
        write_archive(tmp_path / f"a{count}", count, body_words=300)
        reindex(tmp_path / f"i{count}", [tmp_path / f"a{count}"])
    peaks = {count: _streamed_peak(tmp_path / f"i{count}") for count in (small, large)}
    # A batch of 256 texts of 300 words is about 600 kB: holding all 3,072 would be 7 MB.
    assert peaks[large] < 1.5 * peaks[small], peaks


@pytest.mark.slow
def test_export_goes_past_ten_thousand_results_by_relevance(tmp_path):
    write_archive(tmp_path / "big", 10_500, body_words=12, versions_every=0, weighted=True)
    reindex(tmp_path / "index", [tmp_path / "big"])
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index"), "WARM_CACHES": False}).test_client()
    data = client.get("/api/search?q=communiqué").get_json()
    assert data["total"] == 10_500 and data["notice"]  # pages stop at 10,000 and say so
    rows = jsonl(client, "/export.jsonl?q=communiqué&texte=1")
    assert len(rows) == data["total"]
    assert len({row["id"] for row in rows}) == len(rows)
    # Dispatch i holds the word 1 + i % 5 times in a text of constant length: the
    # ranking goes from five times to once, to the last row.
    repeats = [row["text"].split().count("communiqué") for row in rows]
    assert repeats == sorted(repeats, reverse=True) and repeats[0] == 5 and repeats[-1] == 1
    assert [row["id"] for row in rows[:10]] == [hit["id"] for hit in data["hits"]]
    _, csv_lines = csv_rows(client, "/export.csv?q=communiqué&tri=recent")
    assert len(csv_lines) == 10_500


def test_without_an_index_exports_and_feed_answer_503_in_french(tmp_path):
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "nothing"), "WARM_CACHES": False}).test_client()
    for url in ("/export.csv", "/export.jsonl?texte=1", "/flux.atom"):
        response = client.get(url)
        assert response.status_code == 503
        assert "archive reindex" in response.get_data(as_text=True)
