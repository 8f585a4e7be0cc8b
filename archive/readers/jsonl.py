"""JSON Lines exports: one dispatch a line (`id`, `date`, `title`, `body`, and optionally
`published`, `author`, `source`, `url`), as news databases and scrapers export them.

A dispatch's id is the file's path with the record's own `id` (`export.jsonl#afp-123`),
which survives lines being added or reordered; a record without a usable id, or repeating
one already seen in the file, is named by its line (`export.jsonl#L12`). A broken line is
reported with its number and the other lines are kept.
"""

from __future__ import annotations

import json

from archive.controls import record_without_controls
from archive.dates import parse_date
from archive.errors import UnreadableDispatch
from archive.model import DateSource, Dispatch
from archive.paragraphs import derive_title, split_paragraphs
from archive.readers.base import Reading, Source


def read_jsonl(source: Source) -> Reading:
    dispatches: list[Dispatch] = []
    problems: list[UnreadableDispatch] = []
    seen: set[str] = set()
    for number, line in enumerate(source.text().split("\n"), start=1):
        if not line.strip():
            continue
        try:
            dispatch, problem = _record(source, number, line, seen)
        except UnreadableDispatch as error:
            problems.append(error)
            continue
        dispatches.append(dispatch)
        if problem:
            problems.append(problem)
    if not dispatches:
        if problems:
            raise source.problem(f"no readable line ({len(problems)} broken; first: {problems[0].reason})")
        raise source.problem("no records")
    return Reading(tuple(dispatches), tuple(problems))


def _record(
    source: Source, number: int, line: str, seen: set[str]
) -> tuple[Dispatch, UnreadableDispatch | None]:
    where = f"{source.relative}#L{number}"
    try:
        record = json.loads(line)
    except (ValueError, RecursionError) as error:
        raise UnreadableDispatch(where, f"line {number}: invalid JSON ({error})") from None
    if not isinstance(record, dict):
        raise UnreadableDispatch(where, f"line {number}: not a JSON object")
    record = record_without_controls(record)  # `\u001b` escapes are only decoded now
    title, body = " ".join(_string(record.get("title")).split()), _string(record.get("body"))
    paragraphs = split_paragraphs(body)
    if not paragraphs and not title:
        raise UnreadableDispatch(where, f"line {number}: no title and no body")
    problem, date = None, None
    # `published` (an ISO date-time) stands in when an export has no `date`.
    raw_date = _string(record.get("date")) or _string(record.get("published"))
    if raw_date:
        try:
            date = parse_date(raw_date)
        except ValueError as error:
            problem = UnreadableDispatch(where, f"line {number}: {error}, kept undated")
    own_id = record.get("id")
    own_id = str(own_id).strip() if isinstance(own_id, (str, int)) and not isinstance(own_id, bool) else ""
    if own_id and own_id not in seen and own_id.isprintable() and " " not in own_id and len(own_id) <= 200:
        seen.add(own_id)
        where = f"{source.relative}#{own_id}"
    byline = _string(record.get("author")) or _string(record.get("source")) or None
    dispatch = Dispatch(
        id=where,
        source_path=source.relative,
        title=title or derive_title(paragraphs[0]),
        title_derived=not title,
        paragraphs=paragraphs or (title,),
        date=date,
        date_source=DateSource.HEADER if date else DateSource.NONE,
        byline=byline,
        url=_string(record.get("url")) or None,
    )
    return dispatch, problem


def _string(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
