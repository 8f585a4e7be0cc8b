"""The parsed query as the engine-neutral tree (index/querytree.py) that the OpenSearch
backend translates: every construct of the query language arrives as plain values,
with nothing of Whoosh's classes."""

from __future__ import annotations

import dataclasses

import pytest

from index import querytree as qt
from index.whoosh import query


def _parsed(text: str, exact: bool = False) -> query.ParsedQuery:
    return query.read(text, exact=exact)


def _plain(value) -> bool:
    """A value made of nodes, tuples, strings, numbers, booleans and None only."""
    if isinstance(value, qt.Node):
        return all(_plain(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, tuple):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


@pytest.mark.parametrize("text", [
    "Libye", "Libye -Tripoli", "milit*", "pr?sident", '"la guerre de Troie"', "Libye OU Syrie",
    "Libye SAUF Tripoli", "titre:Kadhafi texte:Syrte", "(Libye OU Syrie) armée", "*", "",
    "le la les", "date:2019 Libye", "source:AFP Libye",
    "la France et l’Allemagne signent un accord sur le climat à Paris avec les autres pays européens",
])

def test_every_construct_arrives_as_plain_values(text):
    parsed = _parsed(text)
    assert _plain(parsed.tree)
    assert parsed.some_tree is None or _plain(parsed.some_tree)


def test_a_word_is_its_stem_or_its_exact_form_in_title_and_body():
    (title, body) = sorted(_parsed("Libye").tree.children, key=lambda w: w.field, reverse=True)
    assert isinstance(title, qt.Word) and isinstance(body, qt.Word)
    assert (title.field, title.form, body.field, body.form) == ("title", "libye", "body", "libye")
    # The archive's stem, beside the folded form another engine stems itself.
    assert title.stem == body.stem and title.stem != "libye" and "libye".startswith(title.stem)
    # A title match counts less than the body's on top of the index's title boost.
    assert title.stem_boost < body.stem_boost


def test_exclusions_alternatives_prefixes_and_phrases():
    excluded = _parsed("Libye -Tripoli").tree
    assert isinstance(excluded, qt.AllOf)
    assert {leaf.form for leaf in qt.leaves(excluded.excluded[0])} == {"tripoli"}
    assert {leaf.form for leaf in qt.leaves(excluded)} == {"libye", "tripoli"}

    either = _parsed("Libye OU Syrie").tree
    assert isinstance(either, qt.AnyOf) and len(either.children) == 2

    prefix = _parsed("milit*").tree
    assert {(leaf.field, leaf.text) for leaf in qt.leaves(prefix)} == {("title_exact", "milit"), ("body_exact", "milit")}
    assert qt.expansions(prefix) == [("prefix", "milit"), ("prefix", "milit")]
    assert qt.expansions(_parsed("pr?sident").tree)[0] == ("wildcard", "pr?sident")

    phrase = [leaf for leaf in qt.leaves(_parsed('"la guerre de Troie"').tree) if leaf.field == "body_exact"]
    assert len(phrase) == 1 and isinstance(phrase[0], qt.Phrase)
    # Quoted, the little words are kept, and the phrase says so.
    assert phrase[0].words == ("la", "guerre", "de", "troie") and phrase[0].stop_words


def test_fields_empty_queries_and_partial_matches():
    title_only = _parsed("titre:Kadhafi").tree
    assert {leaf.field for leaf in qt.leaves(title_only)} == {"title"}
    assert isinstance(_parsed("").tree, qt.Everything)
    assert isinstance(_parsed("*").tree, qt.Everything)
    assert isinstance(_parsed("le la les").tree, qt.Nothing)
    # Two words: all of them, and — for the partial matches — some of them, with the
    # pair near each other as a bonus phrase (not quoted: no stop words kept).
    two = _parsed("Libye armée")
    assert isinstance(two.tree, qt.AllOf) and isinstance(two.some_tree, qt.AnyOf)
    near = [leaf for leaf in qt.leaves(two.some_tree) if isinstance(leaf, qt.Phrase)]
    assert near and near[0].words == ("libye", "armee") and not near[0].stop_words
    # A date filter is not a query node: it travels as the parsed period.
    dated = _parsed("date:2019 Libye")
    assert dated.date_from is not None and {leaf.form for leaf in qt.leaves(dated.tree)} == {"libye"}


def test_a_long_query_needs_some_of_its_words():
    parsed = _parsed("la France et l’Allemagne signent un accord sur le climat à Paris avec les autres pays européens")
    trees = [parsed.tree] + ([parsed.some_tree] if parsed.some_tree is not None else [])
    found = [node for tree in trees for node in _walk(tree) if isinstance(node, qt.AtLeast)]
    assert found and 0 < found[0].needed < len(found[0].children) == parsed.words_searched


def _walk(node):
    yield node
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        for child in value if isinstance(value, tuple) else (value,):
            if isinstance(child, qt.Node):
                yield from _walk(child)
