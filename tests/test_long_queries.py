"""Long queries (a headline, a question): a full match holds most of the words, not all,
and says so; short queries still need every word. Real indexes of crafted archives."""

from __future__ import annotations

import numpy as np
import pytest
from bs4 import BeautifulSoup
from whoosh import query as wq

from index import SearchRequest, open_index, reindex
from index.whoosh.longqueries import LONG_QUERY_SHARE, LONG_QUERY_WORDS, AtLeast, needed
from web import create_app

# Ten words the French analyzer keeps (none is a stop word), as a headline would hold them.
HEADLINE = ("cheminots grève gouvernement réforme statut contrôleurs ferroviaires "
            "syndicats négociation printemps").split()
FILLER = ("orchestre symphonie violon partition concert opéra chef soliste public salle théâtre "
          "ballet danse costume décor lumière rideau scène applaudissements entracte").split()


def dispatch(day: str, title: str, text: str) -> str:
    return f" date {day} {title}\n\n{text}\n"


def filler(start: int, count: int) -> str:
    return " ".join(FILLER[(start + i) % len(FILLER)] for i in range(count))


@pytest.fixture
def headlines(make_archive, tmp_path):
    """The target holds the last 8 of the 10 headline words, each said several times,
    in a short text; two long texts hold all ten, once each, among many other words;
    one holds the first two; the rest hold none."""
    files = {
        "target.txt": dispatch("2020-03-02", "Le rail à l’arrêt",
                               " ".join(HEADLINE[2:] * 3) + ". " + filler(0, 20) + "."),
        "few.txt": dispatch("2020-03-03", "Deux mots", " ".join(HEADLINE[:2]) + " " + filler(5, 30) + "."),
    }
    for n in range(2):
        words = " ".join(HEADLINE)
        files[f"long{n}.txt"] = dispatch("2020-03-04", f"Chronique {n}",
                                         filler(n, 300) + " " + words + " " + filler(n + 7, 300) + ".")
    for n in range(8):
        files[f"other{n}.txt"] = dispatch("2020-03-05", f"Culture {n}", filler(n, 60) + ".")
    reindex(tmp_path / "index", [make_archive(files)])
    return tmp_path / "index"


def ids(result) -> list[str]:
    return [hit.id for hit in result.hits]


def test_a_headline_finds_first_the_text_holding_most_of_its_words(headlines):
    assert LONG_QUERY_WORDS <= len(HEADLINE) and needed(len(HEADLINE)) <= 8
    result = open_index(headlines).search(SearchRequest(query=" ".join(HEADLINE)))
    assert ids(result)[0] == "target.txt"
    assert set(ids(result)[:3]) == {"target.txt", "long0.txt", "long1.txt"}
    # Counted as full matches: the three texts holding at least `needed` of the words;
    # the text holding two of them comes after, as a partial match.
    assert (result.needed, result.words_searched) == (needed(10), 10)
    assert (result.total, result.partial_total) == (3, 1)
    assert [hit.partial for hit in result.hits] == [False, False, False, True]
    assert result.hits[3].id == "few.txt"


def test_the_share_of_words_needed_rounds_up():
    assert needed(10) == int(np.ceil(LONG_QUERY_SHARE * 10))
    assert needed(8) == int(np.ceil(LONG_QUERY_SHARE * 8))
    assert all(1 <= needed(n) <= n for n in range(LONG_QUERY_WORDS, 33))


def test_a_two_word_query_still_needs_both(headlines):
    result = open_index(headlines).search(SearchRequest(query="cheminots printemps"))
    # The target lacks « cheminots »: it is a partial match.
    assert (result.needed, result.words_searched) == (0, 0)
    assert result.total == 2
    assert set(ids(result)[:2]) == {"long0.txt", "long1.txt"}
    assert [hit.partial for hit in result.hits] == [False, False, True, True]


def test_below_the_threshold_every_word_is_required(headlines):
    words = HEADLINE[:LONG_QUERY_WORDS - 1]  # holds words the target lacks
    result = open_index(headlines).search(SearchRequest(query=" ".join(words)))
    assert result.needed == 0
    assert {hit.id for hit in result.hits if not hit.partial} == {"long0.txt", "long1.txt"}
    assert result.total == 2


def test_stop_words_do_not_count_as_words_searched(headlines):
    text = "les cheminots et la grève , le gouvernement de la réforme"  # four words searched
    result = open_index(headlines).search(SearchRequest(query=text))
    assert LONG_QUERY_WORDS > 4
    assert (result.needed, result.total) == (0, 2)


def test_quotes_in_a_long_query_rank_rather_than_require(headlines, make_archive, tmp_path):
    """A headline quoting someone: the quoted words count as words, and the texts citing
    them as they stand come first. The target lacks « grève », hence the phrase."""
    query = '"grève gouvernement" ' + " ".join(HEADLINE[3:])
    result = open_index(headlines).search(SearchRequest(query=query))
    assert (result.needed, result.words_searched) == (needed(9), 9)
    assert needed(9) <= 8
    assert "guillemets" in result.notice
    assert result.total == 3 and "target.txt" in ids(result)[:3]
    # Short, the same quotes are required.
    short = open_index(headlines).search(SearchRequest(query='"grève gouvernement" réforme'))
    assert short.needed == 0 and set(ids(short)[:short.total]) == {"long0.txt", "long1.txt"}


def test_a_quoted_phrase_found_as_it_stands_ranks_first(make_archive, tmp_path):
    files = {
        "cited.txt": dispatch("2020-01-01", "Cité",
                              "Il a dit : une réforme des retraites. Le ministre annonce pour les cheminots."),
        "apart.txt": dispatch("2020-01-01", "Pas cité",
                              "Retraites : le ministre annonce pour les cheminots une réforme."),
    }
    for n in range(6):
        files[f"other{n}.txt"] = dispatch("2020-01-02", f"Culture {n}", filler(n, 40) + ".")
    reindex(tmp_path / "quotes", [make_archive(files, name="quotes")])
    archive = open_index(tmp_path / "quotes")
    result = archive.search(SearchRequest(query='ministre annonce pour les cheminots "une réforme des retraites"'))
    assert ids(result)[0] == "cited.txt"


def test_parentheses_without_operators_group_nothing_in_a_long_query(headlines):
    archive = open_index(headlines)
    result = archive.search(SearchRequest(query=" ".join(HEADLINE[2:]) + " (cheminots)"))
    assert (result.needed, result.words_searched, result.total) == (needed(9), 9, 3)
    assert ids(result)[0] == "target.txt"
    short = archive.search(SearchRequest(query="(cheminots) grève"))
    assert short.needed == 0 and short.partial_total == 0  # as written: no partial matches


def test_operators_and_exclusions_keep_their_meaning(headlines):
    archive = open_index(headlines)
    with_or = archive.search(SearchRequest(query=" ".join(HEADLINE[:6]) + " OU printemps"))
    assert with_or.needed == 0
    excluded = archive.search(SearchRequest(query=" ".join(HEADLINE[:8]) + " -rideau"))
    assert excluded.needed == 0 and excluded.total == 0  # the long texts hold « rideau »


def test_at_least_scores_as_whoosh_sums_the_words(headlines):
    """The documents holding `needed` of the words, with the scores Whoosh gives the
    same words OR-ed (a sum over the words each holds)."""
    from index.whoosh import scoring, search
    from index.whoosh.matching import matching
    from index.whoosh.store import open_live

    ix = open_live(headlines)
    with ix.searcher(weighting=search.WEIGHTING) as searcher:
        tokens = [t.text for t in searcher.schema["body"].analyzer(" ".join(HEADLINE[:6]), mode="query")]
        assert len(tokens) == 6
        words = [wq.Term("body", token) for token in tokens]
        at_least = AtLeast(words, 5)
        generation = ("test", searcher.reader().generation())
        found = scoring.Scorer(searcher, generation, matching).score(at_least)
        holding = {}
        for word in words:
            for docnum in searcher.docs_for_query(word):
                holding[docnum] = holding.get(docnum, 0) + 1
        assert sorted(found.docs.tolist()) == sorted(d for d, n in holding.items() if n >= 5)
        assert matching(searcher, at_least, generation).tolist() == found.docs.tolist()
        whoosh = {hit.docnum: hit.score for hit in searcher.search(wq.Or(words), limit=None)}
        assert found.scores.tolist() == pytest.approx([whoosh[d] for d in found.docs.tolist()])


def test_the_page_says_what_the_count_counts(headlines, tmp_path):
    app = create_app({"TESTING": True, "INDEX_DIR": str(headlines), "ARCHIVE_ROOT": str(tmp_path / "archive")})
    page = BeautifulSoup(app.test_client().get("/", query_string={"q": " ".join(HEADLINE)}).text, "html.parser")
    said = page.select_one(".words-needed").get_text(" ", strip=True)
    assert f"au moins {needed(10)} des 10 mots" in said
    assert f"moins de {needed(10)} de ces mots" in page.select_one(".partial-count").get_text(" ", strip=True)
    short = BeautifulSoup(app.test_client().get("/", query_string={"q": "cheminots printemps"}).text, "html.parser")
    assert short.select_one(".words-needed") is None
    assert "une partie des mots" in short.select_one(".partial-count").get_text(" ", strip=True)
    api = app.test_client().get("/api/search", query_string={"q": " ".join(HEADLINE)}).get_json()
    assert (api["total"], api["needed"], api["words_searched"]) == (3, needed(10), 10)


@pytest.fixture
def leads(make_archive, tmp_path):
    """Two texts of the same words, the headline's and sixty others: one states the
    headline first, the other after the sixty. Same words, same counts, same length:
    BM25 cannot tell them apart, and ties go to the first indexed (« early » after
    « another »)."""
    words = " ".join(HEADLINE[:6])
    files = {
        "another.txt": dispatch("2020-03-02", "Chronique", filler(0, 60) + ". " + words + "."),
        "early.txt": dispatch("2020-03-03", "Chronique", words + ". " + filler(0, 60) + "."),
    }
    for n in range(4):
        files[f"other{n}.txt"] = dispatch("2020-03-05", f"Culture {n}", filler(n, 60) + ".")
    reindex(tmp_path / "index", [make_archive(files)])
    with open_index(tmp_path / "index") as handle:
        yield handle


def test_a_long_query_ranks_first_the_text_stating_it_in_its_lead(leads):
    from index.whoosh.lead import LEAD_BOOST, LEAD_WORDS

    assert LEAD_WORDS <= 60 and LONG_QUERY_WORDS <= 6
    result = leads.search(SearchRequest(query=" ".join(HEADLINE[:6])))
    assert ids(result) == ["early.txt", "another.txt"]
    # Every word in the lead: the score times 1 + LEAD_BOOST, nothing else changed.
    assert result.hits[0].score == pytest.approx(result.hits[1].score * (1 + LEAD_BOOST))


def test_a_short_query_keeps_bm25_as_it_is(leads):
    # Below LONG_QUERY_WORDS every word is required and scores are Whoosh's: a tie.
    result = leads.search(SearchRequest(query=" ".join(HEADLINE[:2])))
    assert ids(result) == ["another.txt", "early.txt"]
    assert result.hits[0].score == pytest.approx(result.hits[1].score)


def test_the_lead_counts_the_share_of_words_it_holds(make_archive, tmp_path):
    from index.whoosh.lead import LEAD_BOOST, LEAD_WORDS

    # The same words in both texts, the headline's in two runs of three separated by
    # filler (the same pairs of words close together): one text opens with the first
    # run, the other has 45 filler words before it.
    first, rest = " ".join(HEADLINE[:3]), " ".join(HEADLINE[3:6])
    assert LEAD_WORDS <= 45
    files = {
        "half.txt": dispatch("2020-03-02", "Chronique", f"{first}. {filler(0, 60)}. {rest}."),
        "none.txt": dispatch("2020-03-03", "Chronique", f"{filler(0, 45)}. {first}. {filler(45, 15)}. {rest}."),
    }
    reindex(tmp_path / "index", [make_archive(files)])
    with open_index(tmp_path / "index") as handle:
        result = handle.search(SearchRequest(query=" ".join(HEADLINE[:6])))
    scores = {hit.id: hit.score for hit in result.hits}
    # Half the words in the lead: half the bonus.
    assert scores["half.txt"] == pytest.approx(scores["none.txt"] * (1 + LEAD_BOOST * 0.5))
