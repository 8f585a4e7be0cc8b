"""Helpers for tests that run the real `archive serve` in a subprocess."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

_ADDRESS = re.compile(r"Archive servie sur (http://[\d.]+:\d+/) ")


def archive_command() -> list[str]:
    """The installed `archive` script next to this interpreter, else `python -m web.cli`."""
    script = Path(sys.executable).with_name("archive")
    return [str(script)] if script.exists() else [sys.executable, "-m", "web.cli"]


def start(index_dir: Path, *options: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """`archive serve` on a port the system picks, listening: the process and its address
    (`http://127.0.0.1:PORT/`). Its error output goes to a file `stop` closes."""
    errors = tempfile.TemporaryFile("w+")
    process = subprocess.Popen([*archive_command(), "serve", "--index", str(index_dir), "--port", "0", *options],
                               stdout=subprocess.PIPE, stderr=errors, text=True, env=env)
    process.errors = errors
    # The address is printed once the socket listens: requests sent from then on wait
    # in its backlog until the server loop runs.
    line = process.stdout.readline()
    match = _ADDRESS.match(line)
    if not match:
        stop(process)
        errors.seek(0)
        raise AssertionError(f"`archive serve` printed no address: {line!r}\n{errors.read()[-2000:]}")
    return process, match[1]


def stop(process: subprocess.Popen) -> None:
    """Ask the server to stop (Ctrl+C), kill it after 10 s, and close its pipes."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    for stream in (process.stdout, process.stderr, getattr(process, "errors", None)):
        if stream is not None:
            stream.close()
