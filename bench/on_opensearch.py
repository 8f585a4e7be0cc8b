"""Ours on OpenSearch: the archive's own commands and `index` API, the index on a cluster.

The same surface as bench/ours.py, with `--backend opensearch`: builds and updates run
`archive reindex --backend opensearch` in a child process (start-up included), updates
once more in-process through `index.reindex_backend`, queries through one warm
`index.open_backend` handle, and `archive serve --backend opensearch` for HTTP.

A cluster must run: `cluster()` starts a 3-node one with scripts/cluster.py in the
benchmark's folder (free loopback ports) and stops it at the end, or uses the nodes it is
given. Each archive size gets its own alias (`bench-n34103`), named from its folder.
The nodes' JVMs are the engine's memory as much as the command is: `processes()` gives
them to the harness, which adds their RSS to the build command's.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil

from bench.ours import REPO, NotAvailable, cli, search_total
from bench.queries import BenchQuery, Mode

SCRIPT = REPO / "scripts" / "cluster.py"
NODES = 3
LABEL = f"ours on OpenSearch ({NODES} nodes)"


def missing() -> str | None:
    """Why a cluster cannot run here (Java 17, Maven or opensearch-py absent), or None."""
    java = shutil.which("java")
    if java is None:
        return "Java 17 (java) is not installed"
    banner = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    found = re.search(r'version "(\d+)', banner)
    if not found or int(found[1]) < 17:
        return f"OpenSearch 2.19 needs Java 17 or newer ({banner.splitlines()[0] if banner else '?'})"
    if shutil.which("mvn") is None and not (REPO / "opensearch" / "target" / "classpath.txt").exists():
        return "Maven (mvn) is not installed"
    try:
        import opensearchpy  # noqa: F401
    except ImportError:
        return "opensearch-py is not installed (pip install -e '.[opensearch]')"
    return None


class ClusterSearcher:
    """One `open_backend` handle, asked what OurSearcher asks of `open_index`."""

    def __init__(self, backend):
        from index import SearchRequest, open_backend

        self._request = SearchRequest
        self.handle = open_backend(backend)

    def search(self, query: BenchQuery, mode: Mode) -> int:
        return search_total(self.handle, self._request, query, mode)

    def close(self) -> None:
        self.handle.close()


class OnOpenSearch:
    name = "opensearch"
    label = LABEL

    def __init__(self, urls: list[str], pids: list[int]):
        self.urls = urls
        self.pids = pids  # the nodes' JVMs when the harness started them, else none
        self.aliases: set[str] = set()

    @property
    def url(self) -> str:
        return ",".join(self.urls)

    def alias(self, index_dir: Path) -> str:
        """One alias per archive size: the size's folder (`n34103`) names it."""
        name = f"bench-{index_dir.parent.name}".lower()
        self.aliases.add(name)
        return name

    def _options(self, index_dir: Path) -> list[str]:
        return ["--backend", "opensearch", "--opensearch-url", self.url, "--opensearch-index", self.alias(index_dir)]

    def build_command(self, root: Path, index_dir: Path) -> list[str]:
        return [*cli(), "reindex", "--rebuild", *self._options(index_dir), str(root)]

    def update_command(self, root: Path, index_dir: Path) -> list[str]:
        return [*cli(), "reindex", *self._options(index_dir), str(root)]

    def serve_command(self, index_dir: Path, host: str, port: int) -> list[str]:
        return [*cli(), "serve", *self._options(index_dir), "--host", host, "--port", str(port)]

    def backend(self, index_dir: Path):
        from index import Backend

        return Backend("opensearch", opensearch_url=self.url, opensearch_index=self.alias(index_dir))

    def update(self, root: Path, index_dir: Path) -> str | None:
        from index import reindex_backend

        report = reindex_backend(self.backend(index_dir), [root])
        if report.failures:
            first = report.failures[0]
            return f"{len(report.failures)} files not indexed, e.g. {Path(first.path).name}: {first.reason}"
        return None

    def open(self, index_dir: Path) -> ClusterSearcher:
        return ClusterSearcher(self.backend(index_dir))

    def processes(self) -> list[psutil.Process]:
        """The nodes' JVMs, whose memory the harness adds to the build command's."""
        alive = []
        for pid in self.pids:
            with contextlib.suppress(psutil.NoSuchProcess):
                alive.append(psutil.Process(pid))
        return alive

    def index_size(self, index_dir: Path) -> int:
        """Bytes on the nodes' disks of the index behind the alias, every copy counted
        (the primary shard and its replica), as `_cat/indices` reports `store.size`."""
        rows = self._get(f"/_cat/indices/{self.alias(index_dir)}?format=json&bytes=b&h=index,store.size")
        return sum(int(row["store.size"]) for row in rows)

    def drop_indexes(self) -> None:
        """Deletes what this run wrote (a cluster the harness did not start outlives it):
        the indexes behind each alias and its lock, all named `ALIAS-…`."""
        for alias in sorted(self.aliases):
            request = urllib.request.Request(f"{self.urls[0]}/{alias}-*", method="DELETE")
            with contextlib.suppress(OSError):
                urllib.request.urlopen(request, timeout=60).close()

    def _get(self, path: str):
        with urllib.request.urlopen(self.urls[0] + path, timeout=60) as answer:
            return json.load(answer)


@contextlib.contextmanager
def cluster(workdir: Path, url: str | None, log, heap: str = "384m") -> Iterator[OnOpenSearch]:
    """The engine on the nodes at `url`, or on a cluster started in `workdir` for the run
    and stopped after it. Raises NotAvailable with the reason when none can run."""
    if url:
        engine = OnOpenSearch([u.strip().rstrip("/") for u in url.split(",") if u.strip()], [])
        try:
            yield engine
        finally:
            engine.drop_indexes()
        return
    if (reason := missing()) is not None:
        raise NotAvailable(reason)
    directory = workdir / "opensearch-cluster"
    log(f"starting a {NODES}-node OpenSearch cluster in {directory}")
    began = time.monotonic()
    started = subprocess.run([sys.executable, str(SCRIPT), "start", "--dir", str(directory), "--nodes", str(NODES),
                              "--free-ports", "--cluster-name", "archive-bench", "--heap", heap],
                             capture_output=True, text=True, cwd=REPO)
    try:
        if started.returncode != 0:
            lines = [line for line in (started.stderr or started.stdout).splitlines() if line.strip()]
            raise NotAvailable(f"the cluster did not start: {lines[-1] if lines else 'no output'}")
        state = json.loads((directory / "cluster.json").read_text(encoding="utf-8"))
        log(f"cluster green in {time.monotonic() - began:.0f} s: {', '.join(state['urls'])}")
        yield OnOpenSearch(state["urls"], state["pids"])
    finally:
        log("stopping the OpenSearch cluster")
        subprocess.run([sys.executable, str(SCRIPT), "stop", "--dir", str(directory)],
                       capture_output=True, text=True, cwd=REPO)
