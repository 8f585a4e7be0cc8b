"""The index schema, its version, and the fields a `Dispatch` becomes.

`SCHEMA_VERSION` is stored beside the index; when the code's version differs, the index
must be rebuilt (`archive reindex --rebuild`) rather than be misread.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from whoosh import columns, fields, formats

from archive.model import Dispatch, PartialDate
from index.fingerprints import SIGNATURE_BYTES, fingerprint
from index.stored import date_key
from index.whoosh.analysis import exact_index_analyzer, french_analyzer

# 2: stories of versions (`story`, `inferred_date`, `facet_key`, `minhash`).
# 3: no year/month/day terms (facets read columns); size and mtime as columns only.
# 4: exact word forms beside stems (`title_exact`, `body_exact`).
# 5: stems without positions (phrases and proximity read the exact forms); the exact
#    forms' positions as varint gaps (`GapPositions`).
# 6: sources and authors (`sources`, `authors`: names, comma-separated), for facets
#    and filters.
# 7: stop words in the exact forms, at the position of the word after them: what
#    quoted phrases read their little words from.
SCHEMA_VERSION = 7
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
        # Stems without positions: nothing reads them (phrases, `~N` and the proximity
        # bonus of partial matches read the exact forms), and they took 43 % of the
        # postings. Nor character offsets: snippets re-analyse the ten bodies of a page
        # (a few milliseconds).
        title=fields.TEXT(analyzer=analyzer, phrase=False, stored=True, field_boost=TITLE_BOOST),
        body=fields.TEXT(analyzer=analyzer, phrase=False, stored=True),
        # The same texts again, unstemmed (still folded, without elisions or stop
        # words), with positions: what quotes, prefixes, `~N`, the exact switch and the
        # proximity bonus search, and what ranks a dispatch holding the very word typed
        # above its variants. Not stored: filled from `title` and `body` (see `document`).
        # Stop words are indexed there at the position of the word after them (see
        # index/whoosh/analysis.py), so that « "Le Maire" » is not any « maire ».
        title_exact=_positional(TITLE_BOOST),
        body_exact=_positional(),
        # YYYYMMDD with 00 for an unknown month or day, 0 when undated: one sortable
        # column that date sorting, filters and facets read without loading documents.
        date_key=fields.NUMERIC(int, bits=32, stored=True, sortable=True, signed=False),
        date_source=fields.STORED,
        title_derived=fields.STORED,
        byline=fields.STORED,
        url=fields.STORED,
        # Who a dispatch is credited to (archive/credits.py), one term per name as
        # written (filters and facets fold case and accents themselves, see
        # index/credits.py); stored as the names joined by commas.
        sources=_names(),
        authors=_names(),
        # What a cheap no-op reindex compares: file size and mtime first, the content
        # hash only when those differ.
        # Columns only: nothing searches them, and as NUMERIC fields each value would
        # also be indexed as several terms.
        size=fields.COLUMN(columns.NumericColumn("Q")),
        mtime=fields.COLUMN(columns.NumericColumn("Q")),
        hash=fields.ID(stored=True, sortable=True),
        # Versions of one story share this id (see index/grouping.py): the smallest id
        # among them, the dispatch's own id when it has no other version.
        story=fields.ID(stored=True, sortable=True),
        # An undated dispatch in a dated story: the date its versions agree on (ISO).
        inferred_date=fields.STORED,
        # What date filters, facets and date sorting read: `date_key`, or for an undated
        # dispatch the key of its inferred date. `date_key` stays the dispatch's own.
        # A column only: nothing searches it, and indexed it would cost eight terms.
        facet_key=fields.COLUMN(columns.NumericColumn("I")),
        # The body's MinHash signature (128 × uint32), what finding versions of a new
        # dispatch compares; zeros for a body too short to have versions.
        minhash=MinHashColumn(),
    )


def _names() -> fields.KEYWORD:
    return fields.KEYWORD(stored=True, commas=True, lowercase=False, scorable=False)


def _positional(field_boost: float = 1.0) -> fields.TEXT:
    """A text field of exact forms, its positions stored as `GapPositions`."""
    field = fields.TEXT(analyzer=exact_index_analyzer(), field_boost=field_boost)
    field.format = GapPositions(field_boost=field_boost)
    return field


class GapPositions(formats.Positions):
    """Whoosh's `Positions`, written as the gaps between positions, one unsigned
    varint each (7 bits a byte, the high bit set on all bytes but a number's last).

    Whoosh writes a four-byte count and then the pickled list of gaps: 14 bytes for
    a word said once, where this takes one. The count is the number of last bytes."""

    def encode(self, poslist: list[int]) -> bytes:
        return encode_gaps(poslist)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        positions, position, gap, shift = [], 0, 0, 0
        for byte in valuestring:
            gap |= (byte & 0x7F) << shift
            if byte & 0x80:
                shift += 7
            else:
                position += gap
                positions.append(position)
                gap = shift = 0
        return positions

    def decode_frequency(self, valuestring: bytes) -> int:
        return sum(byte < 0x80 for byte in valuestring)


def encode_gaps(positions: list[int]) -> bytes:
    """Ascending positions as `GapPositions` stores them."""
    out, last = bytearray(), 0
    for position in positions:
        gap, last = position - last, position
        while gap >= 0x80:
            out.append(gap & 0x7F | 0x80)
            gap >>= 7
        out.append(gap)
    return bytes(out)


class MinHashColumn(fields.COLUMN):
    """A column of MinHash signatures that also takes the body's text and computes the
    signature itself, in whichever process indexes the document: during a full build,
    the writer's sub-processes, beside the analysis, rather than the process reading the
    files, which would otherwise hold the sub-processes back."""

    def __init__(self) -> None:
        super().__init__(columns.FixedBytesColumn(SIGNATURE_BYTES))

    def to_column_value(self, value: str | bytes) -> bytes:
        return value if isinstance(value, bytes) else fingerprint(value).column_value()


def document(
    dispatch: Dispatch,
    size: int,
    mtime: int,
    *,
    minhash: bytes | None = None,
    story: str | None = None,
    inferred: PartialDate | None = None,
) -> dict:
    """The fields stored for one dispatch. A dispatch alone in its story
    (the default) has its own id as story id. Without `minhash`, the index computes
    the signature from the body (see MinHashColumn)."""
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
    for name in ("byline", "url"):
        if getattr(dispatch, name):
            doc[name] = getattr(dispatch, name)
    for name in ("sources", "authors"):
        if getattr(dispatch, name):
            doc[name] = ",".join(getattr(dispatch, name))
    doc["minhash"] = dispatch.body if minhash is None else minhash
    return stamped(doc, story or dispatch.id, inferred)


def stamped(doc: dict, story: str, inferred: PartialDate | None) -> dict:
    """`doc` with its story id and, when it has no date of its own, the inferred one."""
    doc = {k: v for k, v in doc.items() if k not in ("story", "inferred_date", "facet_key")}
    # The exact-form fields index the same texts (stored once, under `title`, `body`).
    doc["title_exact"], doc["body_exact"] = doc["title"], doc["body"]
    doc["story"] = story
    doc["facet_key"] = doc["date_key"]
    if not doc["date_key"] and inferred is not None:
        doc["inferred_date"] = inferred.iso()
        doc["facet_key"] = date_key(inferred)
    return doc


def restored(stored: dict, size: int, mtime: int, minhash: bytes) -> dict:
    """The document again from its stored fields and columns, to be rewritten with
    another story or inferred date (Whoosh cannot change one field of a document)."""
    doc = {name: value for name, value in stored.items() if name not in ("story", "inferred_date")}
    doc.update(size=size, mtime=mtime, minhash=minhash)
    return doc


def write_version(index_dir: Path) -> None:
    """Record the schema version atomically: written beside, then renamed over the old
    file, so a kill half-way never leaves a healthy index reading as one to rebuild."""
    fresh = index_dir / f".{VERSION_FILE}.{os.getpid()}"
    fresh.write_text(json.dumps({"schema_version": SCHEMA_VERSION}))
    os.replace(fresh, index_dir / VERSION_FILE)


def stored_version(index_dir: Path) -> int | None:
    try:
        return int(json.loads((index_dir / VERSION_FILE).read_text())["schema_version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def needs_rebuild(index_dir: Path) -> bool:
    """True when an index exists in `index_dir` but was written by another schema."""
    return stored_version(index_dir) != SCHEMA_VERSION
