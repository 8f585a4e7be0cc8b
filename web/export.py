"""The whole result set of a search, as a file: `/export.csv` and `/export.jsonl`.

They take the search page's parameters (web/params.py; `page` is ignored) and list every
result holding all the words, in the page's order and version mode, past the 10,000
that pages reach by relevance; `texte=1` adds each dispatch's full text.

The answer is streamed: the index is read a batch of hits at a time (index/export.py)
and each batch is written out before the next is read, so the server's memory does not
grow with the size of the export. A client that goes away mid-way closes the stream,
which closes the export and its searcher; nothing is written to disk.

CSV: RFC 4180 (commas, double quotes, CRLF), UTF-8 with a byte-order mark, without
which Excel reads UTF-8 as Windows-1252 and every accent comes out garbled (other
readers skip the mark: Python's `utf-8-sig`, LibreOffice, pandas). A cell that a
spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return)
is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator

from flask import Blueprint, Response, request

from index import Export, ExportRow
from web.handle import archive_index
from web.params import SearchState, flag
from web.permalink import permalink_url

bp = Blueprint("export", __name__)

BOM = "\ufeff"
# Rows written out together: one write to the socket per batch of this many lines.
ROWS_PER_CHUNK = 256
# What a spreadsheet reads as the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# The columns, in order, each read from one row. Several sources or authors are joined
# by « ; » (a name never holds one: index/credits.py splits on it).
COLUMNS: dict[str, Callable[[ExportRow, str], object]] = {
    "id": lambda row, link: row.hit.id,
    "permalink": lambda row, link: link,
    "date": lambda row, link: row.hit.date.iso() if row.hit.date else None,
    "precision": lambda row, link: row.hit.precision,
    "date_inferred": lambda row, link: row.hit.date_inferred,
    "title": lambda row, link: row.hit.title,
    "source": lambda row, link: " ; ".join(row.hit.sources),
    "author": lambda row, link: " ; ".join(row.hit.authors),
    "story": lambda row, link: row.hit.story_id,
    "versions": lambda row, link: row.versions,
}
TEXT_COLUMN = "text"


def open_export(args) -> tuple[Export, SearchState, bool]:
    """The export a URL asks for (BadParameter with a French message otherwise)."""
    state = SearchState.from_args(args)
    text = flag(args, "texte", "Le paramètre texte vaut 1 (avec le texte des dépêches) ou 0.")
    return archive_index().export(state.request(page_size=1, page=1), text=text), state, text


_SAMPLE_KEY = "0" * 12


def permalinks() -> Callable[[str], str]:
    """The absolute permalink (`/d/<key>`, web/permalink.py) from a key: url_for's work
    done once, not for each of many thousand rows (keys are hexadecimal: nothing to
    escape)."""
    head = permalink_url(_SAMPLE_KEY)[: -len(_SAMPLE_KEY)]
    return lambda key: head + key


def records(rows: Iterable[ExportRow], link: Callable[[str], str], text: bool) -> Iterator[dict]:
    for row in rows:
        permalink = link(row.permalink_key)
        record = {name: value(row, permalink) for name, value in COLUMNS.items()}
        if text:
            record[TEXT_COLUMN] = row.text
        yield record


def csv_lines(found: Iterable[dict], text: bool) -> Iterator[str]:
    """The CSV text, a chunk of ROWS_PER_CHUNK lines at a time, the header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*COLUMNS, *([TEXT_COLUMN] if text else [])])
    for number, record in enumerate(found, start=1):
        writer.writerow([_cell(value) for value in record.values()])
        if number % ROWS_PER_CHUNK == 0:
            yield _take(buffer)
    yield _take(buffer)


def jsonl_lines(found: Iterable[dict]) -> Iterator[str]:
    chunk: list[str] = []
    for record in found:
        chunk.append(json.dumps(record, ensure_ascii=False))
        if len(chunk) == ROWS_PER_CHUNK:
            yield "\n".join(chunk) + "\n"
            chunk = []
    if chunk:
        yield "\n".join(chunk) + "\n"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


class Stream:
    """The body of an export answer: encoded chunks, and a `close` that Werkzeug calls
    when the answer ends or the client goes away, which releases the export even if
    no chunk was ever read."""

    def __init__(self, export: Export, chunks: Iterator[str], first: str = "") -> None:
        self.export = export
        self._chunks = chunks
        self._first = first

    def __iter__(self) -> Iterator[bytes]:
        if self._first:
            yield self._first.encode("utf-8")
        for chunk in self._chunks:
            if chunk:
                # Undecodable bytes of a file name (surrogates) escaped, never an error mid-way.
                yield chunk.encode("utf-8", "backslashreplace")

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()
        self.export.close()


def _answer(stream: Stream, mimetype: str, filename: str, total: int) -> Response:
    response = Response(stream, content_type=f"{mimetype}; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # How many rows follow: a client can show progress, or check it got them all.
    response.headers["X-Total-Count"] = str(total)
    return response


@bp.get("/export.csv")
def export_csv():
    export, _, text = open_export(request.args)
    chunks = csv_lines(records(export, permalinks(), text), text)
    return _answer(Stream(export, chunks, first=BOM), "text/csv", "archive-export.csv", export.total)


@bp.get("/export.jsonl")
def export_jsonl():
    export, _, text = open_export(request.args)
    chunks = jsonl_lines(records(export, permalinks(), text))
    return _answer(Stream(export, chunks), "application/x-ndjson", "archive-export.jsonl", export.total)

