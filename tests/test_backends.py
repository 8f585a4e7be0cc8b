"""The same behaviour from both search backends: a Whoosh folder in `tmp_path`, and a real
OpenSearch cluster (the session fixture `opensearch_cluster`), each test with an alias of
its own. What a person sees must not depend on which engine holds the archive.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
from pathlib import Path
from uuid import uuid4

import pytest
from bs4 import BeautifulSoup

from index import Backend, SearchRequest, Sort, open_backend, reindex_backend

SEED_000 = "000_4375ea2097648a51.txt"
SEED_002 = "002_eb2ed1d0cd4a9010.txt"


@pytest.fixture(params=["whoosh", pytest.param("opensearch", marks=[pytest.mark.opensearch, pytest.mark.slow])])
def backend(request, tmp_path: Path):
    """Where a test's archive goes: a fresh folder, or a fresh alias on the cluster
    (its indices deleted after the test)."""
    if request.param == "whoosh":
        yield Backend("whoosh", index_dir=tmp_path / "index")
        return
    cluster = request.getfixturevalue("opensearch_cluster")
    name = f"test-{uuid4().hex[:12]}"
    yield Backend("opensearch", opensearch_url=",".join(cluster.urls), opensearch_index=name)
    cluster.client().indices.delete(index=f"{name}-*", ignore_unavailable=True)


@pytest.fixture
def indexed(backend, make_archive):
    """Indexes `files` (make_archive's) into the test's backend; returns the open index."""
    opened = []

    def make(files: dict[str, str], name: str = "archive"):
        reindex_backend(backend, [make_archive(files, name=name)])
        opened.append(open_backend(backend))
        return opened[-1]

    yield make
    for index in opened:
        index.close()


def _ids(result) -> list[str]:
    return [hit.id for hit in result.hits]


def _touch(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    # A later mtime whatever the file system's clock resolution: the change is seen.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))


def test_seeds_are_searchable_as_one_story_of_two_versions(backend, seeds_dir):
    report = reindex_backend(backend, [seeds_dir])
    assert (report.added, report.documents, report.failures) == (2, 2, [])
    with open_backend(backend) as index:
        assert index.count() == 2
        grouped = index.search(SearchRequest(query="Libye"))
        # The two seeds are versions of one story: one hit naming the other version.
        assert (grouped.total, grouped.dispatches) == (1, 2)
        (hit,) = grouped.hits
        assert {hit.id, *hit.other_versions} == {SEED_000, SEED_002}
        assert hit.story_id == min(SEED_000, SEED_002)
        flat = index.search(SearchRequest(query="Libye", collapse_versions=False))
        assert sorted(_ids(flat)) == [SEED_000, SEED_002] and flat.total == 2


FRENCH = {
    "a.txt": "date 2019-04-07\n\nL’armée en manœuvre\n\nL’armée de terre a défilé à Paris.",
    "b.txt": "date 2019-04-08\n\nDeux armées\n\nLes armées alliées se sont retirées de Misrata.",
    "c.txt": "date 2019-04-09\n\nÉconomie\n\nLa sécurité économique de la région inquiète les marchés.",
    "d.txt": "date 2019-04-10\n\nRachida Dati\n\nRachida Dati a présenté ses vœux à la presse.",
    "e.txt": "date 2019-04-11\n\nCalendrier\n\nLes dates des élections ont été fixées par décret.",
    "f.txt": "date 2019-04-12\n\nRetrait\n\nLes militaires américains quittent la base de Tripoli.",
    "g.txt": "date 2019-04-13\n\nFortunes\n\nLes millionnaires de la ville donnent à Misrata.",
}


def test_french_analysis_elisions_accents_and_plurals(indexed):
    index = indexed(FRENCH)
    # « L’armée » is found without its elision, unaccented, and with its plural.
    assert sorted(_ids(index.search(SearchRequest(query="armee", collapse_versions=False)))) == ["a.txt", "b.txt"]
    assert sorted(_ids(index.search(SearchRequest(query="ARMÉES", collapse_versions=False)))) == ["a.txt", "b.txt"]
    assert _ids(index.search(SearchRequest(query="securite"))) == ["c.txt"]
    # A stop word alone finds nothing, and says so.
    nothing = index.search(SearchRequest(query="les"))
    assert nothing.total == 0 and nothing.notice


def test_quotes_ask_for_the_exact_form_and_prefixes_expand_over_forms(indexed):
    index = indexed(FRENCH)
    # « Dati » and « dates » share a stem; quoted, only the very name is found.
    variants = index.search(SearchRequest(query="Dati"))
    assert sorted(_ids(variants)) == ["d.txt", "e.txt"]
    # The exact forms find half as many: the quoted query is offered, with both counts.
    assert [(o.kind, o.query, o.exact, o.variants) for o in variants.offers] == [("exact", '"Dati"', 1, 2)]
    assert _ids(index.search(SearchRequest(query='"Dati"'))) == ["d.txt"]
    assert _ids(index.search(SearchRequest(query="Dati", exact=True))) == ["d.txt"]
    prefixed = index.search(SearchRequest(query="milit*"))
    assert _ids(prefixed) == ["f.txt"]  # not « millionnaires »
    assert "<mark>militaires</mark>" in prefixed.hits[0].snippet


def test_quoted_phrases_read_their_little_words_and_skip_others(indexed):
    index = indexed({
        "maire.txt": "date 2019-04-07\n\nBudget\n\nBruno Le Maire a présenté le budget de l’armée de terre.",
        "un.txt": "date 2019-04-08\n\nDémission\n\nUn maire a démissionné ; l’armée terrestre défile.",
        "loin.txt": "date 2019-04-09\n\nTerre\n\nL’armée régulière tient la terre et le ciel.",
    })
    # Stop words typed in quotes must be there, in their place.
    assert _ids(index.search(SearchRequest(query='"Le Maire"'))) == ["maire.txt"]
    # Quoted without them, the words still stand side by side across them…
    assert _ids(index.search(SearchRequest(query='"armée terre"'))) == ["maire.txt"]
    # …and `~N` lets N - 1 other words in between (« régulière tient »: two; « la » is not one).
    assert _ids(index.search(SearchRequest(query='"armée terre"~2'))) == ["maire.txt"]
    assert sorted(_ids(index.search(SearchRequest(query='"armée terre"~3')))) == ["loin.txt", "maire.txt"]


def test_a_misspelt_word_gets_the_frequent_one_as_written(indexed):
    files = {f"p{i}.txt": f"date 2019-04-{i + 1:02d}\n\nBulletin {i}\n\nMike Pompeo a parlé de la Libye, épisode {i}."
             for i in range(12)}
    index = indexed(files)
    result = index.search(SearchRequest(query="Pompéi Libye"))
    assert result.total == 0 and result.suggestion == "Pompeo Libye"
    assert index.search(SearchRequest(query="Pompeo")).suggestion is None


def test_field_prefixes_operators_and_exclusions(indexed):
    index = indexed({
        "title.txt": "date 2019-04-07\n\nCombats à Tripoli\n\nLa capitale a connu une nuit agitée.",
        "body.txt": "date 2019-04-08\n\nNuit agitée\n\nDes combats ont eu lieu au sud de Tripoli.",
        "other.txt": "date 2019-04-09\n\nMarché de Misrata\n\nLe marché de Misrata a rouvert samedi.",
    })
    assert _ids(index.search(SearchRequest(query="titre:Tripoli"))) == ["title.txt"]
    assert _ids(index.search(SearchRequest(query="texte:Tripoli"))) == ["body.txt"]
    assert sorted(_ids(index.search(SearchRequest(query="Tripoli OU Misrata")))) == ["body.txt", "other.txt", "title.txt"]
    assert _ids(index.search(SearchRequest(query="agitée -titre:Tripoli"))) == ["body.txt"]
    assert _ids(index.search(SearchRequest(query="agitée SAUF combats"))) == []
    # Some of the words: the full match first, then the partial ones, counted apart.
    mixed = index.search(SearchRequest(query="Tripoli marché"))
    assert (mixed.total, mixed.partial_total) == (0, 3)
    assert all(hit.partial for hit in mixed.hits) and len(mixed.hits) == 3


DATED = {
    "a.txt": "date 2019-04-07\n\nPort de Tripoli\n\nLe port de Tripoli a rouvert dimanche aux cargos de blé.",
    "b.txt": "date 2019-04-20\n\nPort de Benghazi\n\nUne grue est tombée sur le quai du port de Benghazi.",
    "c.txt": "date 2019-04\n\nPort de Misrata\n\nLes dockers du port de Misrata réclament des primes.",
    "d.txt": "date 2019\n\nBilan portuaire\n\nLe trafic du port de Zouara a doublé en un an.",
    "e.txt": "date 2018-12-31\n\nPort de Syrte\n\nLe port de Syrte ferme pour travaux de dragage.",
    "f.txt": "Port sans date\n\nUn port de pêche attend ses nouveaux quais.",
}


def test_date_filters_and_facets_add_up(indexed):
    index = indexed(DATED)
    everything = index.search(SearchRequest(query="port"))
    years = {f.value: f.count for f in everything.facets.years}
    assert years == {"2018": 1, "2019": 4}
    assert everything.facets.undated == 1
    assert sum(years.values()) + everything.facets.undated == everything.total == 6
    in_2019 = index.search(SearchRequest(query="port", year=2019))
    assert in_2019.total == 4
    months = {f.value: f.count for f in in_2019.facets.months}
    assert months == {"2019-04": 3}  # « 2019 » alone has no month
    april = index.search(SearchRequest(query="port", month="2019-04"))
    assert april.total == 3
    assert {f.value: f.count for f in april.facets.days} == {"2019-04-07": 1, "2019-04-20": 1}
    assert sorted(_ids(index.search(SearchRequest(query="port date:2019-04-01..2019-04-30")))) == ["a.txt", "b.txt"]
    assert _ids(index.search(SearchRequest(query="port", undated=True))) == ["f.txt"]
    # Dates sort the newest first, the undated last; the oldest first, the undated last.
    assert _ids(index.search(SearchRequest(query="port", sort=Sort.NEWEST))) == ["b.txt", "a.txt", "c.txt", "d.txt", "e.txt", "f.txt"]
    assert _ids(index.search(SearchRequest(query="port", sort=Sort.OLDEST)))[-1] == "f.txt"


def test_histograms_count_as_the_facets(indexed):
    index = indexed(DATED)
    years = index.histogram(SearchRequest(query="port"), "year")
    assert [(v.value, v.count) for v in years.values] == [("2018", 1), ("2019", 4)]
    assert (years.undated, years.imprecise, years.total) == (1, 0, 6)
    months = index.histogram(SearchRequest(query="port", year=2019), "month")  # not the drill-down
    assert [(v.value, v.count) for v in months.values] == [("2018-12", 1), ("2019-04", 3)]
    assert (months.undated, months.imprecise) == (1, 1)  # « 2019 » alone has no month
    days = index.histogram(SearchRequest(query="port date:2019-04"), "day")
    assert [(v.value, v.count) for v in days.values] == [("2019-04-07", 1), ("2019-04-20", 1)]
    assert (days.undated, days.imprecise) == (0, 1)


def test_newest_first_pages_reach_every_result_once(indexed):
    files = {f"d{day:02d}.txt": f"date 2019-03-{day:02d}\n\nBulletin {day}\n\nLe bulletin météo numéro {day} annonce "
             f"de la pluie sur la côte, épisode {day * 7} de la saison." for day in range(1, 26)}
    index = indexed(files)
    pages = [index.search(SearchRequest(query="bulletin", sort=Sort.NEWEST, page=page, page_size=10)) for page in (1, 2, 3)]
    assert [len(p.hits) for p in pages] == [10, 10, 5] and pages[0].pages == 3
    listed = [hit.id for p in pages for hit in p.hits]
    assert listed == [f"d{day:02d}.txt" for day in range(25, 0, -1)]
    assert index.search(SearchRequest(query="bulletin", sort=Sort.NEWEST, page=4, page_size=10)).hits == ()


HOSTILE = ("date 2019-04-07\n\n<img src=x onerror=alert(1)> Tripoli\n\n"
           "<script>alert('Tripoli')</script> Les combats & les <b>bombardements</b> ont repris à Tripoli.")


def test_snippets_and_pages_escape_what_a_dispatch_holds(indexed):
    index = indexed({"hostile.txt": HOSTILE})
    (hit,) = index.search(SearchRequest(query="Tripoli")).hits
    assert "<script" not in hit.snippet and "<b>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet and "&amp;" in hit.snippet
    assert "<mark>Tripoli</mark>" in hit.snippet
    assert hit.title == "<img src=x onerror=alert(1)> Tripoli"  # plain text; the page escapes it
    stored = index.get("hostile.txt", highlight="Tripoli")
    assert "&lt;img" in stored.title_html and "<img" not in stored.title_html
    assert all("<script" not in p for p in stored.paragraphs_html)
    assert any("<mark>Tripoli</mark>" in p for p in stored.paragraphs_html)


def test_incremental_reindex_adds_changes_and_removes_one_file_each(backend, make_archive):
    root = make_archive({name: DATED[name] for name in ("a.txt", "b.txt", "c.txt")})
    reindex_backend(backend, [root])
    (root / "g.txt").write_text(DATED["e.txt"].replace("Syrte", "Zliten"), encoding="utf-8")
    _touch(root / "b.txt", DATED["b.txt"].replace("Benghazi", "Tobrouk"))
    (root / "c.txt").unlink()
    report = reindex_backend(backend, [root])
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 1, 1)
    assert report.documents == 3
    with open_backend(backend) as index:
        assert index.count() == 3
        assert _ids(index.search(SearchRequest(query="Tobrouk"))) == ["b.txt"]
        assert _ids(index.search(SearchRequest(query="Benghazi"))) == []
        assert _ids(index.search(SearchRequest(query="Misrata"))) == []
        assert _ids(index.search(SearchRequest(query="Zliten"))) == ["g.txt"]
    # Unchanged size and mtime: the file is not read again. Same-size words written
    # under the old mtime stay unseen, which only a run that reads nothing gives.
    stat = (root / "a.txt").stat()
    (root / "a.txt").write_text(DATED["a.txt"].replace("Tripoli", "Tripola"), encoding="utf-8")
    os.utime(root / "a.txt", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again = reindex_backend(backend, [root])
    assert (again.added, again.updated, again.removed, again.unchanged, again.documents) == (0, 0, 0, 3, 3)
    with open_backend(backend) as index:
        assert _ids(index.search(SearchRequest(query="Tripoli"))) == ["a.txt"]


def test_versions_are_regrouped_when_one_goes_and_comes_back(backend, seeds_dir, tmp_path):
    root = tmp_path / "stories"
    root.mkdir()
    for name in (SEED_000, SEED_002):
        shutil.copy(seeds_dir / name, root / name)
    reindex_backend(backend, [root])
    (root / SEED_002).unlink()
    reindex_backend(backend, [root])
    with open_backend(backend) as index:
        assert index.get(SEED_000).versions_total == 0
    shutil.copy(seeds_dir / SEED_002, root / SEED_002)
    reindex_backend(backend, [root])
    with open_backend(backend) as index:
        stored = index.get(SEED_002)
        assert [v.id for v in stored.versions] == [SEED_000] and stored.versions_total == 1
        assert stored.story_id == index.get(SEED_000).story_id == min(SEED_000, SEED_002)


def test_rebuild_keeps_answering_and_swaps_in_the_new_index(backend, make_archive):
    files = {f"n{i:03d}.txt": f"date 2019-05-{i % 28 + 1:02d}\n\nNouvelle {i}\n\nLe conseil municipal numéro {i} "
             f"a voté le budget des écoles et des routes, séance {i * 3}." for i in range(120)}
    root = make_archive(files)
    reindex_backend(backend, [root])
    answers, errors, done = [], [], threading.Event()
    with open_backend(backend) as index:

        def search_meanwhile() -> None:
            while not done.is_set() or not answers:
                try:
                    answers.append(index.search(SearchRequest(query="conseil", with_snippets=False)).total)
                except Exception as error:  # noqa: BLE001 - what a reader would have seen
                    errors.append(error)
                    return

        reader = threading.Thread(target=search_meanwhile)
        reader.start()
        try:
            report = reindex_backend(backend, [root], rebuild=True)
        finally:
            done.set()
            reader.join()
        assert errors == [] and answers and set(answers) == {120}
        assert report.added == 120 and report.documents == 120
        assert index.search(SearchRequest(query="conseil")).total == 120


def test_get_similar_and_permalinks(backend, seeds_dir, make_archive):
    root = make_archive({"seeds/" + SEED_000: (seeds_dir / SEED_000).read_text(encoding="utf-8"),
                         "other.txt": DATED["a.txt"]})
    reindex_backend(backend, [root])
    with open_backend(backend) as index:
        dispatch_id = "seeds/" + SEED_000
        stored = index.get(dispatch_id, highlight="militaires")
        assert stored.dispatch.title.startswith("L'armée américaine")
        assert any("<mark>militaires</mark>" in p for p in stored.paragraphs_html)
        assert index.get("nowhere.txt") is None
        key = index.permalink_key(dispatch_id)
        assert re.fullmatch(r"[0-9a-f]{6,32}", key)
        assert [m.id for m in index.by_hash(key)] == [dispatch_id]
        assert index.permalink_key("nowhere.txt") is None
        # « Dépêches similaires »: another story sharing its words, not one of its own versions.
        assert [hit.id for hit in index.similar("other.txt")] == [dispatch_id]
        assert index.similar("nowhere.txt") == ()


def test_export_lists_every_result_in_the_pages_order(backend, make_archive, seeds_dir):
    root = make_archive({**DATED, **{f"seeds/{n}": (seeds_dir / n).read_text(encoding="utf-8") for n in (SEED_000, SEED_002)}})
    reindex_backend(backend, [root])
    with open_backend(backend) as index:
        request = SearchRequest(query="port -Libye", sort=Sort.NEWEST)
        with index.export(request, batch=4) as export:
            rows = list(export)
        assert export.total == 6 and [row.hit.id for row in rows] == _ids(index.search(request))
        assert export.batches_read == 2  # 4 rows, then 2
        assert all(row.versions == 1 and row.text is None for row in rows)
        assert [row.permalink_key for row in rows] == [index.permalink_key(row.hit.id) for row in rows]
        # Grouped, the story of the two seeds is one row, which counts both versions.
        (row,) = list(index.export(SearchRequest(query="Libye"), text=True))
        assert row.versions == 2 and "Africom" in row.text


def _app_env(monkeypatch, backend: Backend) -> None:
    monkeypatch.setenv("ARCHIVE_BACKEND", backend.kind)
    monkeypatch.setenv("ARCHIVE_INDEX_DIR", str(backend.index_dir))
    if backend.kind == "opensearch":
        monkeypatch.setenv("ARCHIVE_OPENSEARCH_URL", backend.opensearch_url)
        monkeypatch.setenv("ARCHIVE_OPENSEARCH_INDEX", backend.opensearch_index)


def test_the_api_and_page_answer_through_the_configured_backend(backend, seeds_dir, monkeypatch):
    from web import create_app

    reindex_backend(backend, [seeds_dir])
    _app_env(monkeypatch, backend)
    app = create_app({"TESTING": True, "WARM_CACHES": False})
    client = app.test_client()
    answer = client.get("/api/search?q=Libye&groupes=0")
    assert answer.status_code == 200
    data = answer.get_json()
    assert data["dispatches"] == 2
    assert SEED_000 in json.dumps(data)
    page = client.get("/?q=militaires")
    assert page.status_code == 200
    marks = [m.get_text() for m in BeautifulSoup(page.data, "html.parser").find_all("mark")]
    assert "militaires" in marks
    assert client.get(f"/api/depeche/{SEED_002}").get_json()["id"] == SEED_002
    assert client.get("/healthz").get_json() == {"status": "ok", "documents": 2}
    exported = client.get("/export.jsonl?q=Libye")
    assert exported.status_code == 200
    assert [json.loads(line)["id"] for line in exported.data.decode().splitlines()] in ([SEED_000], [SEED_002])
    app.extensions["archive_index"].close()


@pytest.mark.slow
def test_pages_by_date_go_past_ten_thousand_results(backend, make_archive):
    from datetime import date, timedelta

    count, first_day = 10_030, date(1990, 1, 1)
    lines = [json.dumps({"id": f"n{i:05d}", "date": (first_day + timedelta(days=i)).isoformat(),
                         "title": f"Relevé {i}", "body": f"Relevé numéro {i} de la station météo."})
             for i in range(count)]
    reindex_backend(backend, [make_archive({"notes.jsonl": "\n".join(lines) + "\n"})])
    with open_backend(backend) as index:
        # Record i is dated i days after the first: newest first, position k holds count - 1 - k.
        def page(number: int) -> list[str]:
            return _ids(index.search(SearchRequest(sort=Sort.NEWEST, page=number, page_size=10, with_facets=False)))

        expected = [f"notes.jsonl#n{count - 1 - k:05d}" for k in range(9_990, 10_030)]
        assert page(1000) + page(1001) + page(1002) + page(1003) == expected
        assert page(1004) == []
        # By relevance the pages stop at 10,000 results, and say so.
        ranked = index.search(SearchRequest(query="station", page=1001, page_size=10, with_facets=False))
        assert (ranked.total, ranked.listed, ranked.hits) == (count, 10_000, ())
        assert "10\u202f000 premiers résultats" in ranked.notice


def test_partial_matches_leave_out_the_stories_listed_in_full(backend, make_archive, seeds_dir):
    seed = (seeds_dir / SEED_000).read_text(encoding="utf-8")
    root = make_archive({
        "longer.txt": seed + "\n\nUn hélicoptère a survolé la base dans la soirée.\n",
        "shorter.txt": seed,  # the same story, without the helicopter
        "other.txt": "date 2019-04-09\n\nRelève\n\nDes militaires français arrivent à Gao.",
    })
    reindex_backend(backend, [root])
    with open_backend(backend) as index:
        result = index.search(SearchRequest(query="militaires hélicoptère"))
        assert (result.total, result.partial_total) == (1, 1)
        assert [(hit.id, hit.partial) for hit in result.hits] == [("longer.txt", False), ("other.txt", True)]
        # A hit names the other versions the query finds in full: not the shorter one.
        assert result.hits[0].other_versions == ()
        assert index.search(SearchRequest(query="militaires")).hits[0].other_versions in (("shorter.txt",), ("longer.txt",))


def test_sources_and_authors_filter_and_count_by_any_spelling(indexed):
    rows = [
        {"id": "a", "date": "2019-04-07", "title": "Port de Tripoli", "body": "Le port a rouvert.",
         "author": "Jean Dupont", "source": "AFP"},
        {"id": "b", "date": "2019-04-08", "title": "Port de Benghazi", "body": "Le port est fermé.",
         "author": "JEAN DUPONT", "source": "Agence France-Presse"},
        {"id": "c", "date": "2019-04-09", "title": "Port de Misrata", "body": "Le port est calme.",
         "author": "Marie Curie", "source": "Reuters"},
    ]
    index = indexed({"credits.jsonl": "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)})
    assert sorted(_ids(index.search(SearchRequest(query="port", sources=("afp",))))) == ["credits.jsonl#a", "credits.jsonl#b"]
    assert _ids(index.search(SearchRequest(query="port source:Reuters"))) == ["credits.jsonl#c"]
    assert sorted(_ids(index.search(SearchRequest(query="port", authors=("Jean Dupont",))))) == [
        "credits.jsonl#a", "credits.jsonl#b"]
    facets = index.search(SearchRequest(query="port")).facets
    # Both spellings of the agency and of the author count as one name each.
    assert [f.count for f in facets.sources] == [2, 1] and facets.sources[1].value == "Reuters"
    assert [f.count for f in facets.authors] == [2, 1] and facets.authors[1].value == "Marie Curie"
