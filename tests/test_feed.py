"""`/flux.atom`: the newest dispatches of any search, as an Atom feed a reader parses."""

from __future__ import annotations

import json

import feedparser
import pytest
from bs4 import BeautifulSoup

from exportdata import write_archive
from index import reindex
from web import create_app

HOSTILE = {"id": "hostile", "date": "2023-01-02", "title": "<script>alert(1)</script> & « Tom & Jerry » \x01\x0b",
           "body": "Un communiqué <b>gras</b> & des ]]> fins de CDATA, et un caractère de contrôle \x02 ici."}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    base = tmp_path_factory.mktemp("feed")
    root = write_archive(base / "archive", 150)
    (root / "hostile.jsonl").write_text(json.dumps(HOSTILE) + "\n", encoding="utf-8")
    reindex(base / "index", [root])
    app = create_app({"TESTING": True, "INDEX_DIR": str(base / "index"), "WARM_CACHES": False, "FEED_SIZE": 20})
    yield app.test_client()
    app.extensions["archive_index"].close()


def parsed(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.get_data())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def api_ids(client, query: str) -> list[str]:
    data = client.get(f"/api/search?{query}&tri=recent&page_size=20").get_json()
    return [hit["id"] for hit in data["hits"]]


def _ids_of(client, feed, expected: list[str]) -> list[str | None]:
    """The dispatch ids of the entries, whose ids are permalinks, read against the
    permalinks that the API gives for the `expected` ids (None for an entry that
    is none of them)."""
    from urllib.parse import quote

    by_permalink = {client.get("/api/depeche/" + quote(i)).get_json()["permalink"]: i for i in expected}
    return [by_permalink.get(entry.id) for entry in feed.entries]


def test_an_empty_query_gives_the_newest_dispatches(client):
    feed = parsed(client, "/flux.atom")
    expected = api_ids(client, "q=")
    ids = _ids_of(client, feed, expected)
    assert len(ids) == 20
    assert ids == expected
    assert ids[0].startswith("hostile.jsonl")  # dated 2023: the newest
    assert feed.entries[0].updated.startswith("2023-01-02")
    assert feed.feed.updated.startswith("2023-01-02")
    stamps = [entry.updated for entry in feed.entries]
    assert stamps == sorted(stamps, reverse=True)


def test_a_search_feed_lists_the_search_newest_first_with_its_filters(client):
    feed = parsed(client, "/flux.atom?q=communiqué&du=2016&au=2019&versions=toutes&tri=pertinence")
    expected = api_ids(client, "q=communiqué&du=2016&au=2019&versions=toutes")
    ids = _ids_of(client, feed, expected)
    assert ids and ids == expected
    assert all("2016" <= entry.updated[:4] <= "2019" for entry in feed.entries)
    assert "communiqué" in feed.feed.title
    # Each entry links to its dispatch's page, which exists.
    link = feed.entries[0].link
    assert link == feed.entries[0].id
    assert client.get(link.removeprefix("http://localhost")).status_code == 200


def test_dispatch_text_is_escaped_and_control_characters_dropped(client):
    feed = parsed(client, "/flux.atom?q=gras")
    entry = feed.entries[0]
    assert entry.title == "<script>alert(1)</script> & « Tom & Jerry »"
    # The dispatch's own markup stays text; the snippet's <mark> is HTML, which
    # feedparser's sanitiser drops (it keeps only the elements it knows).
    assert "<b>" not in entry.summary and "&lt;b&gt;gras&lt;/b&gt;" in entry.summary
    raw = client.get("/flux.atom?q=gras").get_data(as_text=True)
    assert "&lt;mark&gt;gras&lt;/mark&gt;" in raw and "&amp;lt;b&amp;gt;" in raw
    assert "<script>" not in raw and "\x01" not in raw and "\x02" not in raw


def test_the_search_page_links_its_feed(client):
    page = BeautifulSoup(client.get("/?q=communiqué&annee=2019&page=2").get_data(as_text=True), "html.parser")
    link = page.find("link", rel="alternate", type="application/atom+xml")
    assert link is not None
    assert link["href"] == "/flux.atom?q=communiqu%C3%A9&annee=2019"
    exports = [a["href"] for a in page.select("nav.export-links a")]
    assert exports == ["/export.csv?q=communiqu%C3%A9&annee=2019", "/export.jsonl?q=communiqu%C3%A9&annee=2019",
                       "/flux.atom?q=communiqu%C3%A9&annee=2019"]


def test_bad_parameters_are_a_french_400(client):
    response = client.get("/flux.atom?annee=deux")
    assert response.status_code == 400
    assert "n’est pas une année" in response.get_data(as_text=True)
