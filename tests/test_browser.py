"""The real page in headless Chromium, served by `archive serve` in a sub-process.

What only a browser shows: the form submits, the facets and links work, the page keeps
to its Content-Security-Policy (no console error), fits a phone's width, and shows where
the keyboard focus is.
"""

from pathlib import Path

import pytest
from servers import start, stop

from index import reindex

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

SEED_000 = "000_4375ea2097648a51.txt"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def server(tmp_path: Path, seeds_dir: Path):
    """`archive serve` over an index of the seeds; stopped whatever the test does."""
    index_dir = tmp_path / "index"
    reindex(index_dir, [seeds_dir])
    process, base = start(index_dir, "--host", "127.0.0.1")
    try:
        yield base.rstrip("/")
    finally:
        stop(process)


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is needed for the browser tests: {CHROMIUM} not found (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def test_search_facet_and_dispatch_in_chromium(server, browser, tmp_path):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(server + "/")
    page.get_by_label("Rechercher dans les dépêches").fill("armee americaine")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**/?q=armee+americaine*")
    # The seeds are two versions of one story: one result, its other version linked.
    expect(page.locator("#results-title")).to_contain_text("1\u00a0sujet")
    expect(page.locator("ol.results .version-count")).to_have_text("2\u00a0versions")
    marks = page.locator("ol.results .snippet mark")
    expect(marks.first).to_be_visible()
    assert marks.count() >= 2
    assert {text.lower() for text in marks.all_text_contents()} >= {"armée", "américaine"}

    page.locator(".facets .facet a", has=page.locator(".facet-label", has_text="2019")).click()
    page.wait_for_url("**annee=2019*")
    expect(page.locator(".facets .facet.chosen ul .facet-label")).to_have_text(["avril"])
    expect(page.locator(".active-filters a.chip")).to_have_count(1)
    expect(page.locator("figure.timeline svg.timeline-wide a.bar")).to_have_count(1)

    page.locator("ol.results .hit-title a").first.click()
    page.wait_for_url("**/depeche/000_4375ea2097648a51.txt?*")
    expect(page.locator("h1 mark").first).to_be_visible()
    expect(page.locator(".dispatch-meta")).to_contain_text("avril 2019")

    shot = tmp_path / "depeche.png"
    page.screenshot(path=str(shot), full_page=True)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 10_000

    page.locator("nav.back a").click()
    page.wait_for_url("**/?q=armee+americaine&annee=2019*")

    # The other version, from the result's link: its comparison with this one is shown.
    page.locator("ol.results .versions a").first.click()
    page.wait_for_url("**/depeche/002_eb2ed1d0cd4a9010.txt?*")
    expect(page.locator(".dispatch-meta")).to_contain_text("date déduite d’une autre version")
    expect(page.locator(".comparison .diff-added ins").first).to_be_visible()
    expect(page.locator(".comparison .diff-added ins").first).to_contain_text("Pompeo")
    assert problems == [], problems


def test_keyboard_focus_is_visible_and_phone_width_fits(server, browser):
    page = browser.new_page(viewport={"width": 375, "height": 800})
    # No horizontal scrolling at a phone's width.
    for url in ("/?q=combats&annee=2019", f"/depeche/{SEED_000}?q=combats", "/aide", "/?page=abc",
                "/tendances?q=combats&q=Tripoli&du=2019-03&au=2019-05"):
        page.goto(server + url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, url
    page.goto(server + "/?q=combats")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.evaluate("document.activeElement.getBoundingClientRect().top") >= 0
    for _ in range(6):
        page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), page.evaluate("document.activeElement.outerHTML")


# axe-core (through axe-playwright-python, which ships it) checks what a person with low
# vision or a screen reader meets: contrast of 4.5:1 at least, names of links and fields,
# landmarks. Each page the archive serves, once with results and once without.
AXE_PAGES = ["/?q=armee+americaine", "/?q=combats&annee=2019", "/?q=introuvablexyz", "/", "/aide",
             f"/depeche/{SEED_000}", "/depeche/inconnue.txt", "/?q=combats&mois=2019-04",
             "/tendances", "/tendances?q=combats&q=Tripoli&relatif=1", "/d/000000000000"]


@pytest.mark.parametrize("width", [1280, 375])
def test_every_page_passes_axe_core(server, browser, width):
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(viewport={"width": width, "height": 900})
    found = {}
    for path in AXE_PAGES:
        page.goto(server + path)
        violations = Axe().run(page).response["violations"]
        found |= {f"{path} {v['id']}": [n["target"] for n in v["nodes"]][:3] for v in violations}
    assert found == {}


def test_timeline_fits_a_phone_without_hiding_bars(server, browser):
    """Six years per month at 375 px: the compact drawing replaces the wide one and every
    bar, the last included, lies inside the screen (no scroll box hiding most of them)."""
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(server + "/?q=combats&du=2014-01&au=2019-12")
    wide, compact = page.locator("svg.timeline-wide"), page.locator("svg.timeline-compact")
    assert not wide.is_visible() and compact.is_visible()
    assert compact.locator("a.bar, g.bar").count() == 72
    box = compact.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    last = compact.locator("a.bar .bar-rect").last.bounding_box()
    assert last["x"] + last["width"] <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 800})
    assert wide.is_visible() and not compact.is_visible()


@pytest.mark.parametrize("width", [1280, 375])
def test_compare_two_queries_over_time(server, browser, width):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(server + "/")
    page.get_by_role("link", name="Comparer").click()
    page.wait_for_url("**/tendances")
    page.get_by_label("Requête 1").fill("combats")
    page.get_by_label("Requête 2").fill("Pompeo")
    page.get_by_role("button", name="Comparer").click()
    page.wait_for_url("**/tendances?q=combats&q=Pompeo*")
    expect(page.locator("svg.trends-chart")).to_be_visible()
    expect(page.locator("svg.trends-chart g.series-1 circle")).to_have_count(1)
    expect(page.locator(".trends-table tbody tr")).to_have_count(1)
    # The seeds are one story told twice: « combats » finds 1 story, so does « Pompeo ».
    expect(page.locator(".trends-table tbody td").first).to_have_text("1")
    link = page.get_by_role("link", name="Télécharger les chiffres (CSV)")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "tendances.csv"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
# The offer of the exact search and the partial matches, on a crafted archive.
EXACT_DISPATCHES = {
    "dati.txt": "date 2019-06-03\nRachida Dati candidate à Paris\n\nRachida Dati a annoncé sa candidature.\n",
    # « date » and « dates » share the stem of « Dati ».
    "calendrier.txt": "date 2019-06-04\nLe calendrier électoral\n\nLa date du scrutin est connue, les dates aussi.\n",
    "agenda.txt": "date 2019-06-05\nAgenda\n\nLes dates du sommet et la date des votes sont fixées.\n",
    # « Rachida » without « Paris », and « Paris » without « Rachida »: partial matches.
    "rachida.txt": "date 2019-06-06\nPortrait\n\nRachida, une enfance à Chalon.\n",
    "paris-1.txt": "date 2019-06-07\nMétro\n\nParis ferme trois stations.\n",
    "paris-2.txt": "date 2019-06-08\nJeux\n\nParis prépare les Jeux.\n",
}


@pytest.fixture
def crafted_server(tmp_path: Path, make_archive):
    index_dir = tmp_path / "crafted-index"
    reindex(index_dir, [make_archive(EXACT_DISPATCHES, name="crafted")])
    process, base = start(index_dir, "--host", "127.0.0.1")
    try:
        yield base.rstrip("/")
    finally:
        stop(process)


def _number(text: str) -> int:
    """The first number of a text (« 1 dépêche », « Correspondances partielles : 3 … »)."""
    import re

    return int(re.search(r"\d+", text.replace("\u202f", "").replace("\u00a0", "")).group(0))


@pytest.mark.parametrize("width", [1280, 375])
def test_exact_offer_and_partial_matches_in_chromium(crafted_server, browser, width):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": width, "height": 900})
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))

    # « Dati » finds its variants; the offer counts the exact form and links to it.
    page.goto(crafted_server + "/?q=Dati&versions=toutes")
    offer = page.locator("p.offer")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("1 dépêche avec ce mot exact, 3 avec ses variantes")
    assert page.locator("ol.results .hit").count() == 3
    link = offer.get_by_role("link")
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url("**/?q=%22Dati%22*")
    expect(page.get_by_label("Rechercher dans les dépêches")).to_have_value('"Dati"')
    # The count the offer gave is the exact search's own.
    assert _number(page.locator("#results-title").inner_text()) == 1
    expect(page.locator("ol.results .hit")).to_have_count(1)
    expect(page.locator("ol.results .hit-title a")).to_have_text("Rachida Dati candidate à Paris")
    expect(page.locator("p.offer")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # « Rachida Paris »: the one dispatch holding both, then a heading with its own
    # count, then the three holding one of them.
    page.goto(crafted_server + "/?q=Rachida+Paris&versions=toutes")
    intro = page.locator("h3.partial-intro")
    expect(intro).to_be_visible()
    assert _number(page.locator("#results-title").inner_text()) == 1
    assert _number(intro.inner_text()) == 3
    lists = page.locator("section.results-section ol.results")
    expect(lists).to_have_count(2)
    expect(lists.nth(0).locator(".hit")).to_have_count(1)
    expect(lists.nth(0).locator(".hit-title a")).to_have_text("Rachida Dati candidate à Paris")
    expect(lists.nth(1)).to_have_class("results partial-results")
    expect(lists.nth(1).locator(".hit")).to_have_count(3)
    # In the page's order: the full matches, the heading, the partial ones, each
    # below the one before.
    first_list, heading, second_list = (lists.nth(0).bounding_box(), intro.bounding_box(),
                                        lists.nth(1).bounding_box())
    assert first_list["y"] + first_list["height"] <= heading["y"] + 1
    assert heading["y"] + heading["height"] <= second_list["y"] + 1
    assert page.evaluate(
        "document.querySelector('h3.partial-intro').compareDocumentPosition("
        "document.querySelector('ol.partial-results')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert problems == [], problems


@pytest.mark.parametrize("width", [1280, 375])
def test_export_links_citation_and_permalink(server, browser, width):
    """What a researcher takes away: the whole result set from the results page, and from
    a dispatch its citation and the permalink that names its text."""
    import csv
    import io

    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(server + "/?q=combats")
    with page.expect_download() as download:
        page.locator(".export-links").get_by_role("link", name="CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    # One story told twice, grouped: one row, as the page counts « 1 sujet ».
    expect(page.locator("#results-title")).to_contain_text("1\u00a0sujet")
    assert len(rows) == 1 and rows[0]["permalink"].startswith(server + "/d/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.locator("ol.results .hit-title a").first.click()
    page.wait_for_url("**/depeche/**")
    citation = page.locator("section.citation")
    permalink = page.locator("p.permalink a")
    expect(citation.locator(".citation-text")).to_contain_text("[consulté le")
    expect(citation.locator(".citation-text")).to_contain_text(permalink.inner_text())
    page.locator("details.citation-bibtex summary").click()
    expect(citation.locator("pre")).to_contain_text("@misc{")
    title = page.locator("h1").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # The permalink is the export's, and shows the same dispatch.
    assert permalink.inner_text() == rows[0]["permalink"]
    permalink.click()
    page.wait_for_url("**/d/*")
    expect(page.locator("h1")).to_have_text(title)
