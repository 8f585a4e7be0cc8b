"""`python -m bench.export --index DIR`: the whole result set through the real server.

Serves an existing index with `archive serve` (waitress, as in production), downloads
`/export.csv` and `/export.jsonl` of the whole archive, with and without `texte=1`,
and reports for each the time, the bytes and rows received, and the server's peak
RSS against its RSS before the download. A last run reads the first bytes of an
export and hangs up, then checks that the server holds no more index files open than
before (the export's searcher was closed).
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
import urllib.request
from pathlib import Path

import click

from bench.http import HOST, free_port, serve

EXPORTS = ("/export.csv?versions=toutes", "/export.csv?versions=toutes&texte=1",
           "/export.jsonl?versions=toutes", "/export.jsonl?versions=toutes&texte=1")


class _PeakRss:
    """Samples a process tree's RSS every few milliseconds while it runs."""

    def __init__(self, server, interval: float = 0.01) -> None:
        self.server, self.interval, self.peak = server, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.server.rss())
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


@click.command()
@click.option("--index", "index_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True)
@click.option("--threads", type=int, default=2, show_default=True)
def main(index_dir: Path, threads: int) -> None:
    archive = shutil.which("archive", path=str(Path(sys.executable).parent)) or "archive"
    port = free_port()
    command = [archive, "serve", "--index", str(index_dir), "--port", str(port), "--threads", str(threads)]
    with serve(command, port, Path.cwd()) as server:
        base = f"http://{HOST}:{port}"
        _download(base, "/api/search?q=france")  # caches of the generation read once
        click.echo(f"{'export':<42} {'rows':>7} {'MB':>8} {'s':>7} {'RSS before MB':>14} {'peak MB':>8}")
        for path in EXPORTS:
            before = server.rss()
            with _PeakRss(server) as peak:
                size, lines, seconds = _download(base, path)
            rows = lines - 1 if ".csv" in path else lines  # CSV: the header line
            if "texte=1" in path and ".csv" in path:
                rows = None  # quoted texts hold line breaks: lines are not rows
            click.echo(f"{path:<42} {rows if rows is not None else '-':>7} {size / 1e6:>8.1f} {seconds:>7.2f} "
                       f"{before / 1e6:>14.1f} {peak.peak / 1e6:>8.1f}")
        files = _index_files(server, index_dir)
        with urllib.request.urlopen(base + EXPORTS[1], timeout=600) as answer:
            answer.read(1 << 16)  # the client hangs up after 64 kB
        time.sleep(2)
        click.echo(f"index files open before a cut export: {files}, after: {_index_files(server, index_dir)}")


if __name__ == "__main__":
    main()
