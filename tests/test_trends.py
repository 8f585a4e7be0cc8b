"""« Comparer » (`/tendances`) and the timeline's finer units, on a real index and app.

The archive is crafted so that each count is known by construction: « vaccin » appears in
dispatches dated on chosen days, « pétrole » on others, a few dispatches are undated or
dated to the month only, and every dispatch is its own story (distinct texts).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

import pytest
from bs4 import BeautifulSoup

from index import reindex
from web import create_app

FILLER = ["Le conseil municipal s’est réuni", "La saison des vendanges s’ouvre", "Un colloque d’histoire se tient",
          "Les marins pêcheurs manifestent", "La bibliothèque rouvre ses portes", "Un pont est inauguré"]

# (date, words): the dispatches of the archive; each gets a distinct sentence.
DATES = {
    "vaccin": ["2019-03-02", "2019-03-02", "2019-03-17", "2019-11-05", "2020-01-10", "2020-01-11", "2021-06", "2021"],
    "pétrole": ["2019-03-02", "2020-01-10", "2020-02-29", "2020-02-29", "2020-02-29"],
    "": ["2019-03-05", "2019-07-14", "2020-01-01", "2020-05-08", "2021-02-02", "2018-12-31"],
}
UNDATED = {"vaccin": 2, "pétrole": 1}


def _rows() -> list[dict]:
    rows, n = [], 0
    for word, dates in DATES.items():
        for date in dates:
            n += 1
            body = f"{FILLER[n % len(FILLER)]} numéro {n}. " + (f"Il est question de {word} ici." if word else "Rien d’autre.")
            rows.append({"id": f"d{n}", "date": date, "title": f"Dépêche {n}", "body": body})
    for word, count in UNDATED.items():
        for _ in range(count):
            n += 1
            rows.append({"id": f"d{n}", "title": f"Dépêche {n}", "body": f"Numéro {n} sans date : {word} encore."})
    return rows


def expected(word: str, width: int) -> Counter:
    """Counts per period (the first `width` characters of precise-enough dates)."""
    return Counter(d[:width] for d in DATES[word] if len(d) >= width)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("trends")
    archive = root / "archive"
    archive.mkdir()
    (archive / "export.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _rows()),
                                          encoding="utf-8")
    report = reindex(root / "index", [archive])
    assert not report.failures
    app = create_app({"TESTING": True, "INDEX_DIR": str(root / "index")})
    yield app.test_client()
    app.extensions["archive_index"].close()


def table(client, url: str) -> tuple[list[str], list[list[str]]]:
    response = client.get(url)
    assert response.status_code == 200, response.data[:500]
    soup = BeautifulSoup(response.data, "html.parser")
    grid = soup.select_one("table.trends-table")
    header = [th.get_text(strip=True) for th in grid.select("thead th")]
    rows = [[cell.get_text(" ", strip=True) for cell in tr.find_all(["th", "td"])] for tr in grid.select("tbody tr")]
    return header, rows


def csv_rows(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8"))))


def test_counts_per_month_are_the_facet_counts(client):
    rows = csv_rows(client, "/tendances.csv?q=vaccin&q=pétrole&unite=mois")
    periods = [row["periode"] for row in rows]
    # Every month from the first to the last that either query reaches, zeros included.
    assert periods[0] == "2019-03" and periods[-1] == "2021-06" and len(periods) == 28
    for word in ("vaccin", "pétrole"):
        assert {row["periode"]: int(row[word]) for row in rows if int(row[word])} == expected(word, 7)
        # The search page's month facets give the same numbers.
        for year in ("2019", "2020", "2021"):
            facets = client.get(f"/api/search?q={word}&annee={year}").get_json()["facets"]["months"]
            assert {f["value"]: f["count"] for f in facets} == {
                p: c for p, c in expected(word, 7).items() if p.startswith(year)}


def test_counts_per_year_and_what_falls_outside(client):
    header, rows = table(client, "/tendances?q=vaccin&q=pétrole&unite=annee")
    assert header == ["Période", "vaccin", "pétrole"]
    assert [row[0] for row in rows] == ["2019", "2020", "2021"]
    assert [int(row[1]) for row in rows] == [expected("vaccin", 4)[y] for y in ("2019", "2020", "2021")]
    soup = BeautifulSoup(client.get("/tendances?q=vaccin&q=pétrole&unite=jour").data, "html.parser")
    legend = soup.select_one(".trends-legend .series-0").get_text(" ", strip=True)
    # Per day, the two month- or year-dated and the two undated « vaccin » are outside the chart.
    assert "4 hors graphique" in legend


def test_per_day_and_the_unit_chosen_from_the_period(client):
    rows = csv_rows(client, "/tendances.csv?q=pétrole&du=2020-02&au=2020-03")
    # Two months: counted per day, every day of the period listed.
    assert len(rows) == 29 + 31
    assert {r["periode"]: int(r["pétrole"]) for r in rows if int(r["pétrole"])} == {"2020-02-29": 3}
    assert len(csv_rows(client, "/tendances.csv?q=pétrole&du=2019&au=2020")) == 24
    # Without a period, the span the query reaches: a year apart, per month.
    periods = [r["periode"] for r in csv_rows(client, "/tendances.csv?q=pétrole")]
    assert (periods[0], periods[-1], len(periods)) == ("2019-03", "2020-02", 12)
    # More than six years, per year.
    assert [r["periode"] for r in csv_rows(client, "/tendances.csv?q=pétrole&du=2010")] == [
        str(y) for y in range(2010, 2021)]


def test_relative_frequency_divides_by_the_archive(client):
    rows = csv_rows(client, "/tendances.csv?q=vaccin&unite=annee&relatif=1")
    everything = Counter(d[:4] for dates in DATES.values() for d in dates)
    for row in rows:
        assert int(row["archive"]) == everything[row["periode"]]
        assert float(row["vaccin (pour 1000)"]) == pytest.approx(
            round(expected("vaccin", 4)[row["periode"]] * 1000 / everything[row["periode"]], 2))


def test_a_reversed_period_is_read_forwards(client):
    assert csv_rows(client, "/tendances.csv?q=pétrole&du=2020-03&au=2020-02") == \
        csv_rows(client, "/tendances.csv?q=pétrole&du=2020-02&au=2020-03")


def test_too_many_days_are_counted_per_month_and_said(client):
    soup = BeautifulSoup(client.get("/tendances?q=vaccin&unite=jour&du=2000&au=2021").data, "html.parser")
    assert "compté par mois" in soup.select_one(".trends .notice").get_text()
    assert "par mois" in soup.select_one("#trends-title").get_text()


@pytest.mark.parametrize("url", [
    "/tendances?q=a&q=b&q=c&q=d&q=e",
    "/tendances?q=vaccin&unite=semaine",
    "/tendances?q=vaccin&du=hier",
    "/tendances?q=vaccin&relatif=peut-etre",
    "/tendances.csv",
])
def test_bad_parameters_are_a_french_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "Traceback" not in response.data.decode()


def test_queries_cannot_inject_markup_or_formulas(client):
    hostile = "<script>alert(1)</script>"
    response = client.get("/tendances", query_string={"q": [hostile, "vaccin"]})
    assert response.status_code == 200
    assert b"<script>alert" not in response.data
    rows = list(csv.reader(io.StringIO(client.get("/tendances.csv", query_string={"q": ["=1+1", "vaccin"]}).data.decode())))
    assert rows[0][1] == "'=1+1"


def test_chart_has_a_line_and_a_point_per_period_for_each_query(client):
    soup = BeautifulSoup(client.get("/tendances?q=vaccin&q=pétrole&unite=annee").data, "html.parser")
    series = soup.select("svg.trends-chart g[class^=series-]")
    assert len(series) == 2
    for group in series:
        assert len(group.select("circle")) == 3
        assert len(group.select_one("polyline")["points"].split()) == 3
    titles = [t.get_text() for t in series[0].select("title")]
    assert titles[0].startswith("vaccin — 2019 : 4")
    # The CSV link carries the same queries.
    link = soup.select_one(".trends-download a")["href"]
    assert link.startswith("/tendances.csv?") and "q=vaccin" in link and "unite=annee" in link


def test_the_page_links_to_each_query_and_empty_form_explains(client):
    soup = BeautifulSoup(client.get("/tendances").data, "html.parser")
    assert len(soup.select(".trends-form input[name=q]")) == 4
    assert soup.select_one(".trends") is None
    soup = BeautifulSoup(client.get("/tendances?q=vaccin").data, "html.parser")
    assert soup.select_one(".trends-legend a")["href"] == "/?q=vaccin"


def test_timeline_per_day_inside_a_month(client):
    soup = BeautifulSoup(client.get("/?q=vaccin&mois=2019-03").data, "html.parser")
    wide = soup.select_one("figure.timeline svg.timeline-wide")
    assert len(wide.select("a.bar")) == 2  # the 2nd and the 17th
    titles = sorted(t.get_text() for t in wide.select("a.bar > title"))
    assert titles[0].startswith("dimanche 17 mars 2019 : 1") and titles[1].startswith("samedi 2 mars 2019 : 2")
    rows = soup.select("figure.timeline table tbody tr")
    assert len(rows) == 31


def test_timeline_per_month_over_a_period(client):
    soup = BeautifulSoup(client.get("/?q=vaccin&du=2019-03&au=2020-02").data, "html.parser")
    rows = [[c.get_text(strip=True) for c in r.find_all(["th", "td"])] for r in soup.select("figure.timeline table tbody tr")]
    assert len(rows) == 12
    assert {r[0]: int(r[1]) for r in rows if r[1] != "0"} == {
        "mars 2019": 3, "novembre 2019": 1, "janvier 2020": 2}


def test_timeline_has_a_compact_drawing_with_every_bar(client):
    soup = BeautifulSoup(client.get("/?q=vaccin").data, "html.parser")
    wide, compact = soup.select_one("svg.timeline-wide"), soup.select_one("svg.timeline-compact")
    assert len(wide.select("a.bar")) == len(compact.select("a.bar")) == 4  # 3 years and the undated
    assert float(compact["width"]) <= 340


def test_source_filters_apply_to_every_query(tmp_path):
    root = tmp_path / "archive"
    root.mkdir()
    rows = [{"id": f"s{n}", "date": f"2019-0{1 + n % 3}-10", "title": f"Dépêche {n}",
             "body": f"Texte numéro {n} sur le vaccin.", "source": "AFP" if n % 2 else "Reuters"} for n in range(12)]
    (root / "a.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    reindex(tmp_path / "index", [root])
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")}).test_client()
    afp = csv_rows(client, "/tendances.csv?q=vaccin&unite=mois&source=AFP")
    expected = Counter(r["date"][:7] for r in rows if r["source"] == "AFP")
    assert {r["periode"]: int(r["vaccin"]) for r in afp} == expected
    facets = client.get("/api/search?q=vaccin&annee=2019&source=AFP").get_json()["facets"]["months"]
    assert {f["value"]: f["count"] for f in facets} == expected
