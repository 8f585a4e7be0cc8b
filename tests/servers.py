"""Helpers for tests that run the real `archive serve` in a subprocess."""

from __future__ import annotations

import signal
import subprocess


def stop(process: subprocess.Popen) -> None:
    """Ask the server to stop (Ctrl+C), kill it after 10 s, and close its pipes."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()
