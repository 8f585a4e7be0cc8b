"""Versions of one story, grouped the same way by both engines: a document's `story` is
the smallest id of its connected component in the graph whose edges are the LSH
candidate pairs (`candidate_pairs`) that pass `fingerprints.same_story`, and an undated
member of a dated story carries the date its dated members agree on (`common_date`).

Each engine feeds the union-find (`Region`) from what it stores: Whoosh from its
`minhash` column and stored bodies (index/whoosh/stories.py), OpenSearch from its
`bands` terms and `_source` (index/opensearch/stories.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from archive.model import PartialDate
from index.fingerprints import band_keys, same_story, shingles

# In an LSH bucket larger than this (the same boilerplate body many times over), only
# neighbours in the bucket are compared, not every pair.
BUCKET_PAIRS = 64


@dataclass
class Doc:
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


class Region:
    """The documents being grouped and their union-find: which are versions of which, and
    the stamp each gets. An engine adds what it reads of its committed documents."""

    def __init__(self) -> None:
        self.docs: dict[str, Doc] = {}
        self.parent: dict[str, str] = {}

    def add(self, doc: Doc) -> Doc:
        self.docs.setdefault(doc.id, doc)
        self.parent.setdefault(doc.id, doc.id)
        return self.docs[doc.id]

    def shingles(self, doc: Doc) -> np.ndarray:
        if doc.shingles is None:
            doc.shingles, doc.body = shingles(doc.body), None
        return doc.shingles

    def find(self, doc_id: str) -> str:
        root = doc_id
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[doc_id] != root:
            self.parent[doc_id], doc_id = root, self.parent[doc_id]
        return root

    def union(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)

    def link(self, a: Doc, b: Doc) -> bool:
        """Join the two documents' stories when they are versions of each other."""
        if a.id in self.parent and b.id in self.parent and self.find(a.id) == self.find(b.id):
            return True
        if not same_story(self.shingles(a), self.shingles(b), a.date, b.date):
            return False
        self.union(self.add(a).id, self.add(b).id)
        return True

    def regroup(self, members: list[Doc], broken: bool, signature: Callable[[Doc], np.ndarray | None]) -> None:
        """A committed story an update touched, its surviving `members` in the region.
        One that only gained members stays one story; one that lost a member (`broken`)
        is linked again from its survivors' LSH pairs, each signature read as the engine
        keeps it (`signature`: None for a text too short to have one)."""
        if not broken:
            for doc in members[1:]:
                self.union(members[0].id, doc.id)
            return
        rows = [(doc, found) for doc in members if (found := signature(doc)) is not None]
        if len(rows) > 1:
            for i, j in candidate_pairs(band_keys(np.stack([found for _, found in rows]))):
                self.link(rows[i][0], rows[j][0])

    def stamps(self) -> dict[str, Stamp]:
        members: dict[str, list[Doc]] = {}
        for doc in self.docs.values():
            members.setdefault(self.find(doc.id), []).append(doc)
        stamps = {}
        for group in members.values():
            story = min(doc.id for doc in group)
            inferred = common_date(doc.date for doc in group)
            for doc in group:
                stamps[doc.id] = Stamp(story, None if doc.date else inferred)
        return stamps


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
