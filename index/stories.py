"""Versions of one story: grouping them at reindex (what search and the dispatch page
read back is in index/versions.py).

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

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
from whoosh import query as wq

from archive.model import PartialDate
from index import forked
from index.column_values import fixed_bytes, live_documents
from index.fingerprints import Fingerprint, band_keys, has_signature, same_story, shingles, signatures_from_column
from index.schema import restored, stamped
from index.stored import own_date

# In an LSH bucket larger than this (the same boilerplate body many times over), only
# neighbours in the bucket are compared, not every pair.
BUCKET_PAIRS = 64
# The table that picks an update's candidate rows (`_band_candidates`): 4 MB, so that a
# few hundred new documents' bands leave most rows out; rows are looked up this many at
# a time, to bound the temporary arrays.
FILTER_BITS = 22
FILTER_ROWS = 1 << 16


@dataclass
class _Doc:
    id: str
    date: PartialDate | None
    shingles: np.ndarray | None = None
    docnum: int | None = None  # in the committed index; None for a document being added
    stored: tuple[str, str | None] | None = None  # its story and inferred date, as stored
    body: str | None = None  # until fingerprinted


@dataclass(frozen=True)
class Stamp:
    story: str
    inferred: PartialDate | None


@dataclass
class Plan:
    """What an update writes for stories: the stamp of each new document, and the
    committed documents to rewrite (whole, with their new stamp)."""

    stamps: dict[str, Stamp] = field(default_factory=dict)
    rewrites: list[dict] = field(default_factory=list)


class _Region:
    """The documents being grouped, their union-find, and lazy access to the index."""

    def __init__(self, reader) -> None:
        self.reader = reader
        self.docs: dict[str, _Doc] = {}
        self.parent: dict[str, str] = {}
        self._read: dict[int, _Doc] = {}
        self._signatures: np.ndarray | None = None

    def add(self, doc: _Doc) -> _Doc:
        self.docs.setdefault(doc.id, doc)
        self.parent.setdefault(doc.id, doc.id)
        return self.docs[doc.id]

    def committed(self, docnum: int, join: bool = True) -> _Doc:
        """The committed document `docnum`, added to the region unless `join` is False
        (a candidate only joins once it has passed the test: stamping a document
        without the rest of its story would split it). Its body is read and
        fingerprinted only when a pair needs it."""
        doc = self._read.get(docnum)
        if doc is None:
            stored = self.reader.stored_fields(docnum)
            doc = self._read[docnum] = _Doc(stored["id"], own_date(stored), docnum=docnum,
                                            stored=(stored.get("story"), stored.get("inferred_date")), body=stored["body"])
        return self.add(doc) if join else doc

    def shingles(self, doc: _Doc) -> np.ndarray:
        if doc.shingles is None:
            doc.shingles, doc.body = shingles(doc.body), None
        return doc.shingles

    def signatures(self) -> np.ndarray:
        """Every committed document's signature, by document number (read once)."""
        if self._signatures is None:
            self._signatures = signatures_from_column(_minhash_blocks(self.reader))
        return self._signatures

    def find(self, doc_id: str) -> str:
        root = doc_id
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[doc_id] != root:
            self.parent[doc_id], doc_id = root, self.parent[doc_id]
        return root

    def union(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)

    def link(self, a: _Doc, b: _Doc) -> bool:
        """Join the two documents' stories when they are versions of each other."""
        if a.id in self.parent and b.id in self.parent and self.find(a.id) == self.find(b.id):
            return True
        if not same_story(self.shingles(a), self.shingles(b), a.date, b.date):
            return False
        self.union(self.add(a).id, self.add(b).id)
        return True

    def stamps(self) -> dict[str, Stamp]:
        members: dict[str, list[_Doc]] = {}
        for doc in self.docs.values():
            members.setdefault(self.find(doc.id), []).append(doc)
        stamps = {}
        for group in members.values():
            story = min(doc.id for doc in group)
            inferred = common_date(doc.date for doc in group)
            for doc in group:
                stamps[doc.id] = Stamp(story, None if doc.date else inferred)
        return stamps

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
    each, index/column_values.py, rather than one per document)."""
    blocks = []
    for leaf, _ in reader.leaf_readers():
        block = fixed_bytes(leaf, "minhash")
        blocks.append(b"".join(leaf.column_reader("minhash")) if block is None else block)
    return blocks


def common_date(dates: Iterable[PartialDate | None]) -> PartialDate | None:
    """The most precise date all the given dates fall in: « 2019-04 » for 2019-04 and
    2019-04-07; None without dates or when they span several years."""
    known = [d for d in dates if d is not None]
    if not known or len({d.year for d in known}) > 1:
        return None
    months = {d.month for d in known}
    if len(months) > 1 or None in months:
        return PartialDate(known[0].year)
    days = {d.day for d in known}
    day = days.pop() if len(days) == 1 else None
    return PartialDate(known[0].year, known[0].month, day)


def candidate_pairs(bands: np.ndarray) -> Iterator[tuple[int, int]]:
    """Row pairs that share at least one LSH band, each once (rows of `band_keys`)."""
    seen: set[tuple[int, int]] = set()
    for column in bands.T:
        order = np.argsort(column, kind="stable")
        values = column[order]
        starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
        ends = np.r_[starts[1:], values.size]
        for start, end in zip(starts[ends - starts > 1], ends[ends - starts > 1]):
            rows = np.sort(order[start:end]).tolist()
            for i, a in enumerate(rows):
                for b in rows[i + 1 : i + 1 + BUCKET_PAIRS]:
                    if (a, b) not in seen:
                        seen.add((a, b))
                        yield a, b


def regroup_all(reader, reopen: Callable[[], object] | None = None) -> list[dict]:
    """After a full build (each document alone in its story): the documents to rewrite
    so that versions share a story and undated ones get their inferred date.

    With `reopen` (a new reader on the same index), half of the candidates' bodies are
    read and shingled in a forked child, with a reader of its own (index/forked.py):
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


def _shingled(open_reader: Callable, docnums: list[int], close: bool = True) -> dict[int, _Doc]:
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
    new = [region.add(_Doc(doc_id, date, fp.shingles)) for doc_id, date, fp in added]
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
        if story in broken:
            _relink(region, members)
        else:  # intact: its members are still one story
            for doc in members[1:]:
                region.union(members[0].id, doc.id)
    stamps = region.stamps()
    return Plan({doc.id: stamps[doc.id] for doc in new}, region.rewrites(stamps))


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


def _relink(region: _Region, members: list[_Doc]) -> None:
    """Link the survivors of a story that lost a member, through their LSH pairs."""
    signatures = region.signatures()
    rows = [doc for doc in members if signatures[doc.docnum].any()]
    if len(rows) > 1:
        for i, j in candidate_pairs(band_keys(np.stack([signatures[doc.docnum] for doc in rows]))):
            region.link(rows[i], rows[j])
