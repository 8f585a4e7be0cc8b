"""What a dispatch becomes in an OpenSearch index (`source`): the counterpart of
index/whoosh/schema.py's `document` for the fields of index/opensearch/mapping.py. A document
is read back by index/stored.py, as Whoosh's stored fields are.
"""

from __future__ import annotations

from archive.model import Dispatch, PartialDate
from index.credits import wanted_key
from index.fingerprints import Fingerprint, band_keys
from index.stored import date_from_key, date_key

# The fields a search reads to make a hit (the body for its snippet).
HIT_FIELDS = ["id", "path", "title", "body", "date_key", "inferred_date", "byline", "sources", "authors", "story"]


def source(dispatch: Dispatch, size: int, mtime: int, fp: Fingerprint,
           story: str | None = None, inferred: PartialDate | None = None) -> dict:
    """The `_source` of one dispatch; alone in its story unless `story` is given."""
    doc = {
        "id": dispatch.id,
        "path": dispatch.source_path,
        "title": dispatch.title,
        "body": dispatch.body,
        "date": dispatch.date.iso() if dispatch.date else None,
        "date_key": date_key(dispatch.date),
        "date_source": str(dispatch.date_source),
        "title_derived": dispatch.title_derived,
        "byline": dispatch.byline,
        "url": dispatch.url,
        "sources": list(dispatch.sources),
        "authors": list(dispatch.authors),
        "source_keys": sorted({wanted_key("sources", name) for name in dispatch.sources}),
        "author_keys": sorted({wanted_key("authors", name) for name in dispatch.authors}),
        "bands": bands(fp),
        "size": size,
        "mtime": mtime,
        "hash": dispatch.content_hash,
    }
    return doc | stamp(doc["date_key"], story or dispatch.id, inferred)


def bands(fp: Fingerprint) -> list[str]:
    """The LSH bands of the body's signature as terms (`band:value`), none for a body
    too short to have versions. Two signatures are candidates when they share a term."""
    if fp.signature is None:
        return []
    return [f"{i}:{value:x}" for i, value in enumerate(band_keys(fp.signature[None, :])[0].tolist())]


def stamp(own_key: int, story: str, inferred: PartialDate | None) -> dict:
    """The fields a story's grouping sets: the story id, and for an undated dispatch the
    date its versions agree on, which its date facets and sorts then read."""
    inferred = None if own_key else inferred
    key = own_key or date_key(inferred)
    return {"story": story, "inferred_date": inferred.iso() if inferred else None} | periods(key)


def periods(key: int) -> dict:
    """`facet_key` and the year, month and day it falls in (as precise as it is)."""
    date = date_from_key(key)
    return {
        "facet_key": key or None,
        "year": f"{date.year:04d}" if date else None,
        "month": date.iso()[:7] if date and date.month else None,
        "day": date.iso() if date and date.day else None,
    }

