"""What a `SearchRequest` asks of the cluster: the parsed query in the DSL, the filters
(credits, the period, the drill-down), the date facets as aggregations, and their
answers read back into the plain types of index/results.py.

Grouped, a total or a facet counts stories: the `story` values' cardinality (exact
below CARDINALITY_PRECISION stories, HyperLogLog's estimate beyond). A story whose
versions straddle two months counts in both (Whoosh counts it once, at its first
version).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from archive.model import PartialDate
from index import facets
from index.credits import FACET_LIMIT, wanted_key
from index.opensearch.dsl import translate
from index.readings import RequestDates, request_dates
from index.results import FacetValue, Facets, Histogram, SearchRequest
from index.whoosh import query

CARDINALITY_PRECISION = 40_000
@dataclass(frozen=True)
class Plan:
    request: SearchRequest  # with the period put right when it was given backwards
    parsed: query.ParsedQuery
    notice: str | None
    full: dict  # the query of full matches, inside the credit filters and the span
    dates: list  # the date filter's clauses (drill-down included)
    span: list  # the span's clauses alone: `du`/`au`, `date:` (what facets count inside)
    named: list  # the source and author filters
    request_dates: RequestDates  # read as index/whoosh/selection.py reads them

    @property
    def date_filter(self) -> facets.DateFilter:
        return self.request_dates.filter


def plan(request: SearchRequest) -> Plan:
    parsed = query.read(request.query, exact=request.exact)
    request, dates, notice = request_dates(request, (parsed.date_from, parsed.date_to), parsed.notice)
    named = [{"term": {"source_keys": wanted_key("sources", name)}} for name in (*request.sources, *parsed.sources)]
    named += [{"term": {"author_keys": wanted_key("authors", name)}} for name in (*request.authors, *parsed.authors)]
    span = date_clauses(dates.span)
    full = {"bool": {"must": [translate(parsed.tree)], "filter": named + span}}
    return Plan(request, parsed, notice, full, date_clauses(dates.filter), span, named, dates)


def date_clauses(date_filter: facets.DateFilter) -> list:
    if date_filter.undated:
        return [{"bool": {"must_not": [{"exists": {"field": "facet_key"}}]}}]
    bounds = {}
    if date_filter.low is not None:
        bounds["gte"] = date_filter.low
    if date_filter.high is not None:
        bounds["lte"] = date_filter.high
    return [{"range": {"facet_key": bounds}}] if bounds else []


def counted(grouped: bool, **more) -> dict:
    """Sub-aggregations counting stories when grouped (`stories`)."""
    aggs = dict(more)
    if grouped:
        aggs["stories"] = {"cardinality": {"field": "story", "precision_threshold": CARDINALITY_PRECISION}}
    return aggs


def count_of(bucket: dict, grouped: bool) -> int:
    return int(bucket["stories"]["value"]) if grouped else int(bucket["doc_count"])


def facet_aggregations(p: Plan) -> dict:
    """Counts and facets over the full matches in the period: `chosen` is what the list
    holds (the drill-down applied), the others drill down from the period."""
    request, grouped = p.request, p.request.collapse_versions
    dates = {"bool": {"filter": p.dates}} if p.dates else {"match_all": {}}
    aggs = {"chosen": {"filter": dates, "aggs": counted(grouped)}}
    if not request.with_facets:
        return aggs
    aggs["years"] = {"terms": {"field": "year", "size": 10_000}, "aggs": counted(grouped)}
    aggs["undated"] = {"filter": date_clauses(facets.DateFilter(undated=True))[0], "aggs": counted(grouped)}
    # Months inside the drill-down's year, days inside its month (index/facets.py `count`).
    period = p.request_dates.period
    if period is not None:
        aggs["months"] = {"filter": {"term": {"year": f"{period.year:04d}"}},
                          "aggs": {"values": {"terms": {"field": "month", "size": 12}, "aggs": counted(grouped)}}}
        if period.month is not None:
            aggs["days"] = {"filter": {"term": {"month": PartialDate(period.year, period.month).iso()}},
                            "aggs": {"values": {"terms": {"field": "day", "size": 31}, "aggs": counted(grouped)}}}
    for field in ("sources", "authors"):
        # Names as written, merged by their folded keys once read (`_names`).
        aggs[field] = {"filter": dates, "aggs": {"values": {"terms": {"field": field, "size": FACET_LIMIT * 5},
                                                            "aggs": counted(grouped)}}}
    return aggs


def read_facets(aggregations: dict, p: Plan) -> Facets:
    grouped = p.request.collapse_versions
    if "years" not in aggregations:
        return Facets()

    def values(buckets: list) -> tuple[FacetValue, ...]:
        return tuple(FacetValue(b["key"], count_of(b, grouped)) for b in sorted(buckets, key=lambda b: b["key"]))

    return Facets(
        years=values(aggregations["years"]["buckets"]),
        months=values(aggregations["months"]["values"]["buckets"]) if "months" in aggregations else (),
        days=values(aggregations["days"]["values"]["buckets"]) if "days" in aggregations else (),
        undated=count_of(aggregations["undated"], grouped),
        sources=_names("sources", aggregations["sources"]["values"]["buckets"], grouped),
        authors=_names("authors", aggregations["authors"]["values"]["buckets"], grouped),
    )


def _names(field: str, buckets: list, grouped: bool) -> tuple[FacetValue, ...]:
    """Spellings of one name merged (« AFP », « Agence France-Presse »), shown as the
    most frequent writes it, the most frequent names first."""
    totals: Counter = Counter()
    spellings: dict[str, Counter] = {}
    for bucket in buckets:
        key = wanted_key(field, bucket["key"])
        totals[key] += count_of(bucket, grouped)
        spellings.setdefault(key, Counter())[bucket["key"]] += bucket["doc_count"]
    shown = sorted((-count, spellings[key].most_common(1)[0][0]) for key, count in totals.items() if count)
    return tuple(FacetValue(name, -negative) for negative, name in shown[:FACET_LIMIT])


_UNITS = {"year": ("year", None), "month": ("month", "year"), "day": ("day", "month")}


def histogram_aggregations(unit: str, grouped: bool) -> dict:
    if unit not in _UNITS:
        raise ValueError(f"unknown unit {unit!r}")
    field, coarser = _UNITS[unit]
    aggs = {
        "values": {"terms": {"field": field, "size": 100_000}, "aggs": counted(grouped)},
        "undated": {"filter": date_clauses(facets.DateFilter(undated=True))[0], "aggs": counted(grouped)},
    }
    if coarser:
        # Dated, but less precisely than the unit (a month when counting days).
        aggs["imprecise"] = {"filter": {"bool": {"filter": [{"exists": {"field": "year"}}],
                                                 "must_not": [{"exists": {"field": field}}]}},
                             "aggs": counted(grouped)}
    return aggs


def read_histogram(aggregations: dict, unit: str, grouped: bool) -> Histogram:
    return Histogram(
        unit=unit,
        values=tuple(FacetValue(b["key"], count_of(b, grouped))
                     for b in sorted(aggregations["values"]["buckets"], key=lambda b: b["key"])),
        undated=count_of(aggregations["undated"], grouped),
        imprecise=count_of(aggregations["imprecise"], grouped) if "imprecise" in aggregations else 0,
    )

