"""A real OpenSearch cluster for tests, started and stopped by `scripts/cluster.py`.

The tests that use it need Java 17, Maven (the first run downloads OpenSearch's jars) and
`opensearch-py`; `missing()` says which is absent, so the fixture can skip with that reason
on a developer's machine (and fail under CI, where `.ci/run` installs them).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.on_opensearch import missing  # noqa: F401 - the fixture asks it why a cluster cannot run

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "cluster.py"


@dataclass
class Cluster:
    directory: Path
    names: list[str]
    urls: list[str]
    pids: list[int]

    def client(self, node: int = 0):
        """An `opensearch-py` client talking to one node only (no sniffing)."""
        from opensearchpy import OpenSearch

        return OpenSearch(hosts=[self.urls[node]], timeout=60)

    def kill(self, node: int) -> None:
        """Kills one node's JVM at once (SIGKILL: no clean shutdown, as in a crash)."""
        os.kill(self.pids[node], signal.SIGKILL)
        _wait_gone(self.pids[node])

    def restart(self, node: int) -> None:
        """Starts a killed node again with its own settings and data (scripts/cluster.py
        restart: the JVM is then the script's orphan, not a child of the tests)."""
        _script("restart", "--dir", str(self.directory), "--node", self.names[node])
        state = json.loads((self.directory / "cluster.json").read_text(encoding="utf-8"))
        self.pids[node] = state["pids"][node]


def start(directory: Path, nodes: int = 3) -> Cluster:
    """Starts a cluster in `directory` on ports the system picks, green when it returns."""
    _script("start", "--dir", str(directory), "--nodes", str(nodes), "--free-ports", "--cluster-name", "archive-tests")
    state = json.loads((directory / "cluster.json").read_text(encoding="utf-8"))
    return Cluster(directory, state["names"], state["urls"], state["pids"])


def stop(cluster: Cluster) -> None:
    _script("stop", "--dir", str(cluster.directory))


def _script(*arguments: str) -> None:
    result = subprocess.run([sys.executable, str(SCRIPT), *arguments], capture_output=True, text=True)
    if result.returncode != 0:
        raise AssertionError(f"scripts/cluster.py {arguments[0]} failed:\n{result.stdout}\n{result.stderr[-4000:]}")


def _wait_gone(pid: int) -> None:
    # The JVM is the script's child, reparented: it is gone once the kernel says so.
    for _ in range(200):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError(f"process {pid} still runs after SIGKILL")
