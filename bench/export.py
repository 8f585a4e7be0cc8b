"""`python -m bench.export --index DIR`: the whole result set through the real server.

Serves an existing index with `archive serve` (waitress, as in production), downloads
`/export.csv` and `/export.jsonl` of the whole archive, with and without `texte=1`,
and reports for each the time, the bytes and rows received, and the server's peak
RSS (and anonymous RSS: its heap, without the index files it maps) against those before
the download. The same exports are first read in process, where tracemalloc gives the
peak of Python allocations apart from the server's output buffers. A last run reads the first bytes of an
export and hangs up, then checks that the server holds no more index files open than
before (the export's searcher was closed).
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
import tracemalloc
import urllib.request
from pathlib import Path

import click

from bench.http import HOST, free_port, serve

EXPORTS = ("/export.csv?versions=toutes", "/export.csv?versions=toutes&texte=1",
           "/export.jsonl?versions=toutes", "/export.jsonl?versions=toutes&texte=1")


def anonymous_rss(pid: int) -> int:
    """The process's anonymous resident memory (Linux `RssAnon`): its heap, not the
    pages of index files Whoosh maps into memory, which RSS also counts and the system
    may drop at will."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class _PeakRss:
    """Samples a server's RSS and anonymous RSS every few milliseconds while it runs."""

    def __init__(self, server, interval: float = 0.01) -> None:
        self.server, self.interval, self.peak, self.peak_anon = server, interval, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.server.rss())
            self.peak_anon = max(self.peak_anon, anonymous_rss(self.server.process.pid))
            time.sleep(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _download(base: str, path: str) -> tuple[int, int, float]:
    started = time.perf_counter()
    size = lines = 0
    with urllib.request.urlopen(base + path, timeout=600) as answer:
        while chunk := answer.read(1 << 16):
            size += len(chunk)
            lines += chunk.count(b"\n")
    return size, lines, time.perf_counter() - started


def _index_files(server, index_dir: Path) -> int:
    root = str(index_dir.resolve())
    return sum(1 for f in server.process.open_files() if f.path.startswith(root))


def in_process(index_dir: Path) -> None:
    """The same exports through Flask's test client, without a server: the time, and
    the peak of Python allocations while each is read (tracemalloc), apart from what a
    server's output buffers hold."""
    from web import create_app

    client = create_app({"INDEX_DIR": str(index_dir), "WARM_CACHES": False}).test_client()
    client.get("/api/search?q=france")  # caches of the generation read once
    click.echo(f"{'in process':<42} {'MB':>8} {'s':>7} {'traced peak MB':>15} {'anon before/after MB':>21}")
    for path in EXPORTS:
        before = anonymous_rss(os.getpid())
        tracemalloc.start()
        started = time.perf_counter()
        try:
            response = client.get(path, buffered=False)
            size = sum(len(chunk) for chunk in response.response)
            response.close()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        seconds = time.perf_counter() - started
        click.echo(f"{path:<42} {size / 1e6:>8.1f} {seconds:>7.2f} {peak / 1e6:>15.1f} "
                   f"{before / 1e6:>10.1f} /{anonymous_rss(os.getpid()) / 1e6:>7.1f}")


@click.command()
@click.option("--index", "index_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True)
@click.option("--threads", type=int, default=2, show_default=True)
@click.option("--skip-server", is_flag=True, help="Only the in-process measures.")
@click.option("--skip-in-process", is_flag=True, help="Only the measures through the server.")
def main(index_dir: Path, threads: int, skip_server: bool, skip_in_process: bool) -> None:
    if not skip_in_process:
        in_process(index_dir)
    if skip_server:
        return
    archive = shutil.which("archive", path=str(Path(sys.executable).parent)) or "archive"
    port = free_port()
    command = [archive, "serve", "--index", str(index_dir), "--port", str(port), "--threads", str(threads)]
    # Without the read-ahead of frequent words' postings that a server starts in the
    # background: it would fill caches during the first download and be counted there.
    os.environ["ARCHIVE_WARM_CACHES"] = "false"
    with serve(command, port, Path.cwd()) as server:
        base = f"http://{HOST}:{port}"
        _download(base, "/api/search?q=france")  # caches of the generation read once
        click.echo(f"{'export':<42} {'rows':>7} {'MB':>8} {'s':>7} {'RSS before/peak MB':>19} "
                   f"{'anon before/peak MB':>20}")
        for path in EXPORTS:
            before, before_anon = server.rss(), anonymous_rss(server.process.pid)
            with _PeakRss(server) as peak:
                size, lines, seconds = _download(base, path)
            rows = lines - 1 if ".csv" in path else lines  # CSV: the header line
            if "texte=1" in path and ".csv" in path:
                rows = None  # quoted texts hold line breaks: lines are not rows
            click.echo(f"{path:<42} {rows if rows is not None else '-':>7} {size / 1e6:>8.1f} {seconds:>7.2f} "
                       f"{before / 1e6:>9.1f} /{peak.peak / 1e6:>7.1f} {before_anon / 1e6:>10.1f} /"
                       f"{peak.peak_anon / 1e6:>7.1f}")
        files = _index_files(server, index_dir)
        with urllib.request.urlopen(base + EXPORTS[1], timeout=600) as answer:
            answer.read(1 << 16)  # the client hangs up after 64 kB
        time.sleep(2)
        click.echo(f"index files open before a cut export: {files}, after: {_index_files(server, index_dir)}")


if __name__ == "__main__":
    main()
