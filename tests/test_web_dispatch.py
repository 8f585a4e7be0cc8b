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


def query_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


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
    # Seed 002 gives no date: it is dated from the other version of its story.
    assert meta(soup)["Date"] == "avril 2019 (date déduite d’une autre version)"
    assert urlsplit(soup.select_one("nav.back a")["href"]).query == ""


def test_dispatch_page_lists_the_other_versions_with_their_dates(client):
    soup = page(client, f"/depeche/{SEED_000}?q=Haftar&versions=toutes")
    section = soup.select_one("section.other-versions")
    assert section.select_one("h2").get_text() == "Autre version de cette dépêche"
    (version,) = section.select("article.version")
    link = version.select_one("h3 a")
    assert urlsplit(link["href"]).path == f"/depeche/{SEED_002}"
    # The search that led here goes along, so the way back still returns to it.
    assert query_of(link["href"]) == {"q": ["Haftar"], "versions": ["toutes"]}
    assert version.select_one(".version-meta time")["datetime"] == "2019-04"
    assert version.select_one(".version-meta time").get_text() == "avril 2019"
    assert version.select_one(".inferred").get_text() == "(date déduite d’une autre version)"


def test_dispatch_page_compares_paragraphs_with_the_other_version(client):
    soup = page(client, f"/depeche/{SEED_002}")
    (version,) = soup.select("section.other-versions article.version")
    assert urlsplit(version.select_one("h3 a")["href"]).path == f"/depeche/{SEED_000}"
    assert version.select_one(".version-meta time").get_text() == "avril 2019"
    assert version.select_one(".inferred") is None
    summary = version.select_one(".version-summary")
    assert summary.select_one(".count-added").get_text() == "6\u00a0paragraphes"
    assert summary.select_one(".count-dropped").get_text() == "4\u00a0paragraphes"
    assert summary.select_one(".count-reworded").get_text() == "1\u00a0paragraphe"
    comparison = version.select_one("details.comparison")
    assert comparison.has_attr("open")
    added = [li.find("ins").get_text() for li in comparison.select("li.diff-added")]
    dropped = [li.find("del").get_text() for li in comparison.select("li.diff-dropped")]
    # What 002 adds to 000 is Mike Pompeo's statement; what it drops, the Africom retreat.
    assert len(added) == 6 and any("Mike Pompeo" in text for text in added)
    assert added[0].startswith("Les Etats-Unis sont profondément préoccupés")
    assert not any("Pompeo" in text for text in dropped)
    assert dropped[0].startswith("L'armée américaine a annoncé dimanche")
    (reworded,) = comparison.select("li.diff-reworded")
    changes = [(tag.name, tag.get_text()) for tag in reworded.find_all(["ins", "del"])]
    assert changes == [("del", "du maréchal Haftar"), ("ins", "de l'ANL")]
    assert len(comparison.select("li.diff-same")) == 3
    # The CSP forbids inline styles: the comparison is styled by classes only.
    assert soup.find(attrs={"style": True}) is None
    # The seeds have no other story: no « Dépêches similaires ».
    assert soup.select("section.similar") == []


def test_dispatch_page_without_versions_has_no_versions_section(hostile_client):
    soup = page(hostile_client, "/depeche/piege.txt")
    assert soup.select("section.other-versions") == []


def test_similar_dispatches_are_other_stories(tmp_path: Path):
    root = tmp_path / "archive"
    root.mkdir()
    (root / "orage_1.txt").write_text(
        "date 2019-06-02\n\nOrages sur la côte bretonne\n\nDes orages violents ont frappé la côte bretonne "
        "dimanche, privant d'électricité des milliers de foyers du Finistère.\n", encoding="utf-8")
    (root / "orage_2.txt").write_text(
        "date 2019-06-09\n\nNouveaux orages dans le Finistère\n\nUne semaine après les premiers orages, la "
        "foudre a de nouveau coupé l'électricité de foyers du Finistère, selon le gestionnaire du réseau.\n",
        encoding="utf-8")
    (root / "peche.txt").write_text(
        "date 2019-06-05\n\nQuotas de pêche\n\nLes ministres européens ont fixé les quotas de pêche du "
        "cabillaud pour l'année prochaine.\n", encoding="utf-8")
    reindex(tmp_path / "index", [root])
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")}).test_client()
    soup = page(client, "/depeche/orage_1.txt?q=orages")
    section = soup.select_one("section.similar")
    assert section.select_one("h2").get_text() == "Dépêches similaires"
    links = section.select("li > a")
    assert [a.get_text() for a in links] == ["Nouveaux orages dans le Finistère"]
    assert urlsplit(links[0]["href"]).path == "/depeche/orage_2.txt"
    assert query_of(links[0]["href"]) == {"q": ["orages"]}
    assert section.select_one("time").get_text() == "dimanche 9 juin 2019"
    # Other stories are not versions of this one.
    assert soup.select("section.other-versions") == []


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
    # The link to the original (source and author links carry no `rel`).
    link = soup.select_one(".dispatch-meta a[rel]")
    assert link["href"] == "https://example.org/depeche?a=1&b=2"
    assert "noopener" in link["rel"]
    soup = page(hostile_client, "/depeche/" + quote("fil.jsonl#L2"))
    assert meta(soup)["Adresse d’origine"] == "javascript:alert(1)"
    assert soup.select(".dispatch-meta a[rel]") == []
    assert not any(a["href"].startswith("javascript") for a in soup.find_all("a"))


def test_ids_with_a_hash_round_trip_from_results(hostile_client):
    results = page(hostile_client, "/?q=lien&tri=ancien")
    links = [a["href"] for a in results.select(".hit-title a")]
    assert [urlsplit(href).path for href in links] == ["/depeche/fil.jsonl%23L1", "/depeche/fil.jsonl%23L2"]
    assert page(hostile_client, links[0]).select_one("h1").get_text() == "Lien web"
