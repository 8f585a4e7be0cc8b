"""Generated archives for the export tests: one JSON Lines file of many small dispatches,
quick to write and to index, with dates of every precision, undated ones, stories
of two versions and titles a spreadsheet would run as formulas."""

from __future__ import annotations

import json
import random
from pathlib import Path

# A file name with a space and accents: dispatch ids (`<file>#<id>`) then need escaping
# in a URL, as does the `#` itself.
FILE_NAME = "dépêches été.jsonl"
HOSTILE_TITLES = ("=SOMME(A1:A9)", "+33 1 23 45 67 89", "-2 % sur un an", "@cellule",
                  'Guillemets "doubles", virgules, et\nretour à la ligne')
_LETTERS = "abcdefghijlmnoprstuv"


def vocabulary(size: int, seed: int = 7) -> list[str]:
    chooser = random.Random(seed)
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(chooser.choice(_LETTERS) for _ in range(chooser.randint(5, 9))))
    return sorted(words)


def write_archive(root: Path, count: int, seed: int = 2019, body_words: int = 40, versions_every: int = 10,
                  common: str = "communiqué", weighted: bool = False) -> Path:
    """`count` dispatches in one JSON Lines file under `root`; every `versions_every`-th
    is followed by a second version of its story (its text and one more paragraph),
    counted in `count`. Each holds the word `common`: with `weighted`, dispatch i holds
    it 1 + i % 5 times in a text of constant length, so relevance orders them by that."""
    chooser = random.Random(seed)
    words = vocabulary(2000, seed)
    root.mkdir(parents=True, exist_ok=True)
    lines = []
    number = 0
    while number < count:
        repeats = 1 + number % 5 if weighted else 1
        body = " ".join([common] * repeats + chooser.sample(words, body_words - repeats)) + "."
        record = {"id": f"d{number:06d}", "title": _title(chooser, words, number), "body": body}
        date = _date(chooser, number)
        if date:
            record["date"] = date
        lines.append(record)
        number += 1
        if versions_every and number % versions_every == 0 and number < count:
            extra = " ".join(chooser.sample(words, 12)) + "."
            lines.append({**record, "id": f"d{number:06d}", "body": body + "\n\n" + extra})
            number += 1
    path = root / FILE_NAME
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    return root


def _title(chooser: random.Random, words: list[str], number: int) -> str:
    if number % 17 == 3:
        return HOSTILE_TITLES[(number // 17) % len(HOSTILE_TITLES)]
    return " ".join(chooser.sample(words, 5)).capitalize()


def _date(chooser: random.Random, number: int) -> str | None:
    if number % 13 == 5:
        return None  # undated
    year, month, day = chooser.randint(2015, 2022), chooser.randint(1, 12), chooser.randint(1, 28)
    if number % 7 == 2:
        return f"{year:04d}-{month:02d}"  # month precision
    return f"{year:04d}-{month:02d}-{day:02d}"
