"""Where a full OpenSearch build spends its CPU: this process (reading, fingerprints,
documents, JSON, HTTP) and the nodes' JVMs (analysis, indexing), per dispatch.

    python scripts/cluster.py start --nodes 1 --free-ports --dir var/os-build
    .venv/bin/python -m bench.opensearch_build --cluster var/os-build ARCHIVE [--runs 2]

runs `archive reindex --rebuild` in-process (`index.opensearch.writer.reindex`) on
ARCHIVE (`python -m bench.corpus`'s `materialise` writes one of the news corpus) and
prints, per run, the dispatches per second and the CPU seconds of this process and of
the cluster's JVMs (read from `cluster.json`), divided by the dispatches. CPU rather
than elapsed time: on a machine shared with other work, elapsed time measures the
others too. The first run in a fresh JVM pays its JIT warm-up: give `--runs 2` or more.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import psutil


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _nodes_cpu(processes: list[psutil.Process]) -> float:
    return sum(sum(p.cpu_times()[:2]) for p in processes)


def measure(archive: Path, urls: list[str], pids: list[int], index: str) -> dict:
    """One rebuild of `archive` into the alias `index`: dispatches, elapsed seconds,
    and CPU seconds of this process and of the nodes."""
    from index.opensearch.connection import Target
    from index.opensearch.writer import reindex

    nodes = [psutil.Process(pid) for pid in pids]
    target = Target.from_settings(",".join(urls), index)
    own, cluster, began = _own_cpu(), _nodes_cpu(nodes), time.perf_counter()
    report = reindex(target, [archive], rebuild=True)
    return {"dispatches": report.added, "seconds": time.perf_counter() - began,
            "python_cpu": _own_cpu() - own, "server_cpu": _nodes_cpu(nodes) - cluster}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("archive", type=Path)
    parser.add_argument("--cluster", type=Path, required=True, help="the folder scripts/cluster.py started")
    parser.add_argument("--index", default="bench-build", help="the alias to build (its indexes are deleted after)")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    state = json.loads((args.cluster / "cluster.json").read_text(encoding="utf-8"))
    try:
        for run in range(1, args.runs + 1):
            m = measure(args.archive, state["urls"], state["pids"], args.index)
            n = max(m["dispatches"], 1)
            print(f"run {run}: {m['dispatches']} dispatches in {m['seconds']:.1f} s ({n / m['seconds']:.0f}/s); "
                  f"CPU per dispatch: Python {m['python_cpu'] / n * 1e6:.0f} us, "
                  f"nodes {m['server_cpu'] / n * 1e6:.0f} us", flush=True)
    finally:
        from opensearchpy import OpenSearch

        OpenSearch(hosts=state["urls"]).indices.delete(index=f"{args.index}*", ignore_unavailable=True)


if __name__ == "__main__":
    main()
