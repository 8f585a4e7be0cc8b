"""The benchmark's larger archives (`bench.corpus.enlarged`): altered copies of the corpus,
the same on every run, with dates moved back and a share of their words drawn again.
Tried on the shipped French text, since the news corpus is not in the repository."""

from __future__ import annotations

from bench.corpus import REDRAWN, YEARS_BACK, enlarged
from textdata import wikipedia_records


def test_an_archive_larger_than_the_corpus_is_made_of_altered_copies():
    records = wikipedia_records()
    n = 2 * len(records) + 100
    grown = enlarged(records, n, seed=7)
    assert len(grown) == n and len({r.id for r in grown}) == n
    assert grown[: len(records)] == records
    assert enlarged(records, n, seed=7) == grown  # reproducible
    for copy, offset in ((1, len(records)), (2, 2 * len(records))):
        original, altered = records[0], grown[offset]
        assert altered.id == f"{original.id}-c{copy}"
        assert int(altered.date[:4]) == int(original.date[:4]) - YEARS_BACK * copy
        assert altered.date[4:] == original.date[4:]
        before, after = original.body.split(), altered.body.split()
        assert len(before) == len(after)
        changed = sum(a != b for a, b in zip(before, after)) / len(before)
        assert 0.5 * REDRAWN < changed <= REDRAWN * 1.5


def test_a_smaller_archive_is_the_corpus_itself():
    records = wikipedia_records()
    assert enlarged(records, 10) is records
