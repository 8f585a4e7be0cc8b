"""Permalinks: a dispatch found by its text, whatever its file is called.

A dispatch's id is its file's path, which changes when the file is renamed or moved.
Its content hash (`Dispatch.content_hash`, BLAKE2b of what a reader sees, 32 hex digits,
stored in the `hash` field) does not: the same text reindexed from another file has the
same hash. A permalink names a dispatch by the first `SHORT` digits of that hash.

Why twelve digits (48 bits): two dispatches of an archive of n share a prefix with a
probability of about n² / 2⁴⁹: one chance in 560,000 for 34,000 dispatches, one in 560
for a million. When it does happen, the dispatch gets the longer form, its whole hash
(`permalink_key`); a twelve-digit link that becomes shared later, when a dispatch whose
hash starts alike arrives, is not broken but answered with the list of both
(`lookup` returns every dispatch holding the prefix). Identical texts (one dispatch
kept in two files) share their whole hash: their permalink lists them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Digits a permalink shows; fewer than `SHORTEST` are not looked up (every prefix of a
# few digits is shared in a large archive: such a link was not made here).
SHORT = 12
SHORTEST = 8
FULL = 32
# How many dispatches a shared prefix lists at most.
MAX_LISTED = 50

_HEX = re.compile(r"[0-9a-f]+")


@dataclass(frozen=True)
class HashMatch:
    """A dispatch whose content hash starts with the prefix looked up."""

    id: str
    title: str
    content_hash: str


def normalise_key(text: str) -> str | None:
    """The prefix a permalink names, lower-cased; None when it cannot be one (not
    hexadecimal, shorter than SHORTEST or longer than a whole hash)."""
    key = text.strip().lower()
    if not SHORTEST <= len(key) <= FULL or not _HEX.fullmatch(key):
        return None
    return key


def key_for(content_hash: str, shared: frozenset[str], length: int = SHORT) -> str:
    """`permalink_key` (index/whoosh/permalinks.py) with the shared prefixes known beforehand."""
    short = content_hash[:length]
    return content_hash if short in shared else short
