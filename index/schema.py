"""The index schema, its version, and the fields a `Dispatch` becomes.

`SCHEMA_VERSION` is stored beside the index; when the code's version differs, the index
must be rebuilt (`archive reindex --rebuild`) rather than be misread.
"""

from __future__ import annotations

import json
from pathlib import Path

from whoosh import fields

from archive.model import Dispatch, PartialDate
from index.analysis import french_analyzer

SCHEMA_VERSION = 1
VERSION_FILE = "schema-version.json"

# Weight of a title word against a body word in BM25F (tuned on the PIAF dev split).
TITLE_BOOST = 2.0


def build_schema() -> fields.Schema:
    analyzer = french_analyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        # The file a dispatch came from, relative to the archive root: a changed or
        # deleted file replaces or removes all its dispatches at once.
        path=fields.ID(stored=True, sortable=True),
        # Positions are kept (phrase queries); character offsets are not: snippets
        # re-analyse the ten bodies of a page (a few milliseconds), while offsets for
        # every posting cost about a tenth of the indexing time and of the index size.
        title=fields.TEXT(analyzer=analyzer, stored=True, field_boost=TITLE_BOOST),
        body=fields.TEXT(analyzer=analyzer, stored=True),
        # YYYYMMDD with 00 for an unknown month or day, 0 when undated: one sortable
        # column that date sorting, filters and facets read without loading documents.
        date_key=fields.NUMERIC(int, bits=32, stored=True, sortable=True, signed=False),
        year=fields.ID,
        month=fields.ID,
        day=fields.ID,
        date_source=fields.STORED,
        title_derived=fields.STORED,
        byline=fields.STORED,
        url=fields.STORED,
        # What a cheap no-op reindex compares: file size and mtime first, the content
        # hash only when those differ.
        size=fields.NUMERIC(int, bits=64, sortable=True, signed=False),
        mtime=fields.NUMERIC(int, bits=64, sortable=True, signed=False),
        hash=fields.ID(stored=True, sortable=True),
        # Versions of one story share this id (see index/stories.py).
        story=fields.ID(stored=True, sortable=True),
        inferred_date=fields.STORED,
    )


def date_key(date: PartialDate | None) -> int:
    if date is None:
        return 0
    return date.year * 10000 + (date.month or 0) * 100 + (date.day or 0)


def date_from_key(key: int) -> PartialDate | None:
    if not key:
        return None
    year, month, day = key // 10000, key // 100 % 100, key % 100
    return PartialDate(year, month or None, (day or None) if month else None)


def document(dispatch: Dispatch, size: int, mtime: int) -> dict:
    """The fields stored for one dispatch. Facet fields go only as deep as the date's
    precision: a month-precision dispatch has no day."""
    doc = {
        "id": dispatch.id,
        "path": dispatch.source_path,
        "title": dispatch.title,
        "body": dispatch.body,
        "date_key": date_key(dispatch.date),
        "date_source": str(dispatch.date_source),
        "title_derived": dispatch.title_derived,
        "size": size,
        "mtime": mtime,
        "hash": dispatch.content_hash,
    }
    if dispatch.date:
        doc["year"] = f"{dispatch.date.year:04d}"
        if dispatch.date.month:
            doc["month"] = dispatch.date.iso()[:7]
        if dispatch.date.day:
            doc["day"] = dispatch.date.iso()
    for name in ("byline", "url"):
        if getattr(dispatch, name):
            doc[name] = getattr(dispatch, name)
    return doc


def write_version(index_dir: Path) -> None:
    (index_dir / VERSION_FILE).write_text(json.dumps({"schema_version": SCHEMA_VERSION}))


def stored_version(index_dir: Path) -> int | None:
    try:
        return int(json.loads((index_dir / VERSION_FILE).read_text())["schema_version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def needs_rebuild(index_dir: Path) -> bool:
    """True when an index exists in `index_dir` but was written by another schema."""
    return stored_version(index_dir) != SCHEMA_VERSION
