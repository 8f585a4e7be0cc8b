"""Reading the dates dispatches are written with, keeping their precision.

Accepted: `2019`, `2019-04`, `2019-04-07` (and ISO date-times), `07/04/2019`, and French
written dates such as `7 avril 2019`, `1er avril 2019`, `avril 2019`, with or without
accents (`fevrier`, `aout`). Month names come from Babel's French locale data.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import cache

from babel.dates import get_month_names

from archive.model import PartialDate


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def french_months() -> dict[str, int]:
    """Month name → number, wide and abbreviated, accented and not (`févr.`, `fevrier`)."""
    months: dict[str, int] = {}
    for width in ("wide", "abbreviated"):
        for number, name in get_month_names(width, locale="fr").items():
            for form in {name.lower(), _strip_accents(name.lower())}:
                months[form] = number
                months[form.rstrip(".")] = number
    return months


@cache
def _written_pattern() -> str:
    names = sorted(french_months(), key=len, reverse=True)
    alternatives = "|".join(re.escape(n) for n in names)
    # `\.?` lets an abbreviation be written with or without its dot.
    return rf"(?:(?P<wday>[0-9]{{1,2}})(?:er)?\s+)?(?P<wmonth>{alternatives})\.?\s+(?P<wyear>[0-9]{{4}})"


# [0-9], not \d: \d also takes Arabic-Indic and other digits no dispatch dates with.
_NUMERIC = (
    r"(?P<iso>[0-9]{4}(?:-[0-9]{1,2}(?:-[0-9]{1,2})?)?)"
    r"(?:[T ][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
    r"|(?P<fday>[0-9]{1,2})[/.](?P<fmonth>[0-9]{1,2})[/.](?P<fyear>[0-9]{4})"
)


@cache
def date_pattern() -> re.Pattern[str]:
    """One date in any accepted form, as a regex fragment with named groups."""
    return re.compile(rf"(?:{_written_pattern()}|{_NUMERIC})(?![\w-])", re.IGNORECASE)


# News dispatches are not older than the press agencies (Havas, 1835), and none is dated
# more than a year ahead: a year outside this range is a typing or export error
# (`0001-01-01`, `9999-12-31`), and a year-9999 dispatch would head « plus récent » forever.
# The lower bound leaves room for digitised 19th-century papers.
FIRST_YEAR = 1800


def last_year() -> int:
    """The latest plausible year: next year (a dispatch embargoed over New Year)."""
    return date.today().year + 1


class ImplausibleDate(ValueError):
    """A real calendar date in a year no dispatch is dated with."""


def from_match(match: re.Match[str]) -> PartialDate:
    """Turn a `date_pattern()` match into a date; ValueError if the calendar refuses it,
    ImplausibleDate if its year is outside `FIRST_YEAR` to `last_year()`."""
    groups = match.groupdict()
    if groups["wmonth"]:
        month = _month_number(groups["wmonth"])
        day = int(groups["wday"]) if groups["wday"] else None
        found = PartialDate(int(groups["wyear"]), month, day)
    elif groups["iso"]:
        found = PartialDate(*(int(p) for p in groups["iso"].split("-")))
    else:
        found = PartialDate(int(groups["fyear"]), int(groups["fmonth"]), int(groups["fday"]))
    if not FIRST_YEAR <= found.year <= last_year():
        raise ImplausibleDate(f"year {found.year} outside {FIRST_YEAR}–{last_year()}")
    return found


def _month_number(name: str) -> int:
    """The number of a month name matched case-insensitively.

    `re.IGNORECASE` also matches « ſ » (long s) for « s » and « ı » for « i », which
    `str.lower()` does not map back, so a failed look-up compares the names the regex way.
    """
    months = french_months()
    number = months.get(name.lower().rstrip("."))
    if number is not None:
        return number
    for known, number in months.items():
        if re.fullmatch(re.escape(known.rstrip(".")), name.rstrip("."), re.IGNORECASE):
            return number
    raise ValueError(f"unknown month {name!r}")


def parse_date(text: str) -> PartialDate:
    """Parse a whole string as one date; ValueError with a readable reason otherwise."""
    text = text.strip()
    match = date_pattern().fullmatch(text)
    if not match:
        raise ValueError(f"unrecognised date {text!r}")
    try:
        return from_match(match)
    except ImplausibleDate as error:
        raise ImplausibleDate(f"implausible date {text!r} ({error})") from None
    except ValueError:
        raise ValueError(f"impossible date {text!r}") from None


_YEAR = re.compile(r"[0-9]{4}")


@cache
def _dateline_pattern() -> re.Pattern[str]:
    # Whole words only: « 17 avril 20190 » or « Habitmai 2019 » hold no date.
    return re.compile(rf"(?<!\w){_written_pattern()}(?![\w-])", re.IGNORECASE)


def find_dateline(text: str) -> PartialDate | None:
    """The first plausible written date in `text` (`Paris, 7 avril 2019 (AFP) -`), if any.

    Only written French dates count here: a bare number such as `2014` in a sentence is
    far more often a reference to another year than the date of the dispatch.
    """
    # Most first paragraphs hold no four-digit year: skip the long month alternation then.
    match = _YEAR.search(text) and _dateline_pattern().search(text)
    if not match:
        return None
    try:
        return from_match(match)
    except ValueError:
        return None
