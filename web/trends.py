"""« Comparer » (`/tendances`): two to four queries on one timeline, per year, month or day.

`/tendances?q=Macron&q=Merkel&unite=mois&relatif=1` counts what each query finds in each
period exactly as the search page's date facets count it (grouped, a story once at its
first version), so a point of the chart is the number a click on that facet gives. The
chart is inline SVG drawn by the server beside a data table and a CSV link: nothing needs
JavaScript. Archives are uneven over time, so `relatif=1` divides by what the whole
archive holds in the period (per 1,000).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from datetime import date

from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.datastructures import MultiDict

from archive.model import PartialDate
from index import MAX_QUERY_CHARS, Histogram
from web import formatting
from web.handle import archive_index
from web.params import BadParameter, SearchState

bp = Blueprint("trends", __name__)

MAX_QUERIES = 4
# The search page's parameters that apply to every query of the chart.
SHARED = {"du", "au", "exact", "versions", "source", "auteur"}
# The URL's French units and the index's.
UNITS = {"annee": "year", "mois": "month", "jour": "day"}
# More points than this and the chart says so and counts per larger unit.
MAX_POINTS = {"day": 400, "month": 600}
COARSER = {"day": "mois", "month": "annee"}


@dataclass(frozen=True)
class TrendsState:
    queries: tuple[str, ...]
    unit: str | None  # annee, mois or jour as chosen; None: chosen from the period
    relative: bool
    base: SearchState  # the filters shared by every query (period, exact, versions)

    @classmethod
    def from_args(cls, args: MultiDict) -> TrendsState:
        queries = tuple(q.strip() for q in args.getlist("q") if q.strip())
        if len(queries) > MAX_QUERIES:
            raise BadParameter(f"On compare au plus {MAX_QUERIES} requêtes à la fois ({len(queries)} données).")
        if any(len(q) > MAX_QUERY_CHARS for q in queries):
            raise BadParameter("Une des requêtes est trop longue.")
        unit = args.get("unite") or None
        if unit is not None and unit not in UNITS:
            raise BadParameter(f"Unité inconnue : « {unit[:40]} » (annee, mois ou jour).")
        relative = args.get("relatif", "").lower()
        if relative not in {"", "0", "1", "oui", "non"}:
            raise BadParameter("Le paramètre relatif vaut 1 ou 0.")
        # The shared filters are read as the search page reads them, so they say the same.
        shared = MultiDict([(k, v) for k, v in args.items(multi=True) if k in SHARED])
        base = SearchState.from_args(shared)
        if base.date_from and base.date_to and base.date_from.first_day() > _last_day(base.date_to):
            # As the search page reads it: a period typed backwards is read forwards.
            base = replace(base, date_from=base.date_to, date_to=base.date_from)
        return cls(queries, unit, relative in {"1", "oui"}, base)

    def args(self, **changes) -> dict:
        state = replace(self, **changes) if changes else self
        args = {k: v for k, v in state.base.args().items() if k in SHARED}
        args["q"] = list(state.queries)
        if state.unit:
            args["unite"] = state.unit
        if state.relative:
            args["relatif"] = "1"
        return args


@dataclass(frozen=True)
class Series:
    query: str
    counts: tuple[int, ...]  # one per period of the chart
    rates: tuple[float | None, ...]  # per 1,000 of the archive's period (relative mode)
    total: int  # in the chart's periods
    outside: int  # undated, or dated less precisely than the unit


@dataclass(frozen=True)
class Trends:
    unit: str  # year, month or day
    periods: tuple[str, ...]  # 2019, 2019-04, 2019-04-07
    series: tuple[Series, ...]
    archive: tuple[int, ...]  # what the whole archive holds per period (relative mode)
    notice: str | None = None


def compute(state: TrendsState, histogram) -> Trends:
    """The chart's figures; `histogram(request, unit)` asks the index."""
    requests = [state.base.request(1) for _ in state.queries]
    requests = [replace(r, query=q) for r, q in zip(requests, state.queries)]
    notice = None
    if state.unit:
        unit = UNITS[state.unit]
    else:
        unit = _unit_for(state.base.date_from, state.base.date_to,
                         [histogram(r, "year") for r in requests])
    found = [histogram(r, unit) for r in requests]
    periods = _periods(found, unit, state.base.date_from, state.base.date_to)
    while unit in MAX_POINTS and len(periods) > MAX_POINTS[unit]:
        notice = (f"trop de points pour compter par {_UNIT_WORDS[unit]} "
                  f"({formatting.number(len(periods), 'fr')}) : compté par {_UNIT_WORDS[UNITS[COARSER[unit]]]}")
        unit = UNITS[COARSER[unit]]
        found = [histogram(r, unit) for r in requests]
        periods = _periods(found, unit, state.base.date_from, state.base.date_to)
    archive: tuple[int, ...] = ()
    if state.relative:
        everything = histogram(replace(requests[0], query="", exact=False), unit)
        archive = _counts(everything, periods)
    series = []
    for q, h in zip(state.queries, found):
        counts = _counts(h, periods)
        rates = tuple(round(c * 1000 / a, 2) if a else None for c, a in zip(counts, archive)) if archive else ()
        series.append(Series(q, counts, rates, sum(counts), h.total - sum(counts)))
    return Trends(unit, periods, tuple(series), archive, notice)


_UNIT_WORDS = {"year": "année", "month": "mois", "day": "jour"}


def _unit_for(date_from: PartialDate | None, date_to: PartialDate | None, years: list[Histogram]) -> str:
    """Days for a period of up to three months, months up to six years, else years."""
    if date_from and date_to:
        first, last = date_from.first_day(), _last_day(date_to)
    else:
        found = [int(v.value) for h in years for v in h.values]
        if not found:
            return "year"
        first = date_from.first_day() if date_from else date(min(found), 1, 1)
        last = _last_day(date_to) if date_to else date(max(found), 12, 31)
    days = (last - first).days + 1
    if days <= 92:
        return "day"
    return "month" if days <= 6 * 366 else "year"


def _last_day(value: PartialDate) -> date:
    if value.day:
        return date(value.year, value.month, value.day)
    if value.month:
        following = date(value.year + value.month // 12, value.month % 12 + 1, 1)
        return date.fromordinal(following.toordinal() - 1)
    return date(value.year, 12, 31)


def _periods(found: list[Histogram], unit: str, date_from: PartialDate | None,
             date_to: PartialDate | None) -> tuple[str, ...]:
    """Every period from the first to the last that any query (or the chosen period)
    reaches, the empty ones included: a curve needs its zeros."""
    labels = [v.value for h in found for v in h.values]
    ends = []
    if date_from:
        ends.append(_label(date_from.first_day(), unit))
    if date_to:
        ends.append(_label(_last_day(date_to), unit))
    if not labels and len(ends) < 2:
        return ()
    first = ends[0] if date_from else min(labels)
    last = ends[-1] if date_to else max(labels)
    return tuple(_between(first, last, unit))


def _label(day: date, unit: str) -> str:
    return day.isoformat()[: {"year": 4, "month": 7, "day": 10}[unit]]


def _between(first: str, last: str, unit: str):
    if unit == "year":
        yield from (f"{y:04d}" for y in range(int(first), int(last) + 1))
    elif unit == "month":
        y, m = int(first[:4]), int(first[5:7])
        while f"{y:04d}-{m:02d}" <= last:
            yield f"{y:04d}-{m:02d}"
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    else:
        day, end = date.fromisoformat(first), date.fromisoformat(last)
        while day <= end:
            yield day.isoformat()
            day = date.fromordinal(day.toordinal() + 1)


def _counts(h: Histogram, periods: tuple[str, ...]) -> tuple[int, ...]:
    by_period = {v.value: v.count for v in h.values}
    return tuple(by_period.get(p, 0) for p in periods)


def period_text(period: str, locale: str) -> str:
    return formatting.date_text(PartialDate.from_iso(period), locale)


@dataclass(frozen=True)
class Chart:
    """The SVG's geometry: one polyline per query, a point per period."""

    width: int
    height: int
    top: int
    bottom: int
    left: int
    lines: tuple[tuple[str, tuple[tuple[float, float, str], ...]], ...]  # points, each x, y, title
    ticks: tuple[tuple[float, str], ...]  # y, label
    labels: tuple[tuple[float, str], ...]  # x, label under the axis


def chart(trends: Trends, relative: bool, locale: str) -> Chart | None:
    if not trends.periods or not trends.series:
        return None
    width, height, top, bottom, left, right = 720, 260, 16, 224, 48, 12
    values = [s.rates if relative else s.counts for s in trends.series]
    highest = max((v or 0) for series in values for v in series) or 1
    step = (width - left - right) / max(1, len(trends.periods) - 1)
    x_of = (lambda i: left + (width - left - right) / 2) if len(trends.periods) == 1 else (lambda i: left + i * step)

    def y_of(value: float) -> float:
        return round(bottom - (value / highest) * (bottom - top), 1)

    lines = []
    for series, points in zip(trends.series, values):
        drawn = []
        for i, (period, value) in enumerate(zip(trends.periods, points)):
            shown = formatting.number(value, locale) if value is not None else "—"
            unit = " ‰" if relative else ""
            drawn.append((round(x_of(i), 1), y_of(value or 0), f"{series.query} — {period_text(period, locale)} : {shown}{unit}"))
        lines.append((series.query, tuple(drawn)))
    ticks = tuple((y_of(v), formatting.number(round(v, 2) if relative else int(v), locale))
                  for v in (0, highest / 2, highest) if relative or v == int(v))
    every = max(1, round(len(trends.periods) / 8))
    labels = tuple((round(x_of(i), 1), _short(p)) for i, p in enumerate(trends.periods) if i % every == 0)
    return Chart(width, height, top, bottom, left, tuple(lines), ticks, labels)


def _short(period: str) -> str:
    """Axis labels: 2019, 2019-04, 07/04."""
    if len(period) == 10:
        return f"{period[8:]}/{period[5:7]}"
    return period


def to_csv(trends: Trends, relative: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["periode", *[s.query for s in trends.series]]
    if relative:
        header += ["archive", *[f"{s.query} (pour 1000)" for s in trends.series]]
    writer.writerow([_safe(cell) for cell in header])
    for i, period in enumerate(trends.periods):
        row = [period, *[s.counts[i] for s in trends.series]]
        if relative:
            row += [trends.archive[i], *["" if s.rates[i] is None else s.rates[i] for s in trends.series]]
        writer.writerow(row)
    return out.getvalue()


def _safe(cell: str) -> str:
    """A query typed as `=HYPERLINK(…)` must not become a formula in a spreadsheet."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def _trends(args: MultiDict) -> tuple[TrendsState, Trends | None]:
    state = TrendsState.from_args(args)
    if not state.queries:
        return state, None
    return state, compute(state, archive_index().histogram)


@bp.get("/tendances")
def page():
    state, trends = _trends(request.args)
    locale = current_app.config["LOCALE"]
    return render_template(
        "trends/page.html",
        state=state,
        trends=trends,
        chart=chart(trends, state.relative, locale) if trends else None,
        slots=range(MAX_QUERIES),
        period_text=lambda p: period_text(p, locale),
        noun="dépêche" if state.base.all_versions else "sujet",
    )


@bp.get("/tendances.csv")
def as_csv():
    state, trends = _trends(request.args)
    if trends is None:
        raise BadParameter("Donnez au moins une requête (paramètre q).")
    return Response(
        to_csv(trends, state.relative),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="tendances.csv"'},
    )
