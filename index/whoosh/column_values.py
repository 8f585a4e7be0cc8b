"""A whole column of a segment at once, read as one block of bytes.

Whoosh's column readers return one value per call (a seek, a read and an unpack each):
for the three columns a no-op reindex compares, that was most of its time on a large
archive. The two layouts our schema's columns use are read here in one read each, then
cut with NumPy or slices; anything else goes through Whoosh's own iteration.
tests/test_merging.py compares both ways on a real index. `indexed` reads the files an
index holds this way, for index/scan.py's comparison with the files found, and
`date_keys` the date of every document, which each index generation's first query needs
(1 s value by value at 341,000 dispatches, 0.04 s this way).
"""

from __future__ import annotations

from itertools import compress

import numpy as np
from whoosh import columns

from index.cache import LruCache
from index.scan import Indexed
from index.whoosh.internals import fixed_column_bytes, numeric_column, var_bytes_column


def column_values(segment_reader, name: str, translate: bool = True) -> list:
    """Every document's value in column `name` of one segment (deleted ones too), as
    `list(segment_reader.column_reader(name))` gives them."""
    if not segment_reader.doc_count_all():
        return []  # an empty index's reader has no columns
    column = segment_reader.column_reader(name, translate=False)
    values = None
    if type(column) is columns.NumericColumn.Reader:
        array = numeric_column(column)
        values = None if array is None else array.tolist()
    if values is None and type(column) is columns.VarBytesColumn.Reader:
        values = var_bytes_column(column)
    if values is None:
        return list(segment_reader.column_reader(name, translate=translate))
    field = segment_reader.schema[name]
    if translate and type(column) is columns.VarBytesColumn.Reader:
        values = [field.from_column_value(value) for value in values]
    return values


def numbers(segment_reader, name: str) -> np.ndarray:
    """Every document's value in the numeric column `name` of one segment (deleted ones
    too), as 64-bit signed integers: what NumPy compares without going through floats."""
    if not segment_reader.doc_count_all():
        return np.zeros(0, dtype=np.int64)
    column = segment_reader.column_reader(name, translate=False)
    array = numeric_column(column) if type(column) is columns.NumericColumn.Reader else None
    if array is None:
        array = np.array(list(segment_reader.column_reader(name)), dtype=np.int64)
    return array.astype(np.int64)


def every_number(reader, name: str) -> np.ndarray:
    """`numbers` over every segment of `reader`, indexed by document number."""
    parts = [numbers(leaf, name) for leaf, _ in reader.leaf_readers()]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def every_value(reader, name: str) -> list:
    """`column_values` over every segment of `reader`, indexed by document number."""
    return [value for leaf, _ in reader.leaf_readers() for value in column_values(leaf, name)]


# A few generations: the live one, and the previous while threads move over.
_date_keys: LruCache[np.ndarray] = LruCache(4)


def date_keys(searcher, generation_key: tuple) -> np.ndarray:
    """The `facet_key` of every document number of this searcher's reader (cached), what
    date filters and facets count with (index/facets.py)."""
    return _date_keys.get(generation_key, lambda: every_number(searcher.reader(), "facet_key"))


def fixed_bytes(segment_reader, name: str) -> bytes | None:
    """The values of a FixedBytesColumn, end to end (deleted documents too), or None
    when the column is laid out otherwise."""
    if not segment_reader.doc_count_all():
        return b""
    column = segment_reader.column_reader(name, translate=False)
    if type(column) is not columns.FixedBytesColumn.Reader:
        return None
    return fixed_column_bytes(column)


def live_documents(reader) -> np.ndarray:
    """Whether each document number of `reader` is live, from each segment's set of
    deleted documents: Whoosh's `all_doc_ids` asks document by document, which took
    seconds on a large archive's update."""
    live = np.ones(reader.doc_count_all(), dtype=bool)
    for leaf, offset in reader.leaf_readers():
        if leaf.has_deletions():
            deleted = np.fromiter(leaf.deleted_docs_set, dtype=np.int64)
            live[offset + deleted] = False
    return live


def indexed(reader) -> Indexed:
    """The files a Whoosh reader holds, read from columns only, a whole column of a
    segment at a time; deleted documents left out."""
    paths: list[bytes] = []
    sizes, mtimes = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for leaf, _ in reader.leaf_readers():
        leaf_paths = column_values(leaf, "path", translate=False)
        leaf_sizes, leaf_mtimes = numbers(leaf, "size"), numbers(leaf, "mtime")
        if leaf.has_deletions():
            live = live_documents(leaf)
            leaf_paths = list(compress(leaf_paths, live.tolist()))
            leaf_sizes, leaf_mtimes = leaf_sizes[live], leaf_mtimes[live]
        paths += leaf_paths
        sizes.append(leaf_sizes)
        mtimes.append(leaf_mtimes)
    return Indexed(paths, np.concatenate(sizes), np.concatenate(mtimes))
