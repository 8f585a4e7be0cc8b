"""The documents on a page before they are read (index/whoosh/pages.py): the full matches in
the list's order, by our scorer or by date, then the partial matches after them."""

from __future__ import annotations

import pytest

from index import SearchRequest, Sort, open_index
from index.paging import Window
from index.whoosh.pages import Candidate, full_page, partial_matches
from index.whoosh.selection import select

FILES = {
    "a.txt": "date 2019-02-03\n\nGel sur la Loire\n\nLe gel a pris la Loire à Orléans, la Loire gèle.",
    "b.txt": "date 2019-04-07\n\nCrue de la Loire\n\nLa Loire déborde à Tours après le gel.",
    "c.txt": "date 2018-05-20\n\nOrage en Bretagne\n\nUn orage frappe Brest, la Loire aussi.",
    "d.txt": "date 2017-01-09\n\nNeige en Savoie\n\nLa neige bloque les cols.",
}


@pytest.fixture
def handle(make_index):
    with open_index(make_index(FILES)) as handle:
        yield handle


def page(handle, request: SearchRequest):
    searcher, generation = handle._searcher()
    chosen = select(searcher, generation, request)
    window = Window.of(chosen.request, int(chosen.units.size), ranked=chosen.scored is not None)
    ids = lambda candidates: [searcher.stored_fields(c.docnum)["id"] for c in candidates]  # noqa: E731
    return chosen, window, full_page(searcher, chosen, window), partial_matches(searcher, generation, chosen, window), ids


def test_ranked_words_give_scored_candidates_best_first(handle):
    _, _, full, _, ids = page(handle, SearchRequest(query="loire"))
    assert sorted(ids(full)) == ["a.txt", "b.txt", "c.txt"]
    scores = [c.score for c in full]
    assert all(score > 0 for score in scores) and scores == sorted(scores, reverse=True)
    assert not any(c.partial for c in full)


def test_date_order_and_browsing_need_no_score(handle):
    for request in (SearchRequest(query="loire", sort=Sort.NEWEST), SearchRequest(sort=Sort.NEWEST)):
        _, _, full, _, ids = page(handle, request)
        assert {c.score for c in full} == {0.0}
    _, _, full, _, ids = page(handle, SearchRequest(sort=Sort.OLDEST))
    assert ids(full) == ["d.txt", "c.txt", "a.txt", "b.txt"]


def test_partial_matches_follow_the_full_ones_with_their_words_to_mark(handle):
    _, window, full, partials, ids = page(handle, SearchRequest(query="gel loire"))
    assert sorted(ids(full)) == ["a.txt", "b.txt"] and window.listed == 2
    # Only c.txt holds some of the words and not all.
    assert (partials.total, partials.listed) == (1, 1)
    assert ids(partials.on_page) == ["c.txt"] and all(isinstance(c, Candidate) and c.partial for c in partials.on_page)
    assert partials.terms.stems and partials.pool.tolist() == [c.docnum for c in partials.on_page]


def test_a_page_before_the_partial_matches_does_not_look_for_them(handle):
    _, _, full, partials, ids = page(handle, SearchRequest(query="gel loire", page_size=1))
    assert len(full) == 1
    # Counted for the heading, but neither read nor marked on this page.
    assert (partials.total, partials.on_page, partials.pool) == (1, (), None)
