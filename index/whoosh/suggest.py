"""« Vouliez-vous dire »: for a query that finds (almost) nothing, the closest much
more frequent word for each unknown or rare word, at a bounded cost whatever the query.

Whoosh's corrector compares the word, in pure Python, with every index term sharing its
first letter (its Levenshtein automaton serves one segment only, and the archive's
indexes have several, read through a MultiReader): about 5 ms per letter of the word on 34,000 dispatches, so one 999-letter
word took 5 s and 32 unknown 30-letter words 5.7 s, holding a server thread all along.
Here the terms of one first letter are read once per index generation, those whose
length is too far from the word's to be within reach are skipped, and the distance is
computed in C by rapidfuzz. Then at most MAX_CORRECTED_WORDS words of MAX_WORD_CHARS
letters at most are looked up, each against MAX_CANDIDATES terms at most.

Among the terms sharing the word's first letter within MAX_EDITS edits (restricted
Damerau-Levenshtein: an adjacent transposition is one edit) and in more dispatches than
the word, the suggestion is the closest, then the most frequent. Whoosh's corrector
takes the most frequent within two edits, and on 34,103 dispatches turned
« confinment » into « continuent » (two substitutions) when « confinement » (one
letter left out) is in 2,469 dispatches.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import islice

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh import query as wq

from index.cache import LruCache, array_bytes
from index.french import FOLDED_STOP_WORDS
from index.suggestions import FEW_HITS, MAX_CORRECTED_WORDS, MAX_EDITS, MAX_WORD_CHARS, RARER, SURFACE_DOCS
from index.whoosh.analysis import exact_analyzer
from index.whoosh.snippets import SNIPPET_SCAN_CHARS

# The field whose words are compared: the exact forms of the bodies.
FIELD = "body_exact"
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
# How suggested words are written, per generation (a few hundred bytes each).
_surfaces: LruCache[str | None] = LruCache(1024 * 1024, weigh=lambda form: 100 + len(form or ""))


def vocabulary(reader, field: str, letter: str, generation: tuple) -> Vocabulary:
    """The terms of `field` starting with `letter` (cached per index generation).

    The terms only: their frequencies are read for the few within reach of a word, as
    reading them all takes seconds (Whoosh merges each term's statistics over segments).
    """

    def read() -> Vocabulary:
        decode = reader.schema[field].from_bytes
        # Not stop words: the exact forms index them (for quoted phrases), but a query
        # does not search them.
        terms = tuple(t for t in map(decode, reader.expand_prefix(field, letter)) if t not in FOLDED_STOP_WORDS)
        return Vocabulary(terms, np.fromiter(map(len, terms), dtype=np.int32, count=len(terms)))

    return _vocabularies.get((generation, field, letter), read)


def suggest(searcher, words: tuple[str, ...], generation: tuple, found: int = 0) -> str | None:
    """The typed query with each unknown or rare word replaced by a much more frequent
    one close to it, or None: nothing to correct, or the query finds FEW_HITS
    dispatches or more (`found`: what it finds).

    Words are compared with the exact forms of the bodies (not stems: « confinment »
    is one letter from « confinement », and stems would hide it) and shown as they are
    most often written, capitals and accents included (« Pompeo »).
    """
    if found >= FEW_HITS:
        return None
    reader = searcher.reader()
    speller = Speller(reader, FIELD, generation)
    corrected, changed = [], False
    for word in words:
        tokens = [t.text for t in exact_analyzer()(word)] if len(word) <= MAX_WORD_CHARS else []
        # In the bodies (or, for a word said only in titles, there).
        frequency = max(reader.doc_frequency(FIELD, tokens[0]), reader.doc_frequency("title_exact", tokens[0])) \
            if len(tokens) == 1 else FEW_HITS
        if len(word) < 3 or frequency >= FEW_HITS:
            corrected.append(word)
            continue
        closest = speller.closest(tokens[0], more_than=max(1, RARER * frequency) - 1)
        surface = surface_form(searcher, closest, generation) if closest else None
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

    def closest(self, text: str, more_than: int = 0) -> str | None:
        """The known term closest to the term `text` among those in more than
        `more_than` documents: the fewest edits, then the most documents, then the first
        in alphabetical order. None: none within reach, a term too long, or this query's
        share of look-ups spent."""
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
        within = [(int(distances[i]), candidates[i]) for i in np.flatnonzero(distances <= MAX_EDITS).tolist()]
        # A typo one edit away (an omission, a transposition) is a better guess than a
        # frequent word two edits away (« confinment »: « confinement », not
        # « continuent »); of words as close, the most frequent.
        frequency = self.reader.doc_frequency
        ranked = sorted((distance, -frequency(self.field, term), term) for distance, term in within if term != text)
        return next((term for _, minus, term in ranked if -minus > more_than), None)


def surface_form(searcher, term: str, generation: tuple) -> str | None:
    """The exact-form term `term` as it is most often written in the first SURFACE_DOCS
    dispatches whose body holds it (cached per index generation)."""

    def read() -> str | None:
        docnums = list(islice(searcher.docs_for_query(wq.Term(FIELD, term)), SURFACE_DOCS))
        written: Counter[str] = Counter()
        for docnum in docnums:
            body = searcher.stored_fields(docnum)["body"][:SNIPPET_SCAN_CHARS]  # a huge body: its opening
            for token in exact_analyzer()(body, chars=True, removestops=False):
                if token.text == term:
                    written[body[token.startchar : token.endchar]] += 1
        # The most frequent; of as frequent ones, the first in alphabetical order.
        return min(written.items(), key=lambda item: (-item[1], item[0]))[0] if written else None

    return _surfaces.get((generation, term), read)
