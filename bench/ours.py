"""Our side: the archive's own command line and public `index` API, nothing private.

Builds and updates run the real `archive reindex` command in a child process, so the
figures include start-up, the readers and any worker processes; updates run once more
in-process through `index.reindex` to show the cost without start-up. Queries go through
one warm `open_index` handle, the way the web app keeps it.

Every call into the project is in this module: when the API moves, only this file moves.
"""

from __future__ import annotations

import importlib
import shutil
import sys
from pathlib import Path

from bench.queries import BenchQuery, Mode

REPO = Path(__file__).resolve().parents[1]


class NotAvailable(Exception):
    """Our side cannot run (the `index` package or its API is missing)."""


def cli() -> list[str]:
    """The installed `archive` script next to this interpreter, else `python -m web.cli`."""
    script = Path(sys.executable).with_name("archive")
    if script.exists():
        return [str(script)]
    found = shutil.which("archive")
    return [found] if found else [sys.executable, "-m", "web.cli"]


def search_total(handle, request, query: BenchQuery, mode: Mode) -> int:
    """Runs `query` on a search handle as `mode` asks (a `SearchRequest` made by
    `request`), and returns the number of matches."""
    return handle.search(request(
        query=query.text,
        year=query.year,
        with_snippets=mode is not Mode.RANKING,
        with_facets=mode is Mode.PAGE,
        page_size=10,
    )).total


class OurSearcher:
    def __init__(self, index_dir: Path):
        api = _api()
        self._request = api["SearchRequest"]
        self._clear = api["clear_caches"]
        self.handle = api["open_index"](index_dir)

    def prepare(self) -> None:
        """Empty the caches and read ahead as `archive serve` does when it starts
        (there in a background thread; here before the clock starts)."""
        self._clear()
        self.handle.warm()

    def search(self, query: BenchQuery, mode: Mode) -> int:
        return search_total(self.handle, self._request, query, mode)

    def close(self) -> None:
        close = getattr(self.handle, "close", None)
        if close is not None:
            close()


class Ours:
    name = "ours"
    label = "ours"

    def build_command(self, root: Path, index_dir: Path) -> list[str]:
        return [*cli(), "reindex", "--rebuild", "--index", str(index_dir), str(root)]

    def update_command(self, root: Path, index_dir: Path) -> list[str]:
        return [*cli(), "reindex", "--index", str(index_dir), str(root)]

    def serve_command(self, index_dir: Path, host: str, port: int) -> list[str]:
        return [*cli(), "serve", "--index", str(index_dir), "--host", host, "--port", str(port)]

    def maintenance_command(self, index_dir: Path) -> list[str]:
        return [*cli(), "optimise", "--index", str(index_dir)]

    def update(self, root: Path, index_dir: Path) -> str | None:
        report = _api()["reindex"](index_dir, [root], rebuild=False)
        if report.failures:
            first = report.failures[0]
            return f"{len(report.failures)} files not indexed, e.g. {Path(first.path).name}: {first.reason}"
        return None

    def open(self, index_dir: Path) -> OurSearcher:
        return OurSearcher(index_dir)


def load() -> Ours:
    """Our engine, or `NotAvailable` saying what is missing."""
    _api()
    return Ours()


def _api() -> dict:
    try:
        index = importlib.import_module("index")
        results = importlib.import_module("index.results")
        # A hook of the cold-cache measurements, not of the index's public surface.
        cache = importlib.import_module("index.cache")
        return {"reindex": index.reindex, "open_index": index.open_index,
                "SearchRequest": results.SearchRequest, "clear_caches": cache.clear_caches}
    except (ImportError, AttributeError) as error:
        raise NotAvailable(str(error)) from error
