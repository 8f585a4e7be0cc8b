"""The benchmark's table and memory sampling, without the news corpus: the OpenSearch
column appears only when the run measured it, and a command's peak memory can add a
server's processes (a cluster's nodes) to its own."""

from __future__ import annotations

import subprocess
import sys

import psutil
import pytest

from bench import report
from bench.measure import Stats, run_command
from bench.run import rows


def _result(values: dict[str, Stats | str]) -> report.SizeResult:
    result = report.SizeResult(n=10, formats={"txt": 10}, megabytes=0.1, queries=5, year_queries=1,
                               phrase_queries=1, rows=rows())
    for row in result.rows.values():
        row.values.update(values)
    return result


def test_opensearch_column_only_when_the_run_measured_it():
    measured = {"ours": Stats.of([2.0]), "whoosh": "left out", "tantivy": Stats.of([1.0])}
    without = report.table(_result({**measured, "opensearch": "left out"}))
    head = without.splitlines()[0]
    assert "OpenSearch" not in head and "plain Whoosh" in head  # only the optional column goes
    with_it = report.table(_result({**measured, "opensearch": Stats.of([8.0])})).splitlines()
    head = with_it[0].split(" | ")
    assert "ours on OpenSearch (3 nodes)" in head and "ours / ours on OpenSearch (3 nodes)" in head
    build = next(line for line in with_it if line.startswith("| full rebuild (s) |")).split(" | ")
    # Ours 2 s against 8 s on the cluster: the ratio column says 0.25, under its heading.
    assert build[head.index("ours on OpenSearch (3 nodes)")] == "8.00"
    assert build[head.index("ours / ours on OpenSearch (3 nodes)")] == "0.250"
    # An engine asked for but unable to run keeps its column, saying so.
    unavailable = report.table(_result({**measured, "opensearch": "not available"}))
    assert "not available" in unavailable.splitlines()[2]


@pytest.mark.slow
def test_peak_memory_adds_the_processes_watched_alongside():
    # A process holding 200 MB, standing for a server the command talks to.
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; b = bytearray(200 * 2**20); "
                               "b[::4096] = b'x' * len(b[::4096]); print('ready', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        server = psutil.Process(holder.pid)
        command = [sys.executable, "-c", "import time; time.sleep(0.5)"]
        alone = run_command(command)
        watched = run_command(command, also=[server])
        assert watched.peak_rss - alone.peak_rss > 190 * 2**20
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
