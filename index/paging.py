"""Where the page asked for falls among a request's results, read the same way by both
backends: the full matches first (by relevance, only the first MAX_RESULTS_DEPTH of
them), then the partial matches (some of the words), at most MAX_PARTIAL_LISTED of
them listed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from index.readings import join_notices
from index.results import MAX_PAGE_SIZE, MAX_RESULTS_DEPTH, SearchRequest, Sort

# Partial matches are a help after the answer: the best hundred are listed, all counted.
MAX_PARTIAL_LISTED = 100


def bounded(request: SearchRequest) -> SearchRequest:
    """The request with its page and page size inside what a page may be."""
    return replace(request, page=max(1, request.page), page_size=min(max(1, request.page_size), MAX_PAGE_SIZE))


@dataclass(frozen=True)
class Window:
    """The page's positions (`start` to `end`, past the last) among the `total` full
    matches, of which `listed` can be reached: by relevance, pages stop at
    MAX_RESULTS_DEPTH (`capped`, and the person is told); in date order they reach
    every result. Partial matches stand after the `listed` full ones."""

    start: int
    end: int
    total: int
    listed: int
    capped: bool

    @classmethod
    def of(cls, request: SearchRequest, total: int, ranked: bool) -> Window:
        """`ranked`: the full matches are ordered by a score (a query with words)."""
        capped = request.sort is Sort.RELEVANCE and ranked and total > MAX_RESULTS_DEPTH
        start = (request.page - 1) * request.page_size
        return cls(start, start + request.page_size, total, min(total, MAX_RESULTS_DEPTH) if capped else total, capped)

    @property
    def reaches_full(self) -> bool:
        """Whether the page shows some of the full matches."""
        return self.start < self.listed

    def partial_slice(self, partial_listed: int) -> slice:
        """The partial matches on the page, counted from the first of them."""
        return slice(max(0, self.start - self.listed), min(self.end - self.listed, partial_listed))

    def notice(self, notice: str | None) -> str | None:
        """`notice`, and that relevance stops at MAX_RESULTS_DEPTH when it does."""
        if not self.capped:
            return notice
        return join_notices(notice, f"le classement par pertinence s’arrête aux {MAX_RESULTS_DEPTH:,} premiers résultats"
                            .replace(",", "\u202f") + " : triez par date ou choisissez une période pour aller plus loin")
