"""The OpenSearch index settings and mapping: the French chain built from OpenSearch's own
analysis filters, to agree with `index/whoosh/analysis.py` token for token where it can.

    elision (char filter) | pattern tokenizer | lowercase | asciifolding | stop
        | re-accent | snowball French | asciifolding

The order is the Whoosh analyzer's: accents are folded *before* the stop list and the
stemmer, so « sécurité » and « securite » always meet; the few endings Snowball's rules read
(-ée(s), -ière(s), -ité(s)) get their accent back before stemming (`pattern_replace`), and
the stem is folded once more. The exact-form sub-field (`.exact`) runs the same chain
without the last three steps: folded, unstemmed, without elisions or stop words; `.words`
keeps the stop words too, for the quoted phrases that hold some.

    « L’économie s’est redressée jusqu’à Paris »  →  econom, redress, paris
    (exact forms: economie, redressee, paris)

Elisions go before the tokenizer, as a `pattern_replace` char filter, rather than through
Lucene's `elision` token filter: that filter keeps the token's offsets, so the highlighter
would mark « <mark>L’économie</mark> »; a char filter's cut is mapped back, and the mark
starts at « é », as in the Whoosh snippets.

Lucene's stop filter leaves a position gap where a stop word was (Whoosh renumbers), so
the exact forms take the stop words out before tokenizing (`french_stop_words`, a char
filter): « "armée terre" » is then a phrase of « l’armée de terre », as in Whoosh. The
stemmed fields, which no phrase reads, keep the gaps.

Known differences from the Whoosh analyzer: asciifolding folds more than Unicode
decomposition does (« ß » → « ss », « ø » → « o »); Lucene's Snowball French is its own
build of the algorithm (« français » → `francais`, ours `franc`).

Nothing here talks to a cluster: these are the plain dictionaries `indices.create` takes.
"""

from __future__ import annotations

import copy
import re
import unicodedata

from index.french import FRENCH_STOP_WORDS

__all__ = ["ELIDED", "FRENCH", "FRENCH_EXACT", "FRENCH_WORDS", "MAPPING_VERSION", "TOKEN_PATTERN", "analysis_settings", "index_body", "mappings"]

FRENCH = "french"
# 2: the archive's fields (dates as keys, credits, stories' bands, what a reindex reads).
# 3: `.words`, the exact forms with their stop words, for quoted phrases that hold some;
#    stop words taken out of the exact forms without leaving gaps.
MAPPING_VERSION = 3
FRENCH_EXACT = "french_exact"
FRENCH_WORDS = "french_words_all"

# The Whoosh analyzer's tokens, in Java's regex dialect: letters, digits and combining
# accents, with inner apostrophes (« aujourd’hui » is one word; the elisions are gone by then);
# hyphens and dots split (« Etats-Unis », « 3.5 »). (?U) makes \w Unicode-aware, as in Python.
_WORD = r"\w[\w\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]*"
TOKEN_PATTERN = rf"(?U){_WORD}(?:['\u2019]{_WORD})*"

# Elided words dropped before an apostrophe (« l’ », « qu’ », « jusqu’ »…), as in
# index/whoosh/analysis.py: at the start of a word, not after another word and its apostrophe
# (« aujourd’hui », « qu’aujourd’hui »: one elision per word), before a letter or digit,
# in any case. The modifier apostrophe ʼ (U+02BC) is turned into ’ first.
ELIDED = ("c", "d", "j", "l", "m", "n", "s", "t", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu")
_ELISION = rf"(?iU)(?<!\w)(?<!\w['’])(?:{'|'.join(ELIDED)})['’](?=\w)"


def _fold(word: str) -> str:
    """Stop words as the stop filter sees them, after lowercase and asciifolding."""
    word = word.lower().replace("œ", "oe").replace("æ", "ae")
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def _letters(folded: str) -> str:
    """A regex class of the lower-case letters that fold to `folded` (« e »: e, é, è, ê,
    ë…); the pattern ignores case."""
    same = sorted({c for c in map(chr, range(0x20, 0x250)) if c.isalpha() and c == c.lower()
                   and len(_fold(c)) == 1 and _fold(c) == folded} | {folded})
    return f"[{''.join(same)}]" if len(same) > 1 else re.escape(folded)


def _trie(words: list[str]) -> str:
    """The words as one regex whose branches share their prefixes (« le », « les »,
    « lequel »: l(?:e(?:s|quel)?…)), so that a position of the text is tried against a
    letter or two, not against every stop word in turn."""
    tree: dict = {}
    for word in words:
        node = tree
        for letter in word:
            node = node.setdefault(letter, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        branches = [_letters(letter) + pattern(child) for letter, child in sorted(node.items()) if letter]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{body})?" if "" in node else body

    return pattern(tree)


def _stop_words_pattern() -> str:
    """The stop words as written in a text, whatever their case and accents: taken out
    before the exact forms are tokenized, so that they leave no gap between the words
    around them, as index/whoosh/analysis.py leaves none (« "armée terre" » is a phrase of
    « l’armée de terre »). The stop filter still drops what this misses (decomposed
    accents), with a gap."""
    edge = r"\w\u0300-\u036f'\u2019"
    return rf"(?iU)(?<![{edge}]){_trie(sorted({_fold(w) for w in FRENCH_STOP_WORDS}))}(?![{edge}])"


_SETTINGS = {
    "char_filter": {
        "apostrophes": {"type": "mapping", "mappings": ["\u02bc => \u2019"]},
        "french_elision": {"type": "pattern_replace", "pattern": _ELISION, "replacement": ""},
        "french_stop_words": {"type": "pattern_replace", "pattern": _stop_words_pattern(), "replacement": ""},
    },
    "tokenizer": {
        "french_words": {"type": "pattern", "pattern": TOKEN_PATTERN, "group": 0},
    },
    "filter": {
        "french_stop": {"type": "stop", "stopwords": sorted({_fold(w) for w in FRENCH_STOP_WORDS})},
        # The re-accenting of index/french.py's `stem`, longest ending first; each rule
        # leaves an accented ending that no later rule matches, so at most one applies.
        "reaccent_iere": {"type": "pattern_replace", "pattern": "iere(s?)$", "replacement": "ière$1"},
        "reaccent_ite": {"type": "pattern_replace", "pattern": "ite(s?)$", "replacement": "ité$1"},
        "reaccent_ee": {"type": "pattern_replace", "pattern": "ee(s?)$", "replacement": "ée$1"},
        "french_snowball": {"type": "snowball", "language": "French"},
    },
    "analyzer": {
        FRENCH_EXACT: {
            "type": "custom",
            "char_filter": ["apostrophes", "french_elision", "french_stop_words"],
            "tokenizer": "french_words",
            "filter": ["lowercase", "asciifolding", "french_stop"],
        },
        # The exact forms with the stop words kept, each at its own position: what a
        # quoted phrase holding little words (« "Le Maire" ») is matched against.
        FRENCH_WORDS: {
            "type": "custom",
            "char_filter": ["apostrophes", "french_elision"],
            "tokenizer": "french_words",
            "filter": ["lowercase", "asciifolding"],
        },
        FRENCH: {
            "type": "custom",
            "char_filter": ["apostrophes", "french_elision"],
            "tokenizer": "french_words",
            "filter": [
                "lowercase", "asciifolding", "french_stop",
                "reaccent_iere", "reaccent_ite", "reaccent_ee", "french_snowball", "asciifolding",
            ],
        },
    },
}


def analysis_settings() -> dict:
    """`settings.analysis` of an archive index: the two analyzers and their parts."""
    return copy.deepcopy(_SETTINGS)


def _text() -> dict:
    # Offsets in the postings: the unified highlighter marks words without re-analysing.
    return {
        "type": "text",
        "analyzer": FRENCH,
        "index_options": "offsets",
        "fields": {
            "exact": {"type": "text", "analyzer": FRENCH_EXACT, "index_options": "offsets"},
            "words": {"type": "text", "analyzer": FRENCH_WORDS},
        },
    }


def mappings() -> dict:
    """The fields of a dispatch: stemmed texts with their exact forms, keywords for ids,
    stories and date facets (partial dates keep their precision: a dispatch dated only
    April 2019 has a `year` and a `month`, no `day`), and what a reindex compares."""
    keyword = {"type": "keyword"}
    return {
        "dynamic": "strict",
        # What `schema.SCHEMA_VERSION` is to a Whoosh folder: an index written with
        # another mapping is rebuilt (`archive reindex --rebuild`), not misread.
        "_meta": {"mapping_version": MAPPING_VERSION},
        "properties": {
            "id": keyword,
            "path": keyword,
            "title": _text(),
            "body": _text(),
            "date": {"type": "date", "format": "strict_date||strict_year_month||strict_year"},
            # The date facets, filters and sorts read (index/whoosh/schema.py's `facet_key`):
            # the dispatch's own date, or the one inferred from its story; YYYYMMDD with
            # 00 for an unknown month or day, absent when undated (undated dispatches sort
            # last either way). `year`, `month`, `day` are its
            # periods, each only as precise as the date.
            "facet_key": {"type": "long"},
            "date_key": {"type": "long", "index": False},
            "inferred_date": {"type": "keyword", "index": False},
            "date_source": {"type": "keyword", "index": False},
            "title_derived": {"type": "boolean", "index": False},
            "year": keyword,
            "month": keyword,
            "day": keyword,
            "story": keyword,
            # The MinHash signature's LSH bands (index/fingerprints.py), one term each:
            # finding a new dispatch's candidate versions is one `terms` query.
            "bands": keyword,
            "byline": {"type": "keyword", "index": False},
            "url": {"type": "keyword", "index": False},
            # Names as written (shown, counted), and their folded keys (filtered on:
            # any spelling of an agency, case and accents aside; index/credits.py).
            "sources": keyword,
            "authors": keyword,
            "source_keys": keyword,
            "author_keys": keyword,
            "size": {"type": "long"},
            "mtime": {"type": "long"},
            "hash": keyword,
        },
    }


def index_body(shards: int = 1, replicas: int = 0) -> dict:
    """The `body` of `indices.create` for an archive index."""
    return {
        "settings": {
            "index": {
                "number_of_shards": shards,
                "number_of_replicas": replicas,
                # Whoosh's ranking (index/whoosh/weighting.py's WEIGHTING): k1 below the default 1.2,
                # a word said once counting nearly as much as one said often.
                "similarity": {"default": {"type": "BM25", "k1": 0.7, "b": 0.75}},
            },
            "analysis": analysis_settings(),
        },
        "mappings": mappings(),
    }
