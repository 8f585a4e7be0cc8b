"""What each hostile file of the second robustness pass must give: its dispatches (id,
title) and the problems reported beside them, each (path, reason). Shared by
`test_reader_robustness.py` (file by file) and `test_hostile_input.py` (all at once)."""

from __future__ import annotations

from pathlib import Path

from archive.dates import FIRST_YEAR, last_year

HOSTILE = Path(__file__).resolve().parent / "hostile"


def _stray_offset(name: str, stray: bytes) -> int:
    return (HOSTILE / name).read_bytes().index(stray)


STRAY_TXT = _stray_offset("stray-byte.txt", b"\x81")
STRAY_JSONL = _stray_offset("stray-byte.jsonl", b"\xc3(")
SURROGATE = "half of a character (lone surrogate) in {} replaced with U+FFFD"

SECOND_PASS: dict[str, tuple[list[tuple[str, str]], list[tuple[str, str]]]] = {
    "lone-surrogates.jsonl": (
        [("lone-surrogates.jsonl#emoji-1", "Coupé \ufffd"), ("lone-surrogates.jsonl#emoji-2", "Source coupée"),
         ("lone-surrogates.jsonl#emoji-entier", "Emoji entier")],
        [("lone-surrogates.jsonl#L1", "line 1: " + SURROGATE.format("'title', 'body', 'author', 'url'")),
         ("lone-surrogates.jsonl#L2", "line 2: " + SURROGATE.format("'source'"))],
    ),
    "nul-line.jsonl": (
        [("nul-line.jsonl#avant", "Avant l’octet nul"), ("nul-line.jsonl#apres", "Après l’octet nul")],
        [("nul-line.jsonl#L2", "line 2: NUL byte (binary data): line left out")],
    ),
    "stray-byte.txt": (
        [("stray-byte.txt", "Olivier Véran au ministère")],
        [("stray-byte.txt",
          f"not valid UTF-8: 1 byte at byte {STRAY_TXT} replaced with U+FFFD")],
    ),
    "stray-byte.jsonl": (
        [("stray-byte.jsonl#v1", "Véran à Grenoble"), ("stray-byte.jsonl#v2", "Séquence coupée"),
         ("stray-byte.jsonl#v3", "Véran à Paris")],
        [("stray-byte.jsonl#L2",
          f"line 2: not valid UTF-8: 1 byte at byte {STRAY_JSONL} "
          "replaced with U+FFFD")],
    ),
    "id-collision.jsonl": (
        [("id-collision.jsonl#L1", "Id en forme de ligne"), ("id-collision.jsonl#L2", "Sans id"),
         ("id-collision.jsonl#a", "Premier a"), ("id-collision.jsonl#L4", "Second a"),
         ("id-collision.jsonl#L5", "Id en chemin"), ("id-collision.jsonl#piaf-a000-p00", "Id ordinaire")],
        [("id-collision.jsonl#L1", "line 1: id 'L2' has the form kept for line numbers: named by its line"),
         ("id-collision.jsonl#L4", "line 4: id 'a' repeats the id of line 3: named by its line"),
         ("id-collision.jsonl#L5",
          "line 5: id '/../../aide' has an empty, `.` or `..` path segment: named by its line")],
    ),
    "wrong-types.jsonl": (
        [("wrong-types.jsonl#liste", "Corps en liste"), ("wrong-types.jsonl#annee", "Année en nombre"),
         ("wrong-types.jsonl#objet", "Champs illisibles")],
        [("wrong-types.jsonl#L3", "line 3: 'body' is an object, not text: left out"),
         ("wrong-types.jsonl#L3", "line 3: 'date' is a boolean, not text: left out"),
         ("wrong-types.jsonl#L3", "line 3: 'url' is an object, not text: left out")],
    ),
    "year-99999.txt": (
        [("year-99999.txt", "Une année à cinq chiffres")],
        [("year-99999.txt", "unrecognised date in the header: 'date 99999-01-01'")],
    ),
    "negative-year.txt": (
        [("negative-year.txt", "Une année négative")],
        [("negative-year.txt", "unrecognised date in the header: 'date -2019-04-07'")],
    ),
    "year-9999.txt": (
        [("year-9999.txt", "Une année trop lointaine")],
        [("year-9999.txt", "implausible date in the header: 'date 9999-12-31' "
                           f"(year 9999 outside {FIRST_YEAR}–{last_year()}), kept undated")],
    ),
    "html-page.txt": ([("html-page.txt", "Une page HTML nommée .txt")], []),
}
