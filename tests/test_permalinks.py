"""Permalinks `/d/<key>`: found by the dispatch's text, through renames, and every id
(with `#`, spaces, accents, `%`) usable in every address the app makes or accepts."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from index import open_index, reindex
from index.permalinks import FULL, SHORT

# Ids a URL would misread unless each one is quoted: `#` starts a fragment, `%` an
# escape, `?` a query, accents are not ASCII; the file's name brings spaces (a record's
# own id cannot hold one).
AWKWARD_IDS = ["dép#1", "50%&plus", "été?x=1%20"]
AWKWARD_FILE = "exports été/lot #2 à 100%.jsonl"


def jsonl(*records: dict) -> str:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


def record(own_id: str, title: str, body: str, date: str = "2019-04-07") -> dict:
    return {"id": own_id, "title": title, "body": body, "date": date}


def make_app(index_dir: Path, root: Path):
    from web import create_app

    return create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "ARCHIVE_ROOT": str(root), "WARM_CACHES": False})


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def canonical(response) -> str:
    return soup_of(response).find("link", rel="canonical")["href"]


@pytest.fixture
def archive(tmp_path: Path):
    """An index of three dispatches (two in a file with awkward names) and its app."""
    root = tmp_path / "archive"
    (root / "exports été").mkdir(parents=True)
    (root / "tripoli.jsonl").write_text(jsonl(record(
        "afp-1", "Combats près de Tripoli", "Les combats se poursuivent au sud de Tripoli depuis jeudi.")), encoding="utf-8")
    (root / AWKWARD_FILE).write_text(jsonl(
        record(AWKWARD_IDS[0], "Grève des cheminots", "La grève des cheminots entre dans sa troisième semaine."),
        record(AWKWARD_IDS[1], "Vendanges précoces", "Les vendanges commencent avec deux semaines d'avance."),
        record(AWKWARD_IDS[2], "Canicule en Provence", "La canicule frappe la Provence pour le troisième été."),
    ), encoding="utf-8")
    index_dir = tmp_path / "index"
    reindex(index_dir, [root])
    return root, index_dir, make_app(index_dir, root).test_client()


def test_dispatch_page_names_its_permalink_and_the_permalink_shows_it(archive):
    root, index_dir, client = archive
    page = client.get("/depeche/tripoli.jsonl%23afp-1")
    assert page.status_code == 200
    link = canonical(page)
    path = urlsplit(link).path
    assert path.startswith("/d/") and len(path) == len("/d/") + SHORT
    # The key is the start of the content hash the archive's reader computes.
    from archive import read_file

    dispatch = read_file(root / "tripoli.jsonl", root).dispatches[0]
    assert dispatch.content_hash.startswith(path.removeprefix("/d/"))
    # The same link is shown on the page, and it shows the dispatch.
    assert soup_of(page).select_one(".permalink a")["href"] == link
    shown = client.get(path)
    assert shown.status_code == 200
    assert soup_of(shown).h1.get_text() == "Combats près de Tripoli"
    assert canonical(shown) == link
    # Upper case and a longer prefix (the whole hash) name the same dispatch.
    assert client.get(f"/d/{dispatch.content_hash.upper()}").status_code == 200
    assert canonical(client.get(f"/d/{dispatch.content_hash}")) == link


def test_permalink_survives_a_rename_and_a_move(archive):
    root, index_dir, client = archive
    link = urlsplit(canonical(client.get("/depeche/tripoli.jsonl%23afp-1"))).path
    (root / "classées" / "2019").mkdir(parents=True)
    (root / "tripoli.jsonl").rename(root / "classées" / "2019" / "libye.jsonl")
    report = reindex(index_dir, [root])
    assert (report.added, report.removed) == (1, 1)
    # The old path is gone; the permalink finds the dispatch at its new place.
    assert client.get("/depeche/tripoli.jsonl%23afp-1").status_code == 404
    page = client.get(link)
    assert page.status_code == 200
    assert "classées/2019/libye.jsonl" in soup_of(page).select_one(".dispatch-meta code").get_text()


def test_changed_text_makes_the_old_permalink_gone_with_a_french_page(archive):
    root, index_dir, client = archive
    old = urlsplit(canonical(client.get("/depeche/tripoli.jsonl%23afp-1"))).path
    (root / "tripoli.jsonl").write_text(jsonl(record(
        "afp-1", "Combats près de Tripoli", "Les combats ont cessé au sud de Tripoli.")), encoding="utf-8")
    reindex(index_dir, [root])
    gone = client.get(old)
    assert gone.status_code == 410
    soup = soup_of(gone)
    assert soup.h1.get_text() == "Cette version n’est plus dans l’archive"
    assert soup.find("a", href="/")  # the way to search for it
    # The path-based address shows the new text, under a new permalink.
    new = urlsplit(canonical(client.get("/depeche/tripoli.jsonl%23afp-1"))).path
    assert new != old and client.get(new).status_code == 200


def test_keys_that_cannot_be_permalinks_are_404(archive):
    _, _, client = archive
    for key in ("zzzzzzzzzzzz", "abc", "0" * (FULL + 1), "%20"):
        response = client.get(f"/d/{key}")
        assert response.status_code == 404, key
        assert "lien permanent" in soup_of(response).select_one(".error-message").get_text()


def test_identical_texts_in_two_files_list_both(tmp_path: Path):
    root = tmp_path / "archive"
    root.mkdir()
    same = record("x", "Séisme au Japon", "Un séisme de magnitude 6 a frappé le nord du Japon.")
    (root / "a.jsonl").write_text(jsonl(same), encoding="utf-8")
    (root / "b.jsonl").write_text(jsonl(same), encoding="utf-8")
    index_dir = tmp_path / "index"
    reindex(index_dir, [root])
    client = make_app(index_dir, root).test_client()
    link = urlsplit(canonical(client.get("/depeche/a.jsonl%23x"))).path
    assert urlsplit(canonical(client.get("/depeche/b.jsonl%23x"))).path == link
    choices = client.get(link)
    assert choices.status_code == 300
    listed = [unquote(a["href"]) for a in soup_of(choices).select(".choices a")]
    assert listed == ["/depeche/a.jsonl#x", "/depeche/b.jsonl#x"]


def test_a_prefix_shared_by_two_texts_lists_both_and_each_gets_its_whole_hash(tmp_path: Path):
    """Two texts whose hashes share their first 8 digits (found by trying numbered
    bodies: a 32-bit prefix repeats after some 80,000 of them; twelve digits would take
    some 16 million). At 8 digits each dispatch's key is its whole hash, and the shared
    prefix answers with both."""
    texts = ("Dépêche numéro 22393.", "Dépêche numéro 132683.")
    root = tmp_path / "archive"
    root.mkdir()
    for name, body in zip("ab", texts):
        (root / f"{name}.jsonl").write_text(jsonl({"id": name, "title": "Essai", "body": body}), encoding="utf-8")
    index_dir = tmp_path / "index"
    reindex(index_dir, [root])
    with open_index(index_dir) as ix:
        hashes = [ix.permalink_key(i, length=FULL) for i in ("a.jsonl#a", "b.jsonl#b")]
        assert hashes[0][:8] == hashes[1][:8] and hashes[0] != hashes[1]  # the premise
        assert [ix.permalink_key(i, length=8) for i in ("a.jsonl#a", "b.jsonl#b")] == hashes
        # At the usual length they differ: each keeps its short key.
        assert [ix.permalink_key(i) for i in ("a.jsonl#a", "b.jsonl#b")] == [h[:SHORT] for h in hashes]
    client = make_app(index_dir, root).test_client()
    choices = client.get(f"/d/{hashes[0][:8]}")
    assert choices.status_code == 300
    assert [unquote(a["href"]) for a in soup_of(choices).select(".choices a")] == ["/depeche/a.jsonl#a", "/depeche/b.jsonl#b"]
    assert soup_of(client.get(f"/d/{hashes[1]}")).h1.get_text() == "Essai"


@pytest.mark.parametrize("own_id", AWKWARD_IDS)
def test_awkward_ids_work_in_every_address(archive, own_id: str):
    _, _, client = archive
    dispatch_id = f"{AWKWARD_FILE}#{own_id}"
    # The results page links to the dispatch page with the id quoted.
    results = soup_of(client.get("/", query_string={"q": "semaine OU vendanges OU canicule"}))
    hrefs = [a["href"] for a in results.select(".hit-title a")]
    ours = [href for href in hrefs if unquote(urlsplit(href).path) == f"/depeche/{dispatch_id}"]
    assert len(ours) == 1, hrefs
    assert "#" not in ours[0] and " " not in ours[0]
    # That link, the API and the permalink all find it.
    page = client.get(ours[0])
    assert page.status_code == 200
    title = soup_of(page).h1.get_text()
    api = client.get(urlsplit(ours[0]).path.replace("/depeche/", "/api/depeche/", 1))
    assert api.status_code == 200 and api.json["id"] == dispatch_id
    permalink = urlsplit(api.json["permalink"]).path
    assert permalink == urlsplit(canonical(page)).path
    assert soup_of(client.get(permalink)).h1.get_text() == title
    # The citation downloads named on the page work too.
    for link in soup_of(page).select(".citation-downloads a"):
        assert client.get(link["href"]).status_code == 200, link["href"]
    # The links the page makes to itself (other versions, paging) keep the id whole.
    for a in soup_of(page).select("a[href^='/depeche/']"):
        assert client.get(a["href"]).status_code == 200, a["href"]
