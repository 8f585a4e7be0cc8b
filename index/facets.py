"""Date filters and date facets, counted from one cached column of date keys.

Whoosh's `groupedby` facets turn off top-k pruning and score every match; here the
matching documents are gathered once (unscored) and counted with NumPy over an array of
`facet_key` values (YYYYMMDD, 00 for an unknown month or day, 0 when undated) that is read
once per index generation by each engine (index/whoosh/column_values.py). `facet_key` is
the dispatch's own date, or for an undated one the date inferred from the other versions
of its story (index/grouping.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from archive.model import PartialDate
from index.results import FacetValue, Facets, Histogram

@dataclass(frozen=True)
class DateFilter:
    """Inclusive bounds on date keys, or undated only; `None` bounds are open."""

    low: int | None = None
    high: int | None = None
    undated: bool = False

    @property
    def active(self) -> bool:
        return self.undated or self.low is not None or self.high is not None

    def mask(self, keys: np.ndarray) -> np.ndarray:
        if self.undated:
            return keys == 0
        mask = keys > 0
        if self.low is not None:
            mask &= keys >= self.low
        if self.high is not None:
            mask &= keys <= self.high
        return mask


def _low(date: PartialDate) -> int:
    return date.year * 10000 + (date.month or 0) * 100 + (date.day or 0)


def _high(date: PartialDate) -> int:
    return date.year * 10000 + (date.month or 99) * 100 + (date.day or 99)


Bounds = tuple[PartialDate | None, PartialDate | None]


def date_filter(*periods: Bounds, undated: bool = False) -> DateFilter:
    """The narrowest of the `periods` (each inclusive, either end open: the drill-down,
    `du`/`au`, `date:`), or undated dispatches only."""
    if undated:
        return DateFilter(undated=True)
    low = high = None
    for start, end in periods:
        if start is not None:
            low = max(low or 0, _low(start))
        if end is not None:
            high = min(high or 99999999, _high(end))
    return DateFilter(low, high)


def count(keys: np.ndarray, docnums: np.ndarray, period: PartialDate | None) -> Facets:
    """Facets for the counted documents: years always, months inside the `period`'s
    year, days inside its month (the drill-down chosen), and the undated count.

    Grouped, the caller passes one document per story (`versions.counted`: its first
    version), so a story counts once and the values add up.
    """
    matched = keys[docnums]
    dated = matched[matched > 0]
    years = _tally(dated // 10000, lambda v: f"{v:04d}")
    months: tuple[FacetValue, ...] = ()
    days: tuple[FacetValue, ...] = ()
    if period is not None:
        in_year = (dated // 10000 == period.year) & (dated // 100 % 100 > 0)
        months = _tally(dated[in_year] // 100, lambda v: f"{v // 100:04d}-{v % 100:02d}")
        if period.month is not None:
            in_month = (dated // 100 == period.year * 100 + period.month) & (dated % 100 > 0)
            days = _tally(dated[in_month], lambda v: f"{v // 10000:04d}-{v // 100 % 100:02d}-{v % 100:02d}")
    return Facets(years=years, months=months, days=days, undated=int(np.count_nonzero(matched == 0)))


def _tally(values: np.ndarray, label) -> tuple[FacetValue, ...]:
    """How many documents each value has."""
    unique, counts = np.unique(values, return_counts=True)
    return tuple(FacetValue(label(int(v)), int(c)) for v, c in zip(unique, counts))


# A date key divided by this is the period it falls in, at each unit.
_DIVISORS = {"year": 10000, "month": 100, "day": 1}


def histogram(keys: np.ndarray, counted: np.ndarray, unit: str) -> Histogram:
    """How many of the `counted` documents fall in each year, month or day.

    Counted as the facets count (the caller passes one document per story when grouped),
    so a trend's figure for April 2019 is the month facet's. A dispatch dated less
    precisely than the unit (a month for a day chart) is counted apart in `imprecise`.
    """
    if unit not in _DIVISORS:
        raise ValueError(f"unknown unit {unit!r}")
    matched = keys[counted]
    dated = matched[matched > 0]
    precise = dated
    if unit == "month":
        precise = dated[dated // 100 % 100 > 0]
    elif unit == "day":
        precise = dated[(dated // 100 % 100 > 0) & (dated % 100 > 0)]
    divisor = _DIVISORS[unit]
    width = {"year": 4, "month": 7, "day": 10}[unit]

    def label(value: int) -> str:
        text = f"{value * divisor:08d}"
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"[:width]

    return Histogram(
        unit=unit,
        values=_tally(precise // divisor, label),
        undated=int(np.count_nonzero(matched == 0)),
        imprecise=int(dated.size - precise.size),
    )
