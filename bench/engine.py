"""What the harness needs from each engine, ours and the peers alike.

Every engine is driven the same way: builds and updates as a command in a child process
(so time and peak memory include start-up and any worker processes), updates once more
in the harness process, and queries through one warm handle.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bench.queries import BenchQuery, Mode


class Searcher(Protocol):
    def search(self, query: BenchQuery, mode: Mode) -> int:
        """Run one query as far as `mode` says; return the number of matches."""

    def close(self) -> None: ...


class Engine(Protocol):
    name: str
    label: str  # how the table names it

    def build_command(self, root: Path, index_dir: Path) -> list[str]: ...

    def update_command(self, root: Path, index_dir: Path) -> list[str]: ...

    def update(self, root: Path, index_dir: Path) -> str | None:
        """Bring the index up to date in this process; return a warning worth reporting."""

    def open(self, index_dir: Path) -> Searcher: ...


@dataclass(frozen=True)
class PeerEngine:
    """A peer module exposing `build`, `update` and `open_searcher`, runnable with -m."""

    name: str
    label: str
    module: str

    def _module(self):
        return importlib.import_module(self.module)

    def build_command(self, root: Path, index_dir: Path) -> list[str]:
        return [sys.executable, "-m", self.module, "build", str(root), str(index_dir)]

    def update_command(self, root: Path, index_dir: Path) -> list[str]:
        return [sys.executable, "-m", self.module, "update", str(root), str(index_dir)]

    def update(self, root: Path, index_dir: Path) -> str | None:
        self._module().update(root, index_dir)
        return None

    def open(self, index_dir: Path) -> Searcher:
        return self._module().open_searcher(index_dir)


def peer_main(build: Callable[[Path, Path], int], update: Callable[[Path, Path], int]) -> None:
    """Command line of a peer module: `build|update ROOT INDEX_DIR`."""
    action, root, index_dir = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    count = {"build": build, "update": update}[action](root, index_dir)
    print(f"{action}: {count} documents written")
