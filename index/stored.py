"""A document read back from what an index stores of it, the same way for both backends:
the `Dispatch` it was made from, its dates, a version of its story, and the
`StoredDispatch` a dispatch page shows (the hit and the page, highlighted, are made in
index/whoosh/hits.py).

Whoosh stores (index/whoosh/schema.py `document`) and OpenSearch keeps in `_source`
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


def date_key(date: PartialDate | None) -> int:
    """The date key both engines store (`date_key`, and `facet_key` beside it): YYYYMMDD,
    00 for an unknown month or day, 0 when undated; one sortable number."""
    if date is None:
        return 0
    return date.year * 10000 + (date.month or 0) * 100 + (date.day or 0)


def date_from_key(key: int) -> PartialDate | None:
    if not key:
        return None
    year, month, day = key // 10000, key // 100 % 100, key % 100
    return PartialDate(year, month or None, (day or None) if month else None)


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


def version_of(fields: Mapping, shown: tuple[str, ...]) -> Version:
    """Another version of a story, compared with the paragraphs `shown`."""
    date, inferred = shown_date(fields)
    return Version(fields["id"], fields["title"], date, inferred, compare(shown, paragraphs(fields)))
