"""« Vouliez-vous dire »: the closest known word for each unknown word of a query, at a
bounded cost whatever the query.

Whoosh's corrector compares the word, in pure Python, with every index term sharing its
first letter (its Levenshtein automaton serves one segment only, and the archive's
indexes have several, read through a MultiReader): about 5 ms per letter of the word on 34,000 dispatches, so one 999-letter
word took 5 s and 32 unknown 30-letter words 5.7 s, holding a server thread all along.
Here the terms of one first letter are read once per index generation, those whose
length is too far from the word's to be within reach are skipped, and the distance is
computed in C by rapidfuzz. Then at most MAX_CORRECTED_WORDS words of MAX_WORD_CHARS
letters at most are looked up, each against MAX_CANDIDATES terms at most.

The suggestion is Whoosh's (`ReaderCorrector.suggest(word, limit=1, maxdist=2,
prefix=1)`): among the terms within MAX_EDITS edits (restricted Damerau-Levenshtein:
an adjacent transposition is one edit), the most frequent, and of equally frequent
ones the last in alphabetical order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh import query as wq

from index.analysis import french_analyzer
from index.cache import LruCache, array_bytes
from index.snippets import SNIPPET_SCAN_CHARS

MAX_EDITS = 2
# Longer words are left as typed: the longest French words (« anticonstitutionnellement »)
# have 25 letters, and a word's cost grows with its length.
MAX_WORD_CHARS = 30
# Unknown words looked up in one query; the others are left as typed.
MAX_CORRECTED_WORDS = 8
# Terms one word is compared with at most (the first in alphabetical order). A first
# letter rarely has that many terms within two letters of one length (on 34,103
# dispatches the largest group has 4,664), so this only caps the cost.
MAX_CANDIDATES = 20_000


@dataclass(frozen=True)
class Vocabulary:
    """The terms of one field starting with one letter, in alphabetical order."""

    terms: tuple[str, ...]
    lengths: np.ndarray  # int32, the length of each term


def _weigh(vocabulary: Vocabulary) -> int:
    # Each term: a Python string of about 60 bytes and its slot in the tuple.
    return array_bytes(vocabulary.lengths) + 70 * len(vocabulary.terms)


# The vocabularies of the live generation's letters (5 MB for the 70,000 body terms of
# 34,103 dispatches).
_vocabularies: LruCache[Vocabulary] = LruCache(32 * 1024 * 1024, weigh=_weigh)


def vocabulary(reader, field: str, letter: str, generation: tuple) -> Vocabulary:
    """The terms of `field` starting with `letter` (cached per index generation).

    The terms only: their frequencies are read for the few within reach of a word, as
    reading them all takes seconds (Whoosh merges each term's statistics over segments).
    """

    def read() -> Vocabulary:
        decode = reader.schema[field].from_bytes
        terms = tuple(decode(text) for text in reader.expand_prefix(field, letter))
        return Vocabulary(terms, np.fromiter(map(len, terms), dtype=np.int32, count=len(terms)))

    return _vocabularies.get((generation, field, letter), read)


def suggest(searcher, words: tuple[str, ...], generation: tuple) -> str | None:
    """The typed query with each unknown word replaced by the closest known one.

    Corrections are looked for among the body's index terms (stems) and shown as a
    word as it is written in a dispatch holding that stem.
    """
    reader = searcher.reader()
    speller = Speller(reader, "body", generation)
    corrected, changed = [], False
    for word in words:
        tokens = [t.text for t in french_analyzer()(word)] if len(word) <= MAX_WORD_CHARS else []
        if not tokens or all(reader.doc_frequency("body", t) > 0 for t in tokens) or len(word) < 3:
            corrected.append(word)
            continue
        closest = speller.closest(tokens[0])
        surface = _surface_form(searcher, closest) if closest else None
        corrected.append(surface or word)
        changed |= surface is not None
    return " ".join(corrected) if changed else None


class Speller:
    """Looks up the closest known terms for one query; counts the work done
    (`looked_up` words, `compared` terms) so that its bounds can be checked."""

    def __init__(self, reader, field: str, generation: tuple) -> None:
        self.reader, self.field, self.generation = reader, field, generation
        self.looked_up = 0
        self.compared = 0

    def closest(self, text: str) -> str | None:
        """The known term closest to the index term `text`, or None: none within reach,
        a term too long, or this query's share of look-ups spent."""
        if not text or len(text) > MAX_WORD_CHARS or self.looked_up >= MAX_CORRECTED_WORDS:
            return None
        self.looked_up += 1
        known = vocabulary(self.reader, self.field, text[0], self.generation)
        # A term more than MAX_EDITS letters longer or shorter is more edits away.
        near = np.flatnonzero(np.abs(known.lengths - len(text)) <= MAX_EDITS)[:MAX_CANDIDATES]
        if near.size == 0:
            return None
        candidates = [known.terms[i] for i in near.tolist()]
        self.compared += len(candidates)
        distances = process.cdist([text], candidates, scorer=OSA.distance, score_cutoff=MAX_EDITS,
                                  dtype=np.int32, workers=1)[0]
        within = [candidates[i] for i in np.flatnonzero(distances <= MAX_EDITS).tolist()]
        if not within:
            return None
        # Whoosh's ranking: the most frequent (a term without frequency counts as 1),
        # then the last in alphabetical order.
        frequency = self.reader.frequency
        return max(within, key=lambda term: (frequency(self.field, term) or 1, term))


def _surface_form(searcher, term: str) -> str | None:
    """A word as written in a dispatch whose body holds the index term `term`."""
    docnums = searcher.docs_for_query(wq.Term("body", term))
    docnum = next(iter(docnums), None)
    if docnum is None:
        return None
    body = searcher.stored_fields(docnum)["body"][:SNIPPET_SCAN_CHARS]  # a huge body: its opening
    for token in french_analyzer()(body, chars=True, removestops=False):
        if token.text == term:
            return body[token.startchar : token.endchar].lower()
    return None
