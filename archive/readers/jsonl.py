"""JSON Lines exports: one dispatch a line (`id`, `date`, `title`, `body`, and optionally
`published`, `author`, `source`, `url`), as news databases and scrapers export them.

A dispatch's id is the file's path with the record's own `id` (`export.jsonl#afp-123`),
which survives lines being added or reordered; a record without a usable id is named by
its line (`export.jsonl#L12`). Own ids of that form are kept for line numbers, so two
records never share an id; an own id that repeats one seen before, or that a URL would
misread (`/../aide`), is reported and the record named by its line.

A broken line is reported with its number and the other lines are kept: invalid JSON, a
NUL byte (one corrupt line must not make a 100,000-record export « binary »), a record
over the size limit of a dispatch, a record with neither title nor body.
"""

from __future__ import annotations

import codecs
import json
import re

from archive import credits
from archive.controls import record_without_controls
from archive.dates import parse_date
from archive.decode import decode_reporting, refuse_known_binary
from archive.errors import UnreadableDispatch
from archive.model import DateSource, Dispatch
from archive.paragraphs import derive_title, split_paragraphs
from archive.readers.base import MAX_DISPATCH_BYTES, Reading, Source
from archive.readers.fields import JSON_TYPES, Fields

_LINE_ID = re.compile(r"[Ll][0-9]+")
MAX_ID_LENGTH = 200


def read_jsonl(source: Source) -> Reading:
    dispatches: list[Dispatch] = []
    problems: list[UnreadableDispatch] = []
    seen: dict[str, int] = {}
    lines, warnings = _lines(source)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            dispatch, line_problems = _record(source, number, line, seen)
        except UnreadableDispatch as error:
            problems.append(error)
            continue
        dispatches.append(dispatch)
        problems.extend(line_problems)
    if not dispatches:
        if problems:
            raise source.problem(f"no readable line ({len(problems)} broken; first: {problems[0].reason})")
        raise source.problem("no records")
    # Warnings about the file's bytes come first: they are about where the lines came from.
    return Reading(tuple(dispatches), (*warnings, *problems))


def _lines(source: Source) -> tuple[list[str], list[UnreadableDispatch]]:
    """The file's text lines, a line holding a NUL byte blanked and reported (a UTF-16
    file has NULs everywhere, and is decoded whole). Blanked with spaces, not removed,
    so that the byte offsets of the other lines stay true."""
    data, warnings = source.data, []
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        refuse_known_binary(data, source.relative)
        raw = data.split(b"\n")
        for number, line in enumerate(raw, start=1):
            if b"\x00" in line:
                raw[number - 1] = b" " * len(line)
                warnings.append(_problem(source, number, "NUL byte (binary data): line left out"))
        if not any(line.strip() for line in raw):
            raise source.problem("binary file (contains NUL bytes)")
        data = b"\n".join(raw)
    decoded = decode_reporting(data, source.relative)
    if decoded.replaced:
        number = data.count(b"\n", 0, decoded.first_replaced) + 1
        warnings.append(_problem(source, number, decoded.warning()))
    return decoded.text.split("\n"), warnings


def _problem(source: Source, number: int, reason: str) -> UnreadableDispatch:
    return UnreadableDispatch(f"{source.relative}#L{number}", f"line {number}: {reason}")


def _record(
    source: Source, number: int, line: str, seen: dict[str, int]
) -> tuple[Dispatch, list[UnreadableDispatch]]:
    # Characters first: four UTF-8 bytes at most each, so only a long line is encoded.
    if len(line) * 4 > MAX_DISPATCH_BYTES and (size := len(line.encode())) > MAX_DISPATCH_BYTES:
        raise _problem(source, number, f"record too large ({size / 1e6:.1f} MB; the limit is "
                                       f"{MAX_DISPATCH_BYTES / 1e6:.0f} MB)")
    try:
        record = json.loads(line)
    except (ValueError, RecursionError) as error:
        raise _problem(source, number, f"invalid JSON ({error})") from None
    if not isinstance(record, dict):
        raise _problem(source, number, "not a JSON object")
    # `\u001b` escapes are only decoded now. An id is checked as it was given: one
    # holding control characters is refused by line, not silently changed.
    record = record_without_controls(record) | ({"id": record["id"]} if "id" in record else {})
    # Text decoded from bytes holds no surrogate: only a JSON escape can make one.
    fields = Fields(record, escapes_surrogates="\\ud" in line or "\\uD" in line)
    title, body = " ".join(fields.text("title").split()), fields.paragraphs("body")
    paragraphs = split_paragraphs(body)
    if not paragraphs and not title:
        raise _problem(source, number, "no title and no body")
    warnings: list[str] = []
    date = None
    # `published` (an ISO date-time) stands in when an export has no `date`.
    raw_date = fields.date("date") or fields.date("published")
    if raw_date:
        try:
            date = parse_date(raw_date)
        except ValueError as error:
            warnings.append(f"{error}, kept undated")
    own_id, why_not = _own_id(record.get("id"), seen)
    if why_not:
        warnings.append(f"{why_not}: named by its line")
    if own_id:
        seen[own_id] = number
    author, source_name = fields.names("author"), fields.text("source")
    byline = author or source_name or None
    # `author` may hold people, agencies or both (« Orange avec AFP »); `source` is a source.
    named, authors = credits.authors_of(fields.list_of("author") if author else ())
    sources = credits.merged([source_name], named, credits.in_text(paragraphs, title))
    dispatch = Dispatch(
        id=f"{source.relative}#{own_id}" if own_id else f"{source.relative}#L{number}",
        source_path=source.relative,
        title=title or derive_title(paragraphs[0]),
        title_derived=not title,
        paragraphs=paragraphs or (title,),
        date=date,
        date_source=DateSource.HEADER if date else DateSource.NONE,
        byline=byline,
        url=fields.text("url") or None,
        sources=sources,
        authors=authors,
    )
    warnings += fields.warnings
    if surrogates := fields.surrogate_warning():
        warnings.append(surrogates)
    return dispatch, [_problem(source, number, warning) for warning in warnings]


def _own_id(value: object, seen: dict[str, int]) -> tuple[str, str | None]:
    """The record's own id if it can name the dispatch, else "" and why not (None when
    the record simply has none)."""
    if value is None or value == "":
        return "", None
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        return "", f"id is {JSON_TYPES.get(type(value), 'of another type')}, not a string or a number"
    own = str(value).strip()
    shown = repr(own[:40])
    if not own or len(own) > MAX_ID_LENGTH:
        return "", f"id {shown} is empty or longer than {MAX_ID_LENGTH} characters"
    if not own.isprintable() or " " in own:
        return "", f"id {shown} holds spaces or control characters"
    # A `.` or `..` segment, or an empty one, would make the browser resolve the link to
    # the dispatch page to another page (`docs.jsonl#/../../aide` → `/aide`).
    if any(segment in ("", ".", "..") for segment in own.split("/")) and "/" in own:
        return "", f"id {shown} has an empty, `.` or `..` path segment"
    if _LINE_ID.fullmatch(own):
        return "", f"id {shown} has the form kept for line numbers"
    if own in seen:
        return "", f"id {shown} repeats the id of line {seen[own]}"
    return own, None
