"""The fields of one JSON Lines record, taken in the forms exports really write them.

Exports disagree on types: `body` as a list of paragraphs, `date` as the number
`20190407`, `author` as a list of names. The obvious forms are accepted; anything else
(an object for a body, a boolean for a date) is left out with a warning saying which
field and why, never silently. Half an emoji (a lone surrogate) becomes U+FFFD, also
with a warning, since nothing downstream could encode it.
"""

from __future__ import annotations

from archive.surrogates import replace_surrogates

JSON_TYPES = {dict: "an object", list: "an array", bool: "a boolean", int: "a number", float: "a number"}
# A number that is a date: 2019, 201904, 20190407.
_DATE_DIGITS = {4: (), 6: (4,), 8: (4, 6)}


class Fields:
    """Text fields read from one record, and the warnings their reading gave."""

    def __init__(self, record: dict, escapes_surrogates: bool = True) -> None:
        """`escapes_surrogates`: whether the JSON text holds a `\\ud…` escape at all (only
        such an escape gives a surrogate), so that the usual record skips the search."""
        self.record = record
        self.escapes_surrogates = escapes_surrogates
        self.warnings: list[str] = []
        self._surrogates: list[str] = []

    def text(self, name: str) -> str:
        """A string field, stripped; "" when absent, null or of another type (warned)."""
        return self._clean(name, self._raw(name, list_joiner=None))

    def paragraphs(self, name: str) -> str:
        """A string, or a list of strings taken as paragraphs."""
        return self._clean(name, self._raw(name, list_joiner="\n\n"))

    def names(self, name: str) -> str:
        """A string, or a list of strings (several authors) joined by commas."""
        return self._clean(name, self._raw(name, list_joiner=", "))

    def list_of(self, name: str) -> list[str]:
        """A string, or a list of strings, as a list (each name of several authors apart).
        Read after `names` for the same field: its warnings are not repeated."""
        value = self.record.get(name)
        values = value if isinstance(value, list) else [value]
        return [self._clean(name, v) for v in values if isinstance(v, str) and v.strip()]

    def date(self, name: str) -> str:
        """A string, or a whole number written as a date (2019, 201904, 20190407), as an
        ISO string for `parse_date`."""
        value = self.record.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and len(str(value)) in _DATE_DIGITS:
            digits = str(value)
            cuts = _DATE_DIGITS[len(digits)]
            return "-".join(digits[start:end] for start, end in zip((0, *cuts), (*cuts, None)))
        return self.text(name)

    def surrogate_warning(self) -> str | None:
        if not self._surrogates:
            return None
        fields = ", ".join(repr(name) for name in self._surrogates)
        return f"half of a character (lone surrogate) in {fields} replaced with U+FFFD"

    def _raw(self, name: str, list_joiner: str | None) -> str:
        value = self.record.get(name)
        if value is None or isinstance(value, str):
            return value or ""
        if list_joiner is not None and isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list_joiner.join(v.strip() for v in value if v.strip())
        kind = JSON_TYPES.get(type(value), type(value).__name__)
        if isinstance(value, list):
            kind = "an array of other things than strings" if list_joiner else kind
        self.warnings.append(f"{name!r} is {kind}, not text: left out")
        return ""

    def _clean(self, name: str, value: str) -> str:
        if not self.escapes_surrogates:
            return value.strip()
        cleaned, count = replace_surrogates(value)
        if count and name not in self._surrogates:
            self._surrogates.append(name)
        return cleaned.strip()
