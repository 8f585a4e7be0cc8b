"""The timeline above the results: matches per year, or per month inside a chosen year.

The server computes the bars' geometry and the template draws them as inline SVG with
plain attributes (`x`, `y`, `width`, `height`): no script, and no `style` attribute for
the Content-Security-Policy to refuse.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from archive.model import PartialDate
from index import Facets
from web import formatting
from web.params import SearchState

CHART_WIDTH = 720  # the widest the chart is drawn (it shrinks with the page)
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


def build(facets: Facets, state: SearchState, noun: str, locale: str) -> Timeline | None:
    """Per month when a year is chosen, else per year (and a last bar for the undated);
    None when there is nothing to draw."""
    if state.undated:
        return None
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
    counts = {int(f.value): f.count for f in facets.years}
    if not counts:
        return None
    first, last = min(counts), max(counts)
    years = range(first, last + 1) if last - first <= MAX_SPAN else sorted(counts)
    entries = [_Entry(str(y), str(y), counts.get(y, 0), state.year_args(str(y))) for y in years]
    if facets.undated:
        entries.append(_Entry("s. d.", "sans date", facets.undated, state.undated_args(), undated=True))
    return _layout(entries, "Répartition par année", "Année", noun, locale)


def _layout(entries: list[_Entry], caption: str, unit: str, noun: str, locale: str) -> Timeline:
    # The undated bar stands apart, half a column to the right of the dated ones.
    columns = len(entries) + (0.5 if entries[-1].undated else 0)
    slot = min(MAX_SLOT, max(MIN_SLOT, CHART_WIDTH / columns))
    bar_width = max(6.0, round(slot * 0.72, 1))
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
    return Timeline(
        caption=caption, unit=unit, bars=tuple(bars), width=round(slot * columns, 1), axis_width=round(slot * dated, 1)
    )
