"""Load on the real WSGI server over loopback: requests/s and latency at N clients.

`wrk` drives the load when installed (Debian package), through a Lua script that cycles
through the query URLs. Each run stops at a request cap or a time limit, whichever
comes first. wrk always reports the whole `-d` duration, even when its threads stop
early, so the script measures elapsed time itself (LuaJIT's ffi, a monotonic clock). It
also drops a marker file at the cap, and we then send wrk SIGINT so it stops waiting.
Without wrk, a small threaded urllib client does the same job. Only 127.0.0.1 is ever
targeted.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.measure import kill_tree, percentile, tree_rss

HOST = "127.0.0.1"


@dataclass(frozen=True)
class LoadRun:
    clients: int
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    errors: int  # connection errors, timeouts and non-2xx answers
    tool: str

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class Server:
    process: psutil.Popen
    base: str

    def rss(self) -> int:
        return tree_rss(self.process)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(command: Sequence[str], port: int, cwd: Path, ready_timeout: float = 60) -> Iterator[Server]:
    """Start a server we own, wait until `/` answers, and stop it (and its children) after."""
    log = tempfile.TemporaryFile("w+")
    process = psutil.Popen(list(command), cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL)
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"the server exited with {process.returncode}: {log.read()[-600:]}")
            try:
                with urllib.request.urlopen(base + "/", timeout=2) as answer:
                    answer.read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not answer within a minute") from None
                time.sleep(0.2)
        yield Server(process, base)
    finally:
        kill_tree(process)
        log.close()


def warm_up(base: str, paths: Sequence[str], count: int = 20) -> None:
    for path in paths[:count]:
        with urllib.request.urlopen(base + path, timeout=30) as answer:
            answer.read()


def load(base: str, paths: Sequence[str], clients: int, max_requests: int,
         max_seconds: float) -> LoadRun:
    if not base.startswith(f"http://{HOST}:"):
        raise ValueError("load is only ever sent to the loopback address")
    if shutil.which("wrk"):
        return _wrk(base, paths, clients, max_requests, max_seconds)
    return _threads(base, paths, clients, max_requests, max_seconds)


_LUA = """
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
           int clock_gettime(int, bench_timespec *); ]]
local ts = ffi.new("bench_timespec")
local function now() ffi.C.clock_gettime(1, ts); return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9 end

local paths = { @PATHS@ }
local cap, marker = @CAP@, "@MARKER@"
-- Globals, not locals: done() reads them through thread:get().
i, answered, failed, first, last = 0, 0, 0, nil, nil
local threads = {}

function setup(thread) table.insert(threads, thread) end

function request()
  if first == nil then first = now() end
  i = i % #paths + 1
  -- wrk silently requests "/" for a nil path: fail loudly instead.
  local path = assert(paths[i], "no path")
  return wrk.format("GET", path)
end

function response(status, headers, body)
  answered = answered + 1
  last = now()
  if status < 200 or status > 299 then failed = failed + 1 end
  if answered == cap then
    local f = io.open(marker, "w"); f:close()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local t = threads[1]
  local e = summary.errors
  io.write(string.format("BENCH %d %.6f %.3f %.3f %d\\n", t:get("answered"),
    (t:get("last") or 0) - (t:get("first") or 0), latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, t:get("failed") + e.connect + e.read + e.write + e.timeout))
end
"""


def lua_script(paths: Sequence[str], cap: int, marker: str) -> str:
    """The wrk script: cycle through `paths`, stop at `cap` answers and touch `marker`."""
    quoted = ", ".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in paths)
    return _LUA.replace("@PATHS@", quoted).replace("@CAP@", str(cap)).replace("@MARKER@", marker)


def _wrk(base: str, paths: Sequence[str], clients: int, max_requests: int,
         max_seconds: float) -> LoadRun:
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as scratch:
        marker = os.path.join(scratch, "cap-reached")
        script = os.path.join(scratch, "cycle.lua")
        Path(script).write_text(lua_script(paths, max_requests, marker))
        # One wrk thread: it keeps 8 connections busy easily and leaves the cores to the server.
        command = ["wrk", "-t1", f"-c{clients}", f"-d{max_seconds:.0f}s", "--timeout", "30s",
                   "-s", script, base + "/"]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        while process.poll() is None:
            if os.path.exists(marker):
                process.send_signal(signal.SIGINT)
                break
            time.sleep(0.05)
        out, err = process.communicate(timeout=max_seconds + 60)
    line = next((line for line in out.splitlines() if line.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no figures: {(err or out)[-400:]}")
    answered, seconds, p50, p95, errors = line.split()[1:]
    return LoadRun(clients, int(answered), float(seconds), float(p50), float(p95), int(errors), "wrk")


def _threads(base: str, paths: Sequence[str], clients: int, max_requests: int,
             max_seconds: float) -> LoadRun:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + max_seconds
    issued = 0

    def client(offset: int) -> None:
        nonlocal errors, issued
        position = offset
        while time.monotonic() < deadline:
            with lock:
                if issued >= max_requests:
                    return
                issued += 1
            path = paths[position % len(paths)]
            position += 1
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(base + path, timeout=30) as answer:
                    answer.read()
            except OSError:
                with lock:
                    errors += 1
                continue
            with lock:
                latencies.append(time.perf_counter() - start)

    start = time.perf_counter()
    workers = [threading.Thread(target=client, args=(k * 7919,)) for k in range(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - start
    if not latencies:
        raise RuntimeError("no request succeeded")
    return LoadRun(clients, len(latencies), seconds, percentile(latencies, 50) * 1000,
                   percentile(latencies, 95) * 1000, errors, "urllib threads")
