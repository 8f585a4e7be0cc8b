"""The search page `/`, through Flask's test client, its HTML parsed with BeautifulSoup."""

import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from archive.model import PartialDate
from index import reindex
from web import create_app
from web.formatting import count, date_text
from web.guide import SECTIONS

SEED_000 = "000_4375ea2097648a51.txt"
SEED_002 = "002_eb2ed1d0cd4a9010.txt"
# An undated dispatch of another story than seed 000's (the seeds are two versions of
# one story, seed 002 dated from 000): what facets and sorting do with the undated.
UNDATED = "010_soudan.txt"
UNDATED_TEXT = (
    "Trêve fragile au Soudan\n\n"
    "Des combats sporadiques ont été signalés dans la nuit près de Khartoum, selon des témoins "
    "joints par téléphone. Les médiateurs réunis à Djeddah appellent au respect du cessez-le-feu.\n"
)


def page(client, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def hit_ids(soup: BeautifulSoup) -> list[str]:
    """The dispatch ids of the results, in order, read from their links."""
    return [urlsplit(a["href"]).path.removeprefix("/depeche/") for a in soup.select("ol.results .hit-title a")]


def facet_counts(soup: BeautifulSoup, selector: str = ".facets nav > ul > li.facet") -> dict[str, int]:
    counts = {}
    for item in soup.select(selector):
        link = item.find("a", recursive=False)
        label = link.select_one(".facet-label").get_text(strip=True)
        counts[label] = int(link.select_one(".facet-count").get_text(strip=True).replace("\u202f", ""))
    return counts


def query_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


@pytest.fixture
def stories_client(tmp_path: Path, seeds_dir: Path):
    """Seed 000 and an undated dispatch of another story: no versions to collapse."""
    root = tmp_path / "stories"
    root.mkdir()
    shutil.copy(seeds_dir / SEED_000, root / SEED_000)
    (root / UNDATED).write_text(UNDATED_TEXT, encoding="utf-8")
    reindex(tmp_path / "stories-index", [root])
    return create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "stories-index")}).test_client()


def test_results_with_marked_snippets(client):
    soup = page(client, "/?q=armee+americaine&versions=toutes")
    assert soup.select_one("#q")["value"] == "armee americaine"
    assert hit_ids(soup) == [SEED_000, SEED_002]
    assert soup.select_one("#results-title").get_text(" ", strip=True).startswith("2\u00a0dépêches ")
    snippets = soup.select("ol.results .snippet")
    assert len(snippets) == 2
    for snippet in snippets:
        marked = [m.get_text().lower() for m in snippet.find_all("mark")]
        assert marked, snippet
        assert all(word.startswith(("armée", "américain")) for word in marked), marked
        # Nothing but <mark> from the index.
        assert {tag.name for tag in snippet.find_all(True)} == {"mark"}


def test_each_result_shows_date_and_links_with_the_query(client):
    soup = page(client, "/?q=armee+americaine&versions=toutes")
    first, second = soup.select("ol.results .hit")
    assert first.select_one("time")["datetime"] == "2019-04"
    assert first.select_one("time").get_text() == "avril 2019"
    # Who it comes from, not its file (on the dispatch's page): the seeds name no one.
    assert first.select_one(".no-source").get_text() == "source non indiquée"
    assert SEED_000 not in first.select_one(".hit-meta").get_text()
    assert first.select_one(".inferred") is None
    # Seed 002 has no date of its own: it takes its story's, and says so.
    assert SEED_002 not in second.select_one(".hit-meta").get_text()
    assert second.select_one("time")["datetime"] == "2019-04"
    assert second.select_one(".inferred").get_text() == "(date déduite d’une autre version)"
    link = first.select_one(".hit-title a")["href"]
    assert query_of(link) == {"q": ["armee americaine"], "versions": ["toutes"]}
    assert soup.select(".badge") == []
    assert "ms" in soup.select_one(".elapsed").get_text()


def test_partial_matches_are_badged(client):
    soup = page(client, "/?q=Africom+Pompeo+Tripoli&versions=toutes")
    # No dispatch holds all three words; both hold some of them.
    assert soup.select_one("#results-title").get_text(" ", strip=True).startswith("0\u00a0dépêche ")
    badges = soup.select("ol.results .badge")
    assert len(badges) == 2
    assert all(b.get_text() == "correspondance partielle" for b in badges)
    assert soup.select_one(".partial-intro") is not None


# Versions of one story: the seeds are one story sent twice, 002 with paragraphs added.


def test_versions_are_collapsed_into_one_result(client):
    soup = page(client, "/?q=Haftar")
    assert hit_ids(soup) == [SEED_000]
    assert soup.select_one("#results-title").get_text(" ", strip=True).startswith("1\u00a0sujet · 2\u00a0dépêches ")
    hit = soup.select_one("ol.results .hit")
    assert hit.select_one(".version-count").get_text() == "2\u00a0versions"
    others = hit.select(".versions a")
    assert [urlsplit(a["href"]).path for a in others] == [f"/depeche/{SEED_002}"]
    assert query_of(others[0]["href"]) == {"q": ["Haftar"]}
    # Not a partial match: the versions count is not the partial badge.
    assert soup.select(".badge") == []
    switch = {a.get_text(): a for a in soup.select("nav.versions-switch a")}
    assert switch["regroupées"].get("aria-current") == "true"
    assert switch["toutes"].get("aria-current") is None
    assert query_of(switch["toutes"]["href"]) == {"q": ["Haftar"], "versions": ["toutes"]}


def test_all_versions_switch_lists_each_version(client):
    soup = page(client, "/?q=Haftar&versions=toutes")
    assert sorted(hit_ids(soup)) == [SEED_000, SEED_002]
    assert soup.select_one("#results-title").get_text(" ", strip=True).startswith("2\u00a0dépêches ")
    assert soup.select(".version-count") == [] and soup.select(".versions") == []
    switch = {a.get_text(): a for a in soup.select("nav.versions-switch a")}
    assert switch["toutes"].get("aria-current") == "true"
    assert query_of(switch["regroupées"]["href"]) == {"q": ["Haftar"]}
    # The switch is part of the page's state: a new query, a facet, a sort keep it.
    hidden = {field["name"]: field["value"] for field in soup.select(".search-form input[type=hidden]")}
    assert hidden == {"versions": "toutes"}
    year = soup.select_one(".facets .facet a")
    assert query_of(year["href"]) == {"q": ["Haftar"], "annee": ["2019"], "versions": ["toutes"]}
    sort = soup.select_one("nav.sort:not(.versions-switch) a")
    assert query_of(sort["href"])["versions"] == ["toutes"]


def test_facets_count_stories_when_collapsed(client):
    # Seed 002 is dated from its story (April 2019): both versions fall in 2019.
    assert facet_counts(page(client, "/?q=combats")) == {"2019": 1}
    assert facet_counts(page(client, "/?q=combats&versions=toutes")) == {"2019": 2}
    soup = page(client, "/?q=combats&annee=2019")
    assert facet_counts(soup, ".facet.chosen > ul > li.facet") == {"avril": 1}
    assert len(hit_ids(soup)) == 1


def test_unknown_versions_value_is_a_400(client):
    soup = page(client, "/?q=Haftar&versions=certaines", status=400)
    message = soup.select_one(".error-message").get_text().replace("\u00a0", " ")
    assert message == "« certaines » : le paramètre versions vaut « toutes » ou rien."


def test_year_facets_count_dated_and_undated(stories_client):
    soup = page(stories_client, "/?q=combats")
    assert facet_counts(soup) == {"2019": 1, "sans date": 1}
    undated = soup.select_one(".facet.undated a")
    assert query_of(undated["href"]) == {"q": ["combats"], "sans_date": ["1"]}


def test_choosing_a_year_shows_its_months(stories_client):
    soup = page(stories_client, "/?q=combats&annee=2019")
    assert hit_ids(soup) == [SEED_000]
    year = soup.select_one(".facets .facet.chosen")
    assert year.select_one(".facet-label").get_text() == "2019"
    months = facet_counts(soup, ".facet.chosen > ul > li.facet")
    assert months == {"avril": 1}
    month_link = year.select_one(":scope > ul a")["href"]
    assert query_of(month_link) == {"q": ["combats"], "annee": ["2019"], "mois": ["2019-04"]}


def test_choosing_a_month_then_undated(stories_client):
    soup = page(stories_client, "/?q=combats&annee=2019&mois=2019-04")
    assert hit_ids(soup) == [SEED_000]
    # Seed 000 is dated to the month only: no day to offer.
    assert soup.select(".facet.chosen .facet.chosen ul") == []
    soup = page(stories_client, "/?q=combats&sans_date=1")
    assert hit_ids(soup) == [UNDATED]


def test_active_filters_are_removable_links(client):
    soup = page(client, "/?q=combats&annee=2019&mois=2019-04&du=2019-01")
    chips = {chip["data-filter"]: chip for chip in soup.select(".active-filters a.chip")}
    assert set(chips) == {"annee", "mois", "du"}
    assert "avril 2019" in chips["mois"].get_text()
    # Removing the year removes its month too; removing the month keeps the year.
    assert query_of(chips["annee"]["href"]) == {"q": ["combats"], "du": ["2019-01"]}
    assert query_of(chips["mois"]["href"]) == {"q": ["combats"], "annee": ["2019"], "du": ["2019-01"]}
    assert query_of(chips["du"]["href"]) == {"q": ["combats"], "annee": ["2019"], "mois": ["2019-04"]}


def test_unknown_year_is_an_empty_result(client):
    soup = page(client, "/?q=combats&annee=1850")
    assert hit_ids(soup) == []
    no_results = soup.select_one(".no-results")
    assert "Aucun résultat" in no_results.get_text()
    links = {a.get_text(strip=True): a["href"] for a in no_results.find_all("a")}
    assert query_of(links["Chercher sans les filtres de date"]) == {"q": ["combats"]}
    assert urlsplit(links["l’aide sur la syntaxe des requêtes"]).path == "/aide"


def test_did_you_mean_is_a_link(client):
    soup = page(client, "/?q=tripolli")
    suggestion = soup.select_one(".no-results .suggestion-item a")
    # As the seeds write it: a place name, with its capital.
    assert suggestion.get_text() == "Tripoli"
    assert query_of(suggestion["href"]) == {"q": ["Tripoli"]}
    assert "Vouliez-vous dire" in suggestion.parent.get_text()
    # With some results (partial matches here), the suggestion stands above them.
    soup = page(client, "/?q=tripolli+Haftar")
    suggestion = soup.select_one("p.suggestion a")
    assert suggestion.get_text() == "Tripoli Haftar"
    assert hit_ids(soup)


def test_notice_is_shown(client):
    soup = page(client, "/?q=combats+date:2019-99")
    assert "date illisible" in soup.select_one(".notice").get_text()


def test_empty_query_lists_the_newest(stories_client):
    soup = page(stories_client, "/")
    assert hit_ids(soup) == [SEED_000, UNDATED]  # dated first, the undated last
    assert soup.select_one("#results-title").get_text(" ", strip=True).startswith("2\u00a0sujets · 2\u00a0dépêches ")
    current = soup.select_one('.sort a[aria-current="true"]')
    assert current.get_text() == "plus récent"


def test_sort_links_and_orders(stories_client):
    soup = page(stories_client, "/?q=combats")
    sorts = {a.get_text(): a for a in soup.select("nav.sort:not(.versions-switch) a")}
    assert sorts["pertinence"].get("aria-current") == "true"
    assert query_of(sorts["plus ancien"]["href"]) == {"q": ["combats"], "tri": ["ancien"]}
    # Undated dispatches come last in either order.
    assert hit_ids(page(stories_client, "/?q=combats&tri=recent")) == [SEED_000, UNDATED]
    assert hit_ids(page(stories_client, "/?q=combats&tri=ancien")) == [SEED_000, UNDATED]


def test_timeline_is_svg_with_linked_bars_and_a_text_equivalent(stories_client):
    client = stories_client
    soup = page(client, "/?q=combats")
    svg = soup.select_one("figure.timeline svg")
    bars = svg.select("a.bar")
    titles = [bar.find("title").get_text() for bar in bars]
    assert titles == ["2019 : 1\u00a0sujet", "sans date : 1\u00a0sujet"]
    assert query_of(bars[0]["href"]) == {"q": ["combats"], "annee": ["2019"]}
    assert query_of(bars[1]["href"]) == {"q": ["combats"], "sans_date": ["1"]}
    assert svg.find(attrs={"style": True}) is None
    rows = [[cell.get_text() for cell in row.find_all(["th", "td"])] for row in soup.select("figure.timeline table tbody tr")]
    assert rows == [["2019", "1"], ["sans date", "1"]]
    # Inside a year: one bar per month, only the months with matches are links.
    soup = page(client, "/?q=combats&annee=2019")
    svg = soup.select_one("figure.timeline svg")
    assert len(svg.select("title")) == 12
    links = svg.select("a.bar")
    assert [a.find("title").get_text() for a in links] == ["avril 2019 : 1\u00a0sujet"]
    assert query_of(links[0]["href"])["mois"] == ["2019-04"]


def test_help_page_examples_each_find_something(client):
    soup = page(client, "/aide")
    examples = soup.select(".examples a")
    assert len(examples) == sum(len(section.examples) for section in SECTIONS) >= 9
    for example in examples:
        href = example["href"]
        assert query_of(href)["q"] == [example.get_text()]
        results = page(client, href)
        assert hit_ids(results), f"no result for the help example {example.get_text()!r}"
        assert results.select(".badge") == [], f"only partial matches for {example.get_text()!r}"


def test_page_structure_is_semantic_and_labelled(client):
    soup = page(client, "/?q=combats")
    for tag in ("header", "main", "nav", "aside", "h1", "h2", "footer"):
        assert soup.find(tag) is not None, tag
    assert soup.html["lang"] == "fr"
    for control in soup.select("input:not([type=hidden]), select, textarea"):
        assert soup.find("label", attrs={"for": control["id"]}) is not None, control
    assert soup.find(attrs={"style": True}) is None
    assert soup.find("script") is None
    stylesheet = soup.select_one('link[rel="stylesheet"]')["href"]
    assert stylesheet.startswith("/static/")


# Paging, over an archive of generated dispatches.


def write_dispatches(root: Path, count: int) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for n in range(1, count + 1):
        (root / f"depeche_{n:02d}.txt").write_text(
            f"date 2019-{(n - 1) // 10 + 1:02d}-{(n - 1) % 10 + 1:02d}\n\nBulletin météo numéro {n}\n\n"
            f"Le bulletin météo {n} annonce des orages sur la côte.\n",
            encoding="utf-8",
        )


@pytest.fixture
def paging_client(tmp_path: Path):
    root = tmp_path / "archive"
    write_dispatches(root, 25)
    reindex(tmp_path / "index", [root])
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index"), "PAGE_SIZE": 10})
    return app.test_client()


def test_paging(paging_client):
    first = page(paging_client, "/?q=bulletin&tri=ancien")
    assert first.select_one(".page-of").get_text() == "Page 1 sur 3"
    assert len(hit_ids(first)) == 10
    assert first.select_one("ol.results")["start"] == "1"
    next_link = first.select_one('.pagination a[rel="next"]')["href"]
    assert query_of(next_link) == {"q": ["bulletin"], "tri": ["ancien"], "page": ["2"]}
    second = page(paging_client, next_link)
    assert second.select_one('.pagination a[aria-current="page"]').get_text(strip=True).endswith("2")
    assert second.select_one("ol.results")["start"] == "11"
    third = page(paging_client, "/?q=bulletin&tri=ancien&page=3")
    assert len(hit_ids(third)) == 5
    ids = hit_ids(first) + hit_ids(second) + hit_ids(third)
    assert ids == [f"depeche_{n:02d}.txt" for n in range(1, 26)]
    # The dispatch links carry the page, so the way back returns to it.
    assert query_of(second.select_one(".hit-title a")["href"])["page"] == ["2"]


def test_page_past_the_last_shows_the_last(paging_client):
    soup = page(paging_client, "/?q=bulletin&page=7")
    assert soup.select_one(".page-of").get_text() == "Page 3 sur 3"
    assert len(hit_ids(soup)) == 5


def test_month_drill_down_to_days(paging_client):
    soup = page(paging_client, "/?q=bulletin&annee=2019&mois=2019-01")
    days = facet_counts(soup, ".facet.chosen .facet.chosen > ul > li.facet")
    assert len(days) == 10
    assert days["mardi 1"] == days["dimanche 6"] == 1
    soup = page(paging_client, "/?q=bulletin&jour=2019-01-06")
    assert hit_ids(soup) == ["depeche_06.txt"]
    chips = [chip["data-filter"] for chip in soup.select(".active-filters a.chip")]
    assert chips == ["annee", "mois", "jour"]


def test_facets_say_how_many_are_less_precise(tmp_path: Path):
    root = tmp_path / "archive"
    root.mkdir()
    for name, date in [("a.txt", "2019"), ("b.txt", "2019-04"), ("c.txt", "2019-04-07")]:
        (root / name).write_text(f"date {date}\n\nRapport {name}\n\nUn rapport sur la pêche.\n", encoding="utf-8")
    reindex(tmp_path / "index", [root])
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")}).test_client()
    soup = page(client, "/?q=rapport&mois=2019-04")
    assert facet_counts(soup) == {"2019": 3}
    assert facet_counts(soup, ".facets nav > ul > li.facet.chosen > ul > li.facet") == {"avril": 2}
    assert facet_counts(soup, ".facet.chosen .facet.chosen > ul > li.facet") == {"dimanche 7": 1}
    notes = [note.get_text() for note in soup.select(".facet-note")]
    assert notes == ["dont 1 sans jour précis", "dont 1 sans mois précis"]


def test_counts_and_dates_in_french():
    assert count(1234, "résultat", None, "fr") == "1\u202f234\u00a0résultats"
    assert count(1, "résultat", None, "fr") == "1\u00a0résultat"
    assert count(2, "résultat", None, "fr") == "2\u00a0résultats"
    assert count(0, "résultat", None, "fr") == "0\u00a0résultat"
    assert date_text(PartialDate(2019), "fr") == "2019"
    assert date_text(PartialDate(2019, 4), "fr") == "avril 2019"
    assert date_text(PartialDate(2019, 4, 7), "fr") == "dimanche 7 avril 2019"
    assert date_text(None, "fr") == "sans date"


def test_reindex_is_seen_without_restart(tmp_path: Path, seeds_dir: Path):
    root = tmp_path / "archive"
    shutil.copytree(seeds_dir, root)
    index_dir = tmp_path / "index"
    reindex(index_dir, [root])
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "ARCHIVE_ROOT": str(root)}).test_client()
    assert hit_ids(page(client, "/?q=ornithologue")) == []
    (root / "003_nouvelle.txt").write_text(
        "date 2019-04-09\n\nUn ornithologue à Tripoli\n\nUn ornithologue compte les oiseaux.\n", encoding="utf-8"
    )
    reindex(index_dir, [root])
    assert hit_ids(page(client, "/?q=ornithologue")) == ["003_nouvelle.txt"]
    assert client.get("/healthz").get_json() == {"status": "ok", "documents": 3}
