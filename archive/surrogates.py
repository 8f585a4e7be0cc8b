"""Lone surrogates out of decoded JSON, before anything hashes, indexes or shows them.

JSON may escape half of an emoji (`"\\ud83d"`, what a scraper leaves when it cuts a text
in the middle of one); Python decodes it to a lone surrogate, a string that cannot be
encoded as UTF-8. Hashing, indexing or serving it then fails, so each one is replaced
with U+FFFD: the rest of the text is kept, and the caller says where.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_surrogates(value: object) -> tuple[object, int]:
    """`value` (a decoded JSON field) with every lone surrogate in its strings replaced,
    and how many were. A string and a list of strings are cleaned; anything else is not
    text a reader takes, so it is left as it is. Pairs were already joined by the JSON
    decoder: any surrogate left is lone."""
    if isinstance(value, str):
        return _LONE_SURROGATE.subn(REPLACEMENT, value)
    if isinstance(value, list):
        cleaned = [_LONE_SURROGATE.subn(REPLACEMENT, item) if isinstance(item, str) else (item, 0) for item in value]
        return [item for item, _ in cleaned], sum(n for _, n in cleaned)
    return value, 0
