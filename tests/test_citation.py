"""« Citer cette dépêche »: the reference as text (ISO 690, in French), BibTeX and
CSL-JSON, with the date at its precision, the permalink, and everything escaped."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from archive.model import Dispatch, PartialDate
from index import reindex
from web.citation import Citation

HOSTILE_TITLE = 'Le {grand} 100% & "guillemets" <script>alert(1)</script> #1 $x_y^2~\\'
URL = "https://archive.example.org/d/0123456789ab"
ACCESSED = date(2026, 12, 1)


def cited(title: str = "Séisme au Japon", when: PartialDate | None = PartialDate(2019, 4, 7),
          byline: str | None = None) -> Citation:
    dispatch = Dispatch(id="a.txt", source_path="a.txt", title=title, paragraphs=("Texte.",), date=when, byline=byline)
    return Citation.of(dispatch, "0123456789ab", URL, ACCESSED)


def braces_balance(text: str) -> bool:
    """Whether the unescaped braces of a BibTeX entry pair up (what a parser needs)."""
    depth = 0
    for match in re.finditer(r"\\.|[{}]", text):
        if match.group() == "{":
            depth += 1
        elif match.group() == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def test_text_follows_iso_690_with_the_date_at_its_precision():
    assert cited(byline="Jean Dupont").text() == (
        "JEAN DUPONT. Séisme au Japon [en ligne]. 7 avril 2019 [consulté le 1 décembre 2026]. "
        f"Disponible à l’adresse\u00a0: {URL}")
    # A month stays a month, a year a year; an undated dispatch says so (« sans date »).
    assert "]. Avril 2019 [consulté" in cited(when=PartialDate(2019, 4)).text()
    assert "]. 2019 [consulté" in cited(when=PartialDate(2019)).text()
    assert "]. [s. d.] [consulté" in cited(when=None).text()
    # Without author the reference starts with the title.
    assert cited().text().startswith("Séisme au Japon [en ligne]. ")


@dataclass(frozen=True)
class _Sourced(Dispatch):
    """A dispatch with the `source` and `author` fields exports carry."""

    source: str | None = None
    author: str | None = None


def test_source_and_author_are_used_when_the_dispatch_has_them():
    dispatch = _Sourced(id="a", source_path="a", title="Titre", paragraphs=("Texte.",), date=PartialDate(2019, 4, 7),
                        byline="Par J. D.", source="AFP", author="Jean Dupont")
    citation = Citation.of(dispatch, "0123456789ab", URL, ACCESSED)
    assert citation.text().startswith("JEAN DUPONT. Titre [en ligne]. AFP, 7 avril 2019 [consulté le")
    assert "  howpublished = {AFP},\n" in citation.bibtex()
    assert citation.csl()["container-title"] == "AFP"
    assert citation.csl()["author"] == [{"literal": "Jean Dupont"}]


def test_bibtex_escapes_what_latex_reads_and_keeps_names_whole():
    entry = cited(HOSTILE_TITLE, PartialDate(2019, 4), byline="Dupont, Jean and AFP").bibtex()
    assert entry.startswith("@misc{depeche-0123456789ab,\n")
    assert ('  title = {{Le \\{grand\\} 100\\% \\& "guillemets" <script>alert(1)</script> \\#1 '
            '\\$x\\_y\\textasciicircum{}2\\textasciitilde{}\\textbackslash{}}},\n') in entry
    # Braced twice: « and » and the comma do not split it into several names.
    assert "  author = {{Dupont, Jean and AFP}},\n" in entry
    assert "  year = {2019},\n  month = apr,\n  date = {2019-04},\n" in entry
    assert f"  url = {{{URL}}},\n  urldate = {{2026-12-01}},\n" in entry
    assert braces_balance(entry)
    # No field of the month-precise date gives a day.
    assert "day" not in entry


def test_csl_json_keeps_the_precision_and_the_text_as_is():
    item = cited(HOSTILE_TITLE, PartialDate(2019, 4)).csl()
    assert item["title"] == HOSTILE_TITLE
    assert item["issued"] == {"date-parts": [[2019, 4]]}
    assert item["accessed"] == {"date-parts": [[2026, 12, 1]]}
    assert item["URL"] == URL and item["type"] == "article-newspaper"
    assert "issued" not in cited(when=None).csl()


@pytest.fixture
def hostile(tmp_path: Path):
    root = tmp_path / "archive"
    root.mkdir()
    (root / "h.jsonl").write_text(json.dumps({"id": "h", "title": HOSTILE_TITLE, "body": "Un texte.",
                                              "date": "2019-04-07", "author": "Jean Dupont"}) + "\n", encoding="utf-8")
    index_dir = tmp_path / "index"
    reindex(index_dir, [root])
    from web import create_app

    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "WARM_CACHES": False,
                      "PUBLIC_URL": "https://archive.example.org"})
    return app.test_client()


def test_dispatch_page_cites_it_with_its_permalink_and_escapes_everything(hostile):
    response = hostile.get("/depeche/h.jsonl%23h")
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html
    soup = BeautifulSoup(html, "html.parser")
    permalink = soup.find("link", rel="canonical")["href"]
    assert re.fullmatch(r"https://archive\.example\.org/d/[0-9a-f]{12}", permalink)
    section = soup.find("section", class_="citation")
    assert section.h2.get_text() == "Citer cette dépêche"
    text = section.select_one(".citation-text").get_text()
    assert text.startswith(f"JEAN DUPONT. {HOSTILE_TITLE} [en ligne]. 7 avril 2019 [consulté le ")
    assert text.endswith(f"Disponible à l’adresse\u00a0: {permalink}")
    assert "title = {{Le \\{grand\\}" in section.select_one(".citation-bibtex pre").get_text()


def test_citation_files_by_permalink(hostile):
    soup = BeautifulSoup(hostile.get("/depeche/h.jsonl%23h").get_data(as_text=True), "html.parser")
    permalink = soup.find("link", rel="canonical")["href"]
    key = permalink.rsplit("/", 1)[1]
    bib = hostile.get(f"/d/{key}/citation.bib")
    assert bib.status_code == 200 and bib.mimetype == "application/x-bibtex"
    assert bib.headers["Content-Disposition"] == f'attachment; filename="depeche-{key}.bib"'
    entry = bib.get_data(as_text=True)
    assert entry.startswith(f"@misc{{depeche-{key},") and braces_balance(entry)
    assert f"  url = {{{permalink}}},\n" in entry and "  author = {{Jean Dupont}},\n" in entry
    csl = json.loads(hostile.get(f"/d/{key}/citation.json").get_data(as_text=True))
    assert [item["title"] for item in csl] == [HOSTILE_TITLE]
    assert csl[0]["issued"] == {"date-parts": [[2019, 4, 7]]} and csl[0]["URL"] == permalink
    text = hostile.get(f"/d/{key}/citation.txt")
    assert text.mimetype == "text/plain" and text.get_data(as_text=True).strip().endswith(permalink)
    assert hostile.get(f"/d/{key}/citation.pdf").status_code == 404
    assert hostile.get("/d/0000000000ff/citation.bib").status_code == 410


def _print_hidden_selectors(css: str) -> set[str]:
    start = css.index("@media print")
    block = css[start: css.index("\n}\n", start)]
    hidden = set()
    for rule in re.finditer(r"([^{}]+)\{([^{}]*)\}", block[block.index("{") + 1:]):
        if "display: none" in rule.group(2):
            hidden |= {s.strip() for s in rule.group(1).split(",")}
    return hidden


def test_print_view_keeps_the_permalink(hostile):
    """The stylesheet's print rules hide the page's furniture, but neither the
    « Lien permanent » line nor the citation's text, nor anything around them."""
    import web

    css = (Path(web.__file__).parent / "static" / "archive.css").read_text(encoding="utf-8")
    hidden = _print_hidden_selectors(css)
    assert ".site-header" in hidden  # the parsing found the print rules
    soup = BeautifulSoup(hostile.get("/depeche/h.jsonl%23h").get_data(as_text=True), "html.parser")
    for element in (soup.select_one(".permalink a"), soup.select_one(".citation-text")):
        assert element is not None
        for node in [element, *element.parents]:
            classes = {f".{c}" for c in node.get("class", []) or []} | {node.name}
            assert not classes & hidden, (node.name, classes)
