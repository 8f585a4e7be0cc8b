"""The segment writer of a full build: Whoosh's `SegmentWriter`, minus avoidable work.

It writes what `SegmentWriter` writes (tests/test_build.py compares every
term, posting, stored field and column with a plain Whoosh build), faster and smaller
in five ways:

- The French text fields are analysed word by word with a cache: the terms a word
  becomes (or that it is dropped) depend on the word alone, so each distinct word goes
  through the analyzers once, instead of every occurrence through five generators. The
  cache holds both terms of a word, its exact form and its stem, and a text indexed
  twice (`body`, then `body_exact`) is split into words once. Stems have no positions
  (index/whoosh/schema.py): their terms are only counted.
  The next writer of a build takes the cache over (`words`): a worker's next segment,
  and the parent's rewrites of stories, which would otherwise analyse every word anew.
- Postings are kept per term as they arrive, already in document order, instead of
  one tuple each in Whoosh's external sorting pool: at the end only the terms are
  sorted, not every posting. When `memory` says the postings have grown past the
  caller's budget, the caller has them `spill`ed: written, term by term in order, to a
  temporary run file beside the index, and the segment goes on. The segment's
  postings are then the runs merged term by term (a run's documents all come before
  the next run's, so a term's postings are its runs' postings one after the other).
  A worker thus writes one segment whatever its share, in the memory of one budget:
  at 341,030 dispatches a build wrote 46 segments, and a search pays for every
  segment in term lookups.
- Field lengths, which Whoosh reads back from disk for every posting it writes (with
  a file-system lookup per posting for fields without lengths), are kept in memory.
- Posting blocks and stored fields are compressed at zlib level 1, not Whoosh's 3:
  on 34,103 dispatches that is 3 % less CPU (a second off the build) for an index
  1.4 % larger; blocks of a single posting not at all (smaller so). The format is the
  same: readers only check whether each block is compressed.
- Each term's blocks and its row of the term table are written directly
  (`_write_term`), pickled with the current protocol rather than protocol 2: on 2,000
  news dispatches the postings take 8.2 MB instead of 11.6 MB.
"""

from __future__ import annotations

import heapq
import pickle
import tempfile
import zlib
from array import array
from collections import Counter
from collections.abc import Iterator
from functools import cache
from itertools import groupby
from operator import itemgetter
from pickle import dumps

from whoosh.analysis import CompositeAnalyzer, RegexTokenizer
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec
from whoosh.formats import Frequency
from whoosh.system import pack_int, pack_long, pack_uint
from whoosh.util.numlists import delta_encode
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from index.french import stem
from index.whoosh import internals
from index.whoosh.analysis import exact_analyzer, exact_index_analyzer, french_analyzer
from index.whoosh.schema import GapPositions, encode_gaps

# Words whose term is cached, per writer; the cache starts again past this (news
# vocabulary is mostly repeats, a few hundred thousand distinct words at most).
_CACHED_WORDS = 400_000
# Bytes a posting costs in memory besides its value bytes (document number, weight,
# the value's object header and list slot); what `memory` counts.
_POSTING_BYTES = 4 + 8 + 8 + 33
_UNSEEN = object()
# Terms pickled together in a run file (one `pickle.dump` per term costs more than the term).
_RUN_CHUNK = 2048
# zlib level of posting blocks and stored fields (see the module docstring).
_COMPRESSION = 1
# Pickle protocol of posting blocks (see `_write_term`).
_PICKLE = pickle.DEFAULT_PROTOCOL
# Postings a block holds (Whoosh's `W3Codec` default), and a term's row in the term table.
_BLOCK_POSTINGS = internals.postings_per_block()
_TERM_INFO = internals.term_info_row()


@cache
def _frequency(count: int) -> bytes:
    """`Frequency`'s value: the count, as an unsigned int."""
    return pack_uint(count)


class BulkSegmentWriter(SegmentWriter):
    """A `SegmentWriter` for adding documents to a segment of its own: no merging of
    other segments (`commit(merge=False)`), no spelling fields, no term vectors."""

    def __init__(self, ix, words: dict[str, tuple | None] | None = None, **kwargs) -> None:
        """`words`: the word cache of a previous writer of the same schema (`words`)."""
        super().__init__(ix, codec=W3Codec(compression=_COMPRESSION), **kwargs)
        # The stored fields' column writer, which Whoosh creates at level 3.
        internals.set_stored_compression(self.perdocwriter, _COMPRESSION)
        self._postings: dict[str, dict[bytes, tuple[array, array, list]]] = {}
        self._lengths: dict[str, array] = {}
        self._terms: dict[str, tuple | None] = {} if words is None else words
        self._single: dict[int, bytes] = {}
        self._fast = {name: _fast_analyzer(field) for name, field in self.schema.items()}
        # The text last split into words, and its words' terms: the same text comes
        # again for its exact-form field.
        self._last: tuple[str | None, list] = (None, [])
        self.memory = 0
        self.merge = False
        # Postings spilled to disk (`spill`), oldest first, and how many times it was done.
        self._runs: list = []
        self.spills = 0

    @property
    def words(self) -> dict[str, tuple | None]:
        """The word cache: each word seen, and its terms as index bytes, exact form and
        stem (None: the analyzers drop it; a stop word: None, None and its folded form)."""
        return self._terms

    def add_reader(self, reader):
        raise NotImplementedError("a bulk writer does not merge segments: commit(merge=False)")

    def add_document(self, **fields) -> None:
        """`SegmentWriter.add_document`, for the fields of documents without boosts."""
        internals.check_writable(self)
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        local = docnum - self.docbase
        names = sorted(name for name in fields if not name.startswith("_"))
        internals.check_fields(self, schema, names)
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
        internals.mark_added(self)
        self.docnum += 1

    def _analyse(self, tokenizer, which: int, field, value: str):
        """What `field.index(value)` gives for a GapPositions or Frequency field whose
        analyzer turns each word into at most one term: (term bytes, frequency, weight,
        positions or frequency). `which`: 0 for the exact form, 1 for the stem, 2 for the
        exact form and the stop words before it."""
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
        terms = [None if pair is None else pair[which & 1] for pair in pairs]
        boost = field.format.field_boost
        if type(field.format) is Frequency:
            counts = Counter(terms)
            counts.pop(None, None)
            for term, count in counts.items():
                yield term, count, float(count) * boost, _frequency(count)
            return
        # The stop filter renumbers positions: the first kept word keeps its place (its
        # number among all words), the next ones follow it without gaps.
        first = next((i for i, term in enumerate(terms) if term is not None), 0)
        positions: dict[bytes, list[int]] = {}
        if which == 2:
            _stops_before(pairs, first, positions)
        else:
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
                yield term, 1, 1.0 * boost, value
            else:
                yield term, len(poses), float(len(poses)) * boost, encode_gaps(poses)

    def _term(self, word: str) -> tuple | None:
        pair = self._terms.get(word, _UNSEEN)
        if pair is _UNSEEN:
            # `french_analyzer` is `exact_analyzer` and then `stem`: one pass gives both.
            tokens = [(t.text, t.stopped) for t in exact_analyzer()(word, positions=True, removestops=False)]
            assert len(tokens) <= 1, (word, tokens)
            if not tokens:
                pair = None
            elif tokens[0][1]:
                # A stop word: no term of its own, but the exact forms give it the
                # position of the word after it.
                pair = (None, None, tokens[0][0].encode("utf-8"))
            else:
                pair = (tokens[0][0].encode("utf-8"), stem(tokens[0][0]).encode("utf-8"))
            self._terms[word] = pair
        return pair

    def spill(self) -> None:
        """Move the postings held in memory to a temporary run file (see the module
        docstring). It lives in the index's folder, on the disk the index is written
        to, and is unlinked at once: nothing is left behind by a killed build."""
        if not self._postings:
            return
        run = tempfile.TemporaryFile(dir=getattr(self.storage, "folder", None), prefix=".postings-")
        try:
            chunk: list = []
            for key in self._sorted_postings():
                chunk.append(key)
                if len(chunk) == _RUN_CHUNK:
                    pickle.dump(chunk, run, pickle.HIGHEST_PROTOCOL)
                    chunk = []
            if chunk:
                pickle.dump(chunk, run, pickle.HIGHEST_PROTOCOL)
            run.flush()
        except BaseException:
            run.close()
            raise
        run.seek(0)
        self._runs.append(run)
        self.spills += 1
        self._postings.clear()
        self.memory = 0

    def _sorted_postings(self) -> Iterator[tuple]:
        """The postings in memory as (field, term, document numbers, weights, values),
        by field and term."""
        for name in sorted(self._postings):
            terms = self._postings[name]
            for tbytes in sorted(terms):
                yield (name, tbytes, *terms[tbytes])

    def _close_runs(self) -> None:
        for run in self._runs:
            run.close()
        self._runs = []

    def _flush_segment(self) -> None:
        # Whoosh's private hook, called by `finalize_segment` (see index/whoosh/internals.py).
        self.perdocwriter.close()
        assert not self.pool.current and not self.pool.runs, "postings went to the pool"
        schema, writer = self.schema, self.fieldwriter
        sources = [_read_run(run) for run in self._runs] + [self._sorted_postings()]
        merged = heapq.merge(*sources, key=itemgetter(0, 1)) if len(sources) > 1 else sources[0]
        try:
            for name, in_field in groupby(merged, key=itemgetter(0)):
                lengths = [byte_to_length(b) if b else 0 for b in map(length_to_byte, self._lengths.get(name, ()))]
                writer.start_field(name, schema[name])
                fixed = schema[name].format.fixed_value_size()
                for tbytes, parts in groupby(in_field, key=itemgetter(1)):
                    docnums, weights, values = _joined(parts)
                    _write_term(writer, tbytes, docnums, weights, values, lengths, self.docbase, fixed)
                writer.finish_field()
        finally:
            self._close_runs()
        self._postings.clear()
        writer.close()

    def finish_segments(self) -> list:
        """Write the segment and return it (none when nothing was added), leaving the
        table of contents and the shared temporary folder to the parent's writer."""
        if not internals.has_added(self):
            internals.close_segment(self)
            return []
        return [internals.finalize_segment(self)]

    def abandon(self) -> None:
        """Close the segment's files without touching what other writers share."""
        self._close_runs()
        internals.close_segment(self)

    def cancel(self) -> None:
        self._close_runs()
        super().cancel()


def _read_run(run) -> Iterator[tuple]:
    """A run file's postings, in the order `spill` wrote them."""
    while True:
        try:
            chunk = pickle.load(run)
        except EOFError:
            return
        yield from chunk


def _joined(parts) -> tuple[array, array, list]:
    """One term's postings from the runs that hold it, oldest run first (document
    numbers rise from run to run)."""
    first = next(parts)
    rest = list(parts)
    if not rest:
        return first[2], first[3], first[4]
    docnums, weights, values = array("I", first[2]), array("d", first[3]), list(first[4])
    for _, _, more_docnums, more_weights, more_values in rest:
        docnums.extend(more_docnums)
        weights.extend(more_weights)
        values.extend(more_values)
    return docnums, weights, values


def _stops_before(pairs: list, first: int, positions: dict[bytes, list[int]]) -> None:
    """The positions of each term of an exact-form field as `StopsBeforeFilter` gives
    them: each word at its renumbered position, and the stop words before it (once
    each) at the same; stop words with no word after them, nowhere."""
    run: list[bytes] = []
    position = first - 1
    for pair in pairs:
        if pair is None:
            continue
        term = pair[0]
        if term is None:
            if pair[2] not in run:
                run.append(pair[2])
            continue
        position += 1
        for found in (term, *run) if run else (term,):
            if found in positions:
                positions[found].append(position)
            else:
                positions[found] = [position]
        run = []


def _write_term(fieldwriter, tbytes: bytes, docnums: array, weights: array, values: list, lengths: list[int],
                docbase: int, fixed: int | None) -> None:
    """What Whoosh's field writer writes for one term (`start_term`, `add_posting` for
    each posting, `finish_term`): its posting blocks, then its row in the term table,
    without the objects it builds for each term and block. Two changes its readers do
    not see, since they unpickle each block and check its own compression level:

    - Blocks are pickled with the current protocol, not protocol 2, which writes each
      posting's value (positions, a frequency) as a call to `_codecs.encode` with a
      Latin-1 string, about 15 bytes more a posting than the bytes themselves.
    - A block of one posting (most terms) is not compressed: zlib would make it
      larger. Whoosh means to leave small blocks so, but overrides its own choice.

    `fixed`: the size of the field's values (`Format.fixed_value_size`).
    """
    postfile = internals.postings_file(fieldwriter)
    start = postfile.tell()
    postfile.write(WHOOSH3_HEADER_MAGIC)
    count = len(docnums)
    total, minlength, maxlength, maxweight = 0.0, None, 0, 0
    for begin in range(0, count, _BLOCK_POSTINGS):
        ids = docnums[begin : begin + _BLOCK_POSTINGS]
        block_weights = array("f", weights[begin : begin + _BLOCK_POSTINGS])
        block_values = [v for v in values[begin : begin + _BLOCK_POSTINGS] if v]
        known = [lengths[docnum - docbase] for docnum in ids if docnum - docbase < len(lengths)]
        known = [length for length in known if length]
        block_min = min(known) if known else None
        block_max = max(known) if known else 0
        block_maxweight = max(0, *weights[begin : begin + _BLOCK_POSTINGS])
        # The term's statistics, as `W3TermInfo.add_block` sums them.
        total += sum(block_weights)
        minlength = block_min if minlength is None else min(minlength, block_min)
        maxlength = max(maxlength, block_max)
        maxweight = max(maxweight, block_maxweight)
        if all(w == 1.0 for w in block_weights):
            mini_weights = None
        elif all(w == block_weights[0] for w in block_weights):
            mini_weights = block_weights[0]
        else:
            mini_weights = tuple(block_weights)
        if fixed is None or fixed < 0:
            mini_values = tuple(block_values)
        else:
            mini_values = b"".join(block_values) if fixed else None
        data = dumps((tuple(delta_encode(ids)), mini_weights, mini_values), _PICKLE)
        compression = _COMPRESSION if len(ids) > 1 else 0
        if compression:
            data = zlib.compress(data, compression)
        info = dumps((len(ids), ids[-1], block_maxweight, compression,
                      length_to_byte(block_min), length_to_byte(block_max)), _PICKLE)
        # A negative length marks the last block.
        last = begin + _BLOCK_POSTINGS >= count
        postfile.write_int((len(info) + len(data)) * (-1 if last else 1))
        postfile.write(info)
        postfile.write(data)
    row = _TERM_INFO.pack(0, total, count, 0 if minlength is None else length_to_byte(minlength),
                          length_to_byte(maxlength), maxweight, docnums[0], docnums[-1])
    internals.add_term_row(fieldwriter, tbytes, row + pack_long(start) + pack_int(postfile.tell() - start))


def _fast_analyzer(field):
    """For a field that `_analyse` can index (positions or frequencies, and an analyzer
    whose filters map each word alone: our French analyzers), its compiled word pattern
    and which term of a word it takes (0: exact form, 1: stem, 2: exact form and the
    stop words before it). None otherwise."""
    analyzer = getattr(field, "analyzer", None)
    analyzers = (exact_analyzer(), french_analyzer(), exact_index_analyzer())
    if type(field.format) not in (GapPositions, Frequency) or analyzer not in analyzers:
        return None
    assert isinstance(analyzer, CompositeAnalyzer) and isinstance(analyzer.items[0], RegexTokenizer)
    tokenizer = analyzer.items[0]
    assert not tokenizer.gaps and not field.vector and not field.separate_spelling()
    return tokenizer.expression, analyzers.index(analyzer)
