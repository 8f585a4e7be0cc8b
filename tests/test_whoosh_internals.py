"""The private Whoosh access of index/whoosh/internals.py, checked against Whoosh's public
API on real indexes in `tmp_path`: what these functions read must be what Whoosh itself
reads, so that an upgrade that changes an internal fails here rather than as wrong
scores. And the version check refuses a Whoosh other than the tested one."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest
from whoosh import columns, fields, index as whoosh_index, query as wq, scoring
from whoosh.analysis import SimpleAnalyzer
from whoosh.collectors import FilterCollector, UnlimitedCollector
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.fields import UnknownFieldError
from whoosh.writing import IndexingError

from index.whoosh import internals as wi
from index.whoosh.build_writer import BulkSegmentWriter

ROOT = Path(__file__).resolve().parents[1]
# More documents than two blocks hold (128 postings a block under W3Codec's defaults).
DOCS = 300


def _schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        body=fields.TEXT(analyzer=SimpleAnalyzer(), phrase=True, stored=True),
        unused=fields.TEXT(analyzer=SimpleAnalyzer()),
        rank=fields.NUMERIC(int, bits=32, sortable=True),
        code=fields.COLUMN(columns.FixedBytesColumn(3, default=b"---")),
        tag=fields.COLUMN(columns.VarBytesColumn()),
    )


def _body(n: int) -> str:
    """Every document has « commun » (1 to 3 times, so weights differ), one in three
    « rare » once, and words of its own."""
    words = ["commun"] * (n % 3 + 1) + (["rare"] if n % 3 == 0 else []) + [f"mot{n}", "chat", "chien"]
    return " ".join(words[n % len(words):] + words[: n % len(words)])


def _add(writer, n: int) -> None:
    doc = {"id": f"d{n}", "body": _body(n), "rank": n * 7 - 500}
    if n < DOCS - 5:  # the last documents leave the columns to their defaults
        doc["code"] = f"{n % 1000:03d}".encode()
        doc["tag"] = b"x" * (n % 4)
    writer.add_document(**doc)


@pytest.fixture
def ix(tmp_path: Path):
    """A plain Whoosh index of one segment."""
    (tmp_path / "plain").mkdir()
    ix = whoosh_index.create_in(str(tmp_path / "plain"), _schema())
    with ix.writer() as writer:
        for n in range(DOCS):
            _add(writer, n)
    return ix


# --- The version check -----------------------------------------------------------------

def test_the_version_check_accepts_the_tested_version_only():
    wi.check_version(wi.TESTED_VERSION)
    for other in ("2.7.4", "2.7.6", "3.0.0", None):
        with pytest.raises(ImportError) as refused:
            wi.check_version(other)
        assert isinstance(refused.value, wi.UntestedWhoosh)
        message = str(refused.value)
        assert wi.TESTED_VERSION in message and wi.UNCHECKED_ENV in message
        assert (other or "not installed") in message
    wi.check_version("2.7.6", unchecked=True)


def test_the_tested_version_is_the_pinned_and_installed_one():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [re.fullmatch(r"whoosh-reloaded==(\S+)", dep) for dep in project["dependencies"]]
    assert [pin.group(1) for pin in pins if pin] == [wi.TESTED_VERSION]
    assert metadata.version(wi.DISTRIBUTION) == wi.TESTED_VERSION


# --- Posting blocks --------------------------------------------------------------------

def _public_postings(reader, field: str, text: str) -> list[tuple[int, float, list[int]]]:
    matcher = reader.postings(field, text)
    found = []
    while matcher.is_active():
        found.append((matcher.id(), matcher.weight(), matcher.value_as("positions")))
        matcher.next()
    return found


def test_blocks_hold_what_the_public_matcher_gives(ix):
    with ix.reader() as reader:
        for text in ("commun", "rare", "chat"):
            leaf = reader.postings("body", text)
            assert isinstance(leaf, W3LeafMatcher)
            decode = leaf.format.decoder("positions")
            read, counts = [], []
            while leaf.is_active():
                deltas, weights, count = wi.read_block(leaf)
                ids = np.cumsum(deltas).tolist()
                assert len(ids) == count
                if weights is None:
                    weights = [1.0] * count
                elif isinstance(weights, float):
                    weights = [weights] * count
                values = wi.block_values(leaf)
                read += [(doc, float(w), decode(v)) for doc, w, v in zip(ids, weights, values)]
                counts.append(count)
                wi.next_block(leaf)
            assert read == _public_postings(reader, "body", text)
            # Full blocks of `postings_per_block`, the last one holding the rest.
            limit = wi.postings_per_block()
            assert all(count == limit for count in counts[:-1]) and 0 < counts[-1] <= limit
        assert len(_public_postings(reader, "body", "commun")) == DOCS > 2 * limit


def test_next_block_skips_a_block_unread(ix):
    with ix.reader() as reader:
        leaf = reader.postings("body", "commun")
        wi.next_block(leaf)
        deltas, _, _ = wi.read_block(leaf)
        # The second block starts where the public matcher's 129th posting is.
        assert int(np.cumsum(deltas)[0]) == _public_postings(reader, "body", "commun")[wi.postings_per_block()][0]


# --- Segment readers -------------------------------------------------------------------

def test_lengths_column_holds_the_field_lengths(ix):
    from whoosh.util.numeric import byte_to_length

    with ix.reader() as reader:
        column = wi.lengths_column(reader, "body")
        lengths = [byte_to_length(b) for b in column]
        assert lengths == [reader.doc_field_length(n, "body") for n in range(DOCS)]
        assert lengths[:3] == [5, 5, 6]  # « commun » 1 to 3 times, « rare » in one in three, 3 words
        assert wi.lengths_column(reader, "unused") is None


def test_index_segments_are_the_committed_ones(ix):
    with ix.writer() as writer:
        writer.add_document(id="more", body="commun")
    writer = ix.writer()
    writer.add_document(id="again", body="commun")
    writer.commit(merge=False)
    segments = wi.index_segments(ix)
    assert len(segments) >= 2
    with ix.reader() as reader:
        assert [s.segment_id() for s in segments] == [r.segment().segment_id() for r, _ in reader.leaf_readers()]
    assert sum(s.doc_count() for s in segments) == DOCS + 2


# --- Columns ---------------------------------------------------------------------------

def test_columns_read_whole_as_whoosh_reads_them_one_by_one(ix):
    with ix.reader() as reader:
        rank = reader.column_reader("rank", translate=False)
        assert type(rank) is columns.NumericColumn.Reader
        assert wi.numeric_column(rank).tolist() == list(reader.column_reader("rank", translate=False))
        code = reader.column_reader("code", translate=False)
        assert type(code) is columns.FixedBytesColumn.Reader
        whole = wi.fixed_column_bytes(code)
        assert whole == b"".join(reader.column_reader("code", translate=False))
        assert whole[:6] == b"000001" and whole.endswith(b"---")  # written values, then the default
        tag = reader.column_reader("tag", translate=False)
        assert type(tag) is columns.VarBytesColumn.Reader
        assert wi.var_bytes_column(tag) == list(reader.column_reader("tag", translate=False))


def test_a_float_column_is_left_to_whoosh(tmp_path: Path):
    ix = whoosh_index.create_in(str(tmp_path), fields.Schema(score=fields.COLUMN(columns.NumericColumn("f"))))
    with ix.writer() as writer:
        writer.add_document(score=1.5)
    with ix.reader() as reader:
        assert wi.numeric_column(reader.column_reader("score", translate=False)) is None


# --- Queries, scoring, collecting ------------------------------------------------------

def test_expanded_words_are_the_lexicon_words_a_wildcard_matches(ix):
    with ix.reader() as reader:
        words = list(wi.expanded_words(wq.Wildcard("body", "c*n"), reader))
        expected = [w for w in reader.lexicon("body") if re.fullmatch(rb"c.*n", w)]
        assert words == expected == [b"chien", b"commun"]


def test_field_b_is_the_per_field_b_of_bm25f():
    assert wi.field_b(scoring.BM25F(B=0.75, K1=1.2, body_B=0.3, title_B=0.9)) == {"body": 0.3, "title": 0.9}
    assert wi.field_b(scoring.BM25F(B=0.75)) == {}
    assert wi.field_b(scoring.Frequency()) == {}


def test_filter_sets_are_the_documents_a_collector_keeps_and_leaves_out(ix):
    with ix.searcher() as searcher:
        rare = {n for n in range(DOCS) if n % 3 == 0}
        collector = FilterCollector(UnlimitedCollector(), allow=wq.Term("body", "rare"), restrict={0, 3})
        searcher.search_with_collector(wq.Term("body", "commun"), collector)
        allow, restrict = wi.filter_sets(collector)
        assert set(allow) == rare and restrict == {0, 3}
        assert sorted(collector.results().docs()) == sorted(rare - {0, 3})
        collector = FilterCollector(UnlimitedCollector())
        searcher.search_with_collector(wq.Term("body", "commun"), collector)
        assert wi.filter_sets(collector) == (None, None)


# --- Writing segments ------------------------------------------------------------------

def test_a_segment_finalized_then_committed_is_the_index(tmp_path: Path):
    ix = whoosh_index.create_in(str(tmp_path), _schema())
    writer = ix.writer()
    assert not wi.has_added(writer)
    wi.check_writable(writer)
    with pytest.raises(UnknownFieldError):
        wi.check_fields(writer, ix.schema, ["id", "nowhere"])
    for n in range(10):
        writer.add_document(id=f"d{n}", body=_body(n))
    assert wi.has_added(writer)
    segment = wi.finalize_segment(writer)
    assert segment.doc_count() == 10
    assert ix.doc_count() == 0  # not committed yet
    wi.commit_segments(writer, [segment])
    assert ix.doc_count() == 10
    with pytest.raises(IndexingError):
        wi.check_writable(writer)
    # The lock is released: another writer can start at once.
    other = ix.writer()
    wi.mark_added(other)
    assert wi.has_added(other)
    wi.close_segment(other)
    wi.commit_segments(other, wi.index_segments(ix))
    assert ix.doc_count() == 10


def test_a_bulk_segment_has_the_postings_and_stored_fields_of_whoosh_s_own(tmp_path: Path, ix):
    """BulkSegmentWriter writes blocks and term rows itself (`postings_file`,
    `add_term_row`, `postings_per_block`, `term_info_row`) and sets the stored fields'
    compression: Whoosh's public API reads the same index as Whoosh's own writer's."""
    (tmp_path / "bulk").mkdir()
    bulk_ix = whoosh_index.create_in(str(tmp_path / "bulk"), _schema())
    bulk = BulkSegmentWriter(bulk_ix)
    for n in range(DOCS):
        _add(bulk, n)
    wi.commit_segments(bulk, bulk.finish_segments())
    with ix.reader() as plain, bulk_ix.reader() as built:
        assert list(built.all_terms()) == list(plain.all_terms())
        for field, text in plain.all_terms():
            assert built.term_info(field, text).doc_frequency() == plain.term_info(field, text).doc_frequency()
            assert built.term_info(field, text).weight() == plain.term_info(field, text).weight()
            if field == "body":
                assert _public_postings(built, field, text) == _public_postings(plain, field, text)
        assert list(built.all_stored_fields()) == list(plain.all_stored_fields())
