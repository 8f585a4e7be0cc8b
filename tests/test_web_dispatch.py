"""The dispatch page `/depeche/<id>`: text, highlighting, date provenance, way back, and
dispatch text that tries to be HTML."""

import json
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from bs4 import BeautifulSoup

from index import reindex
from web import create_app

SEED_000 = "000_4375ea2097648a51.txt"
SEED_002 = "002_eb2ed1d0cd4a9010.txt"


def page(client, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def meta(soup: BeautifulSoup) -> dict[str, str]:
    return {
        div.find("dt").get_text(strip=True): div.find("dd").get_text(" ", strip=True)
        for div in soup.select(".dispatch-meta > div")
    }


def test_dispatch_page_highlights_the_query_and_links_back(client):
    soup = page(client, f"/depeche/{SEED_000}?q=armee+americaine&annee=2019&tri=recent")
    paragraphs = soup.select(".dispatch-text p")
    assert len(paragraphs) == 8
    marked = {m.get_text().lower() for m in soup.select(".dispatch-text mark")}
    assert marked == {"armée", "américaine", "américaines"}
    assert soup.select_one("h1 mark") is not None
    info = meta(soup)
    assert info["Date"] == "avril 2019 (date donnée en tête du fichier)"
    assert info["Fichier source"] == SEED_000
    back = soup.select_one("nav.back a")
    assert parse_qs(urlsplit(back["href"]).query) == {"q": ["armee americaine"], "annee": ["2019"], "tri": ["recent"]}
    assert urlsplit(back["href"]).path == "/"


def test_dispatch_page_without_a_query_has_no_marks(client):
    soup = page(client, f"/depeche/{SEED_002}")
    assert soup.select("mark") == []
    assert meta(soup)["Date"] == "sans date (aucune date trouvée)"
    assert urlsplit(soup.select_one("nav.back a")["href"]).query == ""


def test_results_link_to_the_dispatch_page(client):
    results = page(client, "/?q=Waldhauser")
    link = results.select_one(".hit-title a")["href"]
    soup = page(client, link)
    assert [m.get_text() for m in soup.select(".dispatch-text mark")] == ["Waldhauser"]


def test_unknown_id_is_a_404_page(client):
    soup = page(client, "/depeche/nope.txt", status=404)
    assert soup.select_one("h1").get_text() == "Page introuvable"
    assert "nope.txt" in soup.select_one(".error-message").get_text()


@pytest.mark.parametrize(
    "dispatch_id",
    ["../pyproject.toml", "..%2F..%2Fpyproject.toml", "%2Fetc%2Fpasswd", "/etc/passwd", quote("../../seeds/" + SEED_000)],
)
def test_ids_never_reach_files(client, dispatch_id):
    # Werkzeug first folds `//` into `/` with a redirect.
    response = client.get(f"/depeche/{dispatch_id}", follow_redirects=True)
    assert response.status_code == 404
    assert b"[project]" not in response.data and b"root:" not in response.data


@pytest.fixture
def hostile_client(tmp_path: Path):
    """An archive whose dispatches carry markup and odd URLs."""
    root = tmp_path / "archive"
    root.mkdir()
    (root / "piege.txt").write_text(
        "date 2019-05-02\n\n<script>alert(1)</script> Titre piégé\n\n"
        "Le mot piège est suivi de <script>alert(1)</script> et de <b>gras</b> & <i>cie</i>.\n",
        encoding="utf-8",
    )
    records = [
        {"title": "Lien web", "body": "Un lien ordinaire vers le fil.", "date": "2019-05-03",
         "url": "https://example.org/depeche?a=1&b=2", "author": "Agence <Exemple>"},
        {"title": "Lien piégé", "body": "Un lien javascript dans le fil.", "date": "2019-05-04",
         "url": "javascript:alert(1)"},
    ]
    (root / "fil.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    reindex(tmp_path / "index", [root])
    return create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")}).test_client()


def test_markup_in_dispatches_is_text(hostile_client):
    for url in ("/?q=piege", "/depeche/piege.txt?q=piege"):
        response = hostile_client.get(url)
        assert response.status_code == 200
        soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        assert soup.find("script") is None
        assert soup.find("b") is None and soup.find("i") is None
        assert "<script>alert(1)</script>" in soup.get_text()
    soup = page(hostile_client, "/depeche/piege.txt?q=piege")
    assert soup.select_one("h1").get_text() == "<script>alert(1)</script> Titre piégé"
    assert soup.title.get_text().startswith("<script>alert(1)</script> Titre piégé")


def test_url_is_a_link_only_when_http(hostile_client):
    soup = page(hostile_client, "/depeche/" + quote("fil.jsonl#L1"))
    info = meta(soup)
    assert info["Signature"] == "Agence <Exemple>"
    link = soup.select_one(".dispatch-meta a")
    assert link["href"] == "https://example.org/depeche?a=1&b=2"
    assert "noopener" in link["rel"]
    soup = page(hostile_client, "/depeche/" + quote("fil.jsonl#L2"))
    assert meta(soup)["Adresse d’origine"] == "javascript:alert(1)"
    assert soup.select(".dispatch-meta a") == []
    assert not any(a["href"].startswith("javascript") for a in soup.find_all("a"))


def test_ids_with_a_hash_round_trip_from_results(hostile_client):
    results = page(hostile_client, "/?q=lien&tri=ancien")
    links = [a["href"] for a in results.select(".hit-title a")]
    assert [urlsplit(href).path for href in links] == ["/depeche/fil.jsonl%23L1", "/depeche/fil.jsonl%23L2"]
    assert page(hostile_client, links[0]).select_one("h1").get_text() == "Lien web"
