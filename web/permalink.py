"""Permalinks `/d/<key>`: a dispatch named by its text, not by its file.

`<key>` is the first twelve hexadecimal digits of the dispatch's content hash (the whole
hash when another text shares them: index/permalinks.py), so the link still finds the
dispatch after its file is renamed or moved and reindexed.

How each address answers, and why:

- `/d/<key>` shows the dispatch's page itself (200), with the same `?q=` highlighting
  as `/depeche/<id>`: what the address bar shows after following a permalink is the
  permalink, which is what a person bookmarks or copies.
- `/depeche/<id>` keeps answering 200 and names the permalink in
  `<link rel="canonical">`, in « Lien permanent » and in « Citer cette dépêche »,
  rather than redirecting: it is the address search results, the API and existing
  bookmarks use, and a redirect would cost every click from the results a round trip.
  It stays the address of the dispatch *in its file*: after a change of text it shows
  the new text, where the permalink keeps naming the old one.
- A key that no dispatch holds any more answers **410 Gone**, with a French page
  (« cette version n’est plus dans l’archive ») and a link to search: a permalink only
  names a text, and the index keeps only the texts the files hold now, so a changed or
  removed dispatch's old permalink is the usual way to arrive here. (A mistyped key
  reads the same; the page says it may be incomplete.)
- A key shared by several dispatches (identical texts in two files, or a short key
  that a new dispatch came to share) answers **300 Multiple Choices** with the list.
- Text that cannot be a key (not hexadecimal, fewer than 8 digits) is a 404.

`PUBLIC_URL` (`ARCHIVE_PUBLIC_URL`), when set, is the base of the absolute permalinks
that citations print, rather than the address the request came to.
"""

from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, Response, abort, current_app, render_template, url_for

from index import normalise_key
from web.citation import Citation
from web.handle import archive_index

bp = Blueprint("permalink", __name__)

FORMATS = {
    "txt": "text/plain; charset=utf-8",
    "bib": "application/x-bibtex; charset=utf-8",
    "json": "application/vnd.citationstyles.csl+json; charset=utf-8",
}


def permalink_url(key: str | None) -> str | None:
    """The absolute permalink for a key."""
    if key is None:
        return None
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base.rstrip("/") + url_for("permalink.show", key=key)
    return url_for("permalink.show", key=key, _external=True)


def citation_for(dispatch, key: str | None) -> Citation | None:
    url = permalink_url(key)
    return None if url is None else Citation.of(dispatch, key, url, accessed=date.today())


def _resolve(key: str):
    """The one dispatch `key` names, or the answer to give instead (300, 404, 410)."""
    prefix = normalise_key(key)
    if prefix is None:
        abort(404, description="Cette adresse n’est pas un lien permanent de l’archive : "
                               "un lien permanent se termine par au moins 8 chiffres hexadécimaux.")
    matches = archive_index().by_hash(prefix)
    if not matches:
        return None, (render_template("permalink/gone.html", key=prefix), 410)
    if len(matches) > 1:
        return None, (render_template("permalink/choices.html", key=prefix, matches=matches), 300)
    return matches[0], None


@bp.get("/d/<key>")
def show(key: str):
    match, answer = _resolve(key)
    if answer is not None:
        return answer
    from web.dispatch import render_dispatch  # web.dispatch imports this module

    # The canonical key: the short form, or the whole hash when the short one is shared.
    return render_dispatch(match.id, archive_index().permalink_key(match.id))


@bp.get("/d/<key>/citation.<fmt>")
def citation(key: str, fmt: str):
    """The reference as text (`.txt`), BibTeX (`.bib`) or CSL-JSON (`.json`)."""
    if fmt not in FORMATS:
        abort(404, description="Formats de citation disponibles : .txt, .bib et .json.")
    match, answer = _resolve(key)
    if answer is not None:
        return answer
    stored = archive_index().get(match.id, versions_limit=0)
    if stored is None:  # removed between the two looks
        abort(410, description="Cette version de la dépêche n’est plus dans l’archive.")
    canonical = archive_index().permalink_key(match.id) or normalise_key(key)
    cited = citation_for(stored.dispatch, canonical)
    if fmt == "txt":
        body = cited.text() + "\n"
    elif fmt == "bib":
        body = cited.bibtex()
    else:
        body = json.dumps([cited.csl()], ensure_ascii=False, indent=2) + "\n"
    response = Response(body, content_type=FORMATS[fmt])
    if fmt != "txt":
        response.headers["Content-Disposition"] = f'attachment; filename="depeche-{canonical}.{fmt}"'
    return response
