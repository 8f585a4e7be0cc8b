"""The real server, `archive serve` (waitress), on a port of loopback the system picks."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

_ADDRESS = re.compile(r"Archive servie sur (http://127\.0\.0\.1:\d+)/ ")


@dataclass
class Server:
    process: psutil.Popen
    base: str  # http://127.0.0.1:PORT

    def rss_mb(self) -> float:
        return self.process.memory_info().rss / 2**20

    def cpu_seconds(self) -> float:
        times = self.process.cpu_times()
        return times.user + times.system


@contextlib.contextmanager
def serve(index_dir: Path, threads: int, log: Path) -> Iterator[Server]:
    """Start `archive serve`, wait for `/healthz`, and stop the server after."""
    command = [str(Path(sys.executable).with_name("archive")), "serve", "--index", str(index_dir),
               "--host", "127.0.0.1", "--port", "0", "--threads", str(threads)]
    with log.open("w") as errors:
        process = psutil.Popen(command, stdout=subprocess.PIPE, stderr=errors, stdin=subprocess.DEVNULL, text=True)
        try:
            line = process.stdout.readline()
            match = _ADDRESS.match(line)
            if not match:
                raise RuntimeError(f"the server did not start: {line!r}; see {log}")
            server = Server(process, match[1])
            _wait_healthy(server.base)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except psutil.TimeoutExpired:
                process.kill()
                process.wait()
            process.stdout.close()


def _wait_healthy(base: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=10) as answer:
                if answer.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)
