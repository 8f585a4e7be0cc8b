"""Searching by source and by author on a real index: filters in the URL, the API, the
command line and the query (`source:AFP`, `auteur:"Jean Dupont"`), facets with exact
counts (a story once when grouped), unknown names, escaping."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from index import SearchRequest, open_index, reindex
from web import create_app
from web.cli import cli

STORY = [
    "Des combats violents ont éclaté dimanche au sud de Tripoli entre les forces du maréchal Haftar "
    "et celles du gouvernement d'union nationale, selon des témoins joints sur place par téléphone.",
    "Les ambulances faisaient la navette entre la ligne de front et les hôpitaux de la capitale, "
    "où les médecins manquaient de sang et de matériel pour soigner les blessés civils et militaires.",
    "Les Nations unies ont appelé à une trêve humanitaire de deux heures afin d'évacuer les familles "
    "prises au piège des combats dans les quartiers sud, sans réponse des belligérants jusqu'ici.",
]
# Two versions of one story, both signed AFP (a dateline, then a trailer); the second adds
# a paragraph and is dated a day later.
FIRST = "date 2019-04-07 Combats au sud de Tripoli\n\nTRIPOLI (AFP) - " + "\n\n".join(STORY) + "\n"
SECOND = ("date 2019-04-08 Combats au sud de Tripoli\n\n" + "\n\n".join(STORY)
          + "\n\nLe bilan provisoire fait état de vingt morts, selon le ministère de la Santé (AFP)\n")
PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<meta property="og:title" content="Les combats gagnent la banlieue de Tripoli">
<meta property="article:published_time" content="2019-05-02">
<meta name="author" content="Jean Dupont et Marie Curie">
<meta property="og:site_name" content="Le Monde">
</head><body><article><p>Les combats ont gagné la banlieue de Tripoli, où des familles fuient vers l'ouest.</p>
<p>L'aéroport reste fermé, avec AFP.</p></article></body></html>"""
RECORDS = [
    {"id": "r1", "date": "2020-01-10", "title": "Trêve à Tripoli", "author": "Jean Dupont", "source": "Reuters",
     "body": "Une trêve fragile est entrée en vigueur à Tripoli après des mois de combats."},
    {"id": "r2", "date": "2020-02-11", "title": "Réunion à Berlin", "author": ["Marie Curie"],
     "body": "Les dirigeants réunis à Berlin ont promis de respecter l'embargo sur les armes vers la Libye."},
]
# No signature: « (AFP) » stands in the middle of a quote.
UNSIGNED = ("date 2019-06-01 Les combats reprennent\n\n« Ce que dit la dépêche (AFP) ne change rien », "
            "a déclaré un porte-parole au sujet des combats.\n\nLa situation reste confuse dans la capitale.\n")
INJECTION = "<script>alert(1)</script>"
IMAGE = "Jean <img src=x onerror=confirm`1`> Dupuis"
HOSTILE = ("<!DOCTYPE html><html><head><meta name=\"author\" content=\"Jean &lt;img src=x onerror=confirm`1`&gt; Dupuis\">"
           f"<meta property=\"og:site_name\" content=\"{INJECTION.replace('<', '&lt;').replace('>', '&gt;')}\">"
           "</head><body><article><p>Un texte sur les combats et rien d'autre.</p></article></body></html>")


@pytest.fixture(scope="module")
def archive_index(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("archive")
    (root / "a_first.txt").write_text(FIRST, encoding="utf-8")
    (root / "b_second.txt").write_text(SECOND, encoding="utf-8")
    (root / "c_page.html").write_text(PAGE, encoding="utf-8")
    (root / "d_export.jsonl").write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    (root / "e_unsigned.txt").write_text(UNSIGNED, encoding="utf-8")
    (root / "f_hostile.html").write_text(HOSTILE, encoding="utf-8")
    index_dir = root.parent / "index"
    reindex(index_dir, [root])
    return index_dir


def search(index_dir: Path, text: str = "", **options):
    return open_index(index_dir).search(SearchRequest(query=text, **options))


def facet(values) -> dict[str, int]:
    return {value.value: value.count for value in values}


def test_the_two_versions_are_one_story(archive_index):
    result = search(archive_index, "ambulances")
    assert (result.total, result.dispatches) == (1, 2)


def test_hits_carry_sources_and_authors(archive_index):
    hits = {hit.id: hit for hit in search(archive_index, collapse_versions=False, page_size=20).hits}
    assert (hits["a_first.txt"].sources, hits["b_second.txt"].sources) == (("AFP",), ("AFP",))
    assert (hits["c_page.html"].sources, hits["c_page.html"].authors) == (("AFP", "Le Monde"), ("Jean Dupont", "Marie Curie"))
    assert (hits["d_export.jsonl#r1"].sources, hits["d_export.jsonl#r1"].authors) == (("Reuters",), ("Jean Dupont",))
    assert (hits["e_unsigned.txt"].sources, hits["e_unsigned.txt"].authors) == ((), ())


def test_facets_count_a_story_once_when_grouped(archive_index):
    grouped = search(archive_index).facets
    # AFP: the story of two versions (once) and the page; ungrouped, three dispatches.
    assert facet(grouped.sources)["AFP"] == 2
    assert facet(search(archive_index, collapse_versions=False).facets.sources)["AFP"] == 3
    # The hostile page's names do not read as a person's: they are its sources.
    assert facet(grouped.sources) == {"AFP": 2, "Le Monde": 1, "Reuters": 1, INJECTION: 1, IMAGE: 1}
    assert facet(grouped.authors) == {"Jean Dupont": 2, "Marie Curie": 2}


def test_facets_follow_the_query_and_the_dates(archive_index):
    result = search(archive_index, "combats", year=2019)
    # 2019 combats: the story (AFP), the page (AFP, Le Monde), the unsigned text.
    assert result.total == 3
    assert facet(result.facets.sources) == {"AFP": 2, "Le Monde": 1}
    assert facet(result.facets.authors) == {"Jean Dupont": 1, "Marie Curie": 1}


@pytest.mark.parametrize("grouped", [True, False])
def test_each_facet_count_is_what_its_filter_gives(archive_index, grouped):
    for field, option in (("sources", "sources"), ("authors", "authors")):
        for value in getattr(search(archive_index, collapse_versions=grouped).facets, field):
            filtered = search(archive_index, collapse_versions=grouped, **{option: (value.value,)})
            assert filtered.total == value.count, (field, value)


def test_a_filter_takes_any_spelling_of_an_agency(archive_index):
    for written in ("AFP", "afp", "Agence France-Presse"):
        result = search(archive_index, sources=(written,), collapse_versions=False)
        assert {hit.id for hit in result.hits} == {"a_first.txt", "b_second.txt", "c_page.html"}


def test_filters_add_up(archive_index):
    result = search(archive_index, sources=("AFP",), authors=("jean dupont",))
    assert [hit.id for hit in result.hits] == ["c_page.html"]
    assert search(archive_index, sources=("AFP", "Reuters")).total == 0


def test_query_fields_filter_as_the_url_does(archive_index):
    result = search(archive_index, 'source:AFP auteur:"Jean Dupont"')
    assert ([hit.id for hit in result.hits], result.notice) == (["c_page.html"], None)
    assert [hit.id for hit in search(archive_index, "trêve auteur:« Jean Dupont »").hits] == ["d_export.jsonl#r1"]
    assert {hit.id for hit in search(archive_index, "combats source:Reuters").hits} == {"d_export.jsonl#r1"}


def test_an_unknown_source_finds_nothing(archive_index):
    result = search(archive_index, "combats", sources=("Agence Inconnue",))
    assert (result.total, result.partial_total, result.hits) == (0, 0, ())


def test_partial_matches_keep_the_filter(archive_index):
    # « ambulances Berlin »: no dispatch holds both; partial matches only from Reuters.
    result = search(archive_index, "ambulances embargo", sources=("AFP",))
    assert result.total == 0
    assert {hit.id for hit in result.hits} <= {"a_first.txt", "b_second.txt"}
    assert result.partial_total == 1


# The web page, the API, the command line ---------------------------------------------


@pytest.fixture(scope="module")
def client(archive_index):
    return create_app({"TESTING": True, "INDEX_DIR": str(archive_index)}).test_client()


def soup(client, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_the_result_line_shows_sources_and_authors_not_the_file(client):
    page = soup(client, "/?q=banlieue")
    meta = page.select_one(".hit-meta")
    assert meta.select_one(".source").get_text(" ", strip=True).endswith("AFP, Le Monde")
    assert meta.select_one(".byline").get_text(" ", strip=True).endswith("Jean Dupont, Marie Curie")
    assert "c_page.html" not in meta.get_text()
    unsigned = soup(client, "/?q=porte-parole").select_one(".hit-meta")
    assert unsigned.select_one(".no-source").get_text() == "source non indiquée"


def test_the_dispatch_page_shows_the_file_and_links_its_names(client):
    page = soup(client, "/depeche/c_page.html")
    assert "c_page.html" in page.select_one(".dispatch-meta").get_text()
    links = {a.get_text(): parse_qs(urlsplit(a["href"]).query) for a in page.select(".sources a, .authors a")}
    assert links == {"AFP": {"source": ["AFP"]}, "Le Monde": {"source": ["Le Monde"]},
                     "Jean Dupont": {"auteur": ["Jean Dupont"]}, "Marie Curie": {"auteur": ["Marie Curie"]}}


def test_facet_links_add_a_filter_and_the_chip_removes_it(client):
    page = soup(client, "/?q=combats")
    counts = {li.select_one(".facet-label").get_text(): int(li.select_one(".facet-count").get_text())
              for li in page.select(".facet-list.sources li")}
    assert counts["AFP"] == 2
    link = next(a for a in page.select(".facet-list.sources a") if a.select_one(".facet-label").get_text() == "AFP")
    assert parse_qs(urlsplit(link["href"]).query) == {"q": ["combats"], "source": ["AFP"]}
    filtered = soup(client, link["href"])
    assert filtered.select_one("#results-title").get_text(" ", strip=True).startswith("2\u00a0sujets")
    assert [li.select_one(".facet-label").get_text() for li in filtered.select(".facet-list.sources li.chosen")] == ["AFP"]
    assert soup(client, "/?q=combats&source=afp").select_one(".facet-list.sources li.chosen a")["aria-current"] == "true"
    chip = filtered.select_one('a.chip[data-filter="source"]')
    assert "AFP" in chip.get_text()
    assert parse_qs(urlsplit(chip["href"]).query) == {"q": ["combats"]}


def test_url_filters_by_author_with_counts(client):
    page = soup(client, "/?auteur=Marie+Curie&versions=toutes")
    assert {a["href"].split("/depeche/")[1].split("?")[0] for a in page.select(".hit-title a")} == {
        "c_page.html", "d_export.jsonl%23r2"}
    assert page.select_one("#results-title").get_text(" ", strip=True).startswith("2\u00a0dépêches")


def test_an_unknown_name_gives_an_empty_page_with_a_removable_filter(client):
    page = soup(client, "/?q=combats&source=Inconnue&auteur=Personne")
    assert "Aucun résultat" in page.select_one(".no-results").get_text()
    chips = {a["data-filter"]: parse_qs(urlsplit(a["href"]).query) for a in page.select("a.chip")}
    assert chips == {"source": {"q": ["combats"], "auteur": ["Personne"]},
                     "auteur": {"q": ["combats"], "source": ["Inconnue"]}}
    without = page.select_one("a.without-names")
    assert parse_qs(urlsplit(without["href"]).query) == {"q": ["combats"]}


@pytest.mark.parametrize("url", ["/?source=" + "x" * 201, "/?source=a%00b",
                                 "/?" + "&".join(f"auteur={n}" for n in range(11))])
def test_unreadable_names_are_a_400_in_french(client, url):
    page = soup(client, url, status=400)
    assert "paramètre" in page.get_text()


def test_names_are_escaped_everywhere(client):
    for url in ("/?q=texte", "/?source=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/depeche/f_hostile.html",
                "/?auteur=%3Cb%3E"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img" not in html and "<b>" not in html
    page = soup(client, "/?q=texte")
    assert page.select_one(".hit-meta .source").get_text().endswith(f"{IMAGE}, {INJECTION}")
    assert {INJECTION, IMAGE} <= {label.get_text() for label in page.select(".facet-list.sources .facet-label")}


def test_the_api_filters_and_counts(client):
    data = client.get("/api/search?q=combats&source=afp").get_json()
    assert (data["total"], data["filters"]["sources"]) == (2, ["afp"])
    assert {f["value"]: f["count"] for f in data["facets"]["sources"]} == {"AFP": 2, "Le Monde": 1}
    hit = next(h for h in data["hits"] if h["id"] == "c_page.html")
    assert (hit["sources"], hit["authors"], hit["path"]) == (["AFP", "Le Monde"], ["Jean Dupont", "Marie Curie"], "c_page.html")
    empty = client.get("/api/search?source=Inconnue")
    assert (empty.status_code, empty.get_json()["total"]) == (200, 0)
    shown = client.get("/api/depeche/d_export.jsonl%23r1").get_json()
    assert (shown["sources"], shown["authors"]) == (["Reuters"], ["Jean Dupont"])


def test_the_command_line_filters(archive_index, runner):
    result = runner.invoke(cli, ["search", "--index", str(archive_index), "--source", "AFP", "--author", "Jean Dupont", "combats",
                                 "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [hit["id"] for hit in data["hits"]] == ["c_page.html"]
    plain = runner.invoke(cli, ["search", "--index", str(archive_index), "--author", "Marie Curie", "Berlin"])
    assert "Marie Curie" in plain.stdout and "d_export.jsonl#r2" in plain.stdout
