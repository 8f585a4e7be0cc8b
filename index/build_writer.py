"""The segment writer of a full build: Whoosh's `SegmentWriter`, minus avoidable work.

It writes what `SegmentWriter` writes (tests/test_build.py compares every
term, posting, stored field and column with a plain Whoosh build), faster in four ways:

- The French text fields are analysed word by word with a cache: the terms a word
  becomes (or that it is dropped) depend on the word alone, so each distinct word goes
  through the analyzers once, instead of every occurrence through five generators. The
  cache holds both terms of a word, its exact form and its stem, and a text indexed
  twice (`body`, then `body_exact`) is split into words once. Stems have no positions
  (index/schema.py): their terms are only counted.
  The next writer of a build takes the cache over (`words`): a worker's next segment,
  and the parent's rewrites of stories, which would otherwise analyse every word anew.
- Postings are kept per term as they arrive, already in document order, instead of
  one tuple each in Whoosh's external sorting pool: at the end only the terms are
  sorted, not every posting. The caller starts a new segment when `memory` says the
  postings have grown past its budget (index/build.py).
- Field lengths, which Whoosh reads back from disk for every posting it writes (with
  a file-system lookup per posting for fields without lengths), are kept in memory.
- Posting blocks and stored fields are compressed at zlib level 1, not Whoosh's 3:
  on 34,103 dispatches that is 3 % less CPU (a second off the build) for an index
  1.4 % larger; blocks of a single posting not at all (smaller so). The format is the
  same: readers only check whether each block is compressed.
"""

from __future__ import annotations

import pickle
import zlib
from array import array
from collections import Counter
from functools import cache
from pickle import dumps

from whoosh.analysis import CompositeAnalyzer, RegexTokenizer
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3PostingsWriter
from whoosh.formats import Frequency
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from index.analysis import exact_analyzer, french_analyzer, stem
from index.schema import GapPositions, encode_gaps

# Words whose term is cached, per writer; the cache starts again past this (news
# vocabulary is mostly repeats, a few hundred thousand distinct words at most).
_CACHED_WORDS = 400_000
# Bytes a posting costs in memory besides its value bytes (document number, weight,
# the value's object header and list slot); what `memory` counts.
_POSTING_BYTES = 4 + 8 + 8 + 33
_UNSEEN = object()
# zlib level of posting blocks and stored fields (see the module docstring).
_COMPRESSION = 1
# Pickle protocol of posting blocks (see `_PostingsWriter`).
_PICKLE = pickle.DEFAULT_PROTOCOL


@cache
def _frequency(count: int) -> bytes:
    """`Frequency`'s value: the count, as an unsigned int."""
    return pack_uint(count)


class BulkSegmentWriter(SegmentWriter):
    """A `SegmentWriter` for adding documents to a segment of its own: no merging of
    other segments (`commit(merge=False)`), no spelling fields, no term vectors."""

    def __init__(self, ix, words: dict[str, tuple[str, str] | None] | None = None, **kwargs) -> None:
        """`words`: the word cache of a previous writer of the same schema (`words`)."""
        super().__init__(ix, codec=W3Codec(compression=_COMPRESSION), **kwargs)
        # The stored fields' column writer, which Whoosh creates at level 3.
        self.perdocwriter._colwriters["_stored"]._child._level = _COMPRESSION
        self._postings: dict[str, dict[bytes, tuple[array, array, list]]] = {}
        self._lengths: dict[str, array] = {}
        self._terms: dict[str, tuple[str, str] | None] = {} if words is None else words
        self._single: dict[int, bytes] = {}
        self._fast = {name: _fast_analyzer(field) for name, field in self.schema.items()}
        # The text last split into words, and its words' terms: the same text comes
        # again for its exact-form field.
        self._last: tuple[str | None, list] = (None, [])
        self.memory = 0
        self.merge = False

    @property
    def words(self) -> dict[str, tuple[str, str] | None]:
        """The word cache: each word seen, and its terms, exact form and stem (None: the
        analyzers drop it)."""
        return self._terms

    def add_reader(self, reader):
        raise NotImplementedError("a bulk writer does not merge segments: commit(merge=False)")

    def add_document(self, **fields) -> None:
        """`SegmentWriter.add_document`, for the fields of documents without boosts."""
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        local = docnum - self.docbase
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        perdocwriter.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    fast = self._fast[name]
                    items = self._analyse(*fast, field, value) if fast else field.index(value)
                    scorable = field.scorable
                    terms = self._postings.setdefault(name, {})
                    for tbytes, freq, weight, vbytes in items:
                        if scorable:
                            length += freq
                        entry = terms.get(tbytes)
                        if entry is None:
                            entry = terms[tbytes] = (array("I"), array("d"), [])
                        entry[0].append(docnum)
                        entry[1].append(weight)
                        entry[2].append(vbytes)
                        self.memory += _POSTING_BYTES + len(vbytes)
                    if scorable:
                        lengths = self._lengths.setdefault(name, array("I"))
                        lengths.extend([0] * (local + 1 - len(lengths)))
                        lengths[local] = length
                perdocwriter.add_field(name, field, value if field.stored else None, length)
                if field.column_type:
                    perdocwriter.add_column_value(name, field.column_type, field.to_column_value(value))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _analyse(self, tokenizer, which: int, field, value: str):
        """What `field.index(value)` gives for a GapPositions or Frequency field whose
        analyzer turns each word into at most one term: (term bytes, frequency, weight,
        positions or frequency). `which`: 0 for the exact form, 1 for the stem."""
        if value is self._last[0]:
            pairs = self._last[1]
        else:
            cache = self._terms
            if len(cache) > _CACHED_WORDS:
                cache.clear()
            words = tokenizer.findall(value)
            pairs = [cache.get(word, _UNSEEN) for word in words]
            if _UNSEEN in pairs:
                pairs = [self._term(word) if pair is _UNSEEN else pair for word, pair in zip(words, pairs)]
            self._last = (value, pairs)
        terms = [None if pair is None else pair[which] for pair in pairs]
        boost = field.format.field_boost
        if type(field.format) is Frequency:
            counts = Counter(terms)
            counts.pop(None, None)
            for term, count in counts.items():
                yield term.encode("utf-8"), count, float(count) * boost, _frequency(count)
            return
        # The stop filter renumbers positions: the first kept word keeps its place (its
        # number among all words), the next ones follow it without gaps.
        first = next((i for i, term in enumerate(terms) if term is not None), 0)
        positions: dict[str, list[int]] = {}
        for position, term in enumerate((term for term in terms if term is not None), first):
            if term in positions:
                positions[term].append(position)
            else:
                positions[term] = [position]
        single = self._single
        for term, poses in positions.items():
            if len(poses) == 1:
                # Most terms occur once in a document: their value is shared.
                value = single.get(poses[0])
                if value is None:
                    value = single[poses[0]] = encode_gaps(poses)
                yield term.encode("utf-8"), 1, 1.0 * boost, value
            else:
                yield term.encode("utf-8"), len(poses), float(len(poses)) * boost, encode_gaps(poses)

    def _term(self, word: str) -> tuple[str, str] | None:
        pair = self._terms.get(word, _UNSEEN)
        if pair is _UNSEEN:
            # `french_analyzer` is `exact_analyzer` and then `stem`: one pass gives both.
            exact = [t.text for t in exact_analyzer()(word, positions=True, mode="index")]
            assert len(exact) <= 1, (word, exact)
            pair = self._terms[word] = (exact[0], stem(exact[0])) if exact else None
        return pair

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        assert not self.pool.current and not self.pool.runs, "postings went to the pool"
        schema, writer = self.schema, self.fieldwriter
        for name in sorted(self._postings):
            terms = self._postings[name]
            lengths = [byte_to_length(b) if b else 0 for b in map(length_to_byte, self._lengths.get(name, ()))]
            writer.start_field(name, schema[name])
            writer._postwriter = _PostingsWriter(writer._postfile, blocklimit=writer._postwriter._blocklimit,
                                                 compression=_COMPRESSION)
            for tbytes in sorted(terms):
                writer.start_term(tbytes)
                _add_postings(writer._postwriter, *terms[tbytes], lengths, self.docbase)
                writer.finish_term()
            writer.finish_field()
        self._postings.clear()
        writer.close()

    def finish_segments(self) -> list:
        """Write the segment and return it (none when nothing was added), leaving the
        table of contents and the shared temporary folder to the parent's writer."""
        if not self._added:
            self._close_segment()
            return []
        return [self._finalize_segment()]

    def abandon(self) -> None:
        """Close the segment's files without touching what other writers share."""
        self._close_segment()


def _add_postings(postwriter, docnums: array, weights: array, values: list, lengths: list[int], docbase: int) -> None:
    """What calling `postwriter.add_posting` for each posting does, a block at a time:
    fill the block buffer and its statistics, and write every full block but the last
    (`finish_postings` writes that one)."""
    limit = postwriter._blocklimit
    for start in range(0, len(docnums), limit):
        if start:
            postwriter._write_block()
        ids = docnums[start : start + limit]
        block_weights = weights[start : start + limit]
        postwriter._ids = ids
        postwriter._weights = array("f", block_weights)
        postwriter._values = [v for v in values[start : start + limit] if v]
        postwriter._maxweight = max(0, *block_weights)
        known = [lengths[docnum - docbase] for docnum in ids if docnum - docbase < len(lengths)]
        known = [length for length in known if length]
        postwriter._minlength = min(known) if known else None
        postwriter._maxlength = max(known) if known else 0


class _PostingsWriter(W3PostingsWriter):
    """Whoosh's postings writer (`W3PostingsWriter._write_block`), with two changes
    its readers do not see, since they unpickle and check each block's compression:

    - Blocks are pickled with the current protocol, not protocol 2, which writes each
      posting's value (positions, a frequency) as a call to `_codecs.encode` with a
      Latin-1 string, about 15 bytes more a posting than the bytes themselves.
    - A block of one posting (most terms) is not compressed: zlib would make it
      larger. Whoosh means to leave small blocks so, but overrides its own choice.
    """

    def _write_block(self, last: bool = False) -> None:
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        data = dumps((self._mini_ids(), self._mini_weights(), self._mini_values()), _PICKLE)
        ids = self._ids
        compression = self._compression if len(ids) > 1 else 0
        if compression:
            data = zlib.compress(data, compression)
        info = dumps((len(ids), ids[-1], self._maxweight, compression,
                      length_to_byte(self._minlength), length_to_byte(self._maxlength)), _PICKLE)
        # A negative length marks the last block.
        self._postfile.write_int((len(info) + len(data)) * (-1 if last else 1))
        self._postfile.write(info)
        self._postfile.write(data)
        self._blockcount += 1
        self._new_block()


def _fast_analyzer(field):
    """For a field that `_analyse` can index (positions or frequencies, and an analyzer
    whose filters map each word alone: our French analyzers), its compiled word pattern
    and which term of a word it takes (0: exact form, 1: stem). None otherwise."""
    analyzer = getattr(field, "analyzer", None)
    if type(field.format) not in (GapPositions, Frequency) or analyzer not in (exact_analyzer(), french_analyzer()):
        return None
    assert isinstance(analyzer, CompositeAnalyzer) and isinstance(analyzer.items[0], RegexTokenizer)
    tokenizer = analyzer.items[0]
    assert not tokenizer.gaps and not field.vector and not field.separate_spelling()
    return tokenizer.expression, 0 if analyzer == exact_analyzer() else 1
