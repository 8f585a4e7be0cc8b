"""The timeline above the results: matches per year; per month inside a chosen year or
a period of up to six years; per day inside a chosen month.

The server computes the bars' geometry and the template draws them as inline SVG with
plain attributes (`x`, `y`, `width`, `height`): no script, and no `style` attribute for
the Content-Security-Policy to refuse.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass, replace

from archive.model import PartialDate
from index import Facets, Histogram
from web import formatting
from web.params import SearchState

CHART_WIDTH = 720  # the widest the chart is drawn (it shrinks with the page)
# On a narrow screen a second drawing, made for that width, replaces the wide one: every
# bar stays in view (no scroll box hiding most years) and the labels stay legible.
COMPACT_WIDTH = 340
COMPACT_MIN_SLOT = 3.0
# A period up to this many months long is drawn per month.
PERIOD_MONTHS = 72
PLOT_TOP = 18  # room for the count above the tallest bar
PLOT_HEIGHT = 96
LABEL_ROOM = 22
MIN_SLOT, MAX_SLOT = 10.0, 48.0
# Beyond this many years between the first and the last, empty years are left out.
MAX_SPAN = 60


@dataclass(frozen=True)
class Bar:
    label: str  # under the bar: « 2019 », « avr. »
    long_label: str  # « 2019 », « avril 2019 »
    title: str  # the bar's text equivalent: « 2019 : 3 résultats »
    count: int
    link: dict | None  # the URL parameters that apply this bar's filter
    current: bool
    undated: bool
    x: float
    y: float
    width: float
    height: float
    slot_x: float  # the bar's whole column, clickable even when the bar is short
    slot_width: float
    show_label: bool

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class Timeline:
    caption: str
    unit: str  # « Année » or « Mois »: the header of the text table
    bars: tuple[Bar, ...]
    width: float
    axis_width: float  # under the dated bars (the undated one has its own)
    height: float = PLOT_TOP + PLOT_HEIGHT + LABEL_ROOM
    compact: Timeline | None = None  # the same bars drawn for a narrow screen

    @property
    def baseline(self) -> float:
        return PLOT_TOP + PLOT_HEIGHT


@dataclass(frozen=True)
class _Entry:
    label: str
    long_label: str
    count: int
    link: dict
    current: bool = False
    undated: bool = False


def period_months(state: SearchState) -> bool:
    """Whether the chosen period (`du`/`au`, no year chosen) is drawn per month: the
    caller then asks the index for a per-month histogram."""
    if state.undated or state.year or not (state.date_from and state.date_to):
        return False
    months = (state.date_to.year - state.date_from.year) * 12 + (state.date_to.month or 12) - (state.date_from.month or 1)
    return 0 <= months < PERIOD_MONTHS


def build(facets: Facets, state: SearchState, noun: str, locale: str, months: Histogram | None = None) -> Timeline | None:
    """Per day when a month is chosen, per month when a year is (or over `months`, the
    period's histogram), else per year with a last bar for the undated; None when there
    is nothing to draw."""
    if state.undated:
        return None
    if state.month and facets.days:
        year, month = int(state.month[:4]), int(state.month[5:7])
        counts = {int(f.value[8:10]): f.count for f in facets.days}
        entries = []
        for day in range(1, calendar.monthrange(year, month)[1] + 1):
            value = f"{state.month}-{day:02d}"
            entries.append(_Entry(str(day), formatting.date_text(PartialDate(year, month, day), locale),
                                  counts.get(day, 0), state.day_args(value), current=state.day == value))
        caption = f"Répartition par jour, {formatting.date_text(PartialDate(year, month), locale)}"
        return _layout(entries, caption, "Jour", noun, locale)
    if state.year:
        counts = {int(f.value[5:7]): f.count for f in facets.months}
        if not counts:
            return None
        entries = []
        for month in range(1, 13):
            value = f"{state.year:04d}-{month:02d}"
            entries.append(
                _Entry(
                    formatting.month_abbreviation(month, locale),
                    formatting.date_text(PartialDate(state.year, month), locale),
                    counts.get(month, 0),
                    state.month_args(value),
                    current=state.month == value,
                )
            )
        return _layout(entries, f"Répartition par mois, {state.year}", "Mois", noun, locale)
    if months is not None and state.date_from and state.date_to:
        counts = {f.value: f.count for f in months.values}
        y, m = state.date_from.year, state.date_from.month or 1
        last = (state.date_to.year, state.date_to.month or 12)
        entries = []
        while (y, m) <= last:
            value = f"{y:04d}-{m:02d}"
            short = formatting.month_abbreviation(m, locale)
            entries.append(_Entry(f"{short} {y % 100:02d}" if m == 1 or not entries else short,
                                  formatting.date_text(PartialDate(y, m), locale), counts.get(value, 0),
                                  state.month_args(value)))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        if not any(entry.count for entry in entries):
            return None
        return _layout(entries, "Répartition par mois sur la période", "Mois", noun, locale)
    counts = {int(f.value): f.count for f in facets.years}
    if not counts:
        return None
    first, last = min(counts), max(counts)
    years = range(first, last + 1) if last - first <= MAX_SPAN else sorted(counts)
    entries = [_Entry(str(y), str(y), counts.get(y, 0), state.year_args(str(y))) for y in years]
    if facets.undated:
        entries.append(_Entry("s. d.", "sans date", facets.undated, state.undated_args(), undated=True))
    return _layout(entries, "Répartition par année", "Année", noun, locale)


def _layout(entries: list[_Entry], caption: str, unit: str, noun: str, locale: str,
            width: float = CHART_WIDTH, min_slot: float = MIN_SLOT) -> Timeline:
    # The undated bar stands apart, half a column to the right of the dated ones.
    columns = len(entries) + (0.5 if entries[-1].undated else 0)
    slot = min(MAX_SLOT, max(min_slot, width / columns))
    bar_width = round(max(slot * 0.72, min(6.0, slot * 0.9)), 1)
    highest = max(entry.count for entry in entries) or 1
    # Label every bar when there is room for the text, else every n-th one.
    every = max(1, math.ceil(34 / slot))
    bars = []
    for i, entry in enumerate(entries):
        left = (i + 0.5 if entry.undated else i) * slot
        height = round(max(2.0, entry.count / highest * PLOT_HEIGHT), 1) if entry.count else 0.0
        bars.append(
            Bar(
                label=entry.label,
                long_label=entry.long_label,
                title=f"{entry.long_label} : {formatting.count(entry.count, noun, None, locale)}",
                count=entry.count,
                link=entry.link if entry.count else None,
                current=entry.current,
                undated=entry.undated,
                x=round(left + (slot - bar_width) / 2, 1),
                y=round(PLOT_TOP + PLOT_HEIGHT - height, 1),
                width=bar_width,
                height=height,
                slot_x=round(left, 1),
                slot_width=round(slot, 1),
                show_label=i % every == 0 or entry.undated,
            )
        )
    dated = sum(1 for entry in entries if not entry.undated)
    drawn = Timeline(
        caption=caption, unit=unit, bars=tuple(bars), width=round(slot * columns, 1), axis_width=round(slot * dated, 1)
    )
    if width == CHART_WIDTH:
        drawn = replace(drawn, compact=_layout(entries, caption, unit, noun, locale, COMPACT_WIDTH, COMPACT_MIN_SLOT))
    return drawn
