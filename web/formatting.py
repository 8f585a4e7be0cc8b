"""Dates, numbers and counts for people, through Babel's locale data.

A date is written at its precision: « 2019 », « avril 2019 », « dimanche 7 avril 2019 »;
never a day that the dispatch did not give. The functions take the locale; the template
filters registered on the app use the app's `LOCALE`.
"""

from __future__ import annotations

import re

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from flask import Flask, current_app

from archive.model import PartialDate, Precision

# CLDR patterns: « LLLL » is the stand-alone month name (« avril », not « d’avril »).
_PATTERNS = {Precision.YEAR: "y", Precision.MONTH: "LLLL y", Precision.DAY: "EEEE d MMMM y"}
_SHORT_PATTERNS = {Precision.YEAR: "y", Precision.MONTH: "LLLL", Precision.DAY: "EEEE d"}


def date_text(date: PartialDate | None, locale: str, short: bool = False) -> str:
    """The date at its precision; `short` leaves out what a facet's parent already says
    (« avril » under 2019, « dimanche 7 » under avril 2019)."""
    if date is None:
        return "sans date"
    patterns = _SHORT_PATTERNS if short else _PATTERNS
    return format_date(date.first_day(), patterns[date.precision], locale=locale)


def month_abbreviation(month: int, locale: str) -> str:
    """« janv. », « févr. »…: the timeline's labels."""
    return Locale.parse(locale).months["stand-alone"]["abbreviated"][month]


def number(value: int | float, locale: str) -> str:
    """`1 234` with the locale's grouping (a narrow no-break space in French)."""
    return format_decimal(value, locale=locale)


def word(value: int, singular: str, plural: str | None, locale: str) -> str:
    """The noun that goes with `value`: French counts 0 and 1 as singular."""
    return singular if Locale.parse(locale).plural_form(value) == "one" else (plural or singular + "s")


def count(value: int, singular: str, plural: str | None, locale: str) -> str:
    """« 1 résultat », « 2 résultats », « 1 234 résultats »."""
    return f"{number(value, locale)}\u00a0{word(value, singular, plural, locale)}"


def duration(seconds: float, locale: str) -> str:
    """A search time: « 14 ms », « 1,2 s »."""
    ms = seconds * 1000
    if ms < 1:
        return "< 1\u00a0ms"
    if ms < 1000:
        return f"{format_decimal(round(ms), locale=locale)}\u00a0ms"
    return f"{format_decimal(seconds, format='#,##0.0', locale=locale)}\u00a0s"


_BEFORE_HIGH_PUNCTUATION = re.compile(r" ([:;?!»])")
_AFTER_GUILLEMET = re.compile(r"« ")


def french_spacing(text: str) -> str:
    """No-break spaces where French typography wants them (« … », before : ; ? !), so
    that a line never starts with a closing guillemet or a colon."""
    text = _AFTER_GUILLEMET.sub("«\u00a0", text)
    return _BEFORE_HIGH_PUNCTUATION.sub(lambda m: ("\u00a0" if m[1] in ":»" else "\u202f") + m[1], text)


def register(app: Flask) -> None:
    """The template filters, in the app's locale."""

    def locale() -> str:
        return current_app.config["LOCALE"]

    app.add_template_filter(lambda d, short=False: date_text(d, locale(), short), "date_text")
    app.add_template_filter(lambda v: number(v, locale()), "number")
    app.add_template_filter(lambda v, singular, plural=None: count(v, singular, plural, locale()), "count")
    app.add_template_filter(lambda v, singular, plural=None: word(v, singular, plural, locale()), "word")
    app.add_template_filter(lambda s: duration(s, locale()), "duration")
    app.add_template_filter(french_spacing, "fr_spacing")
    app.add_template_global(lambda iso: PartialDate.from_iso(iso), "partial_date")
