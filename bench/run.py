"""One benchmark run: for each archive size, every engine, every measure, in a fair order.

Engines take turns inside each repetition (ours, ours on OpenSearch, Whoosh, Tantivy, then
again), so a slow
drift of the machine touches all of them alike. Queries and HTTP run on the freshly built
indexes; the incremental steps come last because they change the archive folder, and
every engine sees the same changes before the next set is made.
"""

from __future__ import annotations

import contextlib
import datetime
import importlib.metadata
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench import corpus, http, on_opensearch, report
from bench.engine import Engine
from bench.measure import Stats, folder_size, percentile, run_command
from bench.ours import REPO, NotAvailable
from bench.ours import load as load_ours
from bench.peers import PEERS
from bench.peers.plain_whoosh import GROUP
from bench.queries import BenchQuery, Mode, make_queries

MIB = 2**20
MODE_LABELS = {Mode.RANKING: "ranking", Mode.SNIPPETS: "+ snippets", Mode.PAGE: "+ snippets + facets"}
HTTP_CLIENTS = (1, 8)


@dataclass(frozen=True)
class Options:
    sizes: tuple[int, ...]
    repeat: int
    queries: int
    out: Path
    skip_http: bool
    http_requests: int
    http_seconds: float
    workdir: Path | None
    keep: bool
    seed: int
    engines: tuple[str, ...] = ("ours", "opensearch", "whoosh", "tantivy")
    opensearch_url: str | None = None  # nodes of a running cluster; else the run starts one
    opensearch_heap: str = "384m"  # each node's Java heap when the run starts the cluster
    skip_maintenance: bool = False


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(options: Options) -> str:
    notes = [f"plain Whoosh combines query words with `{GROUP.upper()}` "
             "(`BENCH_WHOOSH_GROUP`), the same rule as ours."]
    engines: list[Engine] = []
    if "ours" in options.engines:
        try:
            engines.append(load_ours())
        except NotAvailable as error:
            notes.append(f"ours: not available ({error}); only the peers were measured.")
            log(f"ours: not available ({error})")
    else:
        notes.append("ours: left out of this run (`--engines`).")
    load_before = load_average()
    log("loading the corpus")
    records = corpus.load_records()
    results = []
    with workspace(options) as work, contextlib.ExitStack() as stack:
        if "opensearch" in options.engines:
            try:
                cluster = stack.enter_context(on_opensearch.cluster(work, options.opensearch_url, log, options.opensearch_heap))
                engines.append(cluster)
                notes.append(opensearch_note(cluster, options.opensearch_url, options.opensearch_heap))
            except NotAvailable as error:
                notes.append(f"{on_opensearch.LABEL}: not available ({error}).")
                log(f"{on_opensearch.LABEL}: not available ({error})")
        engines += [peer for peer in PEERS if peer.name in options.engines]
        for n in options.sizes:
            # Past the corpus's size, altered copies of it (`corpus.enlarged`).
            results.append(bench_size(corpus.enlarged(records, n, options.seed), n, engines, options, work / f"n{n}"))
        # Written before the (slow) clean-up of tens of thousands of files.
        settings = {"sizes": ", ".join(report.thousands(r.n) for r in results),
                    "repetitions": str(options.repeat), "queries per size": str(options.queries),
                    "HTTP bounds": "skipped" if options.skip_http else
                    f"{options.http_requests} requests or {options.http_seconds:.0f} s per run",
                    "maintenance merge": "skipped" if options.skip_maintenance else "after the updates",
                    "load average (1 min) at start / end": f"{load_before} / {load_average()}"}
        page = report.render(machine(), settings, results, notes)
        options.out.parent.mkdir(parents=True, exist_ok=True)
        options.out.write_text(page, encoding="utf-8")
        log(f"wrote {options.out}; removing the temporary folder")
    return page


def opensearch_note(cluster, url: str | None, heap: str) -> str:
    if url:
        return (f"{cluster.label}: on the nodes given ({url}); peak memory counts the build "
                "command only (the nodes' processes are not ours to watch).")
    return (f"{cluster.label}: a cluster started for this run by scripts/cluster.py (OpenSearch 2.19, "
            f"{heap} heap per node, 1 primary shard + 1 replica); its start-up is not in any row. Peak "
            "memory = the build command's process tree + the three nodes' JVMs, summed on each sample.")


@contextlib.contextmanager
def workspace(options: Options) -> Iterator[Path]:
    if options.workdir is not None:
        options.workdir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-", dir=options.workdir))
    log(f"working in {work}")
    try:
        yield work
    finally:
        if options.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


# Queries that walk much of the archive rather than rank a few matches (the archive's own
# search, on Whoosh and on OpenSearch; the peers have no such page): the
# empty query browses everything, `*` must cost what it costs, `a*` expands a prefix to
# hundreds of words. Each timed BROWSING_RUNS times as a whole page, after one warm-up.
BROWSING = (("empty", ""), ("star", "*"), ("prefix", "a*"))
BROWSING_RUNS = 20
BROWSING_ENGINES = ("ours", "opensearch")


def rows() -> dict[str, report.Row]:
    labels = [("build_s", "full rebuild (s)", "lower"),
              ("build_rate", "full rebuild (dispatches/s)", "higher"),
              ("build_rss", "full rebuild, peak RSS (MiB)", "lower"),
              ("build_pss", "full rebuild, peak PSS (MiB)", "lower"),
              ("size", "index size on disk (MiB)", "lower"),
              ("noop_sub", "no-op reindex, subprocess (s)", "lower"),
              ("noop_in", "no-op reindex, in-process (s)", "lower"),
              ("inc_sub", "incremental 10+10+10, subprocess (s)", "lower"),
              ("inc_in", "incremental 10+10+10, in-process (s)", "lower"),
              ("maint_s", "maintenance merge after the updates (s)", "lower"),
              ("maint_rss", "maintenance merge, peak RSS (MiB)", "lower")]
    labels.append(("warm_s", "read-ahead before the queries (s)", ""))
    for mode in Mode:
        for q in (50, 95):
            labels.append((f"{mode}_p{q}", f"query {MODE_LABELS[mode]}, p{q} (ms)", "lower"))
    for key, text in BROWSING:
        for q in (50, 95):
            labels.append((f"{key}_p{q}", f"page of `{text}`, p{q} (ms)" if text else f"page of the empty query, p{q} (ms)", ""))
    labels.append(("matches", "matches per query (mean; a check)", ""))
    for clients in HTTP_CLIENTS:
        labels += [(f"http{clients}_rate", f"HTTP, {clients} client{'s' * (clients > 1)} (requests/s)", ""),
                   (f"http{clients}_p95", f"HTTP, {clients} client{'s' * (clients > 1)}, p95 (ms)", "")]
    labels.append(("server_rss", "server RSS after the HTTP runs (MiB)", ""))
    return {key: report.Row(label, better) for key, label, better in labels}


class Collector:
    """Figures per row and engine, and the failures: each is noted once, then skipped.

    A failed build stops the engine (nothing else has an index to work on); any other
    failure skips only the rest of that step, so one broken measure costs one row.
    """

    def __init__(self, result: report.SizeResult):
        self.result = result
        self.samples: dict[tuple[str, str], list[float]] = {}
        self.broken: set[str] = set()  # engines without an index
        self.failed: set[tuple[str, str]] = set()  # (engine, step) pairs

    def add(self, key: str, engine: str, value: float) -> None:
        self.samples.setdefault((key, engine), []).append(value)
        self.result.rows[key].values[engine] = Stats.of(self.samples[key, engine])

    def note(self, message: str) -> None:
        if message not in self.result.failures:
            self.result.failures.append(message)

    def attempt(self, engine: Engine, key: str, what: str, call, fatal: bool = False):
        """Run one measurement of step `what`; on error note it and return None."""
        if engine.name in self.broken or (engine.name, what) in self.failed:
            return None
        try:
            return call()
        except Exception as error:  # a failing engine must not stop the others
            if fatal:
                self.broken.add(engine.name)
            else:
                self.failed.add((engine.name, what))
            self.result.rows[key].values[engine.name] = "failed"
            message = str(error).strip().splitlines()[-1] if str(error).strip() else repr(error)
            self.result.failures.append(f"{engine.label}, {what}: {message[:300]}")
            log(f"{engine.label}, {what} failed:\n{traceback.format_exc()}")
            return None


def bench_size(records, n: int, engines: list[Engine], options: Options, work: Path) -> report.SizeResult:
    log(f"N={n}: writing the archive")
    archive = corpus.materialise(records, n, work / "archive", seed=options.seed)
    queries = make_queries(archive.records, options.queries, seed=options.seed)
    result = report.SizeResult(
        n=n, formats=archive.formats, megabytes=archive.bytes_written / 1e6, queries=len(queries),
        year_queries=sum(q.year is not None for q in queries),
        phrase_queries=sum('"' in q.text for q in queries), rows=rows())
    for name, _ in report.ENGINES:
        if not any(e.name == name for e in engines):
            for row in result.rows.values():
                # Asked for but not importable (ours only), or left out with --engines.
                row.values[name] = "not available" if name in options.engines else "left out"
    got = Collector(result)
    indexes = {e.name: work / f"index-{e.name}" for e in engines}
    root = archive.root

    for rep in range(options.repeat):
        for engine in engines:
            log(f"N={n}: full rebuild {rep + 1}/{options.repeat}, {engine.label}")
            shutil.rmtree(indexes[engine.name], ignore_errors=True)
            watched = getattr(engine, "processes", list)()  # a cluster's nodes
            done = got.attempt(engine, "build_s", "full rebuild", lambda: run_command(
                engine.build_command(root, indexes[engine.name]), cwd=REPO, also=watched), fatal=True)
            if done is not None:
                got.add("build_s", engine.name, done.seconds)
                got.add("build_rate", engine.name, n / done.seconds)
                got.add("build_rss", engine.name, done.peak_rss / MIB)
                if done.peak_pss:
                    got.add("build_pss", engine.name, done.peak_pss / MIB)
                size = getattr(engine, "index_size", folder_size)
                got.attempt(engine, "size", "index size",
                            lambda: got.add("size", engine.name, size(indexes[engine.name]) / MIB))

    for key, what in (("noop_sub", "no-op reindex, subprocess"), ("noop_in", "no-op reindex, in-process")):
        for rep in range(options.repeat):
            for engine in engines:
                log(f"N={n}: {what} {rep + 1}/{options.repeat}, {engine.label}")
                seconds = got.attempt(engine, key, what, lambda: update_once(engine, root, indexes, key, got))
                if seconds is not None:
                    got.add(key, engine.name, seconds)

    query_latencies(engines, indexes, queries, options, got)
    if not options.skip_http:
        for engine in engines:
            if hasattr(engine, "serve_command") and engine.name not in got.broken:
                http_load(indexes[engine.name], queries, options, got, engine)

    for key, what in (("inc_sub", "incremental, subprocess"), ("inc_in", "incremental, in-process")):
        for rep in range(options.repeat):
            corpus.apply_changes(archive)
            for engine in engines:
                log(f"N={n}: {what} {rep + 1}/{options.repeat}, {engine.label}")
                seconds = got.attempt(engine, key, what, lambda: update_once(engine, root, indexes, key, got))
                if seconds is not None:
                    got.add(key, engine.name, seconds)

    # The maintenance merge the updates leave to the owner (`archive optimise`), for
    # engines that have one; once, at the end (it changes the index's layout).
    for engine in engines:
        command = getattr(engine, "maintenance_command", None)
        if command is None or options.skip_maintenance:
            continue
        log(f"N={n}: maintenance merge, {engine.label}")
        done = got.attempt(engine, "maint_s", "maintenance merge",
                           lambda: run_command(command(indexes[engine.name]), cwd=REPO))
        if done is not None:
            got.add("maint_s", engine.name, done.seconds)
            got.add("maint_rss", engine.name, done.peak_rss / MIB)
    return result


def update_once(engine: Engine, root: Path, indexes: dict[str, Path], key: str, got: Collector) -> float:
    index_dir = indexes[engine.name]
    if key.endswith("_sub"):
        return run_command(engine.update_command(root, index_dir), cwd=REPO).seconds
    start = time.perf_counter()
    warning = engine.update(root, index_dir)
    seconds = time.perf_counter() - start
    if warning:
        got.note(f"{engine.label}, {key}: {warning}")
    return seconds


def query_latencies(engines: list[Engine], indexes: dict[str, Path], queries: list[BenchQuery],
                    options: Options, got: Collector) -> None:
    searchers = {}
    for engine in engines:
        opened = got.attempt(engine, "ranking_p50", "opening the index", lambda: engine.open(indexes[engine.name]))
        if opened is not None:
            searchers[engine.name] = opened
    try:
        for engine in engines:
            if engine.name in searchers:
                log(f"queries: warming up {engine.label}")
                got.attempt(engine, "ranking_p50", "warm-up queries",
                            lambda: [searchers[engine.name].search(q, Mode.PAGE) for q in queries[:30]])
        for rep in range(options.repeat):
            for engine in engines:
                if engine.name not in searchers:
                    continue
                for mode in Mode:
                    log(f"queries {rep + 1}/{options.repeat}, {engine.label}, {mode}")
                    # An engine with caches starts each pass as a freshly started
                    # server would: caches empty, then its own read-ahead, timed apart.
                    prepare = getattr(searchers[engine.name], "prepare", None)
                    if prepare is not None:
                        seconds = got.attempt(engine, "warm_s", "read-ahead", lambda: timed(prepare))
                        if seconds is not None and mode is Mode.RANKING:
                            got.add("warm_s", engine.name, seconds)
                    timings = got.attempt(engine, f"{mode}_p50", f"queries ({mode})",
                                          lambda: time_queries(searchers[engine.name], queries, mode))
                    if timings is None:
                        continue
                    latencies, totals = timings
                    got.add(f"{mode}_p50", engine.name, percentile(latencies, 50) * 1000)
                    got.add(f"{mode}_p95", engine.name, percentile(latencies, 95) * 1000)
                    if rep == 0 and mode is Mode.RANKING:
                        got.add("matches", engine.name, sum(totals) / len(totals))
                if engine.name in BROWSING_ENGINES:
                    for key, text in BROWSING:
                        log(f"queries {rep + 1}/{options.repeat}, {engine.label}, page of {text!r}")
                        timings = got.attempt(engine, f"{key}_p50", f"page of {text!r}", lambda: time_queries(
                            searchers[engine.name], [BenchQuery(text)] * (BROWSING_RUNS + 1), Mode.PAGE))
                        if timings is not None:
                            latencies = timings[0][1:]  # the first run warms up
                            got.add(f"{key}_p50", engine.name, percentile(latencies, 50) * 1000)
                            got.add(f"{key}_p95", engine.name, percentile(latencies, 95) * 1000)
    finally:
        for searcher in searchers.values():
            searcher.close()


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def time_queries(searcher, queries: list[BenchQuery], mode: Mode) -> tuple[list[float], list[int]]:
    latencies, totals = [], []
    for query in queries:
        start = time.perf_counter()
        totals.append(searcher.search(query, mode))
        latencies.append(time.perf_counter() - start)
    return latencies, totals


def http_load(index_dir: Path, queries: list[BenchQuery], options: Options, got: Collector,
              engine: Engine) -> None:
    port = http.free_port()
    command = engine.serve_command(index_dir, http.HOST, port)
    paths = [q.url() for q in queries]

    def measure() -> None:
        with http.serve(command, port, cwd=REPO) as server:
            http.warm_up(server.base, paths)
            for rep in range(options.repeat):
                for clients in HTTP_CLIENTS:
                    log(f"HTTP {rep + 1}/{options.repeat}, {engine.label}, {clients} client(s)")
                    run = http.load(server.base, paths, clients, options.http_requests, options.http_seconds)
                    if run.errors:
                        got.note(f"{engine.label}, HTTP, {clients} client(s): {run.errors} errors "
                                 f"out of {run.requests} requests")
                    got.add(f"http{clients}_rate", engine.name, run.per_second)
                    got.add(f"http{clients}_p95", engine.name, run.p95_ms)
            got.add("server_rss", engine.name, server.rss() / MIB)

    got.attempt(engine, "http1_rate", "HTTP load", measure)


def load_average() -> str:
    """Other work on the machine skews every engine alike, but a reader should know of it."""
    return f"{os.getloadavg()[0]:.2f}"


def machine() -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    facts = {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "CPU": f"{os.cpu_count()} cores ({cpu})",
        "memory": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "system": platform.platform(),
        "Python": platform.python_version(),
        "whoosh-reloaded": importlib.metadata.version("whoosh-reloaded"),
        "tantivy (Python binding)": importlib.metadata.version("tantivy"),
    }
    if shutil.which("wrk"):
        banner = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()
        facts["load tool"] = " ".join(banner[:2])
    else:
        facts["load tool"] = "urllib threads (wrk not installed)"
    return facts
