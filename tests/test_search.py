"""Searching a real index: French matching, operators, partial matches, dates, facets,
snippets, suggestions and queries that cannot be read as typed.

Most tests search the two seeds (`index_dir`). They are two versions of one story, which
the search collapses into one hit by default; here each dispatch is a hit of its own
(`collapse_versions=False`), since what is checked is which dispatches match.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from archive import PartialDate
from index import SearchRequest, SearchResult, Sort, open_index, reindex
from index.whoosh.query import MAX_EXPANSION, MAX_QUERY_CHARS

SEED_000 = "000_4375ea2097648a51.txt"
SEED_002 = "002_eb2ed1d0cd4a9010.txt"
BOTH = {SEED_000, SEED_002}


def search(index_dir: Path, text: str, **options) -> SearchResult:
    options.setdefault("collapse_versions", False)
    return open_index(index_dir).search(SearchRequest(query=text, **options))


def ids(result: SearchResult, partial: bool | None = None) -> list[str]:
    return [hit.id for hit in result.hits if partial is None or hit.partial == partial]


def found(index_dir: Path, text: str) -> set[str]:
    """The dispatches holding all the words (partial matches left out)."""
    result = search(index_dir, text)
    full = ids(result, partial=False)
    assert result.total == len(full)
    return set(full)


# French matching on the seeds


def test_armee_americaine_ranks_the_army_dispatch_first(index_dir):
    result = search(index_dir, "armee americaine")
    assert ids(result) == [SEED_000, SEED_002]
    assert result.total == 2
    assert result.hits[0].score > result.hits[1].score


def test_collapsed_the_best_version_stands_for_the_story(index_dir):
    result = open_index(index_dir).search(SearchRequest(query="armee americaine"))
    assert [hit.id for hit in result.hits] == [SEED_000]
    assert result.hits[0].other_versions == (SEED_002,)


def test_pompeo_is_only_in_the_later_version(index_dir):
    result = search(index_dir, "Pompeo")
    assert ids(result) == [SEED_002]
    assert result.total == 1


@pytest.mark.parametrize("text", ["combats", "combat", "COMBAT", "Combats"])
def test_singular_and_plural_find_both(index_dir, text):
    assert found(index_dir, text) == BOTH


@pytest.mark.parametrize("text", ["Africom", "l’Africom", "L'Africom", "d'Africom", "AFRICOM"])
def test_elisions_and_both_apostrophes(index_dir, text):
    # 000 writes « L’Africom » (typographic apostrophe) and « l'Africom » (straight one).
    assert found(index_dir, text) == {SEED_000}


@pytest.mark.parametrize("text", ["securite", "sécurité", "SECURITE", "Sécurite"])
def test_accents_do_not_matter_in_the_query(index_dir, text):
    assert found(index_dir, text) == BOTH


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2014", BOTH),
        ("35", BOTH),
        ("Haftar", BOTH),
        ("GNA", BOTH),
        ("G7", {SEED_002}),
        ("Waldhauser", {SEED_000}),
        ("Salame", {SEED_002}),
        ("al-Mesmari", BOTH),
        ("Etats-Unis", BOTH),
        ("États-Unis", BOTH),
    ],
)
def test_numbers_and_names(index_dir, text, expected):
    assert found(index_dir, text) == expected


def test_a_word_in_neither_finds_nothing(index_dir):
    result = search(index_dir, "Zanzibar")
    assert result.total == 0
    assert result.hits == ()


@pytest.fixture
def accents_index(tmp_path, make_archive) -> Path:
    root = make_archive({
        "coeur.txt": "Le cœur de la ville\n\nLes secours ont atteint le cœur historique de Tripoli.",
        "plain.txt": "Securite renforcee\n\nLa securite du president a ete renforcee apres les evenements de Benghazi.",
        "other.txt": "Marché de Misrata\n\nLe marché de Misrata a rouvert ses portes samedi matin.",
    })
    directory = tmp_path / "index"
    reindex(directory, [root])
    return directory


@pytest.mark.parametrize("text", ["cœur", "coeur", "CŒUR", "Coeur"])
def test_oe_ligature_both_ways(accents_index, text):
    assert found(accents_index, text) == {"coeur.txt"}


@pytest.mark.parametrize("text", ["sécurité", "président renforcée", "événements", "Présidènt"])
def test_a_dispatch_written_without_accents_is_found_by_accented_words(accents_index, text):
    assert found(accents_index, text) == {"plain.txt"}


def test_accented_and_plain_words_find_the_accented_dispatch(accents_index):
    assert found(accents_index, "marche Misrata") == {"other.txt"}
    assert found(accents_index, "marché") == {"other.txt"}


# Operators, phrases, fields


def test_phrase_of_adjacent_words(index_dir):
    assert found(index_dir, '"maréchal Khalifa Haftar"') == BOTH
    # Both hold the three words, only 000 holds « maréchal Haftar » side by side.
    assert found(index_dir, "maréchal Haftar") == BOTH
    assert found(index_dir, '"maréchal Haftar"') == {SEED_000}


def test_phrase_in_the_wrong_order_finds_nothing_not_even_partially(index_dir):
    result = search(index_dir, '"Haftar Khalifa maréchal"')
    assert result.total == 0
    assert result.hits == ()


def test_exclusion(index_dir):
    assert found(index_dir, "combats -Pompeo") == {SEED_000}
    assert found(index_dir, "-Pompeo combats") == {SEED_000}
    assert found(index_dir, "combats -Waldhauser") == {SEED_002}


def test_exclusion_applies_to_partial_matches_too(index_dir):
    # No dispatch holds both words; 002 holds « combats » but is excluded.
    result = search(index_dir, "combats Zanzibar -Pompeo")
    assert result.total == 0
    assert ids(result) == [SEED_000]
    assert result.hits[0].partial


def test_a_hyphen_inside_a_word_is_not_an_exclusion(index_dir):
    assert found(index_dir, "porte-parole") == BOTH


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pompeo OU Waldhauser", BOTH),
        ("Pompeo OR Waldhauser", BOTH),
        ("Pompeo ET Tripoli", {SEED_002}),
        ("Pompeo AND Tripoli", {SEED_002}),
        ("Pompeo ET Waldhauser", set()),
        ("Tripoli SAUF Pompeo", {SEED_000}),
        ("Tripoli NOT Pompeo", {SEED_000}),
        ("(Pompeo OU Waldhauser) ET Tripoli", BOTH),
        ("(Pompeo OU Waldhauser) SAUF Salame", {SEED_000}),
    ],
)
def test_operators_in_french_and_english(index_dir, text, expected):
    assert found(index_dir, text) == expected


def test_written_operators_add_no_partial_matches(index_dir):
    result = search(index_dir, "Pompeo ET Waldhauser")
    assert result.total == 0
    assert result.hits == ()


def test_lower_case_et_ou_are_ordinary_words(index_dir):
    # « ou » in lower case is a stop word, not OR: both words are required.
    result = search(index_dir, "Pompeo ou Waldhauser")
    assert result.total == 0
    assert set(ids(result, partial=True)) == BOTH


def test_title_field(index_dir):
    # 002's derived title mentions Tripoli, 000's does not; both bodies do.
    assert found(index_dir, "Tripoli") == BOTH
    assert found(index_dir, "titre:Tripoli") == {SEED_002}
    assert found(index_dir, "title:tripoli") == {SEED_002}
    assert found(index_dir, "titre:retrait") == {SEED_000}
    assert found(index_dir, "texte:Pompeo") == {SEED_002}


# Partial matches


def test_partial_matches_follow_the_full_ones_and_are_not_counted(index_dir):
    # « Pompeo » is only in 002, « Waldhauser » only in 000: no dispatch holds both.
    result = search(index_dir, "Pompeo Waldhauser")
    assert result.total == 0
    assert set(ids(result)) == BOTH
    assert all(hit.partial for hit in result.hits)


def test_full_match_first_then_partial(index_dir):
    # 002 holds both words, 000 only « Tripoli ».
    result = search(index_dir, "Tripoli Pompeo")
    assert result.total == 1
    assert [(hit.id, hit.partial) for hit in result.hits] == [(SEED_002, False), (SEED_000, True)]


def test_partial_matches_only_on_the_first_page(index_dir):
    result = search(index_dir, "Pompeo Waldhauser", page=2)
    assert result.hits == ()


def test_partial_matches_respect_the_date_filter(index_dir):
    # 000 is dated 2019-04; 002 is undated but inherits that date from its story.
    result = search(index_dir, "Pompeo Waldhauser", year=2018)
    assert result.hits == ()
    result = search(index_dir, "Pompeo Waldhauser", year=2019)
    assert set(ids(result, partial=True)) == BOTH


# Dates: filters, sorting and facets


DATED = {
    "a.txt": "date 2019-04-07\n\nPort de Tripoli\n\nLe port de Tripoli a rouvert dimanche aux cargos de blé.",
    "b.txt": "date 2019-04-20\n\nPort de Benghazi\n\nUne grue est tombée sur le quai du port de Benghazi.",
    "c.txt": "date 2019-04\n\nPort de Misrata\n\nLes dockers du port de Misrata réclament des primes.",
    "d.txt": "date 2019\n\nBilan portuaire\n\nLe trafic du port de Zouara a doublé en un an.",
    "e.txt": "date 2018-12-31\n\nPort de Syrte\n\nLe port de Syrte ferme pour travaux de dragage.",
    "f.txt": "Port de Tobrouk\n\nUn pétrolier est attendu au port de Tobrouk, selon la compagnie.",
    "g.txt": "date 2019-05-02\n\nPort de Derna\n\nLa pêche reprend dans le port de Derna après la tempête.",
}


@pytest.fixture
def dated_index(tmp_path, make_archive) -> Path:
    directory = tmp_path / "index"
    report = reindex(directory, [make_archive(DATED)])
    assert report.added == len(DATED) and not report.failures
    return directory


def test_dates_and_precisions_of_hits(dated_index):
    hits = {hit.id: hit for hit in search(dated_index, "port", page_size=20).hits}
    assert hits["a.txt"].date == PartialDate(2019, 4, 7)
    assert (hits["a.txt"].precision, hits["c.txt"].precision, hits["d.txt"].precision) == ("day", "month", "year")
    assert hits["f.txt"].date is None and hits["f.txt"].precision is None


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"year": 2019}, {"a.txt", "b.txt", "c.txt", "d.txt", "g.txt"}),
        ({"year": 2018}, {"e.txt"}),
        ({"month": "2019-04"}, {"a.txt", "b.txt", "c.txt"}),
        ({"day": "2019-04-07"}, {"a.txt"}),
        ({"undated": True}, {"f.txt"}),
        ({"date_from": PartialDate(2019, 4, 10), "date_to": PartialDate(2019, 5)}, {"b.txt", "g.txt"}),
        ({"date_from": PartialDate(2019, 5)}, {"g.txt"}),
        ({"date_to": PartialDate(2018)}, {"e.txt"}),
    ],
)
def test_date_filters(dated_index, options, expected):
    assert set(ids(search(dated_index, "port", page_size=20, **options))) == expected
    assert search(dated_index, "port", **options).total == len(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("port date:2019-04", {"a.txt", "b.txt", "c.txt"}),
        ("date:2019-04 port", {"a.txt", "b.txt", "c.txt"}),
        ("port date:2019-04-20", {"b.txt"}),
        ("port date:2018", {"e.txt"}),
        ("port date:2019-04-10..2019-05", {"b.txt", "g.txt"}),
        ("date:2019-05", {"g.txt"}),
    ],
)
def test_date_in_the_query(dated_index, text, expected):
    result = search(dated_index, text, page_size=20)
    assert set(ids(result)) == expected
    assert result.total == len(expected)
    assert result.notice is None


def test_an_impossible_date_is_a_notice_and_the_words_are_searched(dated_index):
    result = search(dated_index, "Tripoli date:2019-13")
    assert ids(result) == ["a.txt"]
    assert "date illisible" in result.notice


def test_sort_by_date_undated_last_both_ways(dated_index):
    newest = ids(search(dated_index, "port", sort=Sort.NEWEST, page_size=20))
    oldest = ids(search(dated_index, "port", sort=Sort.OLDEST, page_size=20))
    assert newest == ["g.txt", "b.txt", "a.txt", "c.txt", "d.txt", "e.txt", "f.txt"]
    assert oldest == ["e.txt", "d.txt", "c.txt", "a.txt", "b.txt", "g.txt", "f.txt"]


def test_sort_by_date_pages(dated_index):
    pages = [ids(search(dated_index, "port", sort=Sort.NEWEST, page_size=3, page=n)) for n in (1, 2, 3)]
    assert pages == [["g.txt", "b.txt", "a.txt"], ["c.txt", "d.txt", "e.txt"], ["f.txt"]]


def test_an_empty_query_lists_everything_newest_first(dated_index):
    result = search(dated_index, "", sort=Sort.NEWEST, page_size=20)
    assert result.total == len(DATED)
    assert ids(result)[0] == "g.txt" and ids(result)[-1] == "f.txt"


def facet(values) -> dict[str, int]:
    return {value.value: value.count for value in values}


def test_year_facets_and_undated_count(dated_index):
    facets = search(dated_index, "port").facets
    assert facet(facets.years) == {"2018": 1, "2019": 5}
    assert facets.months == () and facets.days == ()
    assert facets.undated == 1


def test_month_facets_inside_a_year(dated_index):
    facets = search(dated_index, "port", year=2019).facets
    # d.txt is known to the year only: it is in the year, in no month.
    assert facet(facets.months) == {"2019-04": 3, "2019-05": 1}
    # The years stay all visible, to go from one to another.
    assert facet(facets.years) == {"2018": 1, "2019": 5}


def test_day_facets_inside_a_month(dated_index):
    facets = search(dated_index, "port", month="2019-04").facets
    # c.txt is known to the month only: it is in the month, on no day.
    assert facet(facets.days) == {"2019-04-07": 1, "2019-04-20": 1}
    assert facet(facets.months) == {"2019-04": 3, "2019-05": 1}


def test_facets_count_the_matching_dispatches_only(dated_index):
    facets = search(dated_index, "Tripoli OU Tobrouk OU Syrte").facets
    assert facet(facets.years) == {"2018": 1, "2019": 1}
    assert facets.undated == 1


# Snippets, suggestions


def test_snippet_marks_the_matched_words(index_dir):
    snippet = search(index_dir, "Pompeo").hits[0].snippet
    marks = [mark.get_text() for mark in BeautifulSoup(snippet, "html.parser").find_all("mark")]
    assert marks and set(marks) == {"Pompeo"}


def test_snippet_marks_inflected_and_accented_forms(index_dir):
    snippet = search(index_dir, "securite combat").hits[0].snippet
    marks = {mark.get_text() for mark in BeautifulSoup(snippet, "html.parser").find_all("mark")}
    assert {"sécurité", "combats"} <= marks


def test_snippet_escapes_the_dispatch_text(tmp_path, make_archive):
    root = make_archive({
        "x.txt": "Alerte\n\nUn message <script>alert('x')</script> & <b>gras</b> est parvenu à Tripoli.",
    })
    reindex(tmp_path / "index", [root])
    snippet = search(tmp_path / "index", "Tripoli").hits[0].snippet
    assert "<script>" not in snippet and "<b>" not in snippet
    assert "&lt;script&gt;" in snippet and "&amp;" in snippet
    soup = BeautifulSoup(snippet, "html.parser")
    assert [tag.name for tag in soup.find_all(True)] == ["mark"]
    assert soup.mark.get_text() == "Tripoli"


def test_no_snippet_when_not_asked(index_dir):
    assert search(index_dir, "Pompeo", with_snippets=False).hits[0].snippet == ""


@pytest.mark.parametrize("text", ["Pompeoo", "Pompeu", "pompeoo"])
def test_did_you_mean(index_dir, text):
    result = search(index_dir, text)
    assert result.total == 0
    assert result.suggestion is not None and "pompeo" in result.suggestion.lower()


def test_did_you_mean_keeps_the_known_words(index_dir):
    suggestion = search(index_dir, "combats Pompeoo").suggestion
    assert suggestion is not None
    assert suggestion.split()[0] == "combats" and suggestion.split()[1].lower() == "pompeo"


def test_no_suggestion_for_known_words(index_dir):
    assert search(index_dir, "Pompeo combats").suggestion is None


# Queries that cannot be read as typed


MALFORMED = [
    '"maréchal Khalifa',
    'maréchal "Khalifa',
    '"',
    '""',
    "(combats",
    "combats)",
    "((combats",
    "()",
    "ET",
    "OU",
    "SAUF",
    "NOT",
    "combats ET",
    "OU combats",
    "-",
    "--",
    "- combats",
    "titre:",
    "titre: combats",
    "titre:titre:",
    "date:",
    "date:2019-13",
    "*",
    "**",
    "?",
    "???",
    "a*",
    "*a",
    "[a TO z]",
    "{",
    "^",
    "combats^",
    "le la les",
    "'",
    "’",
    "x" * 5_000,
    "combats " * 1_000,
    " ".join(f"mot{i}" for i in range(5_000)),
    "\x00",
    "combats\x00Pompeo",
]


@pytest.mark.parametrize("text", MALFORMED, ids=lambda t: repr(t[:30]))
def test_malformed_queries_get_results_or_a_notice(index_dir, text):
    result = search(index_dir, text)
    assert result.hits or result.notice, "neither results nor a notice"
    assert result.total <= 2


def test_a_long_query_is_cut_with_a_notice(index_dir):
    result = search(index_dir, "Pompeo " + "x " * MAX_QUERY_CHARS)
    assert ids(result) == [SEED_002]
    assert "tronquée" in result.notice


def test_a_dangling_field_prefix_is_left_out_with_a_notice(index_dir):
    result = search(index_dir, "Pompeo titre:")
    assert ids(result) == [SEED_002]
    assert "titre:" in result.notice


def test_stop_words_only_is_a_notice(index_dir):
    result = search(index_dir, "le la les")
    assert result.total == 0 and result.hits == ()
    assert "aucun mot" in result.notice


def test_a_lone_operator_is_a_notice(index_dir):
    result = search(index_dir, "ET")
    assert result.total == 0
    assert result.notice


# Prefixes and wildcards


def test_prefix_and_wildcard(index_dir):
    assert found(index_dir, "Pomp*") == {SEED_002}
    assert found(index_dir, "Pomp?o") == {SEED_002}
    assert found(index_dir, "Waldh*") == {SEED_000}


def a_words(count: int) -> list[str]:
    """`count` distinct words starting with « a » that the stemmer leaves distinct."""
    letters = "bcdfghjklmnpqrstvwxz"
    return [f"a{letters[i // 400 % 20]}{letters[i // 20 % 20]}{letters[i % 20]}ub" for i in range(count)]


@pytest.mark.slow
def test_prefix_expansion_is_bounded_to_the_most_frequent_words(tmp_path, make_archive):
    words = a_words(MAX_EXPANSION + 100)
    files = {f"{n:03d}.txt": f"Dépêche {n}\n\nNuméro {n} : {word}." for n, word in enumerate(words)}
    # One more word, rarer in the vocabulary order but in two dispatches: the most
    # frequent words are the ones kept.
    files["x1.txt"] = "Spécial un\n\nUn mot zigzag : azzzub."
    files["x2.txt"] = "Spécial deux\n\nDeux fois zigzag : azzzub."
    root = make_archive(files)
    reindex(tmp_path / "index", [root])
    everything = search(tmp_path / "index", "a*")
    assert everything.total == MAX_EXPANSION + 1  # 255 single words + the one in two dispatches
    assert found(tmp_path / "index", "a* zigzag") == {"x1.txt", "x2.txt"}
    assert search(tmp_path / "index", "*").total <= len(files)


# A live handle sees reindexes


def test_an_open_index_sees_a_reindex(tmp_path, make_archive):
    root = make_archive({"a.txt": "Premier\n\nLe port de Tripoli a rouvert."})
    directory = tmp_path / "index"
    reindex(directory, [root])
    archive = open_index(directory)
    assert archive.search(SearchRequest(query="Benghazi")).total == 0
    (root / "b.txt").write_text("Second\n\nUne grue est tombée à Benghazi.", encoding="utf-8")
    reindex(directory, [root])
    assert [hit.id for hit in archive.search(SearchRequest(query="Benghazi")).hits] == ["b.txt"]
    reindex(directory, [root], rebuild=True)
    assert archive.search(SearchRequest(query="Benghazi")).total == 1
    assert archive.count() == 2


# One dispatch, highlighted


def test_get_highlights_the_query_in_the_whole_text(index_dir):
    stored = open_index(index_dir).get(SEED_002, highlight="Pompeo combat")
    assert stored.dispatch.id == SEED_002
    html = " ".join(stored.paragraphs_html)
    marks = {mark.get_text() for mark in BeautifulSoup(html, "html.parser").find_all("mark")}
    assert marks == {"Pompeo", "combats"}
    assert "<mark>" in stored.title_html  # « … par les combats près de Tripoli … »


def test_get_without_a_query_marks_nothing(index_dir):
    stored = open_index(index_dir).get(SEED_000)
    assert "<mark>" not in " ".join(stored.paragraphs_html)
    assert stored.dispatch.date == PartialDate(2019, 4)


def test_get_an_unknown_id(index_dir):
    assert open_index(index_dir).get("nowhere.txt") is None


def test_get_highlights_what_a_prefix_matched(index_dir):
    stored = open_index(index_dir).get(SEED_002, highlight="Pomp*")
    marks = {mark.get_text() for p in stored.paragraphs_html for mark in BeautifulSoup(p, "html.parser").find_all("mark")}
    assert marks == {"Pompeo"}
