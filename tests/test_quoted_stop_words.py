"""Quoted phrases read their little words (« le », « de », « la »): « "Le Maire" » is
the name, not any « maire »; an unquoted « Le Maire » still finds every « maire » but
ranks the name first and offers the quoted search.

On a real index of a small crafted archive, through the search function and the page.
"""

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from index import SearchRequest, SearchResult, open_index
from index.whoosh.analysis import exact_index_analyzer, exact_sequence
from web import create_app

DISPATCHES = {
    "lemaire.txt": "date 2019-03-01\nBudget\n\nLe ministre Bruno Le Maire présente le budget.\n",
    "nouveau.txt": "date 2019-03-02\nLyon\n\nLe nouveau maire de Lyon prend ses fonctions.\n",
    # « maire » three times in a short body: on its words alone, it outranks the name.
    "maire.txt": "date 2019-03-03\nMaire\n\nMaire, maire adjoint, maire honoraire.\n",
    # « maires »: a variant of « maire », not its exact form.
    "maires.txt": "date 2019-03-04\nCongrès\n\nLes maires de France se réunissent.\n",
    "republique.txt": "date 2019-05-02\nConseil\n\nLe président de la République a réuni le gouvernement.\n",
    # « président » then « la République », without « de ».
    "sans-de.txt": "date 2019-05-03\nDiscours\n\nSelon le président, la République tiendra.\n",
    "ville.txt": "date 2019-05-04\nParis\n\nUn président de club visite la ville.\n",
}


@pytest.fixture
def index_dir(make_index) -> Path:
    return make_index(DISPATCHES)


def search(index_dir: Path, text: str, **options) -> SearchResult:
    return open_index(index_dir).search(SearchRequest(query=text, collapse_versions=False, **options))


def full(result: SearchResult) -> list[str]:
    return [hit.id.removesuffix(".txt") for hit in result.hits if not hit.partial]


def test_the_exact_fields_index_stop_words_at_the_position_of_the_next_word():
    tokens = [(t.text, t.pos) for t in exact_index_analyzer()("Le ministre de la Culture, de la", positions=True,
                                                               mode="index")]
    # Words keep the positions they had without stop words; the last « de la » has no word after it.
    assert tokens == [("ministre", 1), ("le", 1), ("culture", 2), ("de", 2), ("la", 2)]
    # Searching, the field's analyzer is the stop filter alone (unquoted words).
    assert [t.text for t in exact_index_analyzer()("Le ministre de la Culture", mode="query")] == ["ministre", "culture"]
    # A quoted phrase asks for each stop word where the word after it stands; stop
    # words after its last word have no word to stand with.
    assert exact_sequence("le ministre de la") == (["le", "ministre"], [0, 0])
    assert exact_sequence("ministre de la Culture") == (["ministre", "de", "la", "culture"], [0, 1, 0, 0])


@pytest.mark.parametrize("text", ['"Le Maire"', "« Le Maire »", "“le maire”"])
def test_a_quoted_name_with_an_article_is_not_any_maire(index_dir, text):
    # Not « le nouveau maire », not « Maire, maire adjoint », not « les maires ».
    assert full(search(index_dir, text)) == ["lemaire"]


def test_a_quoted_phrase_needs_its_little_words(index_dir):
    assert full(search(index_dir, '"président de la République"')) == ["republique"]
    # « la République » ends the run « de la »: both dispatches hold it.
    assert sorted(full(search(index_dir, '"la République"'))) == ["republique", "sans-de"]
    # The little words must stand right before the word after them.
    assert full(search(index_dir, '"président de club"')) == ["ville"]
    assert full(search(index_dir, '"président de ville"')) == []


def test_proximity_still_counts_words_not_little_words(index_dir):
    # « président de la République a réuni »: « réuni » is the next word after « République ».
    assert full(search(index_dir, '"président de la République réuni"')) == ["republique"]
    assert full(search(index_dir, '"président réuni"~2')) == ["republique"]


def test_unquoted_words_find_the_variants_and_rank_the_sequence_first(index_dir):
    ranked = full(search(index_dir, "Le Maire"))
    assert ranked[0] == "lemaire", ranked
    assert set(ranked) == {"lemaire", "nouveau", "maire", "maires"}


def test_the_offer_counts_the_quoted_words_in_order(index_dir):
    result = search(index_dir, "Le Maire")
    assert [(o.kind, o.query, o.exact, o.variants) for o in result.offers] == [("exact", '"Le Maire"', 1, 4)]
    assert result.offers[0].message == '"Le Maire" : 1 dépêche avec ces mots exacts, 4 avec leurs variantes'


def test_a_quoted_phrase_marks_its_words_on_the_page(index_dir):
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    response = client.get("/?q=%22Le+Maire%22")
    assert response.status_code == 200
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert [m.get_text() for m in soup.select("ol.results mark")] == ["Maire"]


def test_whoosh_reads_a_sequence_as_the_archive_does(index_dir):
    """Queries index/whoosh/scoring.py leaves to Whoosh read a quoted phrase's stop words
    through `Sequence.matcher`: the same documents as the archive's own matching."""
    from index.whoosh.matching import matching
    from index.whoosh.phrases import Sequence

    with open_index(index_dir) as handle:
        searcher, generation = handle._searcher()
        for text in ("Le Maire", "président de la République", "la République", "président de ville"):
            words, steps = exact_sequence(text)
            q = Sequence("body_exact", words, steps)
            ours = matching(searcher, q, generation).tolist()
            assert sorted(searcher.docs_for_query(q)) == ours
            ids = sorted(searcher.stored_fields(d)["id"].removesuffix(".txt") for d in ours)
            assert ids == {"Le Maire": ["lemaire"], "président de la République": ["republique"],
                           "la République": ["republique", "sans-de"], "président de ville": []}[text]
