"""HTML pages: the article's title, date, byline and paragraphs, without the page around it.

Metadata is preferred over the visible page because it is what publishers fill in for
machines: `og:title` before `<h1>`, `article:published_time` before a `<time>` element.

A page with more than `MAX_TAGS` tags is refused by name: parsing costs about 40 µs and
1.4 kB a tag, so 8 MB of `<p>a` would take two minutes and 3 GB, when a long article
page holds a few thousand.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from itertools import chain

from bs4 import (
    BeautifulSoup,
    MarkupResemblesLocatorWarning,
    NavigableString,
    ParserRejectedMarkup,
    Tag,
    XMLParsedAsHTMLWarning,
)
from bs4.element import PreformattedString

from archive import credits
from archive.dates import date_pattern, find_dateline, from_match
from archive.errors import UnreadableDispatch
from archive.model import DateSource, Dispatch, PartialDate
from archive.paragraphs import derive_title, split_paragraphs
from archive.readers.base import Reading, Source
from archive.surrogates import replace_surrogates

_BOILERPLATE = frozenset(["script", "style", "noscript", "template", "nav", "aside", "footer",
                          "form", "iframe", "svg", "button", "select"])
# Elements that start a new paragraph when a page has no <p> at all.
_BLOCKS = frozenset(["p", "div", "section", "li", "dd", "dt", "blockquote", "pre", "h2", "h3",
                     "h4", "h5", "h6", "tr", "table", "figure", "figcaption", "address"])
_NOT_TEXT = frozenset(["head", "title", "h1"])
_BLANK_LINE = object()  # marks the end of a block element in `_flatten`
# About 2 s and 100 MB of parsing at most; a long live-blog page holds some 10,000 tags.
MAX_TAGS = 50_000
_START_TAG = re.compile(r"<[a-zA-Z]")
_HTML_START = re.compile(r"[\s\ufeff]*+<(?:!doctype\s+html|html[\s>])", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """Whether a text starts as an HTML page does (`<!doctype html`, `<html`), whatever
    the name of its file."""
    return _HTML_START.match(text[:1000]) is not None


def read_html(source: Source) -> Reading:
    """One dispatch from one page; a problem for metadata that is there but unreadable."""
    text, problems = source.decoded()
    return read_html_text(source, text, problems)


def read_html_text(source: Source, text: str, problems: tuple[UnreadableDispatch, ...] = ()) -> Reading:
    """`read_html` on a page already decoded (by the text reader, for a `.txt` page)."""
    soup = _parse(source, text)
    linked_data = _linked_data(soup)  # before the scripts that hold it are dropped
    _strip_boilerplate(soup)
    title = (
        _meta(soup, property="og:title")
        or _text_of(soup.find("h1"))
        or _text_of(soup.find("title"))
        or _string(linked_data.get("headline"))
    )
    byline = _meta(soup, name="author") or _meta(soup, property="article:author") or _author(linked_data)
    url = _meta(soup, property="og:url") or _canonical(soup)
    sources, authors = _credits(soup, linked_data)
    date, date_problems = _date(soup, linked_data, source)
    problems += date_problems
    paragraphs = _paragraphs(soup)
    if not paragraphs:
        raise source.problem("HTML page with no text")
    date_source = DateSource.METADATA if date else DateSource.NONE
    if date is None and (date := find_dateline(paragraphs[0][:200])):
        date_source = DateSource.DATELINE
    dispatch = Dispatch(
        id=source.dispatch_id,
        source_path=source.relative,
        title=title or derive_title(paragraphs[0]),
        title_derived=not title,
        paragraphs=paragraphs,
        date=date,
        date_source=date_source,
        byline=byline,
        url=url,
        sources=credits.merged(sources, credits.in_text(paragraphs, title or "")),
        authors=authors,
    )
    return Reading((dispatch,), problems)


# Python's HTML parser (before 3.12.11 and 3.13.4) searches to the end of the page again
# for each construct left open: 100 kB of `<div ` or of `<![CDATA[x>` took minutes. An
# opener with no closer anywhere after it is escaped first (the parser would have kept
# it as text anyway), so that the parse stays linear.
_UNCLOSED = (
    (re.compile(r"<!--"), re.compile(r"--\s*>")),
    (re.compile(r"<!\[(?!(?:if|else|endif)(?![-.\w]))", re.IGNORECASE), re.compile(r"]\s*]\s*>")),
    (re.compile(r"<!\[", re.IGNORECASE), re.compile(r"]\s*>")),
)
_TAG_OPENER = re.compile(r"<(?=[!?/a-zA-Z])")


def _defused(text: str) -> str:
    last = text.rfind(">") + 1
    text = text[:last] + _TAG_OPENER.sub("&lt;", text[last:])
    for opener, closer in _UNCLOSED:
        last = max((match.end() for match in closer.finditer(text)), default=0)
        text = text[:last] + opener.sub(lambda match: "&lt;" + match[0][1:], text[last:])
    return text


def _parse(source: Source, text: str) -> BeautifulSoup:
    text = _defused(text)
    if _too_many_tags(text):
        raise source.problem(f"too many HTML tags to parse (more than {MAX_TAGS:,})")
    # Beautiful Soup warns when a page is short and looks like a URL or a file name, or
    # looks like XML: the file is read all the same, and the warning would only be noise.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        try:
            return BeautifulSoup(text, "html.parser")
        except ParserRejectedMarkup as error:
            raise source.problem(f"HTML the parser rejects ({error})") from None


def _too_many_tags(text: str) -> bool:
    """More than `MAX_TAGS` start tags (an upper bound: a `<a` in a script counts too),
    counted no further than needed."""
    if text.count("<") <= MAX_TAGS:
        return False  # the quick, usual answer
    return any(count > MAX_TAGS for count, _ in enumerate(_START_TAG.finditer(text), start=1))


def _strip_boilerplate(soup: BeautifulSoup) -> None:
    """Drop the page around the article: scripts, menus, asides, footers, forms, and
    the page's <header> (its banner); an article's own <header> holds its title and date.

    One walk down the tree, not `find_parent()` for each header: linear on any page.
    """
    doomed: list[Tag] = []
    stack: list[tuple[object, bool]] = [(soup, False)]
    while stack:
        node, in_article = stack.pop()
        if not isinstance(node, Tag):
            continue
        if node.name in _BOILERPLATE or (node.name == "header" and not in_article):
            doomed.append(node)  # in document order: extract() then finds each at once
            continue
        in_article = in_article or node.name == "article"
        stack.extend((child, in_article) for child in reversed(node.contents))
    for tag in doomed:
        tag.decompose()


def _paragraphs(soup: BeautifulSoup) -> tuple[str, ...]:
    containers = [soup.find("article"), soup.find("main"), soup.find(attrs={"role": "main"}), soup]
    for container in containers:
        if isinstance(container, Tag) and (found := _p_texts(container)):
            return found
    # No <p> anywhere: block elements and line breaks mark the paragraphs. The title is not
    # part of the text: it was read above.
    return split_paragraphs("".join(text for text, _ in _flatten(soup, skip=_NOT_TEXT)))


def _p_texts(container: Tag) -> tuple[str, ...]:
    """The text of each <p>, its own text only.

    Python's parser nests an unclosed `<p>` in the previous one; taking `get_text()` of
    each would repeat the text of the inner ones.
    """
    texts: dict[int, list[str]] = {}
    for text, paragraph in _flatten(container):
        if paragraph is not None:
            texts.setdefault(id(paragraph), []).append(text)
    return tuple(text for parts in texts.values() if (text := " ".join("".join(parts).split())))


def _flatten(root: Tag, skip: frozenset[str] = frozenset()) -> Iterator[tuple[str, Tag | None]]:
    """The text under `root` in document order, each piece with the <p> it is in.

    `<br>` gives a line break, a block element a blank line before and after; comments
    and the like give nothing. A loop over a stack, not `find_parent()` for each string:
    a broken page nested 20,000 tags deep then takes a second, not minutes.
    """
    stack: list[tuple[object, Tag | None]] = [(root, None)]
    while stack:
        node, paragraph = stack.pop()
        if node is _BLANK_LINE:
            yield "\n\n", paragraph
        elif isinstance(node, Tag):
            if node.name in skip:
                continue
            if node.name == "br":
                yield "\n", paragraph
                continue
            if node.name == "p":
                paragraph = node
            if node.name in _BLOCKS:
                yield "\n\n", paragraph
                stack.append((_BLANK_LINE, paragraph))
            stack.extend((child, paragraph) for child in reversed(node.contents))
        elif isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
            yield str(node), paragraph


def _date(
    soup: BeautifulSoup, linked_data: dict, source: Source
) -> tuple[PartialDate | None, tuple[UnreadableDispatch, ...]]:
    candidates = [
        _meta(soup, property="article:published_time"),
        _time_element(soup),
        _meta(soup, name="date"),
        linked_data.get("datePublished"),
    ]
    problems: list[UnreadableDispatch] = []
    for value in candidates:
        if not isinstance(value, str) or not value.strip():
            continue
        match = date_pattern().match(value.strip())
        if match:
            try:
                return from_match(match), ()
            except ValueError:
                pass
        problems.append(source.problem(f"unreadable date in the page metadata: {value.strip()[:40]!r}"))
    return None, tuple(problems[:1])


def _string(value: object) -> str | None:
    # JSON-LD may hold half an emoji (`"\ud83d"`): nothing downstream could encode it.
    value, _ = replace_surrogates(value)
    return " ".join(value.split()) or None if isinstance(value, str) else None


def _meta(soup: BeautifulSoup, **attrs: str) -> str | None:
    tag = soup.find("meta", attrs=attrs)
    return _string(tag.get("content")) if isinstance(tag, Tag) else None


def _text_of(tag: object) -> str | None:
    return _string("".join(text for text, _ in _flatten(tag))) if isinstance(tag, Tag) else None


def _time_element(soup: BeautifulSoup) -> str | None:
    tag = soup.find("time", attrs={"datetime": True})
    return _string(tag.get("datetime")) if isinstance(tag, Tag) else None


def _canonical(soup: BeautifulSoup) -> str | None:
    tag = soup.find("link", attrs={"rel": "canonical"})
    return _string(tag.get("href")) if isinstance(tag, Tag) else None


def _linked_data(soup: BeautifulSoup) -> dict:
    """The first JSON-LD object that describes an article, or {}."""
    for script in soup.find_all("script", attrs={"type": re.compile("ld\\+json", re.I)}):
        try:
            data = json.loads(script.string or "")
        except (ValueError, RecursionError):
            continue
        items = data if isinstance(data, list) else [data]
        # Some sites wrap their objects in an `@graph` list.
        graphs = [i["@graph"] for i in items if isinstance(i, dict) and isinstance(i.get("@graph"), list)]
        for item in [*items, *chain.from_iterable(graphs)]:
            if isinstance(item, dict) and _describes_an_article(item):
                return item
    return {}


def _describes_an_article(item: dict) -> bool:
    kinds = item.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return (
        "datePublished" in item
        or "headline" in item
        or any(isinstance(k, str) and (k.endswith("Article") or k == "BlogPosting") for k in kinds)
    )


def _author(linked_data: dict) -> str | None:
    author = linked_data.get("author")
    if isinstance(author, list) and author:
        author = author[0]
    if isinstance(author, dict):
        author = author.get("name")
    return _string(author)


def _credits(soup: BeautifulSoup, linked_data: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Sources and authors from every byline of the page (each `<meta name="author">`,
    `article:author`, JSON-LD `author`), then the outlet (`og:site_name`, JSON-LD
    `publisher`) as the last source. An `article:author` holding a profile's URL names
    no one."""
    bylines = [
        *(_string(tag.get("content")) for tag in soup.find_all("meta", attrs={"name": "author"})),
        *(_string(tag.get("content")) for tag in soup.find_all("meta", attrs={"property": "article:author"})),
        *_names(linked_data.get("author")),
    ]
    sources, authors = credits.authors_of(b for b in bylines if b)
    outlets = [_meta(soup, property="og:site_name"), *_names(linked_data.get("publisher"))]
    return credits.merged(sources, (o for o in outlets if o)), authors


def _names(value: object) -> list[str]:
    """The names in a JSON-LD value: a string, an object's `name`, or a list of them."""
    values = value if isinstance(value, list) else [value]
    names = []
    for item in values[:50]:
        if isinstance(item, dict):
            item = item.get("name")
        if (name := _string(item)) is not None:
            names.append(name)
    return names
