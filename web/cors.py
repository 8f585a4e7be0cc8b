"""Cross-origin reading (CORS) of the machine-readable answers: the JSON API, the
OpenAPI document, the exports and the Atom feed, so that a page served elsewhere can
read them with `fetch`.

The archive is public and read-only (GET only, no cookies, no accounts), so the default
lets any origin read (`*`). `ARCHIVE_CORS_ORIGINS` narrows it to a space-separated list
of origins (the one asking is then echoed, with `Vary: Origin`), or turns it off when
empty. The HTML pages get no such header.
"""

from __future__ import annotations

from flask import Flask, request

# Paths whose answers are meant for programs.
PREFIXES = ("/api/", "/healthz", "/export.", "/flux.atom")
# Headers beyond the simple ones that a script may read: the row count of an export.
EXPOSED = "X-Total-Count"


def allowed_origin(setting: str, origin: str | None) -> str | None:
    """The `Access-Control-Allow-Origin` value for a request from `origin`, or None."""
    origins = setting.split()
    if "*" in origins:
        return "*"
    return origin if origin and origin in origins else None


def register(app: Flask) -> None:
    @app.after_request
    def cors_headers(response):
        if request.method not in ("GET", "HEAD", "OPTIONS") or not request.path.startswith(PREFIXES):
            return response
        setting = str(app.config.get("CORS_ORIGINS") or "")
        allowed = allowed_origin(setting, request.headers.get("Origin"))
        if allowed != "*" and setting.strip():
            # The answer differs by origin: a shared cache must keep them apart.
            response.vary.add("Origin")
        if allowed is not None:
            response.headers["Access-Control-Allow-Origin"] = allowed
            response.headers["Access-Control-Expose-Headers"] = EXPOSED
        return response
