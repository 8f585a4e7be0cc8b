"""Control characters that never belong in a dispatch's text, and their removal.

They reach the archive two ways: as bytes in a file (dropped when it is decoded,
archive/decode.py) and as JSON escapes (`"\\u001b[2J"`, which clears a terminal), which
only exist once a JSON Lines record is parsed. Both go through `strip_controls`.
"""

from __future__ import annotations

import re

# Tab, line feed, form feed and carriage return are text; the other C0 characters and
# DEL are not.
CONTROL_CHARS = "".join(chr(c) for c in [*range(9), 11, *range(14, 32), 127])
CONTROL = re.compile(f"[{re.escape(CONTROL_CHARS)}]")


def strip_controls(text: str) -> str:
    """`text` without its control characters (see CONTROL_CHARS)."""
    return CONTROL.sub("", text)


def record_without_controls(record: dict) -> dict:
    """A parsed JSON record with the control characters stripped from its strings, and
    from the strings of its lists (a body given as a list of paragraphs)."""
    return {key: _clean(value) for key, value in record.items()}


def _clean(value: object) -> object:
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, list):
        return [strip_controls(item) if isinstance(item, str) else item for item in value]
    return value
