"""Plain-text dispatches, as the seeds are written.

An optional date prefix opens the file (`date 2019-04`, `Date: 7 avril 2019`, `DATE
07/04/2019`), possibly on the same line as the first sentence; paragraphs are separated
by blank lines. Without a title line, the title is derived from the first sentence.
"""

from __future__ import annotations

import re
from functools import cache

from archive.dates import date_pattern, find_dateline, from_match
from archive.model import DateSource, Dispatch
from archive.paragraphs import derive_title, looks_like_heading, split_paragraphs
from archive.readers.base import Reading, Source


@cache
def _header() -> re.Pattern[str]:
    # Only at the very start of the file; the keyword in any case, the colon optional.
    # Possessive `*+`: `date` then 50,000 spaces must fail at once, not after trying
    # every way of sharing the spaces between the two runs (quadratic).
    return re.compile(rf"\s*+date\s*+:?\s*+(?:{date_pattern().pattern})", re.IGNORECASE)


def read_text(source: Source) -> Reading:
    text = source.text()
    warnings: list[str] = []
    date, date_source = None, DateSource.NONE
    header = _header().match(text)
    if header:
        try:
            date, date_source = from_match(header), DateSource.HEADER
        except ValueError:
            warnings.append(f"impossible date in the header: {header.group(0).strip()!r}")
        text = text[header.end() :]
    paragraphs = split_paragraphs(text)
    if not paragraphs:
        raise source.problem("no text after the date header" if header else "no text")
    if len(paragraphs) > 1 and looks_like_heading(paragraphs[0]):
        title, title_derived, paragraphs = paragraphs[0], False, paragraphs[1:]
    else:
        title, title_derived = derive_title(paragraphs[0]), True
    if date is None and not header:
        date = find_dateline(paragraphs[0][:200])
        date_source = DateSource.DATELINE if date else DateSource.NONE
    dispatch = Dispatch(
        id=source.dispatch_id,
        source_path=source.relative,
        title=title,
        title_derived=title_derived,
        paragraphs=paragraphs,
        date=date,
        date_source=date_source,
    )
    return Reading((dispatch,), tuple(source.problem(w) for w in warnings))
