"""« Citer cette dépêche »: a dispatch as a reference, in three forms.

- text, in the French wording of ISO 690 (the standard French libraries follow):
  `AUTEUR. Titre [en ligne]. Source, 7 avril 2019 [consulté le 1 décembre 2026].
  Disponible à l’adresse : https://…/d/3f2a…`;
- BibTeX, a `@misc` entry that BibTeX and biblatex both read;
- CSL-JSON, what Zotero and the citeproc processors import.

Written here rather than by a library: what BibTeX needs escaped is a short, fixed list
(`_BIBTEX_SPECIAL`), CSL-JSON is plain JSON, and one French reference is one format
string; pybtex or citeproc-py would bring their style machinery for a dozen lines.

The date keeps its precision (« avril 2019 » is never made a day) and the address is
the permalink, which survives renaming the file. `source` and `author` are read when
the dispatch has them; the byline stands in for a missing author.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date

from archive.model import Dispatch, PartialDate, Precision

_DATE_PATTERNS = {Precision.YEAR: "y", Precision.MONTH: "LLLL y", Precision.DAY: "d MMMM y"}
_MONTH_MACROS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# Characters LaTeX gives a meaning inside a braced BibTeX value, each written as the
# command that prints it. One pass (str.translate), so a backslash added here is not
# escaped again.
_BIBTEX_SPECIAL = str.maketrans({
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
})
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Citation:
    """What a reference to one dispatch says."""

    key: str  # the permalink's key: the citation key's stable part
    title: str
    url: str  # the permalink, absolute
    accessed: date
    date: PartialDate | None = None
    author: str | None = None
    source: str | None = None

    @classmethod
    def of(cls, dispatch: Dispatch, key: str, url: str, accessed: date) -> Citation:
        # getattr: `source` and `author` are not fields of every Dispatch.
        author = getattr(dispatch, "author", None) or dispatch.byline
        return cls(key=key, title=_plain(dispatch.title), url=url, accessed=accessed, date=dispatch.date,
                   author=_plain(author) if author else None,
                   source=_plain(getattr(dispatch, "source", None) or "") or None)

    def text(self) -> str:
        """ISO 690, French wording: `[s. d.]` for an undated dispatch."""
        parts = []
        if self.author:
            parts.append(f"{self.author.upper()}. ")
        parts.append(f"{self.title.removesuffix('.')} [en ligne]. ")
        issued = _french_date(self.date) if self.date else "[s. d.]"
        accessed = self._accessed_text()
        published = f"{self.source}, {issued}" if self.source else issued[:1].upper() + issued[1:]
        parts.append(f"{published} [consulté le {accessed}]. ")
        parts.append(f"Disponible à l’adresse\u00a0: {self.url}")
        return "".join(parts)

    def _accessed_text(self) -> str:
        return _french_date(PartialDate(self.accessed.year, self.accessed.month, self.accessed.day))

    def bibtex(self) -> str:
        """A `@misc` entry, every value braced and escaped; the author braced twice so
        that a byline (« AFP et Reuters », « Dupont, Jean ») is one name as written."""
        # Braced twice: BibTeX styles lower-case titles (« Combats à tripoli »).
        fields = [("title", "{{" + _bibtex(self.title) + "}}")]
        if self.author:
            fields.append(("author", "{{" + _bibtex(self.author) + "}}"))
        if self.source:
            fields.append(("howpublished", "{" + _bibtex(self.source) + "}"))
        if self.date:
            fields.append(("year", f"{{{self.date.year}}}"))
            if self.date.month:
                fields.append(("month", _MONTH_MACROS[self.date.month - 1]))  # a macro, unbraced
            fields.append(("date", f"{{{self.date.iso()}}}"))  # biblatex: as precise as known
        fields.append(("url", "{" + _bibtex_url(self.url) + "}"))
        fields.append(("urldate", f"{{{self.accessed.isoformat()}}}"))
        fields.append(("note", "{Consulté le " + _bibtex(self._accessed_text()) + "}"))
        fields.append(("langid", "{french}"))
        body = ",\n".join(f"  {name} = {value}" for name, value in fields)
        return f"@misc{{depeche-{self.key},\n{body}\n}}\n"

    def csl(self) -> dict:
        """One CSL-JSON item (the format is a list of them)."""
        item: dict = {
            "id": f"depeche-{self.key}",
            "type": "article-newspaper",
            "title": self.title,
            "URL": self.url,
            "accessed": {"date-parts": [[self.accessed.year, self.accessed.month, self.accessed.day]]},
            "language": "fr",
        }
        if self.author:
            # `literal`: a byline is not split into family and given names.
            item["author"] = [{"literal": self.author}]
        if self.source:
            item["container-title"] = self.source
        if self.date:
            item["issued"] = {"date-parts": [[p for p in (self.date.year, self.date.month, self.date.day) if p]]}
        return item


def _plain(text: str) -> str:
    """One line, no control character: a reference is a line of text."""
    return " ".join(_CONTROL.sub(" ", text).split())


def _french_date(value: PartialDate) -> str:
    return format_date(value.first_day(), _DATE_PATTERNS[value.precision], locale="fr")


def _bibtex(text: str) -> str:
    return text.translate(_BIBTEX_SPECIAL)


def _bibtex_url(url: str) -> str:
    """A URL as `url` fields take it (verbatim): only the characters that would end or
    break the braced value are percent-encoded."""
    return "".join(f"%{ord(c):02X}" if c in "{}\\" or c.isspace() else c for c in url)
