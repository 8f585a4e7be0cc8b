"""Headers every answer carries beyond its body: how long it may be cached, and
redirects that stay on the address the person used.

Pages and API answers change with each reindex, so a cache must ask again each time
(`no-cache`); an error for a missing index must not be kept at all (`no-store`). Static
files are linked with a hash of their content (`archive.css?v=3f2a…`), so they may be
kept a year: a new stylesheet comes with a new address.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, request

PAGES = "no-cache"
UNAVAILABLE = "no-store"
STATIC_VERSIONED = "public, max-age=31536000, immutable"


@lru_cache(maxsize=64)
def _version(path: Path, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def static_version(app: Flask, filename: str) -> str | None:
    """A short hash of a static file's content (None for a file that is not there)."""
    path = Path(app.static_folder or "", filename)
    try:
        return _version(path, path.stat().st_mtime_ns)
    except OSError:
        return None


def _current(app: Flask) -> bool:
    """Whether a static file was asked for with its content's hash (an old or made-up
    hash gets the file as it is now, which must not be kept a year)."""
    version = request.args.get("v")
    return bool(version) and version == static_version(app, (request.view_args or {}).get("filename", ""))


def register(app: Flask) -> None:
    @app.url_defaults
    def version_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values:
            version = static_version(app, values.get("filename", ""))
            if version is not None:
                values["v"] = version

    @app.after_request
    def caching_and_location(response):
        if request.endpoint == "static" and _current(app):
            response.headers["Cache-Control"] = STATIC_VERSIONED
        elif response.status_code >= 500:
            response.headers["Cache-Control"] = UNAVAILABLE
        elif request.endpoint != "static":
            response.headers["Cache-Control"] = PAGES
        # Werkzeug writes its own redirects (`/depeche//x` → `/depeche/x`) with the
        # Host header as sent, which a client may forge: keep only the path, which the
        # browser resolves against the address it asked.
        if response.location and response.location.startswith(request.host_url):
            response.location = "/" + response.location[len(request.host_url):]
        return response
