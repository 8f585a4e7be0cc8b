"""The search page, the dispatch pages and the JSON API, as one Flask app factory.

Configuration comes from the defaults below, then `ARCHIVE_`-prefixed environment
variables (`ARCHIVE_INDEX_DIR=/srv/index`), then `test_config`.
"""

from __future__ import annotations

def create_app(test_config: dict | None = None):
    # Imported here, not at the top: `archive reindex` and `archive search` live in this
    # package (web/cli.py) and should not pay for loading Flask and the pages.
    from flask import Flask

    from web import api, cors, dispatch, errors, export, feed, formatting, guide, headers, openapi, permalink, search, trends
    from index import Backend
    from web.handle import IndexHandle

    app = Flask(__name__)
    app.config.from_mapping(
        INDEX_DIR="index-data",
        # The search engine: "whoosh" (the folder INDEX_DIR) or "opensearch" (a cluster
        # at OPENSEARCH_URL, comma-separated nodes with user:password@ for basic auth,
        # the archive under the alias OPENSEARCH_INDEX; OPENSEARCH_VERIFY=false accepts
        # any TLS certificate, or names a CA bundle). See index/backend.py.
        BACKEND="whoosh",
        OPENSEARCH_URL=None,
        OPENSEARCH_INDEX=None,
        OPENSEARCH_VERIFY=None,
        # The folder `archive reindex` reads. Pages never open files: dispatches are
        # looked up by id in the index only.
        ARCHIVE_ROOT="seeds",
        PAGE_SIZE=10,
        LOCALE="fr",
        # Read ahead, in the background, what the first queries of each index
        # generation need (the posting lists of frequent words).
        WARM_CACHES=True,
        # Other versions of a story listed and compared on a dispatch's page at once.
        VERSIONS_PER_PAGE=10,
        # The site's public address (`https://archive.example.org`), the base of the
        # permalinks citations print; unset, the address the request came to.
        PUBLIC_URL=None,
        # Origins allowed to read the API, the exports and the feed from a page of theirs
        # (CORS): `*` for any (the archive is public and read-only), a space-separated
        # list of origins, or empty for none.
        CORS_ORIGINS="*",
        # Entries of an Atom feed (/flux.atom): the newest dispatches of its search.
        FEED_SIZE=50,
    )
    app.config.from_prefixed_env("ARCHIVE")
    app.json.ensure_ascii = False  # French text as it is written, not \u00e9 escapes
    if test_config is not None:
        app.config.from_mapping(test_config)

    # One handle for the app's lifetime: it keeps a Whoosh searcher per thread and
    # refreshes it when a reindex commits, so new dispatches appear without a restart.
    app.extensions["archive_index"] = IndexHandle(app.config["INDEX_DIR"], warm=app.config["WARM_CACHES"],
                                                  backend=Backend.from_config(app.config))

    formatting.register(app)
    errors.register(app)
    headers.register(app)
    cors.register(app)
    app.register_blueprint(search.bp)
    app.register_blueprint(dispatch.bp)
    app.register_blueprint(permalink.bp)
    app.register_blueprint(guide.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(trends.bp)
    app.register_blueprint(export.bp)
    app.register_blueprint(feed.bp)
    app.register_blueprint(openapi.bp)
    return app
