"""Plain-text dispatches, as the seeds are written.

An optional date prefix opens the file (`date 2019-04`, `Date: 7 avril 2019`, `DATE
07/04/2019`), possibly on the same line as the first sentence; paragraphs are separated
by blank lines. The first line is the title when a blank line follows it (and it is not a
dateline); otherwise the title is derived from the first sentence.

A header that tries to give a date but gives none (`date 99999-01-01`, `date -2019-04-07`)
is reported and left out of the title; a date outside the plausible years (see
`archive.dates.FIRST_YEAR`) is reported and the dispatch kept undated. A `.txt` file
that is really an HTML page is read as one.
"""

from __future__ import annotations

import re
from functools import cache

from archive import credits
from archive.dates import ImplausibleDate, date_pattern, find_dateline, from_match
from archive.model import DateSource, Dispatch
from archive.paragraphs import derive_title, looks_like_heading, split_paragraphs
from archive.readers.base import Reading, Source
from archive.readers.html import looks_like_html, read_html_text


@cache
def _header() -> re.Pattern[str]:
    # Only at the very start of the file; the keyword in any case, the colon optional.
    # Possessive `*+`: `date` then 50,000 spaces must fail at once, not after trying
    # every way of sharing the spaces between the two runs (quadratic).
    # Not followed by more of a number date: `date 2019/04/07` is not the year 2019.
    return re.compile(rf"\s*+date\s*+:?\s*+(?:{date_pattern().pattern})(?![/.][0-9])", re.IGNORECASE)


# `date` then what can only be meant as a number date, up to the next space, that the
# date pattern refused: `date 99999-01-01`, `date -2019-04-07`, `date 12/2019`. A signed
# number, five digits or more, or digits with a separator: « Date 12 candidats » is text.
_BROKEN_HEADER = re.compile(
    r"\s*+date\s*+:?\s*+(?:[-+][0-9]|[0-9]{5}|[0-9]++[-/.][0-9])[^\s]*+", re.IGNORECASE
)


def read_text(source: Source) -> Reading:
    text, problems = source.decoded()
    if looks_like_html(text):
        return read_html_text(source, text, problems)
    warnings: list[str] = []
    date, date_source = None, DateSource.NONE
    header = _header().match(text) or _BROKEN_HEADER.match(text)
    if header and header.re is _BROKEN_HEADER:
        warnings.append(f"unrecognised date in the header: {header.group(0).strip()[:40]!r}")
    elif header:
        try:
            date, date_source = from_match(header), DateSource.HEADER
        except ImplausibleDate as error:
            warnings.append(f"implausible date in the header: {header.group(0).strip()!r} ({error}), kept undated")
        except ValueError:
            warnings.append(f"impossible date in the header: {header.group(0).strip()!r}")
    if header:
        text = text[header.end() :]
    paragraphs = split_paragraphs(text)
    if not paragraphs:
        raise source.problem("no text after the date header" if header else "no text")
    if len(paragraphs) > 1 and looks_like_heading(text):
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
        # A plain text names no one in metadata: only an agency signing in the text.
        sources=credits.in_text(paragraphs, title if not title_derived else ""),
    )
    return Reading((dispatch,), problems + tuple(source.problem(w) for w in warnings))
