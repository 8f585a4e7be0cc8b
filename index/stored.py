"""A document read back from what an index stores of it, the same way for both backends:
the `Dispatch` it was made from, the hit a result list shows, a version of its story, and
the `StoredDispatch` a dispatch page shows.

Whoosh stores (index/schema.py `document`) and OpenSearch keeps in `_source`
(index/opensearch/documents.py `source`) nearly the same fields; they differ only in how
credits are written (`"AFP,Reuters"` against `["AFP", "Reuters"]`) and in an absent date
key (missing against `null`). Reading them in one place keeps a dispatch's date, its
inferred date and its credits the same whichever engine answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from archive.model import DateSource, Dispatch, PartialDate
from index.compare import Version, compare
from index.results import SearchHit
from index.schema import date_from_key
from index.snippets import Terms, highlight_paragraphs, snippet


@dataclass(frozen=True)
class StoredDispatch:
    """A dispatch as the index holds it, with its text highlighted for a query."""

    dispatch: Dispatch
    paragraphs_html: tuple[str, ...]
    title_html: str
    date_inferred: PartialDate | None = None
    story_id: str | None = None
    # Other versions of its story, oldest first, each compared with this one: those
    # from `versions_start`, at most the number asked; `versions_total` in all.
    versions: tuple[Version, ...] = ()
    versions_total: int = 0
    versions_start: int = 0


def names(stored: str | list | tuple | None) -> tuple[str, ...]:
    """The names of a stored `sources` or `authors` field: joined by commas in Whoosh,
    a list in OpenSearch."""
    if not stored:
        return ()
    return tuple(stored.split(",")) if isinstance(stored, str) else tuple(stored)


def own_date(fields: Mapping) -> PartialDate | None:
    """The dispatch's own date (none when it was undated)."""
    return date_from_key(fields.get("date_key") or 0)


def inferred_date(fields: Mapping) -> PartialDate | None:
    """The date an undated dispatch took from the other versions of its story."""
    inferred = fields.get("inferred_date")
    return PartialDate.from_iso(inferred) if inferred else None


def shown_date(fields: Mapping) -> tuple[PartialDate | None, bool]:
    """The date a hit or a version shows, and whether it was inferred from the story."""
    own = own_date(fields)
    if own is not None:
        return own, False
    inferred = inferred_date(fields)
    return inferred, inferred is not None


def paragraphs(fields: Mapping) -> tuple[str, ...]:
    return tuple(fields["body"].split("\n\n"))


def dispatch_of(fields: Mapping) -> Dispatch:
    """The dispatch as the index holds it."""
    date = own_date(fields)
    return Dispatch(
        id=fields["id"],
        source_path=fields["path"],
        title=fields["title"],
        paragraphs=paragraphs(fields),
        date=date,
        date_source=DateSource(fields.get("date_source") or "none") if date else DateSource.NONE,
        title_derived=bool(fields.get("title_derived")),
        byline=fields.get("byline"),
        url=fields.get("url"),
        sources=names(fields.get("sources")),
        authors=names(fields.get("authors")),
    )


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


def version_of(fields: Mapping, shown: tuple[str, ...]) -> Version:
    """Another version of a story, compared with the paragraphs `shown`."""
    date, inferred = shown_date(fields)
    return Version(fields["id"], fields["title"], date, inferred, compare(shown, paragraphs(fields)))


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
