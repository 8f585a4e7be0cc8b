"""Where a page falls among the results (index/paging.py), as both backends read it:
the full matches first, by relevance only the first MAX_RESULTS_DEPTH of them, then the
partial matches."""

from __future__ import annotations

from index.paging import Window, bounded
from index.results import MAX_PAGE_SIZE, MAX_RESULTS_DEPTH, SearchRequest, Sort


def test_a_page_s_positions_follow_its_number_and_size():
    window = Window.of(SearchRequest(page=3, page_size=10), total=25, ranked=True)
    assert (window.start, window.end, window.listed, window.capped) == (20, 30, 25, False)
    assert window.reaches_full
    # Past the 25 full matches, the page shows the first five partial ones.
    assert window.partial_slice(100) == slice(0, 5)
    later = Window.of(SearchRequest(page=4, page_size=10), total=25, ranked=True)
    assert not later.reaches_full
    assert later.partial_slice(100) == slice(5, 15)
    # Only as many as are listed.
    assert later.partial_slice(8) == slice(5, 8)


def test_relevance_stops_at_the_depth_and_says_so():
    total = MAX_RESULTS_DEPTH + 5
    window = Window.of(SearchRequest(), total=total, ranked=True)
    assert window.capped and window.listed == MAX_RESULTS_DEPTH and window.total == total
    notice = window.notice("mot ignoré")
    assert notice.startswith("mot ignoré; le classement par pertinence s’arrête aux ")
    assert f"{MAX_RESULTS_DEPTH:,}".replace(",", "\u202f") in notice and "triez par date" in notice


def test_date_order_and_browsing_reach_every_result():
    total = MAX_RESULTS_DEPTH + 5
    for window in (Window.of(SearchRequest(sort=Sort.NEWEST), total, ranked=True),
                   Window.of(SearchRequest(), total, ranked=False)):
        assert not window.capped and window.listed == total
        assert window.notice(None) is None


def test_pages_are_bounded():
    assert (bounded(SearchRequest(page=0, page_size=0)).page, bounded(SearchRequest(page=0, page_size=0)).page_size) == (1, 1)
    assert bounded(SearchRequest(page_size=MAX_PAGE_SIZE * 10)).page_size == MAX_PAGE_SIZE
    assert bounded(SearchRequest(page=7, page_size=20)) == SearchRequest(page=7, page_size=20)
