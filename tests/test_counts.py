"""Counts that say what they count and add up, partial matches counted apart on every
page, and no silent end to browsing (findings 5, 6 and 7 of the exactness work), on real
indexes of small crafted archives and the real app."""

from __future__ import annotations

import json
import random

import pytest
from bs4 import BeautifulSoup

import index.paging
from index import SearchRequest, Sort, open_index, reindex
from web import create_app

WORDS = ("gouvernement ministre conseil réforme budget hôpital école syndicat grève tribunal enquête frontière "
         "accord sommet impôt retraite chômage logement transport énergie agriculture pêche élection mairie "
         "région département police justice santé crise économie travail sécurité armée").split()


def body(seed: int, words: int = 120) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) + str(rng.randrange(40)) for _ in range(words)) + "."


def dispatch(day: str, title: str, text: str) -> str:
    return f" date {day} {title}\n\n{text}\n"


@pytest.fixture
def stories(make_archive, tmp_path):
    """Stories sent again the next day, one across a month's end, and single dispatches:
    17 dispatches in 12 stories, every one holding « tempête »."""
    files = {}
    for n, (first, second) in enumerate([("2019-12-01", "2019-12-02"), ("2019-11-30", "2019-12-01"),
                                         ("2019-12-30", "2020-01-01"), ("2019-12-10", "2019-12-11"),
                                         ("2019-12-20", "2019-12-21")]):
        text = body(n)
        files[f"s{n}a.txt"] = dispatch(first, f"Tempête, sujet {n}", text)
        files[f"s{n}b.txt"] = dispatch(second, f"Tempête, sujet {n} (suite)", text + "\n\nLa tempête a faibli.")
    for n in range(7):
        files[f"u{n}.txt"] = dispatch(f"2019-12-{n + 3:02d}", f"Tempête seule {n}", body(100 + n))
    reindex(tmp_path / "index", [make_archive(files)])
    return open_index(tmp_path / "index")


def test_grouped_facets_add_up_and_give_what_a_click_gives(stories):
    result = stories.search(SearchRequest(query="tempête", year=2019, month="2019-12"))
    whole = stories.search(SearchRequest(query="tempête"))
    assert (whole.total, whole.dispatches) == (12, 17)
    years = {f.value: f.count for f in result.facets.years}
    months = {f.value: f.count for f in result.facets.months}
    days = {f.value: f.count for f in result.facets.days}
    assert sum(years.values()) + result.facets.undated == whole.total
    assert sum(months.values()) == years["2019"]
    assert sum(days.values()) == months["2019-12"]
    # A story counts once, at its first version: the story of 30 November is November's.
    assert months == {"2019-11": 1, "2019-12": 11}
    for value, count in days.items():
        clicked = stories.search(SearchRequest(query="tempête", day=value))
        assert clicked.total == count, value
        assert len(clicked.hits) == count
        # The story is shown by its version of that day.
        assert all(hit.date.iso() == value for hit in clicked.hits)
    for value, count in months.items():
        assert stories.search(SearchRequest(query="tempête", month=value)).total == count


def test_ungrouped_counts_are_dispatches(stories):
    result = stories.search(SearchRequest(query="tempête", collapse_versions=False, year=2019, month="2019-12"))
    days = {f.value: f.count for f in result.facets.days}
    months = {f.value: f.count for f in result.facets.months}
    assert sum(days.values()) == months["2019-12"] == 15
    assert result.dispatches == result.total == 15


def page(client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def heading(soup: BeautifulSoup) -> str:
    return soup.select_one("#results-title").get_text(" ", strip=True)


def test_the_heading_says_stories_and_dispatches(stories, seeds_dir, tmp_path):
    client = create_app({"TESTING": True, "INDEX_DIR": str(stories.index_dir)}).test_client()
    assert heading(page(client, "/")).startswith("12\u00a0sujets · 17\u00a0dépêches dans l’archive")
    assert heading(page(client, "/?versions=toutes")).startswith("17\u00a0dépêches dans l’archive")
    reindex(tmp_path / "seeds-index", [seeds_dir])
    seeds = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "seeds-index")}).test_client()
    assert heading(page(seeds, "/")).startswith("1\u00a0sujet · 2\u00a0dépêches")


@pytest.fixture
def partial_client(make_archive, tmp_path):
    """12 dispatches holding « tempête » and « inondation », 5 holding one of them."""
    files = {f"both{n:02d}.txt": dispatch(f"2020-01-{n + 1:02d}", f"Dépêche complète {n}",
                                          f"La tempête et l'inondation, épisode {n}. " + body(200 + n, 40))
             for n in range(12)}
    files |= {f"some{n}.txt": dispatch(f"2020-02-{n + 1:02d}", f"Dépêche partielle {n}",
                                       f"Seulement la tempête, épisode {n}. " + body(300 + n, 40)) for n in range(5)}
    reindex(tmp_path / "index", [make_archive(files)])
    return create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")}).test_client()


def test_partial_matches_follow_every_full_match_under_their_own_heading(partial_client):
    first = page(partial_client, "/?q=tempête+inondation")
    assert heading(first).startswith("12\u00a0sujets · 12\u00a0dépêches")
    assert "5\u00a0sujets avec une partie des mots" in first.select_one(".partial-count").get_text()
    # Page 1: ten full matches, numbered 1 to 10, and no partial match yet.
    assert [ol["start"] for ol in first.select("ol.results")] == ["1"]
    assert len(first.select("ol.results .hit")) == 10 and first.select(".badge") == []
    assert first.select_one(".pagination .page-of").get_text() == "Page 1 sur 2"
    second = page(partial_client, "/?q=tempête+inondation&page=2")
    lists = second.select("ol.results")
    assert [ol["start"] for ol in lists] == ["11", "1"]
    assert len(lists[0].select(".hit")) == 2 and lists[0].select(".badge") == []
    assert len(lists[1].select(".hit")) == 5 and len(lists[1].select(".badge")) == 5
    separator = second.select_one("h3.partial-intro").get_text(" ", strip=True)
    assert separator.startswith("Correspondances partielles") and "5\u00a0sujets" in separator
    api = partial_client.get("/api/search?q=tempête+inondation&page=2").get_json()
    assert (api["total"], api["partial_total"], api["pages"]) == (12, 5, 2)
    assert [hit["partial"] for hit in api["hits"]] == [False] * 2 + [True] * 5


def test_date_order_reaches_every_result_and_relevance_says_where_it_stops(stories, monkeypatch):
    monkeypatch.setattr(index.paging, "MAX_RESULTS_DEPTH", 5)
    request = SearchRequest(query="tempête", collapse_versions=False, page_size=4)
    newest = [stories.search(SearchRequest(**{**request.__dict__, "sort": Sort.NEWEST, "page": n})) for n in range(1, 6)]
    assert newest[0].pages == 5 and not newest[0].notice
    seen = [hit.id for result in newest for hit in result.hits]
    assert len(seen) == len(set(seen)) == 17
    ranked = stories.search(request)
    assert ranked.pages == 2
    assert "s’arrête aux 5 premiers résultats" in ranked.notice
    assert "triez par date" in ranked.notice


def test_the_empty_query_counts_each_generation_afresh(make_archive, tmp_path):
    """The empty query's counts and date order are kept per index generation: an update
    committed under an open handle is counted at once, not the archive as it was."""
    files = {f"u{n}.txt": dispatch(f"2019-12-{n + 1:02d}", f"Seule {n}", body(200 + n)) for n in range(6)}
    root = make_archive(files)
    reindex(tmp_path / "index", [root])
    with open_index(tmp_path / "index") as handle:
        before = handle.search(SearchRequest(query="", sort=Sort.NEWEST))
        assert (before.total, before.dispatches) == (6, 6)
        assert [hit.id for hit in before.hits][:2] == ["u5.txt", "u4.txt"]
        assert {f.value: f.count for f in before.facets.years} == {"2019": 6}
        (root / "u0.txt").unlink()
        (root / "new.txt").write_text(dispatch("2020-01-05", "Nouvelle", body(300)), encoding="utf-8")
        (root / "again.txt").write_text(dispatch("2020-01-06", "Nouvelle (suite)", body(300)), encoding="utf-8")
        reindex(tmp_path / "index", [root])
        after = handle.search(SearchRequest(query="", sort=Sort.NEWEST))
        assert (after.total, after.dispatches) == (6, 7)  # one story of two versions came
        assert [hit.id for hit in after.hits][:2] == ["again.txt", "u5.txt"]  # its newest version
        assert {f.value: f.count for f in after.facets.years} == {"2019": 5, "2020": 1}
        oldest = handle.search(SearchRequest(query="", sort=Sort.OLDEST, collapse_versions=False))
        assert [hit.id for hit in oldest.hits] == ["u1.txt", "u2.txt", "u3.txt", "u4.txt", "u5.txt", "new.txt",
                                                   "again.txt"]
        # Sources too: a file of dispatches credited to an agency.
        assert handle.search(SearchRequest(query="")).facets.sources == ()
        records = [{"title": f"Dépêche {n}", "body": body(400 + n), "date": f"2021-02-0{n + 1}", "source": "AFP"}
                   for n in range(3)]
        (root / "agence.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                           encoding="utf-8")
        reindex(tmp_path / "index", [root])
        credited = handle.search(SearchRequest(query=""))
        assert {f.value: f.count for f in credited.facets.sources} == {"AFP": 3}
        assert (credited.total, credited.dispatches) == (9, 10)
