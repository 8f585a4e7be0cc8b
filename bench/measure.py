"""Timing, peak memory of a process tree, and the median/spread of repeated figures.

Peak RSS is sampled with psutil over the command's whole process tree (the reindex may
fork workers), summing each process's RSS; shared pages are counted once per process,
so the figure is an upper bound of what the machine needed.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import itertools
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

# PSS is read on one sample in this many (every 200 ms at the default interval).
_PSS_EVERY = 10


@dataclass(frozen=True)
class Stats:
    """The median of repeated measurements and their range."""

    median: float
    low: float
    high: float
    runs: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Stats:
        return cls(statistics.median(values), min(values), max(values), len(values))


@dataclass(frozen=True)
class ProcessRun:
    seconds: float
    peak_rss: int  # bytes
    peak_pss: int  # bytes; 0 where the system does not report it
    stdout: str
    stderr: str
    returncode: int


class CommandFailed(RuntimeError):
    def __init__(self, command: Sequence[str], run: ProcessRun):
        # The last line of a traceback or of a click error is the one that says why.
        lines = [line.strip() for line in (run.stderr or run.stdout).splitlines() if line.strip()]
        self.command, self.run = list(command), run
        super().__init__(f"exited with {run.returncode}: {lines[-1] if lines else 'no output'}")


def tree_rss(process: psutil.Process) -> int:
    """RSS of a process and all its descendants, in bytes."""
    return tree_memory(process)[0]


def tree_memory(process: psutil.Process, pss: bool = False) -> tuple[int, int]:
    """RSS and, when asked, PSS of a process and all its descendants, in bytes. Forked
    workers share their parent's pages: RSS counts those pages in every process, PSS
    divides them among the processes sharing them (0 where the system does not report
    it). PSS costs a walk of each process's pages: it is sampled less often."""
    total_rss = total_pss = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, 0
    for member in members:
        try:
            info = member.memory_full_info() if pss else member.memory_info()
        except psutil.NoSuchProcess:
            continue
        except psutil.AccessDenied:
            info = member.memory_info()
        total_rss += info.rss
        total_pss += getattr(info, "pss", 0)
    return total_rss, total_pss


def run_command(command: Sequence[str], *, cwd: Path | None = None, env: dict | None = None,
                timeout: float = 3600, interval: float = 0.02,
                also: Sequence[psutil.Process] = ()) -> ProcessRun:
    """Run a command to its end; raise `CommandFailed` unless it exits with 0. The peaks
    add, sample by sample, the memory of the processes `also` names (a server the
    command talks to, such as a cluster's nodes)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = psutil.Popen(list(command), cwd=cwd, env=env, stdout=out, stderr=err,
                               stdin=subprocess.DEVNULL)
        peak = peak_pss = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak, peak_pss
            for count in itertools.count():
                if done.is_set():
                    break
                rss, pss = tree_memory(process, pss=count % _PSS_EVERY == 0)
                for other in also:
                    more = tree_memory(other, pss=count % _PSS_EVERY == 0)
                    rss, pss = rss + more[0], pss + more[1]
                peak, peak_pss = max(peak, rss), max(peak_pss, pss)
                done.wait(interval)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            returncode = process.wait(timeout)
        except psutil.TimeoutExpired:
            kill_tree(process)
            returncode = -9
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        out.seek(0)
        err.seek(0)
        run = ProcessRun(seconds, peak, peak_pss, out.read(), err.read(), returncode)
    if returncode != 0:
        raise CommandFailed(command, run)
    return run


def kill_tree(process: psutil.Process) -> None:
    """Stop a process we started and its children: terminate, then kill what stays."""
    try:
        members = [*process.children(recursive=True), process]
    except psutil.NoSuchProcess:
        return
    for member in members:
        try:
            member.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(members, timeout=5)
    for member in alive:
        try:
            member.kill()
        except psutil.NoSuchProcess:
            pass


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100), linear between closest ranks."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q / 100
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def folder_size(path: Path) -> int:
    """Bytes of all files under path."""
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            try:
                total += os.stat(os.path.join(folder, name)).st_size
            except FileNotFoundError:
                pass
    return total
