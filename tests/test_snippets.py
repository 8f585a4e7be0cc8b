"""Snippets against Whoosh's own highlighter: `index/whoosh/snippets.py` walks the text with
its own copy of Whoosh's context fragmenter, so the passages, their choice and their
marks must be exactly what `whoosh.highlight.highlight` gives, on real French text
(Wikipedia paragraphs shaped as dispatches by `tests/textdata.py`)."""

from __future__ import annotations

import random

import pytest
from whoosh import highlight

from index.whoosh.analysis import french_analyzer
from index.whoosh.snippets import SNIPPET_CHARS, _formatter, snippet
from textdata import wikipedia_records


def whoosh_snippet(text: str, terms: frozenset[str]) -> str:
    fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=70)
    return highlight.highlight(text, terms, french_analyzer(), fragmenter, _formatter, top=3,
                               scorer=highlight.BasicFragmentScorer(), minscore=1)


@pytest.fixture(scope="module")
def bodies() -> list[str]:
    records = wikipedia_records()
    return ["\n\n".join(r.paragraphs) for r in random.Random(5).sample(records, 400)]


def test_snippets_are_whoosh_highlights(bodies):
    rng = random.Random(8)
    for body in bodies:
        stems = sorted({t.text for t in french_analyzer()(body)})
        for count in (1, 2, 4, 12):
            terms = frozenset(rng.sample(stems, min(count, len(stems))))
            assert snippet(body, terms) == whoosh_snippet(body, terms)


def test_a_word_longer_than_a_snippet_is_handled_as_whoosh_does():
    body = "Début " + "x" * 300 + " fin du texte avec le mot cherché " + "y" * 250
    for terms in (frozenset({"x" * 300}), frozenset({"cherch"}), frozenset({"x" * 300, "fin"})):
        assert snippet(body, terms) == (whoosh_snippet(body, terms) or snippet(body, frozenset()))
