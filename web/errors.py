"""Error pages and JSON errors, chosen by status, and the security headers of every
response.

A bad parameter is a 400 with a French message, an unknown dispatch a 404, a missing
index a 503; nothing reaches the person as a stack trace.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from index import IndexDamaged, IndexMissing, NeedsRebuild, SearchUnavailable, Unsupported

logger = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

TITLES = {
    400: "Requête invalide",
    404: "Page introuvable",
    405: "Méthode non permise",
    500: "Erreur interne",
    501: "Fonction indisponible",
    503: "Archive indisponible",
}
MESSAGES = {
    400: "Un paramètre de l’adresse n’a pas pu être lu.",
    404: "Cette adresse ne correspond à aucune page de l’archive.",
    405: "Cette adresse ne s’utilise pas ainsi.",
    500: "Une erreur inattendue s’est produite ; elle a été consignée.",
}
UNAVAILABLE = {
    IndexMissing: "L’archive n’est pas encore indexée : lancez « archive reindex ».",
    # Before NeedsRebuild, which it is a case of: the first kind that matches speaks.
    IndexDamaged: "L’index de l’archive est illisible : lancez « archive reindex --rebuild ».",
    NeedsRebuild: "L’index a été écrit par une autre version : lancez « archive reindex --rebuild ».",
    SearchUnavailable: "Le moteur de recherche de l’archive ne répond pas pour le moment : réessayez dans un instant.",
}


def unavailable_message(error: Exception) -> str:
    """The French message for an index that cannot answer, by kind: each backend raises
    its own subclass (index/opensearch/connection.py)."""
    return next(text for kind, text in UNAVAILABLE.items() if isinstance(error, kind))


UNSUPPORTED = "Cette fonction n’est pas disponible avec le moteur de recherche de cette archive."


def _wants_json() -> bool:
    return request.blueprint == "api" or request.path.startswith("/api/")


def respond(status: int, message: str):
    if _wants_json():
        return jsonify(error=message), status
    title = TITLES.get(status, "Erreur")
    page = render_template("errors/error.html", status=status, title=title, message=message, error_page=True)
    return page, status


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        # Our own aborts carry a French description; Werkzeug's defaults are English.
        own = error.description if error.description != type(error).description else None
        response = make_response(respond(status, own or MESSAGES.get(status, error.name)))
        # Keep what the error says beyond its body (`Allow` on a 405).
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(IndexMissing)
    @app.errorhandler(NeedsRebuild)
    @app.errorhandler(SearchUnavailable)
    def index_unavailable(error):
        logger.warning("%s", error)
        return respond(503, unavailable_message(error))

    @app.errorhandler(Unsupported)
    def unsupported(error):
        return respond(501, UNSUPPORTED)

    @app.errorhandler(InternalServerError)
    def internal_error(error: InternalServerError):
        # Unhandled exceptions arrive here wrapped; Flask has already logged them.
        return respond(500, MESSAGES[500])

    @app.after_request
    def security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response
