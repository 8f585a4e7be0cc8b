"""Starts and stops a real OpenSearch cluster on loopback: one JVM per node.

    python scripts/cluster.py start [--nodes 3] [--dir var/opensearch] [--http-port 9200]
    python scripts/cluster.py stop  [--dir var/opensearch]
    python scripts/cluster.py restart --node node-1   (one killed node back)

Each node runs `opensearch/`'s launcher (OpenSearch 2.19.6 from Maven Central's jars) in its
own process, so a test can kill one node and watch the others carry on. `start` builds the
launcher when needed (`mvn package`), writes each node's `config/opensearch.yml` (loopback
only, explicit ports and discovery, disk watermarks off), starts the JVMs, waits until the
cluster is green with every node in it, records the processes in `DIR/cluster.json` and
prints the nodes' URLs. `--free-ports` lets the system pick ports (what tests use).

Only the standard library: the script runs before any virtual environment exists.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ROOT / "opensearch"
HOST = "127.0.0.1"
STATE = "cluster.json"
# The launcher's main class, and JVM options a distribution's jvm.options would give.
MAIN = "archive.opensearch.NodeMain"
JVM_OPTIONS = [
    "-XX:+UseG1GC",
    "-Djava.awt.headless=true",
    "-Dfile.encoding=UTF-8",
    # Date formats read with the CLDR data OpenSearch expects on Java 9+.
    "-Djava.locale.providers=SPI,COMPAT",
    "-Dlog4j2.disable.jmx=true",
    # Plain IPv4 sockets on 127.0.0.1 (not IPv4-mapped IPv6 ones).
    "-Djava.net.preferIPv4Stack=true",
    "-Dlog4j.shutdownHookEnabled=false",
    "-Dio.netty.noUnsafe=true",
    "-Dio.netty.recycler.maxCapacityPerThread=0",
]


class ClusterError(Exception):
    """The cluster could not be built, started or reached; the message says why."""


def build(quiet: bool = True) -> list[str]:
    """The launcher's classpath, building it with Maven when it is missing or stale."""
    classes = PROJECT / "target" / "classes"
    classpath = PROJECT / "target" / "classpath.txt"
    sources = [PROJECT / "pom.xml", *PROJECT.glob("src/**/*")]
    newest = max(p.stat().st_mtime for p in sources if p.is_file())
    if not classpath.exists() or classpath.stat().st_mtime < newest:
        if shutil.which("mvn") is None:
            raise ClusterError("Maven (mvn) is needed to build opensearch/")
        command = ["mvn", "-B", "-Dstyle.color=never", *(["-q"] if quiet else []), "-f", str(PROJECT / "pom.xml"), "package"]
        if subprocess.run(command).returncode != 0:
            raise ClusterError("`mvn package` failed in opensearch/")
        classpath.touch()  # Maven leaves an unchanged file as it was: mark it fresh
    return [str(classes), *classpath.read_text().strip().split(os.pathsep)]


def free_ports(count: int) -> list[int]:
    """Ports free on loopback now (the system picks them; all held open until all are picked)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind((HOST, 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def node_settings(index: int, names: list[str], http: list[int], transport: list[int],
                  cluster: str, home: Path) -> str:
    """One node's opensearch.yml: everything on 127.0.0.1, discovery spelled out."""
    settings = {
        "cluster.name": cluster,
        "node.name": names[index],
        # Binds and publishes loopback only, never another interface.
        "network.host": HOST,
        "http.port": http[index],
        "transport.port": transport[index],
        "discovery.seed_hosts": [f"{HOST}:{port}" for port in transport],
        "cluster.initial_cluster_manager_nodes": names,
        # Test machines' disks may be nearly full: never refuse to place shards for that.
        "cluster.routing.allocation.disk.threshold_enabled": False,
        "path.data": str(home / "data"),
        "path.logs": str(home / "logs"),
    }
    # JSON is YAML: values need no quoting rules of their own.
    return "".join(f"{key}: {json.dumps(value)}\n" for key, value in settings.items())


def request(url: str, timeout: float = 5.0) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.load(response)


def wait_green(urls: list[str], processes: list[subprocess.Popen], logs: list[Path], timeout: float) -> None:
    """Until every node answers a green health with all nodes joined; fails early when a
    node's process ends, with the end of its log."""
    deadline = time.monotonic() + timeout
    expected = len(urls)
    pending = list(urls)
    while pending:
        for process, log in zip(processes, logs):
            if process.poll() is not None:
                lines = log.read_text(errors="replace").splitlines()
                # The cause comes first; what follows is mostly the node closing.
                cause = next((line for line in lines if "node failed to start" in line), "") or next(
                    (line for line in lines if "Exception" in line), "")
                raise ClusterError(f"node process {process.pid} exited ({process.returncode}): {cause[:500]}\n"
                                   f"(log: {log})")
        url = pending[0]
        try:
            health = request(f"{url}/_cluster/health?wait_for_status=green&wait_for_nodes={expected}&timeout=5s",
                             timeout=10)
            if health["status"] == "green" and health["number_of_nodes"] == expected:
                pending.pop(0)
                continue
        except (urllib.error.URLError, OSError, ValueError):
            pass  # not listening yet, or answered 408 while waiting
        if time.monotonic() > deadline:
            raise ClusterError(f"no green cluster of {expected} nodes after {timeout:.0f} s (logs: {logs[0].parent.parent})")
        time.sleep(1)


def start(directory: Path, nodes: int, http_port: int | None, transport_port: int | None,
          heap: str, cluster: str, timeout: float) -> dict:
    """Starts the cluster and returns what `cluster.json` records."""
    if shutil.which("java") is None:
        raise ClusterError("Java 17 (java) is needed to run OpenSearch")
    if (directory / STATE).exists() and any(alive(pid) for pid in read_state(directory)["pids"]):
        raise ClusterError(f"a cluster already runs from {directory} (stop it first)")
    classpath = build()
    if http_port is None or transport_port is None:
        ports = free_ports(2 * nodes)
        http, transport = ports[:nodes], ports[nodes:]
    else:
        http = [http_port + i for i in range(nodes)]
        transport = [transport_port + i for i in range(nodes)]
    names = [f"node-{i}" for i in range(nodes)]
    processes, logs, commands = [], [], []
    for i, name in enumerate(names):
        home = directory / name
        (home / "config").mkdir(parents=True, exist_ok=True)
        (home / "config" / "opensearch.yml").write_text(
            node_settings(i, names, http, transport, cluster, home), encoding="utf-8")
        log = home / "node.log"
        commands.append(["java", f"-Xms{heap}", f"-Xmx{heap}", *JVM_OPTIONS, "-cp", os.pathsep.join(classpath),
                         MAIN, str(home)])
        with open(log, "ab") as out:
            processes.append(subprocess.Popen(
                commands[-1], stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                # Its own session: the nodes outlive this script and a Ctrl+C sent to it.
                start_new_session=True))
        logs.append(log)
    urls = [f"http://{HOST}:{port}" for port in http]
    state = {"cluster": cluster, "urls": urls, "pids": [p.pid for p in processes],
             "names": names, "transport_ports": transport,
             # What restarts one node as it was (a fault test kills one, then brings it back).
             "commands": commands}
    (directory / STATE).write_text(json.dumps(state, indent=2), encoding="utf-8")
    try:
        wait_green(urls, processes, logs, timeout)
    except BaseException:
        stop(directory)
        raise
    return state


def restart(directory: Path, name: str) -> int:
    """Starts one stopped or killed node again, with its settings and data, and returns
    its new pid (the cluster heals once it has joined: wait for green yourself)."""
    state = read_state(directory)
    if name not in state["names"]:
        raise ClusterError(f"no node {name!r} in {directory} (nodes: {', '.join(state['names'])})")
    node = state["names"].index(name)
    if alive(state["pids"][node]):
        raise ClusterError(f"{name} still runs (pid {state['pids'][node]})")
    with open(directory / name / "node.log", "ab") as out:
        process = subprocess.Popen(state["commands"][node], stdin=subprocess.DEVNULL, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    state["pids"][node] = process.pid
    (directory / STATE).write_text(json.dumps(state, indent=2), encoding="utf-8")
    return process.pid


def read_state(directory: Path) -> dict:
    return json.loads((directory / STATE).read_text(encoding="utf-8"))


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A child of this process that ended is a zombie until reaped: not alive.
    try:
        return os.waitpid(pid, os.WNOHANG) == (0, 0)
    except ChildProcessError:
        return True


def stop(directory: Path, grace: float = 30.0) -> list[int]:
    """Asks each node to stop (SIGTERM: it closes cleanly), kills those still running after
    `grace` seconds, and returns the pids that were running."""
    if not (directory / STATE).exists():
        return []
    running = [pid for pid in read_state(directory)["pids"] if alive(pid)]
    for pid in running:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while any(alive(pid) for pid in running) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in running:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
    (directory / STATE).unlink()
    return running


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["start", "stop", "restart", "build"])
    parser.add_argument("--node", help="restart: the node to start again (node-0, node-1…)")
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "opensearch",
                        help="where nodes keep their settings, data and logs (default: var/opensearch)")
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument("--http-port", type=int, default=9200, help="first node's HTTP port; the next ones follow")
    parser.add_argument("--transport-port", type=int, default=9300)
    parser.add_argument("--free-ports", action="store_true", help="let the system pick every port")
    parser.add_argument("--heap", default="384m", help="each node's Java heap (default 384m)")
    parser.add_argument("--cluster-name", default="archive")
    parser.add_argument("--timeout", type=float, default=240.0, help="seconds to wait for green")
    args = parser.parse_args(argv)
    directory = args.dir.resolve()
    try:
        if args.command == "build":
            build(quiet=False)
        elif args.command == "restart":
            print(f"{args.node} started again (pid {restart(directory, args.node)})")
        elif args.command == "stop":
            stopped = stop(directory)
            print(f"stopped {len(stopped)} node(s)" if stopped else f"no cluster runs from {directory}")
        else:
            directory.mkdir(parents=True, exist_ok=True)
            began = time.monotonic()
            ports = (None, None) if args.free_ports else (args.http_port, args.transport_port)
            state = start(directory, args.nodes, *ports, args.heap, args.cluster_name, args.timeout)
            print(f"OpenSearch cluster '{state['cluster']}' green with {args.nodes} nodes "
                  f"in {time.monotonic() - began:.0f} s:")
            for name, url, pid in zip(state["names"], state["urls"], state["pids"]):
                print(f"  {name}  {url}  (pid {pid})")
            print(f"state: {directory / STATE}   stop: make cluster-stop")
    except ClusterError as error:
        print(f"cluster: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
