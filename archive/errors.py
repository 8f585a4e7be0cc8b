"""The one error a reader raises: which file, and why it could not be read."""

from __future__ import annotations


class UnreadableDispatch(Exception):
    """A file (or one record of it) that cannot become a dispatch.

    The reindex report prints it as one line, `path: reason`, and goes on with the
    other files.
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
