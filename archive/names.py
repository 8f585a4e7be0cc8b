"""File names as text: a name that is not UTF-8 on disk, shown and indexed readably.

Archives copied from Windows or over FTP hold names in Windows-1252 or Latin-1 (the
bytes `caf\\xe9.txt`). Python hands them over with surrogate escapes (`caf\\udce9.txt`),
which open the file but cannot be written to the index, printed or put in a page. Such
a name goes by its bytes read as Windows-1252 (`café.txt`); a byte that Windows-1252
leaves undefined is written `\\x81`. The real path is kept for opening the file.
"""

from __future__ import annotations

import os


def readable_name(name: str) -> str:
    """`name` (a relative POSIX path from the file system) as text without surrogate
    escapes: each part that is not UTF-8 read as Windows-1252. The same name gives the
    same text at every run, so a file keeps its dispatch id."""
    if not needs_renaming(name):
        return name
    return "/".join(_readable_part(part) for part in os.fsencode(name).split(b"/"))


def needs_renaming(name: str) -> bool:
    """True when `name` holds bytes that are not UTF-8 (surrogate escapes)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _readable_part(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="backslashreplace")
