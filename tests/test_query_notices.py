"""Queries that could be misread say so: an unknown field prefix, a lowercase operator
between two words, an unreadable date, a reversed period. On a real index of a small
crafted archive, through the search function, the page and the JSON API."""

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from index import SearchRequest, SearchResult, open_index
from web import create_app

DISPATCHES = {
    "tripoli.txt": "date 2018-06-01\nCombats à Tripoli\n\nDes combats ont repris à Tripoli, selon l’AFP.\n",
    "benghazi.txt": "date 2019-03-01\nBenghazi sous tension\n\nLa ville de Benghazi attend, selon l’AFP.\n",
    "libye.txt": "date 2019-04-01\nLibye\n\nTripoli et Benghazi, deux capitales rivales ; Pompeo appelle au calme.\n",
    "sauf.txt": "date 2020-01-01\nSauf imprévu\n\nLa Libye votera sauf imprévu, dit Pompeo.\n",
}


@pytest.fixture
def index_dir(make_index) -> Path:
    return make_index(DISPATCHES)


@pytest.fixture
def client(index_dir: Path):
    return create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()


def search(index_dir: Path, text: str, **options) -> SearchResult:
    with open_index(index_dir) as handle:
        return handle.search(SearchRequest(query=text, collapse_versions=False, **options))


def ids(result: SearchResult) -> set[str]:
    return {hit.id.removesuffix(".txt") for hit in result.hits if not hit.partial}


@pytest.mark.parametrize("prefix", ["lieu", "genre", "Lieu"])
def test_an_unknown_field_prefix_is_searched_as_words_and_said(index_dir, prefix):
    result = search(index_dir, f"{prefix}:AFP")
    assert result.notice is not None
    assert f"« {prefix}: »" in result.notice
    assert "titre, texte, date" in result.notice
    # Read as before: the words themselves (« lieu », « genre » are in no dispatch).
    assert ids(result) == ids(search(index_dir, f"{prefix} AFP"))
    # Known fields and times of day are no field prefix.
    assert search(index_dir, "titre:Libye").notice is None
    assert search(index_dir, "Tripoli 14:30").notice is None


@pytest.mark.parametrize("text", ["source:AFP", "auteur:AFP", "Auteur:AFP", 'auteur:"Jean Dupont"', "SOURCE:afp"])
def test_source_and_author_are_known_fields(index_dir, text):
    # Filters, not words: no notice, and the seeds (signed by no one) give nothing.
    result = search(index_dir, f"Tripoli {text}")
    assert (result.notice, result.total, result.partial_total) == (None, 0, 0)
    assert search(index_dir, "Tripoli").total > 0


@pytest.mark.parametrize("text", ["Prélèvement à la source : Darmanin", "Source : Darmanin prélèvement",
                                  "auteur : Darmanin prélèvement"])
def test_a_field_name_before_a_spaced_colon_is_a_word(make_index, text):
    # French typography puts a space before the colon: a headline pasted as the query
    # (« Prélèvement à la source : Darmanin confirme… ») names no source or author.
    index_dir = make_index({
        "impot.txt": "date 2018-09-04\nImpôts\n\nLe prélèvement à la source aura lieu, dit Darmanin, son auteur.\n",
        "autre.txt": "date 2018-09-05\nAutre\n\nDarmanin parle de la source du prélèvement.\n",
        "loin.txt": "date 2018-09-06\nLoin\n\nDarmanin à Tourcoing.\n",
    })
    result = search(index_dir, text)
    assert result.notice is None
    assert ids(result) == ids(search(index_dir, text.replace(":", " "))) != set()
    assert "loin" not in ids(result)


def test_a_source_field_without_a_name_is_said_and_left_out(index_dir):
    result = search(index_dir, "Tripoli source:")
    assert "« source: » sans mot après lui" in result.notice
    assert ids(result) == ids(search(index_dir, "Tripoli"))


@pytest.mark.parametrize("text", ["Titre:Libye", "TITRE:Libye", "Texte:Pompeo"])
def test_field_prefixes_are_read_in_any_case(index_dir, text):
    assert ids(search(index_dir, text)) == ids(search(index_dir, text.lower()))
    assert ids(search(index_dir, "Titre:Libye")) == {"libye"}


def test_a_lowercase_ou_between_words_suggests_the_operator(index_dir):
    result = search(index_dir, "Tripoli ou Benghazi")
    assert result.notice is not None and "« ou »" in result.notice
    # The current reading is kept: both words.
    assert ids(result) == {"libye"}
    assert [(o.kind, o.message, o.query) for o in result.offers] == [
        ("operator", "Vouliez-vous dire OU ?", "Tripoli OU Benghazi")
    ]
    assert ids(search(index_dir, result.offers[0].query)) == {"tripoli", "benghazi", "libye"}
    # In capitals, or with a word on one side only, nothing is suggested.
    assert search(index_dir, "Tripoli OU Benghazi").notice is None
    assert search(index_dir, "ou Benghazi").offers == ()


def test_a_lowercase_sauf_between_words_suggests_the_operator(index_dir):
    result = search(index_dir, "Libye sauf Pompeo")
    assert result.notice is not None and "« sauf »" in result.notice
    assert ids(result) == {"sauf"}
    assert [(o.kind, o.message, o.query) for o in result.offers] == [
        ("operator", "Vouliez-vous dire SAUF ?", "Libye SAUF Pompeo")
    ]


def test_the_page_links_the_operator_suggestion(client):
    response = client.get("/?q=Tripoli+ou+Benghazi")
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    links = [a for a in soup.select(".offer a")]
    assert [parse_qs(urlsplit(a["href"]).query)["q"] for a in links] == [["Tripoli OU Benghazi"]]


@pytest.mark.parametrize("value", ["hier", "avril"])
def test_an_unreadable_date_is_said_and_not_searched_as_words(index_dir, value):
    result = search(index_dir, f"Benghazi date:{value}")
    assert result.notice is not None and f"date:{value}" in result.notice
    assert ids(result) == {"benghazi", "libye"}


def test_a_reversed_date_range_is_swapped_and_said(index_dir):
    result = search(index_dir, "Benghazi date:2019..2018")
    assert ids(result) == {"benghazi", "libye"}
    assert result.notice is not None and "inversée" in result.notice
    assert ids(search(index_dir, "date:2019-12..2018-01")) == {"tripoli", "benghazi", "libye"}


def test_a_reversed_period_is_swapped_and_said(client):
    data = client.get("/api/search?q=Benghazi&du=2019-12&au=2019-01&versions=toutes").get_json()
    assert {hit["id"] for hit in data["hits"]} == {"benghazi.txt", "libye.txt"}
    assert "inversée" in data["notice"]


def test_the_api_carries_the_notices(client):
    data = client.get("/api/search?q=lieu:AFP").get_json()
    assert "titre, texte, date" in data["notice"]
    data = client.get("/api/search?q=Tripoli+ou+Benghazi").get_json()
    assert data["offers"] == [
        {"kind": "operator", "message": "Vouliez-vous dire OU ?", "query": "Tripoli OU Benghazi",
         "exact": None, "variants": None}
    ]


# No offer of the exact search for queries it cannot help


OFFER_DISPATCHES = {
    "auteur.txt": "date 2019-01-01\nLivre\n\nUn auteur de l’AFP publie un livre.\n",
    "auteurs-1.txt": "date 2019-01-02\nSalon\n\nLes auteurs invités, selon l’AFP.\n",
    "auteurs-2.txt": "date 2019-01-03\nPrix\n\nDeux auteurs primés, rapporte l’AFP.\n",
    "ecrivain.txt": "date 2019-01-04\nPortrait\n\nUn écrivain de l’AFP répond.\n",
    "ecrivains-1.txt": "date 2019-01-05\nSalon\n\nLes écrivains invités, selon l’AFP.\n",
    "ecrivains-2.txt": "date 2019-01-06\nPrix\n\nDeux écrivains primés, rapporte l’AFP.\n",
    "royal.txt": "date 2019-02-01\nSégolène Royal\n\nSégolène Royal publie un livre.\n",
    "royale.txt": "date 2019-02-02\nLa marine\n\nLa marine royale croise au large.\n",
}


@pytest.fixture
def offers_index(make_index) -> Path:
    return make_index(OFFER_DISPATCHES, name="offers")


def test_no_exact_offer_for_a_word_with_an_unknown_field_prefix(offers_index):
    # « écrivain:AFP » is searched as « écrivain AFP »: three dispatches with « écrivain »
    # or « écrivains », one with both words exactly. Its quoted form would be another query.
    result = search(offers_index, "écrivain:AFP")
    assert ids(result) == {"ecrivain", "ecrivains-1", "ecrivains-2"}
    assert "écrivain: » n’est pas un champ" in result.notice
    assert [o.kind for o in result.offers] == []
    # The same words without the colon get the offer.
    assert [(o.kind, o.exact, o.variants) for o in search(offers_index, "écrivain AFP").offers] == [("exact", 1, 3)]


def test_no_exact_offer_when_the_exact_form_finds_nothing(offers_index):
    # « royaux » is a variant of « royal » and « royale » (one stem) but is never written.
    result = search(offers_index, "royaux")
    assert ids(result) == {"royal", "royale"}
    assert result.offers == ()


def test_no_exact_offer_when_both_counts_are_equal(offers_index):
    # « Ségolène » has no other form: the quoted search would give the same list.
    result = search(offers_index, "Ségolène")
    assert ids(result) == {"royal"}
    assert result.offers == ()
