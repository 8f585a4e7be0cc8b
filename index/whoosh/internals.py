"""Every use of Whoosh's private internals, in one place, behind a version check.

Part of the archive's speed comes from working below Whoosh's public API: posting
blocks decoded whole with NumPy (index/whoosh/postings.py), columns read in one read
(index/whoosh/column_values.py), segments written directly and committed together
(index/whoosh/build_writer.py, index/whoosh/build.py, index/whoosh/writer.py). That relies on attributes and
methods whose names start with `_`, which Whoosh may change in any release. A renamed
one fails loudly; one whose meaning changed (a block's layout, a column's default, what
a commit cleans up) would give wrong scores or a damaged index without a word.

So every such access is a small function here, saying which internal it relies on and
what it returns, and this module refuses to import under any Whoosh but the one these
functions were checked against: `TESTED_VERSION`, the pin in pyproject.toml.

Two private hooks are overridden rather than called, and are checked the same way on an
upgrade: `SegmentWriter._flush_segment` (index/whoosh/build_writer.py writes the postings
itself) and `highlight.Formatter._text` (index/whoosh/snippets.py escapes the text between
matches).

Testing an upgrade: set `ARCHIVE_WHOOSH_UNCHECKED=1` to import anyway under another
version, run tests/test_whoosh_internals.py and tests/test_build.py (which compares a
full build with a plain Whoosh build, term by term), read each function below against
the new source, then change `TESTED_VERSION` and the pin together.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from importlib import metadata

import numpy as np

# The distribution the archive pins (pyproject.toml), and the version of it whose
# internals the functions below were read against.
DISTRIBUTION = "whoosh-reloaded"
TESTED_VERSION = "2.7.5"
# Set to 1 to import under another version anyway (to test an upgrade).
UNCHECKED_ENV = "ARCHIVE_WHOOSH_UNCHECKED"


class UntestedWhoosh(ImportError):
    """The installed Whoosh is not the version whose internals this module was checked
    against."""


def check_version(installed: str | None, unchecked: bool = False) -> None:
    """Raise `UntestedWhoosh` unless `installed` (None: not installed) is
    `TESTED_VERSION`, or `unchecked` says to go on anyway."""
    if installed == TESTED_VERSION or unchecked:
        return
    found = f"version {installed}" if installed else "not installed"
    raise UntestedWhoosh(
        f"index/whoosh/internals.py relies on private internals of {DISTRIBUTION} {TESTED_VERSION}; "
        f"the installed {DISTRIBUTION} is {found}. Install {DISTRIBUTION}=={TESTED_VERSION} "
        f"(pyproject.toml), or set {UNCHECKED_ENV}=1 to test an upgrade (see the module's docstring).")


def _installed() -> str | None:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return None


check_version(_installed(), os.environ.get(UNCHECKED_ENV) == "1")

# Imported after the check: under another version, these may not exist.
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3TermInfo, _lenfield  # noqa: E402
from whoosh.system import pack_ushort  # noqa: E402


# --- Posting blocks (`whoosh.codec.whoosh3.W3LeafMatcher`) -----------------------------

def read_block(leaf) -> tuple[Sequence[int], None | float | Sequence[float], int]:
    """The current block of a `W3LeafMatcher`, undecoded: (document numbers delta-coded
    from the segment's 0, weights, number of postings). Weights are None when all are
    1.0, one float when all are equal, else one per posting.

    Relies on `_read_data()` (reads and unpickles the block into `_data`), `_data[0]`,
    `_data[1]` and `_blocklength`."""
    leaf._read_data()
    return leaf._data[0], leaf._data[1], leaf._blocklength


def block_values(leaf) -> Sequence:
    """The values (encoded positions, frequencies…) of the block `read_block` just
    read, one per posting, as bytes for the format's decoder.

    Relies on `_read_values()`, which cuts `_data[2]` into `_values`."""
    leaf._read_values()
    return leaf._values


def next_block(leaf) -> None:
    """Move a `W3LeafMatcher` to its next block without reading the current one (it
    becomes inactive after the last).

    Relies on `_next_block()`."""
    leaf._next_block()


# --- Segment readers -------------------------------------------------------------------

def lengths_column(segment, field: str):
    """The column of a segment's field lengths (one length byte per document, as
    `whoosh.util.numeric.length_to_byte` encodes them), or None when no document of the
    segment has the field: what `SegmentReader.doc_field_length` reads.

    Relies on `SegmentReader._perdoc` (the per-document reader), its
    `_cached_reader(name, column)` and `whoosh3._lenfield` (the column's name)."""
    return segment._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)


def index_segments(ix) -> list:
    """The segments of an index's latest generation.

    Relies on `FileIndex._segments()`."""
    return ix._segments()


# --- Columns (`whoosh.columns`) --------------------------------------------------------

def fixed_column_bytes(column) -> bytes:
    """All values of a `FixedBytesColumn.Reader` end to end, documents after the last
    one written holding the column's default (zero bytes when it has none).

    Relies on `_dbfile`, `_basepos`, `_count` (values written), `_doccount`,
    `_fixedlen` and `_defaultbytes`."""
    data = column._dbfile.get(column._basepos, column._count * column._fixedlen)
    missing = column._doccount - column._count
    return data + (column._defaultbytes or bytes(column._fixedlen)) * missing


# `struct` type codes of a numeric column, as big-endian NumPy types.
_NUMPY_TYPES = {"B": ">u1", "H": ">u2", "I": ">u4", "Q": ">u8", "b": ">i1", "h": ">i2", "i": ">i4", "q": ">i8"}


def numeric_column(column) -> np.ndarray | None:
    """All values of a `NumericColumn.Reader` as a NumPy array of its own integer type,
    documents after the last one written holding the default; None for a column of
    floats (or any type code NumPy is not given here).

    Relies on `_typecode`, `_dbfile`, `_basepos`, `_count`, `_fixedlen`, `_doccount`
    and `_default`."""
    dtype = _NUMPY_TYPES.get(column._typecode)
    if dtype is None:
        return None
    raw = column._dbfile.get(column._basepos, column._count * column._fixedlen)
    values = np.frombuffer(raw, dtype=dtype)
    missing = column._doccount - column._count
    return np.concatenate([values, np.full(missing, column._default, dtype=dtype)]) if missing else values


def var_bytes_column(column) -> list[bytes]:
    """All values of a `VarBytesColumn.Reader`, one bytes each, read in one read.

    Relies on `_offsets` and `_lengths` (per document), `_dbfile` and `_basepos`."""
    offsets, lengths = column._offsets, column._lengths
    if not len(lengths):
        return []
    blob = column._dbfile.get(column._basepos, offsets[-1] + lengths[-1])
    return [blob[offset : offset + length] for offset, length in zip(offsets, lengths)]


# --- Queries ---------------------------------------------------------------------------

def expanded_words(q, reader) -> Iterator[bytes]:
    """The index terms (bytes) a multi-term query (`Wildcard`, `FuzzyTerm`, `Regex`…)
    stands for in `reader`, in term order, lazily.

    Relies on `MultiTerm._btexts(reader)`."""
    return q._btexts(reader)


# --- Scoring and collecting -----------------------------------------------------------

def field_b(weighting) -> dict[str, float]:
    """The per-field B of a `BM25F` weighting (given as `body_B=…`), as a new
    dict: empty for any other weighting.

    Relies on `BM25F._field_B`."""
    return dict(getattr(weighting, "_field_B", {}))


def filter_sets(collector) -> tuple:
    """A prepared `FilterCollector`'s (allow, restrict): the document numbers it keeps
    and those it leaves out (a query given as a filter becomes its documents), each
    None when not given.

    Relies on `_allow` and `_restrict`."""
    return collector._allow, collector._restrict


# --- Writing segments (`whoosh.writing.SegmentWriter`, `whoosh.codec.whoosh3`) ---------

def postings_per_block() -> int:
    """How many postings a block holds under `W3Codec`'s defaults.

    Relies on `W3Codec._blocklimit`."""
    return W3Codec()._blocklimit


def term_info_row():
    """The `struct.Struct` of a term's row in the term table (weight, document
    frequency, length bytes, max weight, first and last document).

    Relies on `W3TermInfo._struct`."""
    return W3TermInfo._struct


def set_stored_compression(perdocwriter, level: int) -> None:
    """Set the zlib level of a `W3PerDocWriter`'s stored-fields column.

    Relies on `_colwriters["_stored"]` (a compressed column writer) and its `_child`'s
    `_level`."""
    perdocwriter._colwriters["_stored"]._child._level = level


def postings_file(fieldwriter):
    """The postings file a `W3FieldWriter` writes term blocks to (a `StructFile`).

    Relies on `_postfile`."""
    return fieldwriter._postfile


def add_term_row(fieldwriter, tbytes: bytes, row: bytes) -> None:
    """Add a term of the field being written to a `W3FieldWriter`'s term table, with
    its row (term info and where its postings are).

    Relies on `_tindex` (the term table's writer) and `_fieldid` (the field's number,
    which prefixes its terms' keys)."""
    fieldwriter._tindex.add(pack_ushort(fieldwriter._fieldid) + tbytes, row)


def check_writable(writer) -> None:
    """Raise Whoosh's error if a `SegmentWriter` is already closed.

    Relies on `_check_state()`."""
    writer._check_state()


def check_fields(writer, schema, names: list[str]) -> None:
    """Raise Whoosh's `UnknownFieldError` for a name `schema` does not have.

    Relies on `SegmentWriter._check_fields(schema, names)`."""
    writer._check_fields(schema, names)


def mark_added(writer) -> None:
    """Record that a `SegmentWriter` added a document, so that its commit writes a
    segment.

    Relies on `_added`."""
    writer._added = True


def has_added(writer) -> bool:
    """Whether a `SegmentWriter` added any document.

    Relies on `_added`."""
    return writer._added


def close_segment(writer) -> None:
    """Close a `SegmentWriter`'s segment files and clean up its pool, without writing a
    table of contents.

    Relies on `_close_segment()`."""
    writer._close_segment()


def finalize_segment(writer):
    """Write a `SegmentWriter`'s postings (its `_flush_segment`), close its files and
    return its new segment, without committing it.

    Relies on `_finalize_segment()`."""
    return writer._finalize_segment()


def commit_segments(writer, segments: list) -> None:
    """Commit a `SegmentWriter` with exactly `segments` as the index's segments (the
    segments of several writers at once), then release its lock and temporary files.

    Relies on `_commit_toc(segments)` (writes the table of contents and deletes files
    no segment uses) and `_finish()`."""
    writer._commit_toc(segments)
    writer._finish()
