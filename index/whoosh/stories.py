"""Versions of one story in a Whoosh index: grouping them at reindex (the union-find and
the LSH pairs are index/grouping.py's; what search and the dispatch page read back is in
index/whoosh/versions.py).

The index keeps one invariant: a document's `story` is the smallest id of its connected
component in the graph whose edges are the LSH candidate pairs that pass
`fingerprints.same_story`, and an undated member of a dated story carries the date its
dated members agree on (`inferred_date`, `facet_key`). A full build groups everything
after the bulk write, before the new index is published. An update regroups only what a
change can reach, in the same commit as the change: the new documents, the stories of
their LSH candidates, and the stories that lost a member (a removed version may have
been the only link between the others). Candidates come from the `minhash` column, so
nothing outside the index has to be kept in step with it, and a no-op reindex reads none
of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from whoosh import query as wq

from archive.model import PartialDate
from index.fingerprints import Fingerprint, band_keys, has_signature, signatures_from_column
from index.grouping import Doc, Region, Stamp, candidate_pairs
from index.stored import own_date
from index.whoosh import forked
from index.whoosh.column_values import fixed_bytes, live_documents
from index.whoosh.schema import restored, stamped

# The table that picks an update's candidate rows (`_band_candidates`): 4 MB, so that a
# few hundred new documents' bands leave most rows out; rows are looked up this many at
# a time, to bound the temporary arrays.
FILTER_BITS = 22
FILTER_ROWS = 1 << 16


@dataclass
class Plan:
    """What an update writes for stories: the stamp of each new document, and the
    committed documents to rewrite (whole, with their new stamp)."""

    stamps: dict[str, Stamp] = field(default_factory=dict)
    rewrites: list[dict] = field(default_factory=list)


class _Region(Region):
    """The documents being grouped, their union-find, and lazy access to the index."""

    def __init__(self, reader) -> None:
        super().__init__()
        self.reader = reader
        self._read: dict[int, Doc] = {}
        self._signatures: np.ndarray | None = None

    def committed(self, docnum: int, join: bool = True) -> Doc:
        """The committed document `docnum`, added to the region unless `join` is False
        (a candidate only joins once it has passed the test: stamping a document
        without the rest of its story would split it). Its body is read and
        fingerprinted only when a pair needs it."""
        doc = self._read.get(docnum)
        if doc is None:
            stored = self.reader.stored_fields(docnum)
            doc = self._read[docnum] = Doc(stored["id"], own_date(stored), docnum=docnum,
                                           stored=(stored.get("story"), stored.get("inferred_date")), body=stored["body"])
        return self.add(doc) if join else doc

    def signatures(self) -> np.ndarray:
        """Every committed document's signature, by document number (read once)."""
        if self._signatures is None:
            self._signatures = signatures_from_column(_minhash_blocks(self.reader))
        return self._signatures

    def rewrites(self, stamps: dict[str, Stamp]) -> list[dict]:
        """The committed documents whose story or inferred date changes, rewritten."""
        changed = []
        columns: dict = {}
        for doc in self.docs.values():
            stamp = stamps[doc.id]
            wanted = (stamp.story, stamp.inferred.iso() if stamp.inferred else None)
            if doc.docnum is None or doc.stored == wanted:
                continue
            # Opened for the first rewrite only: an empty index's reader has no columns.
            columns = columns or {name: self.reader.column_reader(name) for name in ("size", "mtime", "minhash")}
            n = doc.docnum
            fields = restored(self.reader.stored_fields(n), columns["size"][n], columns["mtime"][n], columns["minhash"][n])
            changed.append(stamped(fields, stamp.story, stamp.inferred))
        return changed


def _minhash_blocks(reader) -> list[bytes]:
    """The `minhash` column of each segment, as one block of bytes per segment (one read
    each, index/whoosh/column_values.py, rather than one per document)."""
    blocks = []
    for leaf, _ in reader.leaf_readers():
        block = fixed_bytes(leaf, "minhash")
        blocks.append(b"".join(leaf.column_reader("minhash")) if block is None else block)
    return blocks


def regroup_all(reader, reopen: Callable[[], object] | None = None) -> list[dict]:
    """After a full build (each document alone in its story): the documents to rewrite
    so that versions share a story and undated ones get their inferred date.

    With `reopen` (a new reader on the same index), half of the candidates' bodies are
    read and shingled in a forked child, with a reader of its own (index/whoosh/forked.py):
    that is most of the grouping's time, and the other core is idle by then."""
    region = _Region(reader)
    signatures = region.signatures()
    alive = np.flatnonzero(live_documents(reader))
    usable = alive[has_signature(signatures[alive])]
    pairs = [(int(usable[i]), int(usable[j])) for i, j in candidate_pairs(band_keys(signatures[usable]))]
    if reopen is not None:
        needed = sorted({n for pair in pairs for n in pair})
        half = len(needed) // 2
        other = forked.start(lambda: _shingled(reopen, needed[half:]))
        region._read.update(_shingled(lambda: reader, needed[:half], close=False))
        region._read.update(other())
    for a, b in pairs:
        region.link(region.committed(a), region.committed(b))
    return region.rewrites(region.stamps())


def _shingled(open_reader: Callable, docnums: list[int], close: bool = True) -> dict[int, Doc]:
    """The committed documents `docnums`, read and shingled ahead of their pairs."""
    reader = open_reader()
    try:
        region = _Region(reader)
        docs = {n: region.committed(n, join=False) for n in docnums}
        for doc in docs.values():
            region.shingles(doc)
        return docs
    finally:
        if close:
            reader.close()


def plan_update(searcher, removed_paths: Iterable[str], added: list[tuple[str, PartialDate | None, Fingerprint]]) -> Plan:
    """Stories after removing the documents of `removed_paths` from the committed index
    and adding `added` (id, date, fingerprint): see the module docstring."""
    reader = searcher.reader()
    region = _Region(reader)
    removed: set[int] = set()
    for path in removed_paths:
        removed.update(searcher.docs_for_query(wq.Term("path", path)))
    new = [region.add(Doc(doc_id, date, fp.shingles)) for doc_id, date, fp in added]
    signatures_of = {doc_id: fp.signature for doc_id, _, fp in added}
    # Stories that lost a member: regrouped from their survivors' pairs.
    broken = {reader.stored_fields(n).get("story") for n in removed}
    joined: set[str] = set()
    with_signature = [doc for doc in new if signatures_of[doc.id] is not None]
    if with_signature:
        signatures = region.signatures()
        # Deleted documents keep their column values: only live ones are candidates.
        usable = live_documents(reader) & has_signature(signatures)
        usable[sorted(removed)] = False
        bands = band_keys(signatures)
        added_bands = band_keys(np.stack([signatures_of[doc.id] for doc in with_signature]))
        rows = _band_candidates(bands, added_bands)
        rows = rows[usable[rows]]
        for doc, mine in zip(with_signature, added_bands):
            for n in rows[(bands[rows] == mine).any(axis=1)].tolist():
                old = region.committed(n, join=False)
                if region.link(doc, old):
                    joined.add(old.stored[0])
        for i, j in candidate_pairs(added_bands):
            region.link(with_signature[i], with_signature[j])
    for story in (broken | joined) - {None}:
        members = [region.committed(n) for n in searcher.docs_for_query(wq.Term("story", story)) if n not in removed]
        region.regroup(members, story in broken, lambda doc: _stored_signature(region, doc))
    stamps = region.stamps()
    return Plan({doc.id: stamps[doc.id] for doc in new}, region.rewrites(stamps))


def _stored_signature(region: _Region, doc: Doc) -> np.ndarray | None:
    """A committed document's signature as its column holds it; None (all zeros there)
    for a text too short to have one."""
    found = region.signatures()[doc.docnum]
    return found if found.any() else None


def _band_candidates(bands: np.ndarray, added: np.ndarray) -> np.ndarray:
    """The rows of `bands` that may share a band with a row of `added`: a superset, for
    the exact test band by band. Comparing every committed row with each new document
    took some 70 ms a document at 341,030 dispatches; here one table of the new bands'
    first 32 bits (cut to FILTER_BITS) is looked up once for all of them, and the rows
    it lets through (a few thousand) are compared exactly."""
    mask = np.uint32((1 << FILTER_BITS) - 1)
    table = np.zeros(1 << FILTER_BITS, dtype=bool)
    table[(added.view(np.uint32)[:, ::2] & mask).ravel()] = True
    firsts = bands.view(np.uint32)[:, ::2]
    hit = np.concatenate([np.zeros(0, dtype=bool)] + [table[firsts[start : start + FILTER_ROWS] & mask].any(axis=1)
                                                     for start in range(0, len(firsts), FILTER_ROWS)])
    return np.flatnonzero(hit)
