"""`python -m loadtest --docs 34103`: index N OrangeSum articles (or reuse that index),
start `archive serve` on loopback, load it with wrk at 1, 8 and 32 clients, and write
requests/s, latency percentiles, errors and the server's memory to docs/load-test.md."""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from bench.corpus import missing_corpus
from loadtest import corpus, queries, report, wrk
from loadtest.server import serve
from web.cli import DEFAULT_THREADS


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m loadtest", description=__doc__)
    parser.add_argument("--docs", type=int, default=34103, help="articles to index (the corpus has 34,103)")
    parser.add_argument("--clients", default="1,8,32", help="concurrent clients, one run each")
    parser.add_argument("--duration", type=int, default=30, help="seconds of load per run")
    parser.add_argument("--warm-up", type=int, default=10, help="seconds of load before measuring")
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS,
                        help="the server's worker threads [default: as `archive serve`, one per core]")
    parser.add_argument("--out", type=Path, default=corpus.REPOSITORY / "docs" / "load-test.md")
    options = parser.parse_args()
    if message := missing_corpus():
        parser.exit(2, message + "\n")
    if not wrk.available():
        parser.error("wrk is not installed (Debian: apt-get install wrk)")
    clients = [int(c) for c in options.clients.split(",")]

    work = corpus.WORK / f"n{options.docs}"
    built = corpus.build(options.docs, log=lambda line: print(line, flush=True))
    paths = queries.request_paths(list(built.titles), list(built.ids))
    runs, memory = [], {}
    with serve(built.index_dir, options.threads, work / "server.log") as server:
        memory["started"] = server.rss_mb()
        print(f"server on {server.base}, {memory['started']:.0f} MB; warming up {options.warm_up} s", flush=True)
        wrk.run(server.base, paths, 8, options.warm_up, work)
        memory["before"] = server.rss_mb()
        cpu_before = server.cpu_seconds()
        for count in clients:
            load = os.getloadavg()[0]
            run = wrk.run(server.base, paths, count, options.duration, work)
            memory[count] = server.rss_mb()
            runs.append((run, load))
            print(f"{count:3} clients: {run.per_second:6.1f} req/s, p50 {run.p50_ms:.0f} ms, "
                  f"p95 {run.p95_ms:.0f} ms, p99 {run.p99_ms:.0f} ms, {run.errors} errors, "
                  f"{memory[count]:.0f} MB (machine load {load:.1f})", flush=True)
        memory["after"] = server.rss_mb()
        server_cpu = server.cpu_seconds() - cpu_before
    context = {
        "docs": built.documents,
        "build_seconds": built.build_seconds,
        "paths": len(paths),
        "duration": options.duration,
        "threads": options.threads,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "server_cpu": server_cpu,
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }
    report.write(options.out, report.markdown(runs, memory, context))
    print(f"written to {options.out}")


if __name__ == "__main__":
    main()
