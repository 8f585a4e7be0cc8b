"""Every result of a search, in its order, read from the index a batch at a time.

Pages stop at MAX_RESULTS_DEPTH by relevance; an export goes to the last result. The
ranking is an array of document numbers (8 bytes a result, like the masks a search
builds anyway); the hits themselves are read BATCH at a time and never all held, so
an export of the whole archive takes the memory of one batch, whatever its size.

An export reads one searcher of its own, opened for it and closed when it ends or is
closed (a client gone mid-way): the whole file comes from one index generation even
if a reindex commits meanwhile.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import replace

import numpy as np
from whoosh.reading import ReaderClosed

from index.export import BATCH, ExportRow
from index.permalinks import key_for
from index.results import SearchRequest
from index.whoosh import selection, versions
from index.whoosh.hits import hit_of
from index.whoosh.permalinks import shared_prefixes


class Export:
    """The results of one request: `total` of them, iterated once in the list's order.

    Close it (or iterate to the end) to release its searcher; closing it while rows
    are being read stops the reading there.
    """

    def __init__(self, searcher, generation: tuple, request: SearchRequest, text: bool = False,
                 batch: int = BATCH) -> None:
        self._searcher = searcher
        # An export dropped unread (a WSGI server that never closed it) still closes its
        # searcher; by a finalizer, not `__del__`, for the reason given in search.py.
        self._release = weakref.finalize(self, _close, searcher)
        try:
            request = replace(request, with_facets=False, with_snippets=False)
            chosen = selection.select(searcher, generation, request)
            self.request = chosen.request
            self._order = selection.ordered(searcher, chosen)
            codes = versions.story_codes(searcher, generation)
            # How many documents each story has, looked up by story code.
            self._story_sizes = np.bincount(codes) if codes.size else np.zeros(0, dtype=np.int64)
            self._codes = codes
            self._shared = shared_prefixes(searcher)
        except BaseException:
            self.close()
            raise
        self.total = int(self._order.size)
        self._text = text
        self._batch = max(1, batch)
        self.batches_read = 0  # how many times the index was read for hits

    def __iter__(self) -> Iterator[ExportRow]:
        try:
            for start in range(0, self.total, self._batch):
                if self._searcher is None:
                    return  # closed meanwhile
                rows = self._rows(self._order[start:start + self._batch])
                self.batches_read += 1
                yield from rows
        finally:
            self.close()

    def _rows(self, docnums: np.ndarray) -> list[ExportRow]:
        searcher, rows = self._searcher, []
        for docnum in docnums.tolist():
            # Stored fields read once (a zlib-compressed record each): for the hit and its text.
            fields = searcher.stored_fields(docnum)
            hit = hit_of(fields, 0.0, False, None)
            text = fields["body"] if self._text else None
            key = key_for(fields["hash"], self._shared)
            rows.append(ExportRow(hit, int(self._story_sizes[self._codes[docnum]]), key, text))
        return rows

    def close(self) -> None:
        self._searcher = None
        self._release()  # once only: later calls do nothing

    @property
    def closed(self) -> bool:
        return self._searcher is None

    def __enter__(self) -> Export:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _close(searcher) -> None:
    # A searcher is closed once only: Whoosh raises ReaderClosed the second time.
    with suppress(ReaderClosed):
        searcher.close()
