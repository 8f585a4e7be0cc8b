"""Updates after a multi-segment build touch only small segments (index/whoosh/merging.py), and
`optimise` rewrites the index without losing a document, a score or a story
(index/whoosh/optimise.py).

The index is a real parallel build of a few thousand generated dispatches (the archive
of tests/test_build.py): two workers, hence large segments of over a thousand documents
each, and the stories' rewrites, hence deletions in them from the start.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_build import index_contents, write_archive

from index import SearchRequest, open_index, optimise, reindex
from index.fingerprints import SIGNATURE_BYTES
from index.whoosh import writer as index_writer
from index.whoosh.column_values import column_values, date_keys, fixed_bytes
from index.whoosh.internals import index_segments
from index.whoosh.merging import FACTOR, LARGE_DOCS, plan, tier
from index.whoosh.store import open_live
from index.whoosh.versions import story_codes

pytestmark = pytest.mark.slow

QUERIES = ("armée américaine", '"maréchal Haftar"', "Noël -pétrole", "Tripoli", "cessez-le-feu ONU")


def test_tiers_are_powers_of_the_factor():
    assert [tier(n) for n in (0, 1, FACTOR - 1)] == [0, 0, 0]
    assert [tier(n) for n in (FACTOR, FACTOR**2 - 1, FACTOR**2)] == [1, 1, 2]


def test_the_plan_keeps_large_segments_and_merges_full_tiers_only():
    large = [(LARGE_DOCS, LARGE_DOCS - 3), (LARGE_DOCS * 20, 1)]
    small = [(FACTOR + 1, FACTOR + 1)] * (FACTOR - 1)  # one short of a full tier
    tiny = [(2, 2)] * FACTOR  # a full tier
    gone = [(LARGE_DOCS * 3, 0), (5, 0)]  # every document deleted
    keep, merge = plan(large + small + tiny + gone)
    assert keep == list(range(len(large) + len(small)))
    assert merge == list(range(len(large) + len(small), len(large) + len(small) + len(tiny)))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("merging")
    write_archive(base / "archive", index_writer.PARALLEL_THRESHOLD + 300)
    reindex(base / "index", [base / "archive"])
    return base / "archive", base / "index"


@pytest.fixture
def copied(built, tmp_path) -> tuple[Path, Path]:
    """The built archive and index, for one test to change (mtimes kept: copy2)."""
    root, index_dir = tmp_path / "archive", tmp_path / "index"
    shutil.copytree(built[0], root)
    shutil.copytree(built[1], index_dir)
    assert reindex(index_dir, [root]).changed == 0
    return root, index_dir


def large_segments(index_dir: Path) -> dict[str, int]:
    """The large segments of the live index: id → deleted documents."""
    return {s.segment_id(): s.deleted_count() for s in index_segments(open_live(index_dir)) if s.doc_count_all() >= LARGE_DOCS}


def segment_files(index_dir: Path, segment_ids) -> dict[str, tuple[int, int, int]]:
    """Each file of these segments: name → (size, mtime, inode)."""
    files = {}
    for path in index_dir.iterdir():
        if any(segment_id in path.name for segment_id in segment_ids):
            stat = path.stat()
            files[path.name] = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    return files


def dispatch_files(root: Path, numbers) -> list[Path]:
    return [root / f"{n // 400:02d}" / f"d{n:05d}.txt" for n in numbers]


# Plain-text dispatches (see `write_archive`) that are not versions of a story (those
# were rewritten by the grouping, into a small segment), from the start, middle and end
# of the archive: in both workers' segments.
DELETED = [12, 13, 1202, 1203, 2292]
CHANGED = [22, 23, 1212, 1213, 2282]


def change_archive(root: Path) -> None:
    for path in dispatch_files(root, DELETED):
        path.unlink()
    for n, path in zip(CHANGED, dispatch_files(root, CHANGED)):
        path.write_text(path.read_text(encoding="utf-8") + f"\n\nAjout {n} sécurité.", encoding="utf-8")
    for n in range(5):
        (root / "new").mkdir(exist_ok=True)
        (root / "new" / f"n{n}.txt").write_text(f"date 2019-05-0{n + 1}\n\nNouvelle {n}\n\nnouveaute{n}x armée.",
                                                encoding="utf-8")


def test_an_update_masks_deletions_and_leaves_the_large_segments_files_alone(copied):
    root, index_dir = copied
    before = large_segments(index_dir)
    assert len(before) >= 2
    files = segment_files(index_dir, before)
    assert len(files) >= 2 * 5  # each segment's postings, terms, lengths, stored fields...
    count = open_index(index_dir).count()
    assert open_index(index_dir).get("00/d00012.txt") is not None

    change_archive(root)
    report = reindex(index_dir, [root])

    assert (report.added, report.updated, report.removed) == (5, len(CHANGED), len(DELETED))
    after = large_segments(index_dir)
    assert after.keys() == before.keys()
    assert segment_files(index_dir, before) == files
    # The deleted and the changed dispatches' old documents are masked in them.
    assert sum(after.values()) - sum(before.values()) >= len(DELETED) + len(CHANGED)
    archive = open_index(index_dir)
    assert archive.count() == report.documents == count + 5 - len(DELETED)
    for path in dispatch_files(Path("."), DELETED):
        assert archive.get(str(path)) is None
    hits = archive.search(SearchRequest(query="Ajout sécurité", collapse_versions=False, page_size=50)).hits
    assert {hit.id for hit in hits} >= {str(p) for p in dispatch_files(Path("."), CHANGED)}
    assert [hit.id for hit in archive.search(SearchRequest(query="nouveaute3x")).hits] == ["new/n3.txt"]


def test_small_segments_are_merged_a_tier_at_a_time(copied):
    root, index_dir = copied
    before = large_segments(index_dir)
    files = segment_files(index_dir, before)
    small_counts = []
    for n in range(FACTOR * 2):
        (root / "new").mkdir(exist_ok=True)
        (root / "new" / f"s{n}.txt").write_text(f"Seule {n}\n\nseule{n}x dépêche.", encoding="utf-8")
        reindex(index_dir, [root])
        small_counts.append(sum(1 for s in index_segments(open_live(index_dir)) if s.doc_count_all() < LARGE_DOCS))
    # Each update writes one segment; a full tier of them becomes one.
    assert max(small_counts) < FACTOR + 3
    assert any(b < a for a, b in zip(small_counts, small_counts[1:]))
    assert segment_files(index_dir, before) == files
    archive = open_index(index_dir)
    for n in range(FACTOR * 2):
        assert [hit.id for hit in archive.search(SearchRequest(query=f"seule{n}x")).hits] == [f"new/s{n}.txt"]


def live_documents(index_dir: Path) -> dict[str, dict]:
    with open_live(index_dir).reader() as reader:
        return {fields["id"]: fields for _, fields in reader.iter_docs()}


def scores(index_dir: Path) -> dict[str, dict[str, float]]:
    """Each query's best hits and their scores: those scored above the fiftieth hit
    (a tie at the cutoff would list either document, whichever is numbered first)."""
    archive = open_index(index_dir)
    found = {}
    for query in QUERIES:
        request = SearchRequest(query=query, page_size=50, collapse_versions=False, with_facets=False,
                                with_snippets=False)
        hits = archive.search(request).hits
        found[query] = {hit.id: round(hit.score, 9) for hit in hits if hit.score > hits[-1].score}
    return found


def without_totals(contents: dict) -> dict:
    return {key: value for key, value in contents.items() if key != "totals"}


def test_optimise_keeps_every_document_posting_score_and_story(copied, tmp_path):
    """References: Whoosh's own `optimize` (every segment merged into one through its
    writer) for documents, postings and term statistics; for scores and stories, a
    full rebuild of the same archive, optimised too so that neither counts deleted
    documents in its statistics."""
    root, index_dir = copied
    change_archive(root)
    reindex(index_dir, [root])
    assert any(s.has_deletions() for s in index_segments(open_live(index_dir)))
    documents = live_documents(index_dir)
    merged = tmp_path / "merged"
    shutil.copytree(index_dir, merged)
    open_live(merged).optimize()
    rebuilt = tmp_path / "rebuilt"
    reindex(rebuilt, [root])
    optimise(rebuilt)

    report = optimise(index_dir)

    optimised = open_live(index_dir)
    assert not any(s.has_deletions() for s in index_segments(optimised))
    assert report.documents == len(documents) == optimised.doc_count_all()
    assert report.purged > 0 and report.segments_after < report.segments_before
    # Every stored field, story and inferred date included, of every dispatch.
    assert live_documents(index_dir) == documents
    contents = index_contents(optimised)
    assert without_totals(contents) == without_totals(index_contents(open_live(merged)))
    # Whoosh's merge sums each document's length rounded to one byte; a build (and
    # optimise) sums the lengths themselves.
    assert contents["totals"] == index_contents(open_live(rebuilt))["totals"]
    assert live_documents(rebuilt) == documents
    found = scores(index_dir)
    assert all(found.values())
    assert found == scores(rebuilt)
    # Updates go on as before on the optimised index.
    (root / "new" / "after.txt").write_text("Après\n\napresoptimise armée.", encoding="utf-8")
    assert reindex(index_dir, [root]).added == 1
    assert [hit.id for hit in open_index(index_dir).search(SearchRequest(query="apresoptimise")).hits] == ["new/after.txt"]


def test_whole_columns_read_as_whoosh_reads_them(copied):
    """index/whoosh/column_values.py reads columns in one block; Whoosh one value at a time."""
    root, index_dir = copied
    change_archive(root)
    reindex(index_dir, [root])  # a segment with deletions, and one written by Whoosh's writer
    with open_live(index_dir).reader() as reader:
        leaves = [leaf for leaf, _ in reader.leaf_readers()]
        assert len(leaves) >= 3
        for leaf in leaves:
            for name in ("path", "size", "mtime", "id", "hash", "facet_key", "date_key"):
                assert column_values(leaf, name) == list(leaf.column_reader(name)), name
            assert fixed_bytes(leaf, "minhash") == b"".join(leaf.column_reader("minhash"))
            assert len(fixed_bytes(leaf, "minhash")) == leaf.doc_count_all() * SIGNATURE_BYTES
    # What searches read of the whole index, segment after segment, by document number.
    with open_live(index_dir).searcher() as searcher:
        reader = searcher.reader()
        assert date_keys(searcher, ("merging",)).tolist() == list(reader.column_reader("facet_key"))
        codes = story_codes(searcher, ("merging",))
        stories = list(reader.column_reader("story"))
        assert len(codes) == len(stories) == reader.doc_count_all()
        assert len(set(stories)) < len(stories)  # versions share a story
        # One code per story, numbered in order of first appearance, the same for each version.
        first_seen = {story: n for n, story in enumerate(dict.fromkeys(stories))}
        assert codes.tolist() == [first_seen[story] for story in stories]


def test_an_archive_emptied_and_filled_again(tmp_path, seeds_dir):
    """An empty archive builds an empty index; a segment whose dispatches are all
    removed is dropped, not kept; `optimise` takes an empty index too."""
    root, index_dir = tmp_path / "archive", tmp_path / "index"
    root.mkdir()
    assert reindex(index_dir, [root], rebuild=True).documents == 0
    for path in seeds_dir.iterdir():
        shutil.copy2(path, root / path.name)
    filled = reindex(index_dir, [root])
    assert filled.added == filled.documents > 0
    for path in root.iterdir():
        path.unlink()
    assert reindex(index_dir, [root]).removed == filled.documents
    assert index_segments(open_live(index_dir)) == []
    report = optimise(index_dir)
    assert (report.documents, report.segments_after) == (0, 0)
    assert open_index(index_dir).count() == 0
