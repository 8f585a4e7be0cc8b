"""Exact word forms beside stems: quotes (straight, « », “ ”), the exact switch,
exact forms ranked first, the offer of the exact search, and literal prefixes.

Every test runs on a real index of a small crafted archive and, where the page or the
API is concerned, on the real Flask app.
"""

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from bs4 import BeautifulSoup
from whoosh import query as wq

from index import SearchRequest, SearchResult, open_index, reindex
from index.whoosh import query as query_module
from index.whoosh.matching import matching
from index.whoosh.scoring import Scorer
from web import create_app
from web.cli import cli

# Each dispatch: a title line, a blank line, the body.
DISPATCHES = {
    "dati.txt": "date 2019-06-03\nRachida Dati candidate à Paris\n\n"
    "Rachida Dati a annoncé sa candidature pour Paris.\n",
    # « date » and « dates » share the stem of « Dati », and are said more often.
    "calendrier.txt": "date 2019-06-04\nLe calendrier électoral\n\n"
    "La date du scrutin est connue, les dates des débats aussi : une date, des dates.\n",
    "agenda.txt": "date 2019-06-05\nAgenda\n\n"
    "Les dates du sommet et la date des votes sont fixées.\n",
    "presidente.txt": "date 2019-05-01\nVisite d’État\n\n"
    "La présidente de la République est arrivée à Berlin.\n",
    "president.txt": "date 2019-05-02\nConseil des ministres\n\n"
    "Le président de la République a réuni le gouvernement.\n",
    "presidence.txt": "date 2019-05-03\nCommuniqué\n\n"
    "La présidence de la République a publié un communiqué.\n",
    "militaire.txt": "date 2019-04-01\nOpération militaire\n\n"
    "Une opération militaire a dispersé les militants.\n",
    "millionnaires.txt": "date 2019-04-02\n83 millionnaires\n\n"
    "Les millionnaires demandent à payer plus d’impôts.\n",
    "lemaire.txt": "date 2019-03-01\nBruno Le Maire à Bercy\n\n"
    "Le ministre Bruno Le Maire présente le budget.\n",
    "mairie.txt": "date 2019-03-02\nTravaux\n\n"
    "La mairie de Lyon lance des travaux, disent les mairies voisines.\n",
    "royal.txt": "date 2019-02-01\nSégolène Royal\n\n"
    "Ségolène Royal publie un livre.\n",
    "royale.txt": "date 2019-02-02\nLa marine\n\n"
    "La marine royale britannique croise au large, près du yacht de la famille royale.\n",
}


@pytest.fixture
def archive_root(make_archive) -> Path:
    return make_archive(DISPATCHES)


@pytest.fixture
def index_dir(tmp_path: Path, archive_root: Path) -> Path:
    directory = tmp_path / "exact-index"
    reindex(directory, [archive_root])
    return directory


@pytest.fixture
def client(index_dir: Path):
    return create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()


def search(index_dir: Path, text: str, **options) -> SearchResult:
    with open_index(index_dir) as handle:
        return handle.search(SearchRequest(query=text, **options))


def full(result: SearchResult) -> list[str]:
    """Ids of the dispatches holding all the words, in rank order."""
    return [hit.id.removesuffix(".txt") for hit in result.hits if not hit.partial]


def page(client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def result_ids(soup: BeautifulSoup) -> list[str]:
    return [urlsplit(a["href"]).path.removeprefix("/depeche/") for a in soup.select("ol.results .hit-title a")]


def api(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()


# Quotes mean exact forms


@pytest.mark.parametrize("text", ['"Dati"', "« Dati »", "«Dati»", "“Dati”"])
def test_a_quoted_name_finds_only_its_exact_form(index_dir, text):
    result = search(index_dir, text)
    assert full(result) == ["dati"]
    assert result.total == 1


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("présidente de la République", "presidente"),
        ("président de la République", "president"),
        ("présidence de la République", "presidence"),
    ],
)
@pytest.mark.parametrize("quotes", [('"', '"'), ("« ", " »"), ("“", "”")])
def test_quoted_phrases_keep_their_word_forms(index_dir, phrase, expected, quotes):
    result = search(index_dir, f"{quotes[0]}{phrase}{quotes[1]}")
    assert full(result) == [expected]


def test_quoted_words_must_follow_each_other(index_dir):
    assert full(search(index_dir, "« Rachida Dati »")) == ["dati"]
    assert full(search(index_dir, "« Dati Rachida »")) == []


def test_proximity_keeps_working_over_exact_forms(index_dir):
    # « Rachida Dati a annoncé » : « annoncé » two positions after « Rachida » (« a » is
    # a stop word).
    assert full(search(index_dir, "« Rachida annoncé »~2")) == ["dati"]
    assert full(search(index_dir, "“Rachida annoncé”~2")) == ["dati"]
    assert full(search(index_dir, '"Rachida annoncé"')) == []
    # Within N positions, but still the exact forms.
    assert full(search(index_dir, '"Rachida annoncés"~2')) == []


def test_quoted_name_against_a_common_word_of_the_same_stem(index_dir):
    assert full(search(index_dir, '"Royal"')) == ["royal"]
    assert full(search(index_dir, '"royale"')) == ["royale"]
    # « Le » is a stop word in both fields; « mairie » and « mairies » are variants.
    assert full(search(index_dir, '"Le Maire"')) == ["lemaire"]


def test_a_quoted_word_is_highlighted_only_in_its_exact_form(client):
    soup = page(client, "/?q=%22Royal%22&versions=toutes")
    assert [m.get_text() for m in soup.select("ol.results mark")] == ["Royal"]


def test_exact_form_scores_are_whoosh_scores(index_dir):
    """The NumPy scorer ranks the exact-form fields as Whoosh does: a word with its
    boosted exact form, a phrase and a prefix's words."""
    with open_index(index_dir) as handle:
        searcher, generation = handle._searcher()
        scorer = Scorer(searcher, generation, matching)
        queries = [
            wq.Or([wq.Term("body", "dat"), wq.Term("body_exact", "dati", boost=query_module.EXACT_BOOST)]),
            wq.Phrase("body_exact", ["presidente", "republique"]),
            wq.Or([wq.Term("title_exact", "royal"), wq.Term("body_exact", "royale")]),
            wq.Term("body_exact", "militants"),
        ]
        for q in queries:
            ours = scorer.score(q)
            theirs = {hit.docnum: hit.score for hit in searcher.search(q, limit=None)}
            assert ours.size and ours.docs.tolist() == sorted(theirs)
            assert np.allclose(ours.scores, [theirs[d] for d in ours.docs.tolist()], rtol=1e-9)


# Unquoted words: variants still found, exact forms first


@pytest.mark.parametrize(
    ("text", "first", "variants"),
    [
        ("Dati", "dati", {"calendrier", "agenda"}),
        ("royale", "royale", {"royal"}),
    ],
)
def test_unquoted_words_find_their_variants_after_the_exact_form(index_dir, text, first, variants):
    ranked = full(search(index_dir, text))
    assert ranked[0] == first, ranked
    assert set(ranked[1:]) == variants


def test_the_exact_form_outranks_a_variant_said_more_often(index_dir):
    """« date » four times in a short body beats one « Dati » on stems alone: the exact
    form's clause is what puts the name first."""
    ranked = full(search(index_dir, "Dati"))
    assert ranked.index("dati") < ranked.index("calendrier")


# The offer of the exact search


def test_the_result_offers_the_exact_search_when_variants_dominate(index_dir):
    result = search(index_dir, "Dati")
    assert [(o.kind, o.query, o.exact, o.variants) for o in result.offers] == [("exact", '"Dati"', 1, 3)]
    assert result.offers[0].message == "Dati : 1 dépêche avec ce mot exact, 3 avec ses variantes"


def test_no_offer_when_the_exact_form_is_all_there_is(index_dir):
    assert search(index_dir, "Rachida").offers == ()
    assert search(index_dir, '"Dati"').offers == ()
    assert search(index_dir, "Dati", exact=True).offers == ()


def test_the_page_shows_the_offer_with_a_link_to_the_quoted_query(client):
    soup = page(client, "/?q=Dati")
    offer = soup.select_one(".offer")
    assert offer is not None
    assert "1 dépêche avec ce mot exact, 3 avec ses variantes" in offer.get_text(" ", strip=True)
    link = offer.find("a")
    assert parse_qs(urlsplit(link["href"]).query)["q"] == ['"Dati"']
    assert result_ids(page(client, link["href"])) == ["dati.txt"]


def test_the_api_gives_the_offer(client):
    data = api(client, "/api/search?q=Dati")
    assert data["offers"] == [
        {
            "kind": "exact",
            "message": "Dati : 1 dépêche avec ce mot exact, 3 avec ses variantes",
            "query": '"Dati"',
            "exact": 1,
            "variants": 3,
        }
    ]


# The exact switch


def test_the_exact_switch_applies_exact_forms_to_every_word(index_dir):
    assert full(search(index_dir, "Dati", exact=True)) == ["dati"]
    assert full(search(index_dir, "Rachida Dati", exact=True)) == ["dati"]
    assert set(full(search(index_dir, "dates", exact=True))) == {"calendrier", "agenda"}
    assert full(search(index_dir, "Royal", exact=True)) == ["royal"]


def test_the_exact_switch_in_the_url(client):
    soup = page(client, "/?q=Dati&exact=1")
    assert result_ids(soup) == ["dati.txt"]
    assert parse_qs(urlsplit(soup.select_one("ol.results .hit-title a")["href"]).query)["exact"] == ["1"]
    # The switch is a control of the form, checked, and other links keep it.
    box = soup.select_one("form.search-form input[name=exact]")
    assert box is not None and box.has_attr("checked")
    assert all("exact=1" in a["href"] for a in soup.select("nav.sort a"))


def test_the_exact_switch_in_the_api(client):
    data = api(client, "/api/search?q=Dati&exact=1")
    assert [hit["id"] for hit in data["hits"]] == ["dati.txt"]
    assert data["exact"] is True
    assert api(client, "/api/search?q=Dati")["exact"] is False


def test_a_bad_exact_value_is_a_french_400(client):
    response = client.get("/api/search?q=Dati&exact=peut-etre")
    assert response.status_code == 400
    assert "exact" in response.get_json()["error"]


def test_the_exact_switch_in_the_command(runner, index_dir):
    result = runner.invoke(cli, ["search", "--index", str(index_dir), "--exact", "--json", "Dati"])
    assert result.exit_code == 0, result.output
    assert [hit["id"] for hit in json.loads(result.output)["hits"]] == ["dati.txt"]


# Literal prefixes


def test_a_prefix_expands_over_word_forms_not_stems(index_dir):
    result = search(index_dir, "milit*")
    assert full(result) == ["militaire"]
    assert "millionnaires.txt" not in [hit.id for hit in result.hits]


def test_a_prefix_highlights_only_the_words_it_matches(client):
    soup = page(client, "/?q=milit*")
    assert sorted(m.get_text() for m in soup.select("ol.results mark")) == ["militaire", "militants"]


def test_a_prefix_longer_than_a_stem_still_matches(index_dir):
    # « présidente » stems to « president »: as a stem prefix, « présidente* » found nothing.
    assert full(search(index_dir, "présidente*")) == ["presidente"]


def test_a_lone_star_is_the_empty_query(index_dir):
    """`*` takes the path of the empty query: no term is expanded or scored, and the
    page is the archive's, newest first."""
    from whoosh import query as wq

    with open_index(index_dir) as handle:
        schema = handle._searcher()[0].schema
    parsed = query_module.parse("*", schema)
    assert isinstance(parsed.everything, wq.Every) and parsed.is_empty
    star, empty = search(index_dir, "*"), search(index_dir, "")
    assert star.total == empty.total == len(DISPATCHES)
    assert [hit.id for hit in star.hits] == [hit.id for hit in empty.hits]


def test_a_prefix_of_too_many_words_is_cut_and_says_so(tmp_path, make_archive):
    words = " ".join(f"zorg{i:03d}" for i in range(query_module.MAX_EXPANSION + 44))
    root = make_archive({"zorg.txt": f"Liste\n\n{words}.\n", "autre.txt": "Autre\n\nRien ici.\n"}, name="zorg")
    reindex(tmp_path / "zorg-index", [root])
    result = search(tmp_path / "zorg-index", "zorg*")
    assert full(result) == ["zorg"]
    assert result.notice is not None and "zorg*" in result.notice
    assert f"{query_module.MAX_EXPANSION} mots" in result.notice
    # A prefix that expands to few words says nothing.
    assert search(tmp_path / "zorg-index", "zorg00*").notice is None


# An index written before exact forms


def test_an_index_without_exact_forms_asks_for_a_rebuild(tmp_path, index_dir, archive_root, runner):
    from index import NeedsRebuild
    from index.whoosh.schema import VERSION_FILE

    # What the previous schema (3: stems only) recorded beside its index.
    (index_dir / VERSION_FILE).write_text(json.dumps({"schema_version": 3}))
    with pytest.raises(NeedsRebuild):
        open_index(index_dir)
    result = runner.invoke(cli, ["search", "--index", str(index_dir), "Dati"])
    assert result.exit_code != 0 and "--rebuild" in result.output
    result = runner.invoke(cli, ["reindex", "--index", str(index_dir), "--rebuild", str(archive_root)])
    assert result.exit_code == 0, result.output
    assert full(search(index_dir, '"Dati"')) == ["dati"]


def test_a_cut_prefix_keeps_the_words_most_frequent_over_every_segment(tmp_path, make_archive, monkeypatch):
    """The words a cut prefix keeps are counted over the whole index: « zorga » is in
    two dispatches of the first segment and two of the second (four), « zorgb » in three
    of the first: « zorgb » leads each segment, « zorga » the index."""
    from index.whoosh.store import open_live

    first = {f"b{i}.txt": f"B{i}\n\nzorgb.\n" for i in range(3)}
    first |= {f"a{i}.txt": f"A{i}\n\nzorga.\n" for i in range(2)}
    root = make_archive(first, name="zorg")
    reindex(tmp_path / "ix", [root])
    for i in range(2, 4):
        (root / f"a{i}.txt").write_text(f"A{i}\n\nzorga.\n", encoding="utf-8")
    reindex(tmp_path / "ix", [root])
    with open_live(tmp_path / "ix").searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) == 2
    monkeypatch.setattr(query_module, "MAX_EXPANSION", 1)
    result = search(tmp_path / "ix", "zorg*")
    assert sorted(full(result)) == ["a0", "a1", "a2", "a3"]
    assert result.notice is not None and "zorg*" in result.notice


def test_a_prefix_kept_from_one_query_to_the_next_sees_a_reindex(tmp_path, make_archive):
    """A prefix's words are kept per index generation for the next query: a word that a
    reindex adds is found by the same prefix asked again on the same handle."""
    root = make_archive({"un.txt": "Un\n\nzorga zorgb.\n"}, name="zorg")
    reindex(tmp_path / "ix", [root])
    with open_index(tmp_path / "ix") as handle:
        assert full(handle.search(SearchRequest(query="zorg*"))) == ["un"]
        (root / "deux.txt").write_text("Deux\n\nzorgz.\n", encoding="utf-8")
        reindex(tmp_path / "ix", [root])
        assert sorted(full(handle.search(SearchRequest(query="zorg*")))) == ["deux", "un"]
