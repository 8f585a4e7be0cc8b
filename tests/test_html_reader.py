"""HTML pages: metadata in each of its forms, and the page around the article left out."""

import json
from pathlib import Path

import pytest

from archive import DateSource, PartialDate, Reading, UnreadableDispatch, read_file
from scaling import assert_grows_linearly

P1 = "L'armée américaine a annoncé dimanche le retrait provisoire de militaires stationnés en Libye."
P2 = "Au moins 35 personnes, dont des civils, ont été tuées des deux côtés dans des combats depuis jeudi."
BODY = f"<p>{P1}</p>\n<p>{P2}</p>"


def page(head: str = "", body: str = BODY) -> str:
    return f"<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">{head}</head><body>{body}</body></html>"


def read(folder: Path, content: str | bytes, name: str = "page.html") -> Reading:
    path = folder / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return read_file(path, folder)


def read_one(folder: Path, content: str | bytes, name: str = "page.html"):
    reading = read(folder, content, name)
    assert len(reading.dispatches) == 1
    return reading.dispatches[0]


def linked_data(**fields) -> str:
    return f'<script type="application/ld+json">{json.dumps({"@type": "NewsArticle", **fields})}</script>'


# Titles


@pytest.mark.parametrize(
    ("head", "body", "title"),
    [
        ('<meta property="og:title" content="Par og:title"><title>Par title</title>',
         f"<h1>Par h1</h1>{BODY}", "Par og:title"),
        ("<title>Par title</title>", f"<h1>Par <em>h1</em></h1>{BODY}", "Par h1"),
        ("<title>Libye : retrait\n  américain</title>", BODY, "Libye : retrait américain"),
        (linked_data(headline="Par JSON-LD"), BODY, "Par JSON-LD"),
    ],
    ids=["og:title", "h1", "title", "json-ld headline"],
)
def test_title_from_each_metadata_form(tmp_path, head, body, title):
    dispatch = read_one(tmp_path, page(head, body))
    assert dispatch.title == title
    assert dispatch.title_derived is False
    assert dispatch.paragraphs == (P1, P2)


def test_title_derived_from_the_first_paragraph_without_metadata(tmp_path):
    dispatch = read_one(tmp_path, page())
    assert dispatch.title == P1
    assert dispatch.title_derived is True


def test_title_inside_an_article_header_is_kept_but_a_page_banner_is_not(tmp_path):
    body = (
        "<header><h1>Le Journal du Soir</h1></header>"
        f"<article><header><h1>Libye : retrait américain</h1></header>{BODY}</article>"
    )
    dispatch = read_one(tmp_path, page("", body))
    assert dispatch.title == "Libye : retrait américain"
    assert dispatch.paragraphs == (P1, P2)


# Dates


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        ('<meta property="article:published_time" content="2019-04-07T10:30:00+02:00">', BODY,
         PartialDate(2019, 4, 7)),
        ("", f'<article><time datetime="2019-04-08">8 avril</time>{BODY}</article>',
         PartialDate(2019, 4, 8)),
        ('<meta name="date" content="09/04/2019">', BODY, PartialDate(2019, 4, 9)),
        (linked_data(datePublished="2019-04"), BODY, PartialDate(2019, 4)),
    ],
    ids=["article:published_time", "time datetime", "meta date", "json-ld datePublished"],
)
def test_date_from_each_metadata_form(tmp_path, head, body, expected):
    reading = read(tmp_path, page(head, body))
    assert reading.problems == ()
    (dispatch,) = reading.dispatches
    assert dispatch.date == expected
    assert dispatch.date_source == DateSource.METADATA


def test_article_published_time_comes_before_other_dates(tmp_path):
    head = (
        '<meta property="article:published_time" content="2019-04-07">'
        '<meta name="date" content="2020-01-01">' + linked_data(datePublished="2021-01-01")
    )
    body = f'<time datetime="2022-01-01">x</time>{BODY}'
    assert read_one(tmp_path, page(head, body)).date == PartialDate(2019, 4, 7)


def test_a_time_in_the_page_navigation_is_not_the_date(tmp_path):
    body = f'<nav><time datetime="2024-01-01">aujourd\'hui</time></nav>{BODY}'
    dispatch = read_one(tmp_path, page("", body))
    assert dispatch.date is None
    assert dispatch.date_source == DateSource.NONE


def test_unreadable_metadata_date_is_a_problem_and_the_page_is_kept(tmp_path):
    reading = read(tmp_path, page('<meta name="date" content="2019-13-45">'), "mauvaise.html")
    (dispatch,) = reading.dispatches
    assert dispatch.date is None
    (problem,) = reading.problems
    assert problem.path == "mauvaise.html"
    assert problem.reason == "unreadable date in the page metadata: '2019-13-45'"


def test_dateline_in_the_first_paragraph_without_metadata(tmp_path):
    body = f"<p>Paris, 7 avril 2019 (AFP) - {P1}</p><p>{P2}</p>"
    dispatch = read_one(tmp_path, page("", body))
    assert dispatch.date == PartialDate(2019, 4, 7)
    assert dispatch.date_source == DateSource.DATELINE


# Byline and URL


@pytest.mark.parametrize(
    ("head", "byline"),
    [
        ('<meta name="author" content="Jean  Dupont">', "Jean Dupont"),
        (linked_data(author={"@type": "Person", "name": "Marie Curie"}), "Marie Curie"),
        (linked_data(author=[{"@type": "Person", "name": "Anne Ours"}, {"name": "Bob"}]), "Anne Ours"),
        (linked_data(author="AFP"), "AFP"),
        ("", None),
    ],
    ids=["meta author", "json-ld author object", "json-ld author list", "json-ld author text", "none"],
)
def test_byline(tmp_path, head, byline):
    assert read_one(tmp_path, page(head)).byline == byline


def test_json_ld_inside_a_graph(tmp_path):
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Site"},
        {"@type": "NewsArticle", "headline": "Titre du graphe", "datePublished": "2019-04-07",
         "author": {"name": "Jean Dupont"}},
    ]}
    head = f'<script type="application/ld+json">{json.dumps(graph)}</script>'
    dispatch = read_one(tmp_path, page(head))
    assert (dispatch.title, dispatch.date, dispatch.byline) == (
        "Titre du graphe", PartialDate(2019, 4, 7), "Jean Dupont"
    )


def test_broken_json_ld_is_passed_over(tmp_path):
    head = '<script type="application/ld+json">{"headline": </script><title>Titre</title>'
    dispatch = read_one(tmp_path, page(head))
    assert dispatch.title == "Titre"


def test_url_from_og_url_or_canonical_link(tmp_path):
    og = read_one(tmp_path, page('<meta property="og:url" content="https://exemple.fr/a">'), "a.html")
    canonical = read_one(tmp_path, page('<link rel="canonical" href="https://exemple.fr/b">'), "b.html")
    assert (og.url, canonical.url) == ("https://exemple.fr/a", "https://exemple.fr/b")


# The page around the article

BOILERPLATE = """
<script>var marqueurScript = "SCRIPTMARK";</script>
<style>.STYLEMARK { color: red }</style>
<nav><a href="/">NAVMARK accueil</a><p>NAVMARK paragraphe</p></nav>
<aside><p>ASIDEMARK à lire aussi</p></aside>
<footer><p>FOOTERMARK mentions légales</p></footer>
<noscript><p>NOSCRIPTMARK</p></noscript>
<form><p>FORMMARK</p><button>BUTTONMARK</button></form>
"""


@pytest.mark.parametrize("wrap", ["{}", "<article>{}</article>", "<main>{}</main>"])
def test_boilerplate_text_is_not_in_the_paragraphs(tmp_path, wrap):
    body = BOILERPLATE + wrap.format(BODY) + BOILERPLATE
    dispatch = read_one(tmp_path, page("", body))
    assert dispatch.paragraphs == (P1, P2)
    text = " ".join(dispatch.paragraphs)
    for mark in ("SCRIPT", "STYLE", "NAV", "ASIDE", "FOOTER", "NOSCRIPT", "FORM", "BUTTON"):
        assert f"{mark}MARK" not in text


def test_boilerplate_is_stripped_when_the_page_has_no_paragraph_elements(tmp_path):
    body = BOILERPLATE + f"<h1>Titre</h1><div>{P1}</div><div><span>{P2}</span></div>" + BOILERPLATE
    dispatch = read_one(tmp_path, page("<title>Titre de la page</title>", body))
    assert dispatch.paragraphs == (P1, P2)
    assert dispatch.title == "Titre"


def test_inline_elements_do_not_add_spaces_and_line_breaks_do(tmp_path):
    body = "<p>L'<em>Africom</em> a <b>confirmé</b>, dimanche.</p><p>Première ligne<br>seconde ligne.</p>"
    dispatch = read_one(tmp_path, page("", body))
    assert dispatch.paragraphs == ("L'Africom a confirmé, dimanche.", "Première ligne seconde ligne.")


def test_unclosed_paragraphs_are_not_repeated(tmp_path):
    body = f"<article><p>{P1}<p>{P2}<div><p>Fin.</p></div></article>"
    dispatch = read_one(tmp_path, page("", body))
    assert dispatch.paragraphs == (P1, P2, "Fin.")


def test_comments_are_not_text(tmp_path):
    dispatch = read_one(tmp_path, page("", f"<p>{P1}<!-- COMMENTMARK --></p>"))
    assert dispatch.paragraphs == (P1,)


def test_an_empty_article_element_does_not_hide_the_text(tmp_path):
    dispatch = read_one(tmp_path, page("", f"<article></article><div>{BODY}</div>"))
    assert dispatch.paragraphs == (P1, P2)


def test_html_entities_are_decoded(tmp_path):
    dispatch = read_one(tmp_path, page("", "<p>L&rsquo;arm&eacute;e &laquo;&nbsp;am&eacute;ricaine&nbsp;&raquo;</p>"))
    assert dispatch.paragraphs == ("L’armée « américaine »",)


# Pages with no text, and odd pages


@pytest.mark.parametrize(
    "content",
    [
        page("<title>Seulement un titre</title><script>var a = 1;</script>", "<script>document.write('x')</script>"),
        page("", "<nav><p>menu</p></nav><footer><p>pied</p></footer>"),
        page("", "<p>   </p><div>\n</div>"),
    ],
    ids=["only scripts", "only boilerplate", "only white space"],
)
def test_html_with_no_text_is_unreadable(tmp_path, content):
    with pytest.raises(UnreadableDispatch) as caught:
        read(tmp_path, content, "vide.html")
    assert (caught.value.path, caught.value.reason) == ("vide.html", "HTML page with no text")


@pytest.mark.parametrize(
    ("content", "paragraphs"),
    [
        ('<?xml version="1.0"?><note><p>Une note.</p></note>', ("Une note.",)),
        ("https://exemple.fr/depeche.html", ("https://exemple.fr/depeche.html",)),
        ("depeche.html", ("depeche.html",)),
        ("Texte sans balise.\n\nSecond paragraphe.", ("Texte sans balise.", "Second paragraphe.")),
    ],
    ids=["xml", "looks like a URL", "looks like a file name", "no markup"],
)
def test_odd_pages_are_read_without_warnings(tmp_path, content, paragraphs):
    # pytest turns warnings into errors here: Beautiful Soup's must not escape.
    assert read_one(tmp_path, content).paragraphs == paragraphs


@pytest.mark.parametrize(
    "make",
    [lambda n: "<p>" + "<b>mot " * 1000 * n, lambda n: "<div>mot " * 1000 * n,
     lambda n: "<article>" + "<header>x" * 1000 * n + "<p>Fin.</p>",
     lambda n: "<p>Début.</p>" + "<script>x</script>" * 1000 * n],
    ids=["nested inline", "nested blocks", "nested headers", "sibling scripts"],
)
def test_broken_deep_pages_are_read_in_linear_time(tmp_path, make):
    # Reading each string's parents made 4,000 levels take 5 to 10 seconds: quadratic.
    assert len(read(tmp_path, make(4)).dispatches) == 1
    assert_grows_linearly(lambda n: read(tmp_path, make(n)), 1, "deep page")


def test_windows_1252_page(tmp_path):
    content = page("<title>Noël à Tripoli</title>", f"<p>{P1}</p>").encode("cp1252")
    dispatch = read_one(tmp_path, content)
    assert (dispatch.title, dispatch.paragraphs) == ("Noël à Tripoli", (P1,))
