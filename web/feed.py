"""An Atom feed for any search: `/flux.atom?q=…` with the search page's filters, its
newest dispatches first (FEED_SIZE of them), for a feed reader to follow a subject.

Written with the standard library's ElementTree, which escapes every text and
attribute; characters XML 1.0 cannot hold (most control characters) are dropped
first, so no dispatch can make the feed unreadable. Entry ids are the dispatches'
permalinks (absolute URLs of their pages).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timezone
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app, request, url_for

from index import SearchHit
from web.handle import archive_index
from web.permalink import permalink_url
from web.params import SearchState

bp = Blueprint("feed", __name__)

ATOM = "http://www.w3.org/2005/Atom"
# An undated dispatch (no date of its own nor one inferred from its story) sorts last
# and says so by the earliest date Atom readers agree on.
UNDATED = datetime(1970, 1, 1, tzinfo=timezone.utc)
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

ET.register_namespace("", ATOM)


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _stamp(hit: SearchHit) -> datetime:
    date = hit.date
    if date is None:
        return UNDATED
    return datetime(date.year, date.month or 1, date.day or 1, tzinfo=timezone.utc)


def _rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _add(parent: ET.Element, name: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}", attributes)
    if text is not None:
        element.text = _text(text)
    return element


def feed_title(state: SearchState) -> str:
    what = f"« {state.query.strip()} »" if state.query.strip() else "dernières dépêches"
    return f"Archive des dépêches : {what}"


@bp.get("/flux.atom")
def atom():
    state = SearchState.from_args(request.args)
    # Newest first whatever the order asked, from the first page.
    state = replace(state, sort="recent", page=1)
    size = int(current_app.config["FEED_SIZE"])
    index = archive_index()
    result = index.search(replace(state.request(size), with_facets=False))
    search_page = url_for("search.index", _external=True, **state.args())
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "fr"})
    # The same search gives the same feed id, whatever order its URL asked for.
    _add(feed, "id", url_for("feed.atom", _external=True, **state.args(sort=None)))
    _add(feed, "title", feed_title(state))
    stamps = [_stamp(hit) for hit in result.hits]
    _add(feed, "updated", _rfc3339(max(stamps, default=UNDATED)))
    _add(_add(feed, "author"), "name", "Archive des dépêches")
    _add(feed, "link", rel="self", type="application/atom+xml", href=request.url)
    _add(feed, "link", rel="alternate", type="text/html", href=search_page)
    for hit, stamp in zip(result.hits, stamps):
        entry = _add(feed, "entry")
        # The permalink (web/permalink.py): an entry keeps its id when its file moves.
        link = permalink_url(index.permalink_key(hit.id)) or url_for("dispatch.show", dispatch_id=hit.id, _external=True)
        _add(entry, "id", link)
        _add(entry, "title", hit.title)
        _add(entry, "updated", _rfc3339(stamp))
        _add(entry, "link", rel="alternate", type="text/html", href=link)
        # The snippet is HTML (the dispatch's text escaped, matches in <mark>), carried
        # escaped once more inside the XML as Atom's `html` type asks.
        _add(entry, "summary", hit.snippet, type="html")
    body = ET.tostring(feed, encoding="unicode", xml_declaration=False)
    return Response('<?xml version="1.0" encoding="utf-8"?>\n' + body,
                    content_type="application/atom+xml; charset=utf-8")
