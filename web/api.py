"""The JSON shapes of search results and dispatches, shared by the API and the CLI, and
the JSON API itself: `/api/search` (the search page's parameters), `/api/depeche/<id>`
and `/healthz`. Errors are `{"error": "…"}` with the status (see web/errors.py).
"""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, jsonify, request

from index import (
    MAX_PAGE_SIZE, IndexMissing, NeedsRebuild, SearchHit, SearchResult, SearchUnavailable, StoredDispatch, Version,
)
from web.dispatch import versions_page
from web.errors import unavailable_message
from web.handle import archive_index
from web.params import BadParameter, SearchState
from web.permalink import permalink_url
from web.search import search_for


def hit_json(hit: SearchHit) -> dict:
    return {
        "id": hit.id,
        "title": hit.title,
        "date": hit.date.iso() if hit.date else None,
        "precision": hit.precision,
        "date_inferred": hit.date_inferred,
        # `source` is the file (as before); `sources` who the dispatch is credited to.
        "source": hit.source_path,
        "path": hit.source_path,
        "byline": hit.byline,
        "sources": list(hit.sources),
        "authors": list(hit.authors),
        "score": round(hit.score, 4),
        "snippet": hit.snippet,
        "partial": hit.partial,
        "story": hit.story_id,
        "other_versions": list(hit.other_versions),
    }


def result_json(result: SearchResult) -> dict:
    request = result.request
    facets = result.facets
    return {
        "query": request.query,
        # Grouped, `total` counts stories (each at its first version) and `dispatches`
        # the dispatches; `partial_total` those holding only some of the words, listed
        # after every full match. `pages` reaches every result in date order; by
        # relevance it stops at 10,000 (`notice` says so).
        "total": result.total,
        "dispatches": result.dispatches,
        "partial_total": result.partial_total,
        # A long query (index/whoosh/longqueries.py): `total` counts the results holding at least
        # `needed` of its `words_searched` words, `partial_total` those holding fewer;
        # both 0 when every word is required.
        "needed": result.needed,
        "words_searched": result.words_searched,
        "page": request.page,
        "page_size": request.page_size,
        "pages": result.pages,
        "sort": str(request.sort),
        # True: every word in its exact form (`exact=1`).
        "exact": request.exact,
        # True: one hit per story, `total` and facets count stories (see index/whoosh/versions.py).
        "collapse_versions": request.collapse_versions,
        "filters": {
            "year": request.year,
            "month": request.month,
            "day": request.day,
            "undated": request.undated,
            "from": request.date_from.iso() if request.date_from else None,
            "to": request.date_to.iso() if request.date_to else None,
            "sources": list(request.sources),
            "authors": list(request.authors),
        },
        "hits": [hit_json(hit) for hit in result.hits],
        "facets": {
            "years": [{"value": f.value, "count": f.count} for f in facets.years],
            "months": [{"value": f.value, "count": f.count} for f in facets.months],
            "days": [{"value": f.value, "count": f.count} for f in facets.days],
            "undated": facets.undated,
            "sources": [{"value": f.value, "count": f.count} for f in facets.sources],
            "authors": [{"value": f.value, "count": f.count} for f in facets.authors],
        },
        "suggestion": result.suggestion,
        "notice": result.notice,
        # Other readings offered in one click: the exact forms when they find far fewer
        # dispatches than the variants (with both counts), an operator typed in lower case.
        "offers": [
            {"kind": o.kind, "message": o.message, "query": o.query, "exact": o.exact, "variants": o.variants}
            for o in result.offers
        ],
        "elapsed_ms": round(result.elapsed * 1000, 1),
    }


def dispatch_json(stored: StoredDispatch, similar: tuple[SearchHit, ...] | None = None) -> dict:
    """The dispatch, its other versions (each compared with it: what this dispatch adds,
    drops, rewords) and, when given, « Dépêches similaires » of other stories."""
    dispatch = stored.dispatch
    data = {
        **dispatch.summary(),
        "paragraphs": list(dispatch.paragraphs),
        "date_inferred": stored.date_inferred.iso() if stored.date_inferred else None,
        "story": stored.story_id,
        # A page of them (`page_versions`): `versions_total` says how many there are.
        "versions": [version_json(version) for version in stored.versions],
        "versions_total": stored.versions_total,
        "versions_start": stored.versions_start,
    }
    if similar is not None:
        data["similar"] = [hit_json(hit) for hit in similar]
    return data


def version_json(version: Version) -> dict:
    comparison = version.comparison
    return {
        "id": version.id,
        "title": version.title,
        "date": version.date.iso() if version.date else None,
        "precision": str(version.date.precision) if version.date else None,
        "date_inferred": version.date_inferred,
        "comparison": {
            "added": list(comparison.added),
            "dropped": list(comparison.dropped),
            "reworded": len(comparison.reworded),
            "same": comparison.same,
            "truncated": comparison.truncated,
            "blocks": [
                {
                    "change": str(block.change),
                    "text": block.text,
                    **({"other": block.other, "words": [{"change": str(c), "text": t} for c, t in block.words]}
                       if block.other else {}),
                }
                for block in comparison.blocks
            ],
        },
    }


bp = Blueprint("api", __name__)


# The most results `page_size` gives at once (the index's own ceiling).
MAX_API_PAGE_SIZE = MAX_PAGE_SIZE


@bp.get("/api/search")
def search():
    state = SearchState.from_args(request.args)
    return jsonify(result_json(search_for(state, page_size=api_page_size(request.args))))


def api_page_size(args) -> int | None:
    """`page_size`: 1 to MAX_API_PAGE_SIZE results a page (absent: the page's own)."""
    value = args.get("page_size") or None
    if value is None:
        return None
    if not re.fullmatch(r"[0-9]{1,9}", value) or not 1 <= int(value) <= MAX_API_PAGE_SIZE:
        raise BadParameter(f"« {value[:40]} » : page_size est un entier de 1 à {MAX_API_PAGE_SIZE}.")
    return int(value)


@bp.get("/api/depeche/<path:dispatch_id>")
def dispatch(dispatch_id: str):
    size = current_app.config["VERSIONS_PER_PAGE"]
    stored = archive_index().get(dispatch_id, versions_start=(versions_page(request.args) - 1) * size,
                                 versions_limit=size)
    if stored is None:
        abort(404, description=f"aucune dépêche n’a l’identifiant « {dispatch_id[:200]} »")
    data = dispatch_json(stored, archive_index().similar(dispatch_id))
    # Its address by content (web/permalink.py), which survives renaming the file.
    data["permalink"] = permalink_url(archive_index().permalink_key(dispatch_id))
    return jsonify(data)


@bp.get("/healthz")
def healthz():
    try:
        documents = archive_index().count()
    except (IndexMissing, NeedsRebuild, SearchUnavailable) as error:
        return jsonify(status="unavailable", error=unavailable_message(error)), 503
    return jsonify(status="ok", documents=documents)
