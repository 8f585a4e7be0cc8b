"""Posting lists and field lengths as NumPy arrays, read once per index generation.

Matching, counting and ranking work on whole arrays (index/whoosh/matching.py,
index/whoosh/scoring.py) rather than on Whoosh's matchers, which hand out one posting at a
time. A term's postings are read block by block from Whoosh's own segment files: each
block's document numbers are delta-coded, so one `cumsum` decodes it. Arrays are cached
per generation and bounded by their total length, and a reindex never serves stale ones.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

from index.cache import LruCache, array_bytes
from index.whoosh.internals import block_values, lengths_column, next_block, read_block

# The postings the cache holds, over all terms: 8 bytes each (≈ 64 MB), with the cost
# of each entry counted too (see `CACHED_BYTES`).
CACHED_POSTINGS = 8_000_000
CACHED_BYTES = 8 * CACHED_POSTINGS
# `warm` reads ahead the terms found in at least this many documents: those whose
# posting lists take milliseconds to decode (on 34,000 dispatches: 2,750 body terms,
# 3.8 million postings, about 30 MB).
WARM_DOCUMENT_FREQUENCY = 300

# Whoosh stores a field's length in a document as one byte; this is the length each
# byte stands for, what Whoosh's BM25F reads back.
_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


@dataclass(frozen=True)
class Postings:
    """A term's live documents (ascending) and its weight in each (the term's frequency,
    times the field's boost)."""

    docs: np.ndarray  # int32
    weights: np.ndarray  # float32, as Whoosh stores them

    @property
    def size(self) -> int:
        return int(self.docs.size)


EMPTY = Postings(np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32))



def weigh(postings: Postings) -> int:
    """A posting list's cost in the cache, in bytes: an unknown word's empty list still
    costs its entry (weighed 1 of 8 million, 20,000 of them grew a server by 300 MB)."""
    return array_bytes(postings.docs, postings.weights) if postings is not EMPTY else array_bytes()


_postings: LruCache[Postings] = LruCache(CACHED_BYTES, weigh=weigh)
# A few generations of two fields: the live one, and the previous while threads move over.
_lengths: LruCache[np.ndarray] = LruCache(8)


def postings(searcher, field: str, text, generation: tuple) -> Postings:
    """The live postings of `text` in `field` (cached per index generation)."""
    return _postings.get((generation, field, text), lambda: _read_postings(searcher.reader(), field, text))


def lengths(searcher, field: str, generation: tuple) -> np.ndarray:
    """The length of `field` in every document number, as Whoosh's scoring reads it."""
    return _lengths.get((generation, field), lambda: _read_lengths(searcher.reader(), field))


def warm(searcher, generation: tuple, fields: tuple[str, ...]) -> int:
    """Read ahead the lengths of `fields` and the postings of their frequent terms, so
    that the first queries after a start or a reindex do not each pay for decoding them.
    Returns how many postings were read."""
    reader = searcher.reader()
    read = 0
    for field in fields:
        lengths(searcher, field, generation)
        frequency: Counter[str] = Counter()
        for segment, _ in reader.leaf_readers():
            # Index terms come as bytes; queries name them as text.
            for text, info in segment.iter_field(field):
                frequency[reader.schema[field].from_bytes(text)] += info.doc_frequency()
        for text, count in frequency.most_common():
            if count < WARM_DOCUMENT_FREQUENCY or read + count > CACHED_POSTINGS // 2:
                break
            read += postings(searcher, field, text, generation).size
    return read


def _read_postings(reader, field: str, text) -> Postings:
    docs, weights = [], []
    for segment, offset in reader.leaf_readers():
        # One look-up of the term per segment (a test of `in` first was two more:
        # the reader's and the segment's, most of a short list's cost).
        try:
            matcher = segment.postings(field, text)
        except TermNotFound:
            continue
        # The segment's deletions: a filter around the matcher, applied below at once.
        leaf = matcher.child if isinstance(matcher, FilterMatcher) else matcher
        ids, values = _read_leaf(leaf)
        deleted = segment.deleted_docs_set if segment.has_deletions() else None
        if deleted:
            live = ~np.isin(ids, np.fromiter(deleted, dtype=np.int64))
            ids, values = ids[live], values[live]
        docs.append(ids + offset)
        weights.append(values)
    if not docs:
        return EMPTY
    return Postings(np.concatenate(docs).astype(np.int32), np.concatenate(weights).astype(np.float32))


def _read_leaf(leaf) -> tuple[np.ndarray, np.ndarray]:
    """All the postings of one segment's matcher, as (document numbers, weights)."""
    if not isinstance(leaf, W3LeafMatcher):
        # Short lists are stored inline in the term index and read as a list.
        ids, weights = [], []
        while leaf.is_active():
            ids.append(leaf.id())
            weights.append(leaf.weight())
            leaf.next()
        return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)
    # Block by block, the way W3LeafMatcher reads them, but decoding each block with
    # NumPy instead of one posting at a time.
    ids_parts, weight_parts = [], []
    while leaf.is_active():
        ids, weights, count = read_block(leaf)
        ids_parts.append(np.cumsum(np.asarray(ids, dtype=np.int64)))
        if weights is None:
            weight_parts.append(np.ones(count))
        elif isinstance(weights, float):
            weight_parts.append(np.full(count, weights))
        else:
            weight_parts.append(np.asarray(weights, dtype=np.float64))
        next_block(leaf)
    if not ids_parts:
        return EMPTY.docs, EMPTY.weights
    return np.concatenate(ids_parts), np.concatenate(weight_parts)


def _read_lengths(reader, field: str) -> np.ndarray:
    parts = []
    for segment, _ in reader.leaf_readers():
        count = segment.doc_count_all()
        # The lengths column Whoosh's own `doc_field_length` reads (None: no document
        # of the segment has the field).
        column = lengths_column(segment, field)
        if column is None:
            parts.append(np.zeros(count))
            continue
        parts.append(_LENGTH_OF_BYTE[np.fromiter(column, dtype=np.uint8, count=count)])
    return np.concatenate(parts) if parts else np.zeros(0)


def positions(reader, field: str, text, docs: np.ndarray) -> dict[int, list[int]]:
    """The positions of the term in each of `docs` (live, ascending) that holds it.

    Block by block: a block none of `docs` falls in is skipped unread; in the others,
    the ids are decoded with NumPy and only the values of `docs` are decoded. Whoosh's
    `skip_to` walks a block one posting at a time in Python, which is what a phrase of
    common words (« Le Maire »: 70,000 candidate documents at 341,000 dispatches) spent
    its time on.
    """
    found: dict[int, list[int]] = {}
    leaves = reader.leaf_readers()
    ends = [offset for _, offset in leaves[1:]] + [reader.doc_count_all()]
    for (segment, offset), end in zip(leaves, ends):
        local = docs[(docs >= offset) & (docs < end)] - offset
        if not local.size or (field, text) not in segment:
            continue
        matcher = segment.postings(field, text)
        leaf = matcher.child if isinstance(matcher, FilterMatcher) else matcher
        decode = leaf.format.decoder("positions") if isinstance(leaf, W3LeafMatcher) else None
        # The leaf under the deletion filter reads deleted documents too.
        deleted = segment.deleted_docs_set if segment.has_deletions() else frozenset()
        if decode is None:
            # A short list stored inline in the term index: read one posting at a time.
            for docnum in local.tolist():
                if not matcher.is_active():
                    break
                matcher.skip_to(docnum)
                if matcher.is_active() and matcher.id() == docnum:
                    found[docnum + offset] = matcher.value_as("positions")
            continue
        first = 0  # the first of `local` not yet reached
        while leaf.is_active() and first < local.size:
            if leaf.block_max_id() < local[first]:
                next_block(leaf)
                continue
            deltas, _, _ = read_block(leaf)
            ids = np.cumsum(np.asarray(deltas, dtype=np.int64))
            last = int(np.searchsorted(local, ids[-1], side="right"))
            wanted = local[first:last]
            at = np.searchsorted(ids, wanted)
            held = ids[np.minimum(at, ids.size - 1)] == wanted
            if held.any():
                values = block_values(leaf)
                for i, docnum in zip(at[held].tolist(), wanted[held].tolist()):
                    if docnum not in deleted:
                        found[docnum + offset] = decode(values[i])
            first = last
            next_block(leaf)
    return found
