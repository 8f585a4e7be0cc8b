"""One piece of work in a forked child while the parent does another.

What a full build does after its workers finish (grouping stories, rewriting the
grouped documents) runs in the parent alone, with the other core idle. Work that
splits in two independent halves runs one half here: the child starts at once with
the parent's memory (fork, as the build's workers do) and hands back a picklable
result. A child must open its own index files: a forked child shares the parent's
file offsets, so reading through the parent's open reader would race with it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import pickle
import signal
import sys
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def start(task: Callable[[], T]) -> Callable[[], T]:
    """Run `task` in a forked child; return the function that waits for its result
    (raising the child's error). Without fork, `task` runs here, at once."""
    if "fork" not in multiprocessing.get_all_start_methods():
        value = task()
        return lambda: value
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(task, send, os.getpid()), daemon=True)
    process.start()
    send.close()

    def result() -> T:
        try:
            kind, value = receive.recv()
        except EOFError:
            process.join()
            raise RuntimeError(f"a build helper stopped (exit code {process.exitcode})") from None
        finally:
            receive.close()
        process.join()
        if kind == "error":
            raise value
        return value

    return result


def _child(task: Callable, send, parent: int) -> None:
    die_with_parent(parent)
    try:
        outcome = ("done", task())
    except BaseException as error:  # noqa: BLE001 - every failure goes to the parent
        outcome = ("error", picklable(error))
    send.send(outcome)
    send.close()


def die_with_parent(parent: int) -> None:
    """Have the system kill this forked child when its parent dies (Linux).

    A child inherits the parent's reindex lock (an OS lock on a shared open file): were
    it to outlive a parent killed half-way, it would hold the lock and keep writing into
    an index the next run is cleaning away."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        # The parent died before the line above: nobody is left to hear from us.
        os._exit(1)


def picklable(error: BaseException) -> BaseException:
    """The error itself when it crosses a process boundary intact (OSError keeps its
    errno: a full disk is still reported as such), else its description."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error
