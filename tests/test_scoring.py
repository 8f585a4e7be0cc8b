"""Ranking with NumPy (index/whoosh/scoring.py, index/whoosh/phrases.py, index/whoosh/partial.py) against
Whoosh's own matchers, on a real index of about 1,000 French dispatches in the three formats
(Wikipedia paragraphs shaped as dispatches by `tests/textdata.py`).

Whoosh is the reference for every query whose scores it computes correctly: terms,
AND, OR, phrases, exclusions and the proximity bonus of partial matches (phrases and the
bonus on the exact forms, the fields that keep positions). Where it does
not (a word searched in title and body, see `test_a_title_only_match_scores_its_title`),
the test says what the right score is.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np
import pytest
from whoosh import query as wq

from bench.corpus import materialise
from index import open_index, reindex
from index.cache import LruCache, clear_caches
from index.french import stem
from index.whoosh import partial, postings
from index.whoosh.matching import matching
from index.whoosh.phrases import phrase_docs
from index.whoosh.query import PROXIMITY_BOOST, Near
from index.whoosh.scoring import Scorer
from textdata import wikipedia_records


@pytest.fixture(scope="module")
def news(tmp_path_factory) -> Path:
    records = wikipedia_records()
    root = tmp_path_factory.mktemp("news")
    archive = materialise(records, len(records), root)
    assert all(archive.formats.values())  # text, HTML and JSON Lines files
    index_dir = tmp_path_factory.mktemp("news-index")
    report = reindex(index_dir, [root])
    assert report.added == len(records) and not report.failures
    return index_dir


@pytest.fixture(scope="module")
def handle(news):
    with open_index(news) as handle:
        yield handle


@pytest.fixture()
def scorer(handle) -> Scorer:
    searcher, generation = handle._searcher()
    return Scorer(searcher, generation, matching)


def body_words(scorer: Scorer, count: int, seed: int = 3, field: str = "body") -> list[str]:
    """Index terms of the body found in 2 to 400 documents, a seeded sample."""
    reader = scorer.searcher.reader()
    terms = [t.decode() for t, info in reader.iter_field(field)
             if 2 <= info.doc_frequency() <= 400 and re.fullmatch(rb"[a-z]+", t)]
    return random.Random(seed).sample(terms, count)


def whoosh_scores(searcher, q: wq.Query) -> dict[int, float]:
    return {hit.docnum: hit.score for hit in searcher.search(q, limit=None)}


def assert_same(ours, theirs: dict[int, float]) -> None:
    assert ours.docs.tolist() == sorted(theirs)
    assert np.allclose(ours.scores, [theirs[d] for d in ours.docs.tolist()], rtol=1e-9)


def test_the_index_has_deletions_and_several_segments(scorer):
    # Versions regrouped after the build are rewritten: deleted documents to skip.
    reader = scorer.searcher.reader()
    assert reader.doc_count_all() > reader.doc_count()


def test_term_and_boolean_scores_are_whoosh_scores(scorer):
    words = body_words(scorer, 60)
    for a, b, c in zip(words[0::3], words[1::3], words[2::3]):
        for q in (
            wq.Term("body", a),
            wq.Term("title", a, boost=0.35),
            wq.Or([wq.Term("body", a), wq.Term("body", b), wq.Term("title", c)]),
            wq.And([wq.Term("body", a), wq.Or([wq.Term("body", b), wq.Term("body", c)])]),
            wq.And([wq.Or([wq.Term("body", a), wq.Term("body", b)]), wq.Not(wq.Term("body", c))]),
        ):
            assert_same(scorer.score(q), whoosh_scores(scorer.searcher, q))


def test_phrases_match_and_score_as_whoosh(scorer):
    reader = scorer.searcher.reader()
    checked = 0
    for docnum in range(0, 400, 7):
        if reader.is_deleted(docnum):
            continue
        body = [t.text for t in reader.schema["body_exact"].analyzer(scorer.searcher.stored_fields(docnum)["body"])]
        for start, length, slop in ((5, 2, 1), (20, 3, 1), (40, 2, 2), (60, 4, 3)):
            words = body[start:start + length]
            if len(words) < length:
                continue
            q = wq.Phrase("body_exact", words, slop=slop)
            expected = sorted(scorer.searcher.docs_for_query(q))
            assert phrase_docs(scorer.searcher, "body_exact", words, slop, scorer.generation).tolist() == expected
            assert docnum in expected or slop == 1
            assert_same(scorer.score(q), whoosh_scores(scorer.searcher, q))
            checked += 1
    assert checked > 100


def test_a_title_only_match_scores_its_title(scorer):
    """A word looked for in title and body counts where it scores best: for a document
    holding it in the title only, that is its title score. (Whoosh's DisjunctionMax
    matcher takes the larger of both sides' current scores even when the body side
    stands on another document, so such documents got another's body score.)"""
    reader = scorer.searcher.reader()
    for word in body_words(scorer, 200):
        title, body = scorer.term("title", word), scorer.term("body", word)
        only = np.setdiff1d(title.docs, body.docs)
        if only.size and body.size:
            break
    else:
        pytest.fail("no word found in the title only of some dispatch")
    both = scorer.score(wq.DisjunctionMax([wq.Term("body", word), wq.Term("title", word)]))
    assert np.allclose(both.score_of(only), title.score_of(only))
    shared = np.intersect1d(title.docs, body.docs)
    assert np.allclose(both.score_of(shared), np.maximum(title.score_of(shared), body.score_of(shared)))
    assert reader.doc_count() > 0


def test_partial_matches_with_proximity_bonus_are_whoosh_ranking(scorer):
    # As index/whoosh/query.py builds them: the words' stems, and the bonus of their exact forms.
    words = body_words(scorer, 90, seed=11, field="body_exact")
    searcher = scorer.searcher
    for a, b, c in zip(words[0::3], words[1::3], words[2::3]):
        q = wq.Or([wq.Term("body", stem(a)), wq.Term("body", stem(b)), wq.Term("body", stem(c)),
                   Near("body_exact", [a, b], slop=2, boost=PROXIMITY_BOOST),
                   Near("body_exact", [b, c], slop=2, boost=PROXIMITY_BOOST)])
        for room in (1, 3, 10):
            ours = partial.best(scorer, q, lambda found: found, room, None)
            theirs = [(hit.docnum, hit.score) for hit in searcher.search(q, limit=room)]
            assert [d for d, _ in ours] == [d for d, _ in theirs]
            assert np.allclose([s for _, s in ours], [s for _, s in theirs])


def test_proximity_bonus_goes_to_words_standing_close(scorer):
    reader = scorer.searcher.reader()
    body = [t.text for t in reader.schema["body_exact"].analyzer(scorer.searcher.stored_fields(1)["body"])]
    a, b = body[10], body[11]
    words = [wq.Term("body", stem(a)), wq.Term("body", stem(b))]
    q = wq.Or([*words, Near("body_exact", [a, b], slop=2, boost=PROXIMITY_BOOST)])
    ranked = dict(partial.best(scorer, q, lambda found: found, 1000, None))
    plain = scorer.score(wq.Or(words))
    assert ranked[1] > plain.score_of(np.array([1]))[0]


def test_postings_leave_replaced_dispatches_out(tmp_path, make_archive):
    # Two files: a segment whose documents are all deleted is dropped at the next
    # commit (index/whoosh/merging.py); here one stays, so the old version is masked in it.
    root = make_archive({"a.txt": "Rencontre au sommet\n\nLes ministres de l'agriculture se retrouvent.",
                         "b.txt": "Marché\n\nLes cours du blé montent."})
    reindex(tmp_path / "ix", [root])
    (root / "a.txt").write_text("Rencontre au sommet\n\nLes ministres de la pêche se retrouvent.", encoding="utf-8")
    reindex(tmp_path / "ix", [root])
    with open_index(tmp_path / "ix") as handle:
        searcher, generation = handle._searcher()
        assert searcher.reader().doc_count_all() == 3  # the old version is deleted, not gone
        assert postings.postings(searcher, "body", "agricultur", generation).size == 0
        assert postings.postings(searcher, "body", "pech", generation).docs.tolist() == [2]


def test_warm_reads_the_frequent_terms_ahead(handle, monkeypatch):
    monkeypatch.setattr(postings, "WARM_DOCUMENT_FREQUENCY", 100)
    clear_caches()
    searcher, _ = handle._searcher()
    reader = searcher.reader()
    # The live postings of every term found in at least 100 documents (deleted ones
    # counted in that frequency, as Whoosh keeps it).
    expected = sum(
        len(list(reader.postings(field, t).all_ids())) for field in ("title", "body") for t, _ in reader.iter_field(field)
        if reader.doc_frequency(field, t) >= 100
    )
    assert expected > 0 and handle.warm() == expected


def test_cache_is_bounded_by_weight():
    cache: LruCache[list] = LruCache(10, weigh=len)
    cache.get("a", lambda: [0] * 6)
    cache.get("b", lambda: [0] * 3)
    cache.get("a", lambda: pytest.fail("a is cached"))
    cache.get("c", lambda: [0] * 4)  # 13 > 10: the least recently used (b) goes
    assert cache.get("b", lambda: ["again"]) == ["again"]
    assert cache.get("a", lambda: ["recomputed"]) == ["recomputed"]  # then a went for b


def test_warm_reads_the_lengths_every_scored_field_needs(handle):
    """Every unquoted word also scores its exact form: the exact fields' lengths are read
    ahead with the stems', not by the first query (a second or two at 341,000)."""
    clear_caches()
    handle.warm()
    searcher, generation = handle._searcher()
    for field in ("title", "body", "title_exact", "body_exact"):
        postings._lengths.get((generation, field), lambda: pytest.fail(f"{field}: lengths not read ahead"))
