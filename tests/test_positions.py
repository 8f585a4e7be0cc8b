"""Positions only where something reads them: the exact forms (phrases, `~N`, the
proximity bonus), not the stems; stored as varint gaps; and the bulk writer's posting
blocks, pickled without protocol 2's cost per value, hold what Whoosh's hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.corpus import materialise
from index import SearchRequest, open_index, reindex
from index.whoosh import writer as index_writer
from index.whoosh.build_writer import BulkSegmentWriter
from index.whoosh.query import parse
from index.whoosh.schema import GapPositions, build_schema, document, encode_gaps
from index.whoosh.store import create_fresh, open_live
from textdata import wikipedia_records

TEXTS = {
    "un.txt": "Discours\n\nLe président de la République a parlé hier soir.",
    "deux.txt": "Silence\n\nLes présidentes des républiques voisines se taisent.",
}


def found(index_dir: Path, text: str) -> list[str]:
    result = open_index(index_dir).search(SearchRequest(query=text))
    return sorted(hit.id for hit in result.hits if not hit.partial)


def test_stems_keep_no_positions_and_exact_forms_do(tmp_path, make_archive):
    reindex(tmp_path / "ix", [make_archive(TEXTS)])
    with open_live(tmp_path / "ix").reader() as reader:
        stems = reader.postings("body", "president")
        assert not stems.supports("positions") and stems.supports("weight")
        exact = reader.postings("body_exact", "presidentes")
        # « Les présidentes des républiques… »: side by side (stop words leave no gap).
        [first] = exact.value_as("positions")
        assert reader.postings("body_exact", "republiques").value_as("positions") == [first + 1]
    # Phrases read the exact forms' positions; the stems still find every variant.
    assert found(tmp_path / "ix", '"président de la République"') == ["un.txt"]
    assert found(tmp_path / "ix", '"présidentes des républiques"~2') == ["deux.txt"]
    assert found(tmp_path / "ix", "président république") == ["deux.txt", "un.txt"]


def test_the_proximity_bonus_reads_exact_forms():
    some = parse("rite charrue romaine", build_schema()).anything
    near = [q for q in some.leaves() if q.__class__.__name__ == "Near"]
    assert [(q.fieldname, q.words) for q in near] == [("body_exact", ["rite", "charrue"]),
                                                       ("body_exact", ["charrue", "romaine"])]


@pytest.mark.parametrize("positions", [[0], [5], [127], [128], [3, 4, 200, 20_000], list(range(0, 3000, 7)),
                                       [70_000, 2**31]])
def test_positions_round_trip_as_varint_gaps(positions):
    value = encode_gaps(positions)
    assert GapPositions().decode_positions(value) == positions
    assert GapPositions().decode_frequency(value) == len(positions)
    # One byte a gap below 128: a word said once in a short text takes one byte.
    if all(b - a < 128 for a, b in zip([0, *positions], positions)):
        assert len(value) == len(positions)


def _postings_bytes(index_dir: Path) -> int:
    return sum(path.stat().st_size for path in index_dir.rglob("*.pst"))


def test_bulk_postings_hold_whoosh_s_postings_in_fewer_bytes(tmp_path):
    records = wikipedia_records()[:300]
    archive = materialise(records, len(records), tmp_path / "archive")
    docs = [document(read, 1, 1) for read in _dispatches(archive.root)]
    sizes, contents = {}, {}
    for name in ("plain", "bulk"):
        ix, _ = create_fresh(tmp_path / name)
        writer = (ix.writer(**index_writer.WRITER_OPTIONS) if name == "plain"
                  else BulkSegmentWriter(ix, **index_writer.SEGMENT_OPTIONS))
        for doc in docs:
            writer.add_document(**doc)
        writer.commit(merge=False)
        sizes[name] = _postings_bytes(tmp_path / name)
        with ix.reader() as reader:
            contents[name] = {
                (field, text): [(m.id(), m.weight(), m.value()) for m in _walk(reader.postings(field, text))]
                for field, text in reader.all_terms() if field in ("body", "body_exact")
            }
    assert contents["plain"] == contents["bulk"]
    # Whoosh's protocol-2 pickles cost about 15 bytes more a posting value.
    assert sizes["bulk"] < 0.8 * sizes["plain"], sizes


def _walk(matcher):
    while matcher.is_active():
        yield matcher
        matcher.next()


def _dispatches(root: Path):
    from archive import discover, read_file

    for file in discover(root):
        yield from read_file(file.path, root).dispatches


def test_positions_read_by_block_are_whoosh_s_own(tmp_path, make_archive):
    """`postings.positions` reads blocks of postings at once (skipping those none of the
    documents falls in) and decodes only the documents asked for: the same positions as
    Whoosh's own matcher, on several segments with deletions, for documents that hold
    the word and documents that do not, few or many."""
    import random

    import numpy as np

    from index.whoosh import postings as pl

    words = ["maire", "ville", "conseil", "budget", "vote"]
    rng = random.Random(4)
    texts = {f"d{i:03d}.txt": f"Titre {i}\n\n" + " ".join(rng.choice(words) for _ in range(rng.randint(3, 40)))
             for i in range(400)}
    root = make_archive(texts)
    reindex(tmp_path / "ix", [root])
    for i in range(0, 400, 7):  # deletions in the large segment, and a second segment
        (root / f"d{i:03d}.txt").unlink()
    for i in range(400, 460):
        (root / f"d{i:03d}.txt").write_text(f"Titre {i}\n\nmaire vote maire.", encoding="utf-8")
    reindex(tmp_path / "ix", [root])
    with open_live(tmp_path / "ix").searcher() as searcher:
        reader = searcher.reader()
        assert len(reader.leaf_readers()) >= 2 and any(s.has_deletions() for s, _ in reader.leaf_readers())
        live = np.array(sorted(searcher.document_numbers()), dtype=np.int64)
        for word in ("maire", "budget"):
            whoosh = {}
            matcher = searcher.postings("body_exact", word)
            while matcher.is_active():
                whoosh[matcher.id()] = matcher.value_as("positions")
                matcher.next()
            assert len(whoosh) > 128  # more than one block of postings
            for docs in (live, live[::25], live[-3:]):
                assert pl.positions(reader, "body_exact", word, docs) == {
                    d: p for d, p in whoosh.items() if d in set(docs.tolist())}
