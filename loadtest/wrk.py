"""Driving the load with wrk (Debian's `wrk` package): each connection is one client
sending its next request as soon as the previous answer is in, for a fixed time.

A Lua script cycles through the request paths (each wrk thread from its own offset) and
writes wrk's own summary (requests, errors by kind, latency percentiles) as JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

_SCRIPT = """
local paths = {%(paths)s}
local threads = {}
local counter = 0

function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end

function init(args)
  counter = offset
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  local out = io.open(os.getenv("LOADTEST_RESULT"), "w")
  out:write(string.format(
    '{"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"status": %%d, "timeout": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, "max_us": %%d}',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
  out:close()
end
"""


@dataclass(frozen=True)
class Run:
    clients: int
    requests: int
    seconds: float
    errors: int  # connection, read, write errors, timeouts and non-2xx/3xx answers
    timeouts: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def available() -> str | None:
    return shutil.which("wrk")


def run(base: str, paths: list[str], clients: int, seconds: int, work: Path, timeout: int = 10) -> Run:
    """`clients` connections for `seconds` seconds against `base` (loopback only)."""
    if not base.startswith(("http://127.0.0.1:", "http://[::1]:")):
        raise ValueError(f"the load test only targets loopback, not {base}")
    script = work / "paths.lua"
    script.write_text(_SCRIPT % {"paths": ",".join(json.dumps(p) for p in paths)})
    result = work / f"result-{clients}.json"
    result.unlink(missing_ok=True)
    command = [available() or "wrk", f"-t{min(clients, 2)}", f"-c{clients}", f"-d{seconds}s",
               f"--timeout={timeout}s", "-s", str(script), base + "/"]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=seconds + timeout + 60,
                              env={**os.environ, "LOADTEST_RESULT": str(result)})
    if finished.returncode != 0 or not result.exists():
        raise RuntimeError(f"wrk failed ({finished.returncode}): {finished.stderr[-500:]}")
    data = json.loads(result.read_text())
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return Run(
        clients=clients,
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        errors=errors,
        timeouts=data["timeout"],
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
    )
