"""A request's dates are read once (index/readings.py `request_dates`), the same way by
both backends: the drill-down (day, month or year chosen on the facets) becomes one
date, which both the filter and the facets read; `du`/`au` and `date:` bound the span
the facets count inside."""

from __future__ import annotations

import pytest

from archive.model import PartialDate
from index import SearchRequest, open_index
from index.facets import DateFilter
from index.opensearch import requests
from index.readings import RequestDates, request_dates

FILES = {
    "a.txt": "date 2019-02-03\n\nGel sur la Loire\n\nLe gel a pris la Loire à Orléans.",
    "b.txt": "date 2019-02-10\n\nNeige en Savoie\n\nLa neige bloque les cols de Savoie.",
    "c.txt": "date 2019-04-07\n\nCrue de la Seine\n\nLa Seine déborde à Paris.",
    "d.txt": "date 2018-05-20\n\nOrage en Bretagne\n\nUn orage frappe Brest.",
}
UNREADABLE = "filtre de date illisible ignoré"


@pytest.fixture
def handle(make_index):
    with open_index(make_index(FILES)) as handle:
        yield handle


def test_the_drill_down_is_one_date_and_the_span_leaves_it_out():
    request = SearchRequest(year=2019, month="2019-02", day="2019-02-10", date_from=PartialDate(2019))
    read, dates, notice = request_dates(request, (None, PartialDate(2019, 6)), None)
    assert read == request and notice is None
    assert dates == RequestDates(
        period=PartialDate(2019, 2, 10),
        filter=DateFilter(20190210, 20190210),
        # `du` 2019 to `date:..2019-06`, without the day chosen.
        span=DateFilter(20190000, 20190699),
    )


def test_an_unreadable_day_leaves_the_filters_out_and_opens_the_facets_at_its_month():
    request = SearchRequest(year=2019, month="2019-02", day="2019-02-30", date_from=PartialDate(2019))
    _, dates, notice = request_dates(request, (None, None), None)
    assert notice == UNREADABLE
    assert dates == RequestDates(period=PartialDate(2019, 2))
    assert not dates.filter.active and not dates.span.active


def test_a_reversed_period_is_put_in_order_before_it_is_read():
    request = SearchRequest(date_from=PartialDate(2020), date_to=PartialDate(2018))
    read, dates, notice = request_dates(request, (None, None), None)
    assert (read.date_from, read.date_to) == (PartialDate(2018), PartialDate(2020))
    assert dates.filter == DateFilter(20180000, 20209999) and "période inversée" in notice


def test_whoosh_filters_and_opens_the_facets_at_the_chosen_day(handle):
    result = handle.search(SearchRequest(year=2019, month="2019-02", day="2019-02-10"))
    assert [hit.id for hit in result.hits] == ["b.txt"]
    facets = result.facets
    # The other years, months and days stay a click away.
    assert [(f.value, f.count) for f in facets.years] == [("2018", 1), ("2019", 3)]
    assert [(f.value, f.count) for f in facets.months] == [("2019-02", 2), ("2019-04", 1)]
    assert [(f.value, f.count) for f in facets.days] == [("2019-02-03", 1), ("2019-02-10", 1)]


def test_whoosh_reads_an_unreadable_day_as_opensearch_does(handle):
    request = SearchRequest(year=2019, month="2019-02", day="2019-02-30")
    result = handle.search(request)
    assert result.notice == UNREADABLE
    assert sorted(hit.id for hit in result.hits) == ["a.txt", "b.txt", "c.txt", "d.txt"]
    assert [f.value for f in result.facets.days] == ["2019-02-03", "2019-02-10"]
    # The cluster is asked the same: no date clause, the facets opened at February 2019.
    plan = requests.plan(request)
    assert plan.notice == UNREADABLE and plan.dates == [] and plan.span == []
    aggs = requests.facet_aggregations(plan)
    assert aggs["months"]["filter"] == {"term": {"year": "2019"}}
    assert aggs["days"]["filter"] == {"term": {"month": "2019-02"}}


def test_opensearch_opens_the_facets_where_the_drill_down_is():
    aggs = requests.facet_aggregations(requests.plan(SearchRequest(year=2019)))
    assert aggs["months"]["filter"] == {"term": {"year": "2019"}} and "days" not in aggs
    day = requests.plan(SearchRequest(year=2019, month="2019-04", day="2019-04-07"))
    assert day.dates == [{"range": {"facet_key": {"gte": 20190407, "lte": 20190407}}}]
    assert requests.facet_aggregations(day)["days"]["filter"] == {"term": {"month": "2019-04"}}
    assert "months" not in requests.facet_aggregations(requests.plan(SearchRequest()))
