"""The OpenAPI 3 description of what programs may ask: `/api/openapi.json`.

It describes the JSON API, the exports, the Atom feed and `/healthz`; tests validate
the real answers against it (tests/test_openapi.py). Objects allow properties beyond
those listed, so that adding a field to an answer is not a breaking change.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

bp = Blueprint("openapi", __name__)


def _param(name: str, description: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


_NULLABLE_STRING = {"type": "string", "nullable": True}
_PARTIAL_DATE = {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}
_FLAG = {"type": "string", "enum": ["1", "0", "oui", "non", "true", "false", "on", "off", ""]}

SEARCH_PARAMETERS = [
    _param("q", "La requête (guillemets, -exclusion, OU, titre:, date:2019-04…).", {"type": "string", "maxLength": 1000}),
    _param("exact", "1 : chaque mot sous sa forme exacte.", _FLAG),
    _param("annee", "Une année (AAAA).", {"type": "string", "pattern": r"^\d{4}$"}),
    _param("mois", "Un mois (AAAA-MM).", {"type": "string", "pattern": r"^\d{4}-\d{2}$"}),
    _param("jour", "Un jour (AAAA-MM-JJ).", {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}),
    _param("sans_date", "1 : seulement les dépêches sans date.", _FLAG),
    _param("du", "Depuis cette date (AAAA, AAAA-MM ou AAAA-MM-JJ), incluse.", _PARTIAL_DATE),
    _param("au", "Jusqu’à cette date, incluse.", _PARTIAL_DATE),
    _param("tri", "Ordre : pertinence (par défaut avec une requête), recent, ancien.",
           {"type": "string", "enum": ["pertinence", "recent", "ancien"]}),
    _param("versions", "« toutes » : chaque version d’un sujet ; sinon une par sujet.",
           {"type": "string", "enum": ["toutes", ""]}),
]
PAGE = _param("page", "Numéro de page, à partir de 1.", {"type": "integer", "minimum": 1})
PAGE_SIZE = _param("page_size", "Résultats par page, de 1 à 100.", {"type": "integer", "minimum": 1, "maximum": 100})
TEXT = _param("texte", "1 : ajouter le texte complet de chaque dépêche.", _FLAG)

SCHEMAS = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
    "Hit": {
        "type": "object",
        "required": ["id", "title", "date", "precision", "date_inferred", "score", "snippet", "partial", "story",
                     "other_versions"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "date": {**_PARTIAL_DATE, "nullable": True},
            "precision": {"type": "string", "enum": ["year", "month", "day", None], "nullable": True},
            "date_inferred": {"type": "boolean"},
            "source": {"type": "string"},
            "byline": _NULLABLE_STRING,
            "score": {"type": "number"},
            "snippet": {"type": "string", "description": "HTML : texte échappé, mots trouvés dans <mark>."},
            "partial": {"type": "boolean"},
            "story": _NULLABLE_STRING,
            "other_versions": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Facet": {"type": "object", "required": ["value", "count"],
              "properties": {"value": {"type": "string"}, "count": {"type": "integer", "minimum": 0}}},
    "SearchResult": {
        "type": "object",
        "required": ["query", "total", "dispatches", "partial_total", "page", "page_size", "pages", "sort", "exact",
                     "collapse_versions", "filters", "hits", "facets", "suggestion", "notice", "offers", "elapsed_ms"],
        "properties": {
            "query": {"type": "string"},
            "total": {"type": "integer", "minimum": 0},
            "dispatches": {"type": "integer", "minimum": 0},
            "partial_total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "page_size": {"type": "integer", "minimum": 1, "maximum": 100},
            "pages": {"type": "integer", "minimum": 1},
            "sort": {"type": "string", "enum": ["relevance", "newest", "oldest"]},
            "exact": {"type": "boolean"},
            "collapse_versions": {"type": "boolean"},
            "filters": {"type": "object", "properties": {
                "year": {"type": "integer", "nullable": True},
                "month": _NULLABLE_STRING, "day": _NULLABLE_STRING, "undated": {"type": "boolean"},
                "from": _NULLABLE_STRING, "to": _NULLABLE_STRING}},
            "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
            "facets": {"type": "object", "required": ["years", "months", "days", "undated"], "properties": {
                "years": {"type": "array", "items": {"$ref": "#/components/schemas/Facet"}},
                "months": {"type": "array", "items": {"$ref": "#/components/schemas/Facet"}},
                "days": {"type": "array", "items": {"$ref": "#/components/schemas/Facet"}},
                "undated": {"type": "integer", "minimum": 0}}},
            "suggestion": _NULLABLE_STRING,
            "notice": _NULLABLE_STRING,
            "offers": {"type": "array", "items": {"type": "object", "required": ["kind", "message", "query"],
                                                  "properties": {"kind": {"type": "string"},
                                                                 "message": {"type": "string"},
                                                                 "query": {"type": "string"}}}},
            "elapsed_ms": {"type": "number"},
        },
    },
    "Version": {"type": "object", "required": ["id", "title", "date", "comparison"], "properties": {
        "id": {"type": "string"}, "title": {"type": "string"}, "date": _NULLABLE_STRING,
        "comparison": {"type": "object"}}},
    "Dispatch": {
        "type": "object",
        "required": ["id", "title", "date", "precision", "paragraphs", "date_inferred", "story", "versions",
                     "versions_total", "versions_start"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "date": {**_PARTIAL_DATE, "nullable": True},
            "precision": {"type": "string", "enum": ["year", "month", "day", None], "nullable": True},
            "paragraphs": {"type": "array", "items": {"type": "string"}},
            "date_inferred": {**_PARTIAL_DATE, "nullable": True},
            "story": _NULLABLE_STRING,
            "versions": {"type": "array", "items": {"$ref": "#/components/schemas/Version"}},
            "versions_total": {"type": "integer", "minimum": 0},
            "versions_start": {"type": "integer", "minimum": 0},
            "similar": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
        },
    },
    "Health": {"type": "object", "required": ["status"], "properties": {
        "status": {"type": "string", "enum": ["ok", "unavailable"]},
        "documents": {"type": "integer", "minimum": 0}, "error": {"type": "string"}}},
}


def _json(schema: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def _text(mimetype: str, description: str) -> dict:
    return {"description": description, "content": {mimetype: {"schema": {"type": "string"}}}}


BAD = _json("Error", "Paramètre illisible (message en français).")
UNAVAILABLE = _json("Error", "Index absent ou à reconstruire.")


def _export(mimetype: str, what: str) -> dict:
    return {"get": {
        "summary": f"Tous les résultats d’une recherche en {what}, dans l’ordre de la page (au-delà de 10 000).",
        "parameters": [*SEARCH_PARAMETERS, TEXT],
        "responses": {"200": {**_text(mimetype, f"Le fichier {what}, envoyé au fil de la lecture."),
                              "headers": {"X-Total-Count": {"description": "Nombre de lignes de résultats.",
                                                            "schema": {"type": "integer"}}}},
                      "400": _text("text/html", "Paramètre illisible."),
                      "503": _text("text/html", "Index absent ou à reconstruire.")},
    }}


DOCUMENT = {
    "openapi": "3.0.3",
    "info": {
        "title": "Archive des dépêches",
        "version": "1",
        "description": "Recherche en lecture seule dans une archive de dépêches en français. "
                       "Les paramètres de recherche sont ceux de la page (voir /aide).",
    },
    "paths": {
        "/api/search": {"get": {
            "summary": "Une page de résultats, ses facettes de date et ses suggestions.",
            "parameters": [*SEARCH_PARAMETERS, PAGE, PAGE_SIZE],
            "responses": {"200": _json("SearchResult", "Une page de résultats."), "400": BAD, "503": UNAVAILABLE},
        }},
        "/api/depeche/{id}": {"get": {
            "summary": "Une dépêche, ses autres versions comparées et des dépêches similaires.",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                           _param("versions_page", "Page des autres versions.", {"type": "integer", "minimum": 1})],
            "responses": {"200": _json("Dispatch", "La dépêche."), "400": BAD,
                          "404": _json("Error", "Aucune dépêche n’a cet identifiant."), "503": UNAVAILABLE},
        }},
        "/export.csv": _export("text/csv", "CSV"),
        "/export.jsonl": _export("application/x-ndjson", "JSON Lines"),
        "/flux.atom": {"get": {
            "summary": "Flux Atom d’une recherche, les dépêches les plus récentes d’abord.",
            "parameters": [*SEARCH_PARAMETERS],
            "responses": {"200": _text("application/atom+xml", "Le flux."),
                          "400": _text("text/html", "Paramètre illisible.")},
        }},
        "/healthz": {"get": {
            "summary": "L’archive répond-elle, et combien de dépêches tient-elle ?",
            "responses": {"200": _json("Health", "Prête."), "503": _json("Health", "Index absent.")},
        }},
        "/api/openapi.json": {"get": {
            "summary": "Ce document.",
            "responses": {"200": {"description": "OpenAPI 3.", "content": {"application/json": {"schema": {"type": "object"}}}}},
        }},
    },
    "components": {"schemas": SCHEMAS},
}


@bp.get("/api/openapi.json")
def document():
    return jsonify(DOCUMENT)
