"""What every reader gets (a `Source`) and gives back (a `Reading`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from archive.decode import Decoded, decode, decode_reporting
from archive.errors import UnreadableDispatch
from archive.model import Dispatch

# A dispatch is a few kilobytes; a larger one is a mistake or an attack, not news. This
# caps a text or HTML file, and each record of a JSON Lines export.
MAX_DISPATCH_BYTES = 8 << 20


@dataclass(frozen=True)
class Source:
    """One file to read, with the name it goes by inside the archive."""

    path: Path
    relative: str  # POSIX path relative to the archive root: the dispatch id
    data: bytes

    @property
    def dispatch_id(self) -> str:
        return self.relative

    def text(self) -> str:
        return decode(self.data, self.relative)

    def decoded(self) -> tuple[str, tuple[UnreadableDispatch, ...]]:
        """The text, with the warning to report when stray bytes had to be replaced."""
        decoded: Decoded = decode_reporting(self.data, self.relative)
        warning = decoded.warning()
        return decoded.text, (self.problem(warning),) if warning else ()

    def problem(self, reason: str) -> UnreadableDispatch:
        return UnreadableDispatch(self.relative, reason)


@dataclass(frozen=True)
class Reading:
    """The dispatches read from one file, and what was wrong in it without losing it.

    `problems` are records that could not be read (a broken JSON line) or oddities kept
    with a fallback (an impossible date left out); the rest of the file still counts.
    """

    dispatches: tuple[Dispatch, ...]
    problems: tuple[UnreadableDispatch, ...] = ()
