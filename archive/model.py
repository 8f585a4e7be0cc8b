"""The one document model every reader produces: a `Dispatch`.

Dates carry their precision because dispatches often say only « avril 2019 »; inventing a
day would put them on the wrong page of a timeline and in the wrong day facet.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Precision(StrEnum):
    YEAR = "year"
    MONTH = "month"
    DAY = "day"


class DateSource(StrEnum):
    """Where a dispatch's date was read from."""

    HEADER = "header"  # a `date …` prefix at the top of a text file, or a JSON field
    METADATA = "metadata"  # HTML metadata (og/article tags, <time>, JSON-LD)
    DATELINE = "dateline"  # a date written in the text itself
    NONE = "none"


@dataclass(frozen=True, order=True)
class PartialDate:
    """A calendar date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise ValueError("a day needs a month")
        # date() validates the month and the day (no 2019-13, no 31/02/2019, no day 0).
        # A number too large for C (`date:99999999999999999999`) is as impossible.
        try:
            self.first_day()
        except OverflowError:
            raise ValueError(f"date out of range: {self.year}-{self.month}-{self.day}") from None

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.DAY
        if self.month is not None:
            return Precision.MONTH
        return Precision.YEAR

    def first_day(self) -> date:
        """The earliest calendar day this date may stand for (used for sorting)."""
        return date(
            self.year,
            1 if self.month is None else self.month,
            1 if self.day is None else self.day,
        )

    def iso(self) -> str:
        """`2019`, `2019-04` or `2019-04-07`, as precise as the date is."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    @classmethod
    def from_iso(cls, text: str) -> PartialDate:
        """Parse what `iso()` writes; raises ValueError otherwise."""
        parts = text.split("-")
        if not 1 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
            raise ValueError(f"not a date: {text!r}")
        return cls(*(int(p) for p in parts))

    def __str__(self) -> str:
        return self.iso()


def normalise_text(text: str) -> str:
    """NFC with runs of white space folded: two spellings of one text hash alike."""
    return " ".join(unicodedata.normalize("NFC", text).split())


@dataclass(frozen=True)
class Dispatch:
    """One news dispatch, whatever file format it came from.

    `id` is stable across reindexes: the file's path relative to the archive root, with
    `#L<line>` appended for a JSON Lines record.
    """

    id: str
    source_path: str
    title: str
    paragraphs: tuple[str, ...]
    date: PartialDate | None = None
    date_source: DateSource = DateSource.NONE
    title_derived: bool = False
    byline: str | None = None
    url: str | None = None
    # Who it is credited to (archive/credits.py): agencies first, then the outlet; people.
    sources: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    content_hash: str = field(init=False)

    def __post_init__(self) -> None:
        if self.date is None and self.date_source is not DateSource.NONE:
            raise ValueError("a date source without a date")
        # The hash covers what a reader sees, so a re-saved file with the same words
        # (other line endings, another encoding) is not counted as a change.
        digest = hashlib.blake2b(digest_size=16)
        for part in (self.title, self.date.iso() if self.date else "", self.byline or ""):
            digest.update(normalise_text(part).encode() + b"\x1e")
        for paragraph in self.paragraphs:
            digest.update(normalise_text(paragraph).encode() + b"\x1f")
        # Only when there are any: the hash of a dispatch credited to no one is unchanged.
        if self.sources or self.authors:
            digest.update(("\x1d".join(self.sources) + "\x1e" + "\x1d".join(self.authors)).encode())
        object.__setattr__(self, "content_hash", digest.hexdigest())

    @property
    def precision(self) -> Precision | None:
        return self.date.precision if self.date else None

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)

    def summary(self) -> dict:
        """The plain-JSON view printed by `archive show`."""
        return {
            "id": self.id,
            "source_path": self.source_path,
            "title": self.title,
            "title_derived": self.title_derived,
            "date": self.date.iso() if self.date else None,
            "precision": str(self.precision) if self.precision else None,
            "date_source": str(self.date_source),
            "byline": self.byline,
            "sources": list(self.sources),
            "authors": list(self.authors),
            "url": self.url,
            "paragraphs": len(self.paragraphs),
            "content_hash": self.content_hash,
        }
