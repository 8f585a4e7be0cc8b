"""Ranking only what can reach the page gives the page that scoring every match gives.

The search scores the full matches only among the documents the query matches (found
first as sets), ranks only the head of the order, and counts stories and partial
matches with set operations (index/whoosh/pages.py, index/whoosh/scoring.py, index/whoosh/versions.py).
Each test compares that with the exhaustive computation, written here the plain way:
every posting scored (`Scorer.score` without `among`), every match sorted, stories
collapsed one by one in Python, totals counted as Python sets. On a real index of about
820 French dispatches (tests/textdata.py) in the three formats, with stories of two
versions and the deletions their regrouping leaves.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from whoosh import query as wq

from archive.model import PartialDate
from bench.corpus import materialise
from bench.queries import make_queries
from index import SearchRequest, open_index, reindex
from index.results import Sort
from index import facets
from index.whoosh import partial, query, selection, versions
from index.whoosh.column_values import date_keys
from index.whoosh.matching import intersection, matching, union
from index.whoosh.scoring import Scored, Scorer
from textdata import wikipedia_records


@pytest.fixture(scope="module")
def records():
    return wikipedia_records()


@pytest.fixture(scope="module")
def handle(records, tmp_path_factory):
    root = tmp_path_factory.mktemp("news")
    materialise(records, len(records), root)
    index_dir = tmp_path_factory.mktemp("news-index")
    report = reindex(index_dir, [root])
    assert report.added == len(records) and not report.failures
    with open_index(index_dir) as handle:
        yield handle


def typed_queries(records, count: int = 120) -> list[tuple[str, int | None]]:
    """Queries people type (a few words of a title, a quoted pair, a year), as the
    benchmark draws them; then common words, which match hundreds of dispatches and
    fill several pages, an exclusion, an `OU` and a field prefix."""
    drawn = [(q.text, q.year) for q in make_queries(records, count, seed=5)]
    common = ["guerre", "roi france", "ville siècle", "église", "armée guerre", "paris", "histoire",
              "guerre -roi", "roi OU reine", "titre:guerre", "première guerre mondiale", "guerre siècle"]
    return drawn + [(text, None) for text in common] + [("guerre", 2018), ("siècle", 2018)]


def request(text: str, year: int | None, grouped: bool, page: int, page_size: int = 10) -> SearchRequest:
    return SearchRequest(query=text, year=year, collapse_versions=grouped, page=page, page_size=page_size,
                         with_snippets=False)


def exhaustive(handle, req: SearchRequest) -> dict:
    """The page and the totals, from every match scored and sorted."""
    searcher, generation = handle._searcher()
    parsed = query.parse(req.query, searcher.schema).bounded(searcher.reader())
    scorer = Scorer(searcher, generation, matching)
    full = scorer.score(parsed.everything)
    keys = date_keys(searcher, generation)
    codes = versions.story_codes(searcher, generation)
    chosen = PartialDate(req.year) if req.year else None
    period = facets.date_filter((chosen, chosen), (parsed.date_from, parsed.date_to))

    def in_period(doc: int) -> bool:
        return not period.active or bool(period.mask(keys[[doc]])[0])

    def first_version(docs: list[int]) -> dict[int, int]:
        """Each story's first version among `docs`: its earliest dated one, else its first."""
        first: dict[int, int] = {}
        for doc in sorted(docs, key=lambda d: (keys[d] == 0, keys[d], d)):
            first.setdefault(int(codes[doc]), doc)
        return first

    matches = full.docs.tolist()
    scores = dict(zip(matches, full.scores.tolist()))
    if req.collapse_versions:
        units = [d for d in first_version(matches).values() if in_period(d)]
        pool = units if period.active else matches
    else:
        units = pool = [d for d in matches if in_period(d)]
    ranked = sorted(pool, key=lambda d: (-scores[d], d))
    if req.collapse_versions:
        seen: set[int] = set()
        ranked = [d for d in ranked if not (int(codes[d]) in seen or seen.add(int(codes[d])))]
    start = (req.page - 1) * req.page_size
    page = [(searcher.stored_fields(d)["id"], scores[d]) for d in ranked[start:start + req.page_size]]
    partial_total = 0
    if parsed.anything is not None:
        some = scorer.score(partial.without_bonuses(parsed.anything)).docs.tolist()
        if req.collapse_versions:
            shown = {int(codes[d]) for d in units}
            others = [d for d in some if int(codes[d]) not in shown]
            partial_total = sum(in_period(d) for d in first_version(others).values())
        else:
            shown_docs = set(units)
            partial_total = sum(in_period(d) for d in some if d not in shown_docs)
    return {"total": len(units), "dispatches": sum(in_period(d) for d in matches), "page": page,
            "partial_total": partial_total}


def test_pages_and_totals_are_those_of_scoring_every_match(handle, records):
    checked = deep = 0
    for text, year in typed_queries(records):
        for grouped in (True, False):
            for page in (1, 2, 3):
                req = request(text, year, grouped, page)
                found = handle.search(req)
                expected = exhaustive(handle, req)
                full = [(hit.id, hit.score) for hit in found.hits if not hit.partial]
                assert full == expected["page"], (text, year, grouped, page)
                assert (found.total, found.dispatches) == (expected["total"], expected["dispatches"]), text
                assert found.partial_total == expected["partial_total"], (text, year, grouped)
                checked += 1
                deep += page > 1 and len(full) == req.page_size
    # Many pages were compared, and pages past the first were full ones.
    assert checked > 500 and deep > 20


def test_small_pages_reach_deep_into_the_ranking(handle):
    """Pages of one and two: the head of the order that is sorted is a few documents."""
    for text in ("guerre", "roi france", "histoire", "église"):
        for grouped in (True, False):
            for size in (1, 2, 3):
                for page in range(1, 12):
                    req = request(text, None, grouped, page, page_size=size)
                    full = [(hit.id, hit.score) for hit in handle.search(req).hits if not hit.partial]
                    assert full == exhaustive(handle, req)["page"], (text, grouped, size, page)


def test_scores_among_the_matches_are_the_same_numbers(handle, records):
    """Scoring among the matches gives bit for bit the scores of scoring every posting."""
    searcher, generation = handle._searcher()
    compared = 0
    for text, _ in typed_queries(records):
        parsed = query.parse(text, searcher.schema).bounded(searcher.reader())
        for q in (parsed.everything, parsed.anything):
            if q is None:
                continue
            scorer = Scorer(searcher, generation, matching)
            full = scorer.score(q)
            among = scorer.docs(q)
            restricted = scorer.score(q, among=among)
            assert full is not None and restricted is not None
            assert restricted.docs.tolist() == full.docs.tolist() == among.tolist(), text
            assert restricted.scores.tolist() == full.scores.tolist(), text  # exact, not close
            # Among a subset, the same numbers for the documents of the subset.
            half = among[::2]
            assert scorer.score(q, among=half).scores.tolist() == full.only(np.isin(full.docs, half)).scores.tolist()
            compared += 1
    assert compared > 150


def test_the_head_of_the_ranking_is_the_whole_ranking_cut(handle):
    """`Scored.ranked` with a limit sorts only the head; ties at its edge are kept whole."""
    rng = random.Random(4)
    searcher, generation = handle._searcher()
    codes = versions.story_codes(searcher, generation)
    docs = np.array(sorted(rng.sample(range(codes.size), 400)), dtype=np.int64)
    for trial in range(40):
        # Few distinct scores: long runs of ties, broken by document number.
        scores = np.array([rng.choice((0.5, 1.0, 1.5, 2.0, 2.0 + trial)) for _ in docs])
        found = Scored(docs, scores)
        whole = [d for d, _ in sorted(zip(docs.tolist(), scores.tolist()), key=lambda p: (-p[1], p[0]))]
        seen: set[int] = set()
        stories = [d for d in whole if not (int(codes[d]) in seen or seen.add(int(codes[d])))]
        for limit in (1, 3, 10, 57, 400, 1000):
            assert found.ranked(None, limit).tolist() == whole[:limit]
            assert found.ranked(codes, limit).tolist() == stories[:limit]


def test_sets_are_those_of_sorting():
    rng = np.random.default_rng(8)
    size = 50_000
    for trial in range(30):
        parts = [np.unique(rng.integers(0, size, rng.integers(0, 20_000 if trial % 2 else 300))) for _ in range(3)]
        assert union(parts, size).tolist() == np.unique(np.concatenate(parts)).tolist()
        expected = np.intersect1d(np.intersect1d(parts[0], parts[1]), parts[2])
        assert intersection(parts, size).tolist() == expected.tolist()


def test_exclusions_find_what_whoosh_finds(handle):
    """`a -b` is a set difference of posting lists: the same documents Whoosh finds."""
    searcher, generation = handle._searcher()
    for text in ("guerre -roi", "roi -france -guerre", "église -paris"):
        q = query.parse(text, searcher.schema).bounded(searcher.reader()).everything
        assert isinstance(q, wq.And)
        assert matching(searcher, q, generation).tolist() == sorted(searcher.docs_for_query(q))


def exhaustive_partial(scorer: Scorer, q, keep, room: int, codes) -> list[tuple[int, float]]:
    """The best partial matches from every document holding a word, each scored with
    its words and the bonus of every pair of words standing close."""
    inner, excluded = (q.subqueries[0], q.subqueries[1:]) if isinstance(q, wq.And) else (q, [])
    words = [sub for sub in inner.subqueries if not isinstance(sub, query.Near)]
    near = [sub for sub in inner.subqueries if isinstance(sub, query.Near)]
    base = partial.union_sum([scorer.score(word) for word in words])
    for ex in excluded:
        base = base.without(scorer.docs(ex.query))
    base = keep(base)
    scores = base.scores.copy()
    for pair in near:
        bound = partial._bound(scorer, pair, base)
        close = partial._close(scorer, pair, base.docs)
        scores[np.searchsorted(base.docs, close)] += bound.score_of(close)
    ranked = sorted(zip(base.docs.tolist(), scores.tolist()), key=lambda p: (-p[1], p[0]))
    if codes is not None:
        seen: set[int] = set()
        ranked = [(d, s) for d, s in ranked if not (int(codes[d]) in seen or seen.add(int(codes[d])))]
    return ranked[:room]


def test_partial_matches_are_those_of_scoring_every_document(handle, records):
    """Partial matches skip the documents holding only common words when the best
    found already outscore them (MaxScore): the same page as scoring them all."""
    searcher, generation = handle._searcher()
    keys = date_keys(searcher, generation)
    codes = versions.story_codes(searcher, generation)
    rng = np.random.default_rng(6)
    hidden = np.zeros(keys.size, dtype=bool)
    hidden[rng.choice(keys.size, keys.size // 5, replace=False)] = True
    keeps = {"all": lambda found: found,
             "2017–2018": lambda found: found.only((keys[found.docs] >= 20170000) & (keys[found.docs] < 20190000)),
             "some shown": lambda found: found.only(~hidden[found.docs])}
    compared = pruned = 0
    for text, _ in typed_queries(records):
        q = query.parse(text, searcher.schema).bounded(searcher.reader()).anything
        if q is None:
            continue
        for name, keep in keeps.items():
            for grouped in (None, codes):
                for room in (1, 3, 10, 40):
                    scorer = Scorer(searcher, generation, matching)
                    expected = exhaustive_partial(scorer, q, keep, room, grouped)
                    assert partial.best(scorer, q, keep, room, grouped) == expected, (text, name, room)
                    compared += 1
                    pruned += _pruned(scorer, q, keep, room, grouped)
    # Documents were left unscored in many of the comparisons.
    assert compared > 1000 and pruned > 100


def _pruned(scorer: Scorer, q, keep, room: int, codes) -> bool:
    """Whether `partial.best` scores fewer documents than those holding a word."""
    inner, excluded = (q.subqueries[0], q.subqueries[1:]) if isinstance(q, wq.And) else (q, [])
    words = [sub for sub in inner.subqueries if not isinstance(sub, query.Near)]
    near = [sub for sub in inner.subqueries if isinstance(sub, query.Near)]
    among = partial._essential(scorer, words, near, excluded, keep, room, codes)
    every = union([scorer.docs(word) for word in words], scorer.searcher.reader().doc_count_all())
    return among is not None and among.size < every.size


def plain_date_order(docs: list[int], keys: np.ndarray, oldest: bool, codes: np.ndarray | None) -> list[int]:
    """Newest (or oldest) first, undated last, then by number; a story at its first."""
    ranked = sorted(docs, key=lambda d: (keys[d] == 0, keys[d] if oldest else -keys[d], d))
    if codes is not None:
        seen: set[int] = set()
        ranked = [d for d in ranked if not (int(codes[d]) in seen or seen.add(int(codes[d])))]
    return ranked


def test_date_orders_are_those_of_sorting_the_dates(handle):
    """Large sets are taken in the index's whole date order (kept per generation) and
    pages group only the head of it: the same lists as sorting every date."""
    searcher, generation = handle._searcher()
    keys = date_keys(searcher, generation)
    codes = versions.story_codes(searcher, generation)
    live = np.fromiter(searcher.reader().all_doc_ids(), dtype=np.int64)
    rng = np.random.default_rng(11)
    sets = {"all": live, "half": np.sort(rng.choice(live, live.size // 2, replace=False)),
            "a twentieth": np.sort(rng.choice(live, live.size // 20, replace=False))}
    assert sets["all"].size * selection.WHOLE_ORDER_FROM >= keys.size > sets["a twentieth"].size * selection.WHOLE_ORDER_FROM
    assert len(set(codes[live].tolist())) < live.size  # stories of several versions
    # The same documents with a tenth undated and a tenth dated by their year only.
    vaguer = keys.copy()
    vaguer[rng.choice(keys.size, keys.size // 10, replace=False)] = 0
    years = rng.choice(keys.size, keys.size // 10, replace=False)
    vaguer[years] = vaguer[years] // 10000 * 10000
    for dates, key in ((keys, generation), (vaguer, ("vaguer dates",))):
        for name, kept in sets.items():
            for sort in (Sort.NEWEST, Sort.OLDEST):
                for grouped in (codes, None):
                    expected = plain_date_order(kept.tolist(), dates, sort is Sort.OLDEST, grouped)
                    assert selection.by_date(kept, dates, sort, grouped, key).tolist() == expected, (name, sort)
                    for limit in (1, 10, 300, len(expected) + 5):
                        got = selection.by_date(kept, dates, sort, grouped, key, limit=limit).tolist()
                        assert got == expected[:limit], (name, sort, limit)


def test_the_empty_query_counts_are_those_of_counting_every_document(handle):
    """What the empty query counts is kept per generation: the same as counting it."""
    searcher, generation = handle._searcher()
    keys = date_keys(searcher, generation)
    codes = versions.story_codes(searcher, generation)
    live = list(searcher.reader().all_doc_ids())
    first: dict[int, int] = {}
    for doc in sorted(live, key=lambda d: (keys[d] == 0, keys[d], d)):
        first.setdefault(int(codes[doc]), doc)
    for _ in range(2):  # computed, then read back
        for grouped, units in ((True, list(first.values())), (False, live)):
            found = handle.search(SearchRequest(query="", collapse_versions=grouped, sort=Sort.NEWEST))
            years: dict[str, int] = {}
            for doc in units:
                if keys[doc]:
                    years[f"{keys[doc] // 10000:04d}"] = years.get(f"{keys[doc] // 10000:04d}", 0) + 1
            assert found.total == len(units) and found.dispatches == len(live)
            assert {f.value: f.count for f in found.facets.years} == years
            assert found.facets.undated == sum(1 for doc in units if not keys[doc])
            newest = plain_date_order(live, keys, False, codes if grouped else None)[:10]
            assert [hit.id for hit in found.hits] == [searcher.stored_fields(d)["id"] for d in newest]
