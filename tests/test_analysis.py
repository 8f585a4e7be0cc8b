"""The French analyzer: exact tokens, accent folding, offsets, Snowball agreement."""

import pickle
import unicodedata

import pytest
from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import QueryParser

from index.french import FRENCH_STOP_WORDS, fold, snowball_stem
from index.whoosh.analysis import french_analyzer
from textdata import SNOWBALL_FR



def tokens(text: str) -> list[str]:
    return [t.text for t in french_analyzer()(text)]


@pytest.fixture(scope="module")
def vocabulary() -> tuple[list[str], list[str]]:
    """The Snowball French test vocabulary and its reference stems, line by line."""
    voc, out = SNOWBALL_FR / "voc.txt", SNOWBALL_FR / "output.txt"
    if not (voc.is_file() and out.is_file()):
        pytest.fail(f"Snowball French test vocabulary missing: voc.txt and output.txt expected in {SNOWBALL_FR}")
    words = voc.read_text(encoding="utf-8").splitlines()
    stems = out.read_text(encoding="utf-8").splitlines()
    assert len(words) == len(stems) == 21655
    return words, stems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("« L’armée américaine »", ["arme", "americain"]),
        ("L'armée américaine s'est retirée de Libye.", ["arme", "americain", "retir", "liby"]),
        (
            "Aujourd’hui, l’AFRICOM et le GNA s’opposent au maréchal Haftar.",
            ["aujourd'hui", "africom", "gna", "opposent", "marechal", "haftar"],
        ),
        ("D'aujourd'hui à demain", ["aujourd'hui", "demain"]),
        ("Le cœur de l’Œuvre, les ex æquo", ["coeur", "oeuvr", "ex", "aequo"]),
        ("Il a décidé d' »arrêter« la guerre.", ["decid", "arret", "guerr"]),
        ("Les États-Unis et les Etats-Unis", ["etat", "unis", "etat", "unis"]),
        (
            "En 2014, 35 soldats sont arrivés à Tripoli à 14h30 : 3 morts.",
            ["2014", "35", "soldat", "arriv", "tripol", "14h30", "3", "mort"],
        ),
        ("Qu’Ankara l’ait su, QU’IL le dise : c’était l’État.", ["ankar", "su", "dis", "etat"]),
        ("jusqu’à lorsqu’il puisqu’elle quoiqu'on qu’ils c’est n’est-ce pas", []),
    ],
)
def test_exact_tokens(text, expected):
    assert tokens(text) == expected


@pytest.mark.parametrize(
    ("accented", "plain"),
    [
        ("l'armée américaine", "armee americaine"),
        ("L’ARMÉE AMÉRICAINE", "armee americaine"),
        ("sécurité", "securite"),
        ("cœur", "coeur"),
        ("États-Unis", "etats unis"),
        ("les forces armées libyennes", "les forces armees libyennes"),
        ("la frontière", "la frontiere"),
    ],
)
def test_accents_do_not_matter(accented, plain):
    assert tokens(plain) != []
    assert tokens(accented) == tokens(plain)


def test_every_word_stems_like_its_unaccented_form(vocabulary):
    words, _ = vocabulary
    differing = [w for w in words if tokens(w) != tokens(fold(w))]
    assert differing == []


def test_elision_offsets_point_at_the_word():
    text = "« L’armée américaine »"
    analyzed = french_analyzer()(text, positions=True, chars=True)
    found = [(t.text, text[t.startchar : t.endchar]) for t in analyzed]
    assert found == [("arme", "armée"), ("americain", "américaine")]


def test_offsets_on_decomposed_accents():
    text = unicodedata.normalize("NFD", "l'armée")
    (token,) = french_analyzer()(text, chars=True)
    assert (token.text, text[token.startchar : token.endchar]) == ("arme", text[2:])


def test_fold():
    assert fold("L’Œuvre du Cœur, Ægée, SÉCURITÉ") == "l'oeuvre du coeur, aegee, securite"


def test_stop_words():
    assert 150 <= len(FRENCH_STOP_WORDS) <= 250
    assert {"les", "des", "du", "au", "aux", "est", "sont", "à", "où", "déjà"} <= FRENCH_STOP_WORDS
    assert not {"état", "guerre", "deux", "trois", "oui", "non", "été", "the", "and"} & FRENCH_STOP_WORDS
    # Every stop word, accented or not, is removed.
    assert tokens(" ".join(FRENCH_STOP_WORDS)) == []
    assert tokens(" ".join(map(fold, FRENCH_STOP_WORDS))) == []


def test_snowball_agreement(vocabulary):
    words, stems = vocabulary
    agree = sum(snowball_stem(w) == s for w, s in zip(words, stems, strict=True))
    assert agree / len(words) >= 0.995


def test_analyzer_survives_pickling():
    # Whoosh pickles the schema, analyzer included, into the index's table of contents.
    analyzer = pickle.loads(pickle.dumps(french_analyzer()))
    assert [t.text for t in analyzer("L’armée américaine")] == ["arme", "americain"]


def test_queries_find_and_highlight_accented_text():
    schema = Schema(id=ID(stored=True), body=TEXT(analyzer=french_analyzer(), stored=True))
    ix = RamStorage().create_index(schema)
    with ix.writer() as w:
        w.add_document(id="armee", body="L’armée américaine quitte la Libye.")
        w.add_document(id="securite", body="La sécurité des Etats-Unis est assurée à Tripoli.")
    parser = QueryParser("body", schema)
    with ix.searcher() as s:

        def found(query: str) -> list[str]:
            return [hit["id"] for hit in s.search(parser.parse(query))]

        assert found('"armee americaine"') == ["armee"]
        assert found("securite tripoli") == ["securite"]
        assert found('"états-unis"') == ["securite"]
        assert found("LIBYE") == ["armee"]
        hit = s.search(parser.parse("armee americaine"))[0]
        marked = BeautifulSoup(hit.highlights("body"), "html.parser").find_all("b")
        assert [b.get_text() for b in marked] == ["armée", "américaine"]


french_text = st.text(alphabet=st.sampled_from(list("aeéèœŒÆlLdDqQuU’'ʼ-«» \u0301\u00a009h")))


@given(st.one_of(st.text(), french_text))
def test_any_text_gives_sane_tokens(text):
    for t in french_analyzer()(text, positions=True, chars=True):
        assert t.text
        assert 0 <= t.startchar < t.endchar <= len(text)
