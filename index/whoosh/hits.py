"""A stored document as a result list's hit and as the dispatch page's dispatch, its text
highlighted by the Whoosh highlighter (index/whoosh/snippets.py).

Both engines make their hits here: the OpenSearch engine highlights the `_source` it
reads back with the same analyzer and the same highlighter, so that a hit's snippet is
the same whichever engine answers. What is read from the stored fields is
index/stored.py's.
"""

from __future__ import annotations

from collections.abc import Mapping

from index.compare import Version
from index.results import SearchHit, Terms
from index.stored import StoredDispatch, dispatch_of, inferred_date, names, shown_date
from index.whoosh.snippets import highlight_paragraphs, snippet


def hit_of(fields: Mapping, score: float, partial: bool, terms: Terms | None,
           other_versions: tuple[str, ...] = ()) -> SearchHit:
    """The hit a result list shows; its snippet marks `terms` (none without them)."""
    date, inferred = shown_date(fields)
    return SearchHit(
        id=fields["id"],
        title=fields["title"],
        date=date,
        date_inferred=inferred,
        other_versions=other_versions,
        source_path=fields["path"],
        byline=fields.get("byline"),
        sources=names(fields.get("sources")),
        authors=names(fields.get("authors")),
        score=float(score),
        snippet=snippet(fields["body"], terms.stems, exact=terms.exact) if terms is not None else "",
        partial=partial,
        story_id=fields.get("story"),
    )


def stored_dispatch(fields: Mapping, terms: Terms, versions: tuple[Version, ...] = (), versions_total: int = 0,
                    versions_start: int = 0) -> StoredDispatch:
    """The dispatch page's dispatch, its title and text highlighted for `terms`."""
    dispatch = dispatch_of(fields)
    return StoredDispatch(
        dispatch=dispatch,
        paragraphs_html=highlight_paragraphs(dispatch.paragraphs, *terms),
        title_html=highlight_paragraphs((dispatch.title,), *terms)[0],
        date_inferred=inferred_date(fields),
        story_id=fields.get("story"),
        versions=versions,
        versions_total=versions_total,
        versions_start=versions_start,
    )
