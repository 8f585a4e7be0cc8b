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
MIN_SLOT, MAX_SLOT = 10.0, 64.0
# Beyond this many years between the first and the last, empty years are left out.
MAX_SPAN = 60


@dataclass(frozen=True)
class Bar:
    label: str
    title: str  # the bar's text equivalent: « 2019 : 3 résultats »
    count: int
    link: dict | None  # the URL parameters that apply this bar's filter
    current: bool
    x: float
    y: float
    width: float
    height: float
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
    height: float = PLOT_TOP + PLOT_HEIGHT + LABEL_ROOM

    @property
    def baseline(self) -> float:
        return PLOT_TOP + PLOT_HEIGHT


def build(facets: Facets, state: SearchState, noun: str, locale: str) -> Timeline | None:
    """Per month when a year is chosen, else per year; None when nothing is dated."""
    if state.undated:
        return None
    if state.year:
        counts = {int(f.value[5:7]): f.count for f in facets.months}
        if not counts:
            return None
        entries = [
            (
                formatting.month_abbreviation(month, locale),
                formatting.date_text(PartialDate(state.year, month), locale),
                counts.get(month, 0),
                state.month_args(f"{state.year:04d}-{month:02d}"),
                state.month == f"{state.year:04d}-{month:02d}",
            )
            for month in range(1, 13)
        ]
        caption = f"Répartition par mois, {state.year}"
        unit = "Mois"
    else:
        counts = {int(f.value): f.count for f in facets.years}
        if not counts:
            return None
        first, last = min(counts), max(counts)
        years = range(first, last + 1) if last - first <= MAX_SPAN else sorted(counts)
        entries = [(str(y), str(y), counts.get(y, 0), state.year_args(str(y)), False) for y in years]
        caption = "Répartition par année"
        unit = "Année"
    return _layout(entries, caption, unit, noun, locale)


def _layout(entries: list, caption: str, unit: str, noun: str, locale: str) -> Timeline:
    slot = min(MAX_SLOT, max(MIN_SLOT, CHART_WIDTH / len(entries)))
    bar_width = max(6.0, round(slot * 0.72, 1))
    highest = max(count for _, _, count, _, _ in entries) or 1
    # Label every bar when there is room for the text, else every n-th one.
    every = max(1, math.ceil(34 / slot))
    bars = []
    for i, (label, long_label, n, link, current) in enumerate(entries):
        height = round(max(2.0, n / highest * PLOT_HEIGHT), 1) if n else 0.0
        bars.append(
            Bar(
                label=label,
                title=f"{long_label} : {formatting.count(n, noun, None, locale)}",
                count=n,
                link=link if n else None,
                current=current,
                x=round(i * slot + (slot - bar_width) / 2, 1),
                y=round(PLOT_TOP + PLOT_HEIGHT - height, 1),
                width=bar_width,
                height=height,
                show_label=i % every == 0,
            )
        )
    return Timeline(caption=caption, unit=unit, bars=tuple(bars), width=round(slot * len(entries), 1))
