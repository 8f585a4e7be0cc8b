"""The dispatch page `/depeche/<id>`: the full text, highlighted for the search that led
to it, with its date, where the date came from, the way back to the results, the other
versions of its story (what this one adds and drops), and « Dépêches similaires ».

The id is looked up in the index only, never opened as a path: `../../etc/passwd` is
just an id the index does not hold.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from werkzeug.exceptions import BadRequest

from web.handle import archive_index
from web.params import SearchState
from web.permalink import citation_for, permalink_url

bp = Blueprint("dispatch", __name__)

DATE_SOURCES = {
    "header": "date donnée en tête du fichier",
    "metadata": "date lue dans les métadonnées de la page",
    "dateline": "date lue dans le texte de la dépêche",
    "none": "aucune date trouvée",
}
INFERRED = "date déduite d’une autre version"


@bp.get("/depeche/<path:dispatch_id>")
def show(dispatch_id: str):
    """The dispatch at its path-based address, which keeps working; the page names its
    permalink as canonical (see web/permalink.py)."""
    return render_dispatch(dispatch_id)


def render_dispatch(dispatch_id: str, key: str | None = None):
    """The dispatch's page, at `/depeche/<id>` or at its permalink (`key`)."""
    try:
        state = SearchState.from_args(request.args)
    except BadRequest:
        # The way back is a convenience: a damaged search URL must not hide the dispatch.
        state = SearchState(query=request.args.get("q", "")[:1000])
    page = versions_page(request.args)
    size = current_app.config["VERSIONS_PER_PAGE"]
    stored = archive_index().get(dispatch_id, highlight=state.query, exact=state.exact,
                                 versions_start=(page - 1) * size,
                                 versions_limit=size)
    if stored is None:
        abort(404, description=f"Aucune dépêche n’a l’identifiant « {_shorten(dispatch_id)} » dans l’archive.")
    dispatch = stored.dispatch
    url = dispatch.url if dispatch.url and dispatch.url.lower().startswith(("http://", "https://")) else None
    if stored.date_inferred is not None:
        shown_date, date_source = stored.date_inferred, INFERRED
    else:
        shown_date, date_source = dispatch.date, DATE_SOURCES[str(dispatch.date_source)]
    key = key or archive_index().permalink_key(dispatch_id)
    return render_template(
        "dispatch/show.html",
        permalink=permalink_url(key),
        citation=citation_for(dispatch, key),
        stored=stored,
        dispatch=dispatch,
        state=state,
        back=state.args(),
        shown_date=shown_date,
        date_source=date_source,
        url=url,
        versions_page=page,
        versions_pages=-(-stored.versions_total // size),
        similar=archive_index().similar(dispatch_id),
    )


def versions_page(args) -> int:
    """The page of the other versions asked for (`page_versions`, from 1): a story sent
    thousands of times lists its versions a page at a time. A page that cannot be read
    is the first one: the dispatch itself is what was asked for."""
    text = args.get("page_versions", "1")
    return int(text) if text.isdigit() and 0 < len(text) <= 6 and int(text) > 0 else 1


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
