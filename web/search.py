"""The search page `/`: the box, the results, the date facets and the timeline."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from index import Histogram, SearchResult
from web import feed, timeline
from web.handle import archive_index
from web.params import SearchState

bp = Blueprint("search", __name__)

SORT_LABELS = {"pertinence": "pertinence", "recent": "plus récent", "ancien": "plus ancien"}


def search_for(state: SearchState, page_size: int | None = None) -> SearchResult:
    """The result page the state asks for (`page_size` results, the app's by default);
    a page past the last one shows the last."""
    index = archive_index()
    page_size = page_size or int(current_app.config["PAGE_SIZE"])
    result = index.search(state.request(page_size))
    if result.request.page > result.pages:
        result = index.search(state.request(page_size, page=result.pages))
    return result


@bp.get("/")
def index():
    state = SearchState.from_args(request.args)
    result = search_for(state)
    # What the total and the facets count: stories when versions are grouped.
    noun = "sujet" if result.grouped else "dépêche"
    last = result.pages
    return render_template(
        "search/index.html",
        state=state,
        result=result,
        page=result.request.page,
        last_page=last,
        pages=_page_window(result.request.page, last),
        noun=noun,
        timeline=timeline.build(result.facets, state, noun, current_app.config["LOCALE"], _period_months(state)),
        sort_labels=SORT_LABELS,
        feed_title=feed.feed_title(state),
    )


def _period_months(state: SearchState) -> Histogram | None:
    """A chosen period of a few years is drawn per month (one more pass over the set)."""
    if not timeline.period_months(state):
        return None
    return archive_index().histogram(state.request(1), "month")


def _page_window(current: int, last: int, around: int = 2) -> list[int | None]:
    """Page numbers to link: the first, the last and a few around the current one;
    None stands for a gap (« … »)."""
    shown = {1, last, *range(max(1, current - around), min(last, current + around) + 1)}
    pages: list[int | None] = []
    for number in sorted(shown):
        if pages and number - (pages[-1] or 0) > 1:
            pages.append(None)
        pages.append(number)
    return pages
