"""Versions of one story on a cluster: index/grouping.py's grouping (its union-find, its
LSH candidate pairs and `same_story` test, the stamps it gives), fed from the index's
`bands` terms and bodies rather than from Whoosh columns.

The invariant is the same: a document's `story` is the smallest id of its connected
component, and an undated member of a dated story carries the date its dated members
agree on. A full build groups everything it wrote before its alias is swapped; an update
regroups what its changes reach (new documents, their candidates' stories, the stories
that lost a member) and its rewrites go in the same bulk as the change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from archive.model import PartialDate
from index.fingerprints import MIN_SHARED, Fingerprint, band_keys, minhash, shingles
from index.grouping import Doc, Region, Stamp, candidate_pairs
from index.opensearch.documents import bands, stamp
from index.opensearch.reading import by_ids, scan
from index.stored import date_key, own_date

# New documents whose candidates one `terms` query looks up (64 band terms each: under
# the 65,536 terms a query takes).
CANDIDATE_BATCH = 500
_STORED = ["id", "date_key", "story", "inferred_date", "body"]


@dataclass
class Plan:
    """The stamp of each new document, and the committed documents whose stamp changes
    (id → the fields to update)."""

    stamps: dict[str, Stamp] = field(default_factory=dict)
    rewrites: dict[str, dict] = field(default_factory=dict)


def group_written(client, index: str, signed: list[tuple[str, PartialDate | None, np.ndarray]]) -> dict[str, dict]:
    """After a full build (each document alone in its story): the documents whose story
    or inferred date is not their own, from the signatures kept while writing. Only the
    candidates' bodies are read back (by id)."""
    if len(signed) < 2:
        return {}
    pairs = list(candidate_pairs(band_keys(np.stack([signature for _, _, signature in signed]))))
    needed = sorted({i for pair in pairs for i in pair})
    bodies = by_ids(client, index, [signed[i][0] for i in needed], ["body"])
    region = Region()
    docs = {}
    for i in needed:
        doc_id, date, _ = signed[i]
        docs[i] = Doc(doc_id, date, shingles=shingles(bodies.get(doc_id, {}).get("body", "")), docnum=i,
                      stored=(doc_id, None))
    for a, b in pairs:
        region.link(docs[a], docs[b])
    return _changed(region)


def plan_update(client, index: str, removed: dict[str, str | None], added: list[tuple[str, PartialDate | None, Fingerprint]]) -> Plan:
    """Stories after removing the documents `removed` (id → its story) and adding
    `added` (id, date, fingerprint); `removed` holds the old copies of re-added ids."""
    region = Region()
    new = [region.add(Doc(doc_id, date, fp.shingles)) for doc_id, date, fp in added]
    signature_of = {doc_id: fp.signature for doc_id, _, fp in added}
    committed: dict[str, Doc] = {}
    broken = {story for story in removed.values() if story}
    joined: set[str] = set()
    with_signature = [doc for doc in new if signature_of[doc.id] is not None]
    for start in range(0, len(with_signature), CANDIDATE_BATCH):
        batch = with_signature[start:start + CANDIDATE_BATCH]
        terms = {doc.id: set(bands(Fingerprint(doc.shingles, signature_of[doc.id]))) for doc in batch}
        wanted = sorted(set().union(*terms.values()))
        for found in scan(client, index, {"terms": {"bands": wanted}}, _STORED + ["bands"]):
            if found["id"] in removed:
                continue
            old = committed.setdefault(found["id"], _committed(found))
            shared = set(found.get("bands") or ())
            for doc in batch:
                if terms[doc.id] & shared and region.link(doc, old):
                    joined.add(old.stored[0])
    if with_signature:
        for i, j in candidate_pairs(band_keys(np.stack([signature_of[doc.id] for doc in with_signature]))):
            region.link(with_signature[i], with_signature[j])
    for story in sorted((broken | joined) - {None}):
        members = [region.add(committed.setdefault(found["id"], _committed(found)))
                   for found in scan(client, index, {"term": {"story": story}}, _STORED)
                   if found["id"] not in removed]
        region.regroup(members, story in broken, lambda doc: _signature(region, doc))
    stamps = region.stamps()
    return Plan({doc.id: stamps[doc.id] for doc in new}, _changed(region, stamps))


def _committed(found: dict) -> Doc:
    # `docnum` only marks the document as committed (index/grouping.py's convention).
    return Doc(found["id"], own_date(found), docnum=0, stored=(found.get("story"), found.get("inferred_date")),
               body=found.get("body") or "")


def _signature(region: Region, doc: Doc) -> np.ndarray | None:
    """A committed document's MinHash signature, from its text (the index keeps its band
    terms, not the signature); None when it is too short to have one."""
    hashes = region.shingles(doc)
    return minhash(hashes) if hashes.size >= MIN_SHARED else None


def _changed(region: Region, stamps: dict[str, Stamp] | None = None) -> dict[str, dict]:
    """The committed documents of the region whose stored stamp differs from the new
    one: id → the fields to update (index/opensearch/documents.py's `stamp`)."""
    stamps = stamps if stamps is not None else region.stamps()
    return {doc.id: stamp(date_key(doc.date), stamps[doc.id].story, stamps[doc.id].inferred)
            for doc in region.docs.values() if doc.docnum is not None and doc.stored != _stored(stamps[doc.id])}


def _stored(stamp: Stamp) -> tuple[str, str | None]:
    return stamp.story, stamp.inferred.iso() if stamp.inferred else None

