"""Reading queries: what `index.whoosh.query.parse` makes of what a person types, and what it
then finds in the seeds' index."""

from __future__ import annotations

import pytest
from whoosh import query as wq

from archive import PartialDate
from index import SearchRequest, open_index
from index.whoosh.query import MAX_QUERY_CHARS, QUESTION_WORDS, parse
from index.whoosh.schema import build_schema

SEED_000 = "000_4375ea2097648a51.txt"
SEED_002 = "002_eb2ed1d0cd4a9010.txt"


@pytest.fixture(scope="module")
def schema():
    return build_schema()


# The stem fields; a plain word also searches its exact form (tests/test_exact_forms.py).
STEMS = ("title", "body")


def terms(q) -> set[tuple[str, str]]:
    return {(field, text) for field, text in q.iter_all_terms() if field in STEMS}


def words_of(q) -> set[str]:
    return {text for field, text in q.iter_all_terms() if field in STEMS}


def found(index_dir, text: str) -> set[str]:
    result = open_index(index_dir).search(SearchRequest(query=text, collapse_versions=False))
    return {hit.id for hit in result.hits if not hit.partial}


def test_words_are_analysed_and_searched_in_title_and_body(schema):
    parsed = parse("L’armée américaine", schema)
    assert isinstance(parsed.everything, wq.And)
    assert terms(parsed.everything) == {
        ("title", "arme"), ("body", "arme"), ("title", "americain"), ("body", "americain"),
    }
    assert parsed.notice is None


def test_partial_query_only_for_several_things_to_find(schema):
    assert parse("Pompeo", schema).anything is None
    assert parse("Pompeo Waldhauser", schema).anything is not None
    # A phrase is one thing: its words are never looked for one by one.
    assert parse('"maréchal Khalifa Haftar"', schema).anything is None
    some = parse('"maréchal Haftar" Tripoli', schema).anything
    assert isinstance(some, wq.Or)
    assert any(isinstance(q, wq.Phrase) and q.words == ["marechal", "haftar"] for q in some.leaves())


@pytest.mark.parametrize("text", ["Pompeo ET Tripoli", "Pompeo OU Tripoli", "(Pompeo Tripoli)", "Pompeo SAUF Tripoli"])
def test_written_operators_mean_what_they_say(schema, text):
    assert parse(text, schema).anything is None


def test_exclusions_stay_in_the_partial_query(schema):
    some = parse("combats Zanzibar -Pompeo", schema).anything
    assert isinstance(some, wq.And)
    assert any(isinstance(q, wq.Not) and words_of(q) == {"pompeo"} for q in some.subqueries)


def test_near_words_give_a_ranking_bonus_in_partial_matches(schema):
    some = parse("rite charrue romaine", schema).anything
    pairs = [(q.fieldname, q.words) for q in some.leaves() if isinstance(q, wq.Phrase)]
    # Exact forms: only their field keeps positions.
    assert pairs == [("body_exact", ["rite", "charrue"]), ("body_exact", ["charrue", "romaine"])]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Combien de personnes ont été tuées ?", {"person", "ete", "tu"}),
        ("combien de personnes tuées", {"person", "tu"}),
        ("Pourquoi Pompeo appelle-t-il à arrêter l'offensive ?", {"pompeo", "appel", "arret", "offens"}),
        ("Comment réagit Pompeo?", {"reag", "pompeo"}),
    ],
)
def test_question_words_are_left_out_of_questions(schema, text, kept):
    assert words_of(parse(text, schema).everything) == kept


@pytest.mark.parametrize("text", ["combien", "Comment", "le comment et le pourquoi", "titre:comment Pompeo"])
def test_question_words_stay_where_they_are_the_subject(schema, text):
    found_words = words_of(parse(text, schema).everything)
    assert found_words & QUESTION_WORDS


def test_a_question_finds_its_answer(index_dir):
    # Without leaving « combien » out, no dispatch would hold all the words.
    assert found(index_dir, "Combien de personnes ont été tuées ?") == {SEED_000, SEED_002}
    assert found(index_dir, "combien") == set()


def test_a_question_mark_is_punctuation_not_a_wildcard(schema, index_dir):
    for text in ("Qui est Pompeo ?", "Qui est Pompeo?", "Pompeo ??", "Pompeo ？"):
        parsed = parse(text, schema)
        assert not any(isinstance(q, wq.Wildcard) for q in parsed.everything.leaves()), text
    assert found(index_dir, "Qui est Pompeo ?") == {SEED_002}
    # Inside a word it is still the one-letter wildcard.
    assert isinstance(parse("Pomp?o", schema).everything.leaves().__next__(), wq.Wildcard)
    assert found(index_dir, "Pomp?o") == {SEED_002}


@pytest.mark.parametrize(
    ("text", "date_from", "date_to"),
    [
        ("date:2019", PartialDate(2019), PartialDate(2019)),
        ("Libye date:2019-04", PartialDate(2019, 4), PartialDate(2019, 4)),
        ("date:2019-04-07 Libye", PartialDate(2019, 4, 7), PartialDate(2019, 4, 7)),
        ("date:2019-03..2019-05", PartialDate(2019, 3), PartialDate(2019, 5)),
        ("DATE:2019-03..2019-05-02", PartialDate(2019, 3), PartialDate(2019, 5, 2)),
    ],
)
def test_dates_in_the_query(schema, text, date_from, date_to):
    parsed = parse(text, schema)
    assert (parsed.date_from, parsed.date_to) == (date_from, date_to)
    assert "date" not in " ".join(words_of(parsed.everything))
    assert parsed.notice is None


@pytest.mark.parametrize("text", ["date:2019-13", "date:2019-02-30", "date:20190", "date:2019..2019-99"])
def test_unreadable_dates_are_notices(schema, text):
    parsed = parse(f"Libye {text}", schema)
    assert parsed.date_from is None and parsed.date_to is None
    assert parsed.notice.startswith("date illisible ignorée")
    assert words_of(parsed.everything) == {"liby"}


def test_a_date_alone_lists_the_period(schema):
    parsed = parse("date:2019-04", schema)
    assert parsed.is_empty and parsed.date_from == PartialDate(2019, 4)


def test_an_empty_query_lists_everything(schema):
    assert parse("", schema).is_empty
    assert parse("   ", schema).is_empty
    assert parse("", schema).notice is None


@pytest.mark.parametrize(
    ("text", "notice"),
    [
        ("ET", "opérateur « ET »"),
        ("SAUF", "opérateur « SAUF »"),
        ("Pompeo SAUF", "opérateur « SAUF »"),
        ("OU Pompeo", "opérateur « OU »"),
        ("titre:", "« titre: »"),
        ("Pompeo texte:", "« texte: »"),
        ("le la les", "aucun mot à chercher"),
        ("?", "aucun mot à chercher"),
        ("-", "aucun mot à chercher"),
    ],
)
def test_what_is_left_out_is_said(schema, text, notice):
    parsed = parse(text, schema)
    assert notice in parsed.notice
    assert not parsed.is_empty


def test_a_dangling_operator_leaves_the_words(schema):
    assert words_of(parse("Pompeo SAUF", schema).everything) == {"pompeo"}
    assert words_of(parse("ET ET Pompeo", schema).everything) == {"pompeo"}


def test_the_query_is_cut_to_its_maximum_length(schema):
    parsed = parse("Pompeo " + "Tripoli " * MAX_QUERY_CHARS + "Waldhauser", schema)
    assert "tronquée" in parsed.notice
    assert "waldhaus" not in words_of(parsed.everything)


def test_only_named_fields_are_fields(schema):
    assert terms(parse("titre:Tripoli", schema).everything) == {("title", "tripol")}
    assert terms(parse("texte:Tripoli", schema).everything) == {("body", "tripol")}
    # `path:` and `hash:` are not fields a person may search: plain words.
    assert ("path", "x") not in terms(parse("path:x", schema).everything)
    assert {field for field, _ in terms(parse("hash:abc", schema).everything)} == {"title", "body"}


def test_a_colon_inside_a_question_keeps_the_partial_query(schema):
    parsed = parse("Par quelle scène commence le film Saw 3D: Chapitre final ?", schema)
    assert parsed.anything is not None


def test_a_word_with_a_hyphen_is_one_thing_to_find(schema):
    parsed = parse("Etats-Unis Libye", schema)
    assert isinstance(parsed.everything, wq.And) and len(parsed.everything.subqueries) == 2
    assert not any(isinstance(q, wq.Not) for q in parsed.everything.subqueries)


def test_partial_matches_keep_the_rarest_words(index_dir):
    from index.whoosh.query import MAX_PARTIAL_WORDS
    from index.whoosh.store import open_live

    # Six words in both seeds, then two rare ones: the rare ones are kept.
    text = "combats Tripoli Haftar forces offensive capitale Zanzibar Pompeo"
    with open_live(index_dir).searcher() as searcher:
        parsed = parse(text, searcher.schema).bounded(searcher.reader())
    kept = words_of(parsed.anything)
    assert {"pompeo", "zanzibar"} <= kept
    assert len({word for word in kept if " " not in word}) == MAX_PARTIAL_WORDS
    # All the words still have to match for a full match.
    assert {"combat", "capital", "pompeo"} <= words_of(parsed.everything)
