"""One piece of work in a forked child while the parent does another.

What a full build does after its workers finish (grouping stories, rewriting the
grouped documents) runs in the parent alone, with the other core idle. Work that
splits in two independent halves runs one half here: the child starts at once with
the parent's memory (fork, as the build's workers do) and hands back a picklable
result. A child must open its own index files: a forked child shares the parent's
file offsets, so reading through the parent's open reader would race with it.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import TypeVar

from index.build import _picklable

T = TypeVar("T")


def start(task: Callable[[], T]) -> Callable[[], T]:
    """Run `task` in a forked child; return the function that waits for its result
    (raising the child's error). Without fork, `task` runs here, at once."""
    if "fork" not in multiprocessing.get_all_start_methods():
        value = task()
        return lambda: value
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(task, send), daemon=True)
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


def _child(task: Callable, send) -> None:
    try:
        outcome = ("done", task())
    except BaseException as error:  # noqa: BLE001 - every failure goes to the parent
        outcome = ("error", _picklable(error))
    send.send(outcome)
    send.close()

