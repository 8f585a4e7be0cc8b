"""The test data shipped in `tests/data/`, and real French dispatches made from it.

The comparisons with Whoosh's own scoring and highlighting need a few hundred real French
texts in the three formats the archive reads. The news corpus cannot be redistributed, so
these tests take the PIAF paragraphs (French Wikipedia, CC BY-SA) instead, shaped as
dispatches by `bench.corpus` (the benchmark's own writer): a few consecutive paragraphs of an
article a dispatch, a seeded date, and for one dispatch in twelve a later version the next
day with one more paragraph, so that the index holds stories whose rewrites leave deletions
behind, as a real archive's does.
"""

from __future__ import annotations

import datetime
import json
import random
from itertools import groupby
from pathlib import Path

from bench.corpus import Record

DATA = Path(__file__).resolve().parent / "data"
PIAF = DATA / "piaf"
SNOWBALL_FR = DATA / "snowball-fr"

_FIRST_DAY = datetime.date(2016, 1, 1)
_DAYS = 5 * 365


def wikipedia_records(seed: int = 2019) -> list[Record]:
    """About 820 dispatches from the PIAF paragraphs, the same ones on every run."""
    rng = random.Random(seed)
    with open(PIAF / "docs.jsonl", encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    records: list[Record] = []
    for article, paragraphs in groupby(rows, key=lambda row: row["id"].rsplit("-p", 1)[0]):
        paragraphs = list(paragraphs)
        while paragraphs:
            size = rng.randint(1, 3)
            chunk, paragraphs = paragraphs[:size], paragraphs[size:]
            day = _FIRST_DAY + datetime.timedelta(days=rng.randrange(_DAYS))
            record = Record(
                id=f"{article}-{len(records):04d}", date=day.isoformat(), published=None,
                title=chunk[0]["title"], body="\n\n".join(row["body"] for row in chunk),
                author="Rédaction", source="Wikipédia", url=f"https://fr.wikipedia.org/wiki/{chunk[0]['title']}",
            )
            records.append(record)
            if len(records) % 12 == 0 and paragraphs:
                later = (day + datetime.timedelta(days=1)).isoformat()
                records.append(Record(
                    id=f"{record.id}-suite", date=later, published=None, title=f"{record.title} (suite)",
                    body=record.body + "\n\n" + paragraphs[0]["body"], author=record.author,
                    source=record.source, url=record.url,
                ))
    return records
