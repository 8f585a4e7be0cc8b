"""What a query could be taken to mean, read before the parser sees it, so that nothing
is misread silently: dates (`date:2019-04`, a range, one given in the wrong order, one
that cannot be read), sources and authors (`source:AFP`, `auteur:"Jean Dupont"`), « … » and “…” as quotes, field names in any case, unknown field
prefixes (`lieu:Paris`) and lower-case « ou », « sauf » between two words.

Each function returns the text as the parser is to read it, and what to tell the person.
A request's own dates (the drill-down, `du`/`au`) are read here too, once for both
backends (`request_dates`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from archive.model import PartialDate
from index.facets import Bounds, DateFilter, date_filter
from index.results import Offer, SearchRequest

_DATE = re.compile(r"date:(?P<from>[\d-]+)(?:\.\.(?P<to>[\d-]+))?", re.IGNORECASE)
# Any `date:` with something after it: what `_DATE` cannot read is said and left out.
_ANY_DATE = re.compile(r"(?<!\S)date:\S+", re.IGNORECASE)
# « … » and “…” (a pair, with what stands between) are quotes as "…" are.
_FRENCH_QUOTES = re.compile(r"«\s*([^«»]*?)\s*»|“([^“”]*)”")
# Field names in any case (`Titre:`) are written in lower case, as the parser knows them.
_FIELD_NAME = re.compile(r"(?<![\w:])(titre|title|texte|corps|body):", re.IGNORECASE)
# A word followed by a colon and more: a field prefix if its name is known, words
# otherwise (`auteur:AFP`), and the person is told. Not times (« 14:30 ») nor addresses.
_FIELD_LIKE = re.compile(r"(?<![\w:])(?P<name>[^\W\d_][\w-]*):(?=[\w\"])")
_KNOWN_FIELDS = frozenset({"titre", "title", "texte", "corps", "body", "date"})
# `source:AFP`, `auteur:"Jean Dupont"` (also « … », “…”): filters on who a dispatch is
# credited to, like the URL's `source` and `auteur`. The name follows the colon at once,
# as for `titre:`: « Prélèvement à la source : Darmanin confirme… », a headline pasted
# as the query, is words, not a filter on a source named Darmanin.
_CREDIT = re.compile(
    r"(?<![\w:])(?P<name>sources?|auteurs?|author):(?:\"(?P<quoted>[^\"]*)\"|(?P<word>[^\s\"]+))",
    re.IGNORECASE,
)
# Lower-case « ou », « sauf » between two words: ordinary words, perhaps meant as
# operators. (« et » reads the same either way: every word is required.)
_LOWERCASE_OPERATOR = re.compile(r"(?<=[\w\"»”])\s+(ou|sauf)\s+(?=[\w\"«“])")


def unknown_fields(text: str) -> list[str]:
    """The names of the field prefixes of `text` that are not fields (`auteur:AFP`)."""
    return [m["name"] for m in _FIELD_LIKE.finditer(text) if m["name"].lower() not in _KNOWN_FIELDS]


@dataclass(frozen=True)
class Dates:
    """The period a query names (`date:`), and the `date:` terms read as typed."""

    date_from: PartialDate | None = None
    date_to: PartialDate | None = None
    written: tuple[str, ...] = ()


def dates(text: str, notices: list[str]) -> tuple[str, Dates]:
    """The text without its `date:` terms, and the period they name (the last one read).
    A reversed range is put in order, an unreadable date left out: each is said."""
    found = Dates()
    for written in _ANY_DATE.finditer(text):
        match = _DATE.fullmatch(written.group(0))
        try:
            if match is None:
                raise ValueError(written.group(0))
            # Both ends are read before either is kept: a range with one unreadable
            # end is ignored as a whole.
            start = PartialDate.from_iso(match["from"])
            end = PartialDate.from_iso(match["to"]) if match["to"] else start
            if reversed_period(start, end):
                start, end = end, start
                notices.append(f"période inversée : « {written.group(0)} » est lue de {start.iso()} à {end.iso()}")
            found = Dates(start, end, (*found.written, written.group(0)))
        except ValueError:
            notices.append(f"date illisible ignorée : « {written.group(0)} » (écrire date:2019-04)")
    return _ANY_DATE.sub(" ", text), found


@dataclass(frozen=True)
class Credits:
    """The sources and authors a query names, and its `source:`/`auteur:` terms as typed."""

    sources: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    written: tuple[str, ...] = ()


def credits(text: str, notices: list[str]) -> tuple[str, Credits]:
    """The text without its `source:` and `auteur:` terms, and the names they ask for
    (every one of them: they add up, as filters do). An empty name is said and left out."""
    text = _FRENCH_QUOTES.sub(lambda m: f'"{m[1] if m[1] is not None else m[2]}"', text)
    sources: list[str] = []
    authors: list[str] = []
    written: list[str] = []
    for match in _CREDIT.finditer(text):
        name = " ".join((match["quoted"] if match["quoted"] is not None else match["word"]).split())
        if not name:
            notices.append(f"« {match.group(0)} » sans nom : ignoré")
            continue
        (sources if match["name"].lower().startswith("source") else authors).append(name)
        written.append(match.group(0))
    return _CREDIT.sub(" ", text), Credits(tuple(sources), tuple(authors), tuple(written))


def join_notices(first: str | None, second: str) -> str:
    """Two things to tell the person, in one notice."""
    return f"{first}; {second}" if first else second


def period_in_order(request: SearchRequest, notice: str | None) -> tuple[SearchRequest, str | None]:
    """The request with its Du/Au period put in order when it was given reversed, and the
    notice saying so (both backends read a request this way)."""
    if not reversed_period(request.date_from, request.date_to):
        return request, notice
    request = replace(request, date_from=request.date_to, date_to=request.date_from)
    return request, join_notices(notice, f"période inversée : lue du {request.date_from.iso()} au {request.date_to.iso()}")


@dataclass(frozen=True)
class RequestDates:
    """A request's dates, read once and the same way by both backends.

    `period` is the drill-down (the day, month or year chosen on the facets) as one
    date, which the facets open: months inside its year, days inside its month.
    `filter` keeps what the list shows (the drill-down, `du`/`au`, `date:`, or the
    undated); `span` is the same without the drill-down, the period the facets count
    inside, so that the other years stay a click away.
    """

    period: PartialDate | None = None
    filter: DateFilter = DateFilter()
    span: DateFilter = DateFilter()


def request_dates(request: SearchRequest, typed: Bounds, notice: str | None
                  ) -> tuple[SearchRequest, RequestDates, str | None]:
    """The request with its Du/Au period in order, its dates (with the period its query
    names, `typed`: from `date:`), and the notice saying what was put right or left
    out: a drill-down that cannot be read leaves every date filter out, and opens the
    facets at what can be read of it."""
    request, notice = period_in_order(request, notice)
    period, readable = _drilldown(request)
    if not readable:
        return request, RequestDates(period), join_notices(notice, "filtre de date illisible ignoré")
    ranges = ((request.date_from, request.date_to), typed)
    found = date_filter((period, period), *ranges, undated=request.undated)
    span = date_filter(*ranges) if found.active else DateFilter()
    return request, RequestDates(period, found, span), notice


def _drilldown(request: SearchRequest) -> tuple[PartialDate | None, bool]:
    """The drill-down chosen, the most precise of the day, month and year given, and
    whether it could be read; when it cannot, the next coarser that can (for facets)."""
    readable = True
    for given, read in ((request.day, PartialDate.from_iso), (request.month, PartialDate.from_iso),
                        (request.year, lambda year: PartialDate(int(year)))):
        if given:
            try:
                return read(given), readable
            except ValueError:
                readable = False
    return None, readable


def reversed_period(start: PartialDate | None, end: PartialDate | None) -> bool:
    """True when `start` begins after `end` ends (`2019..2018`; not `2019-05..2019`)."""
    if start is None or end is None:
        return False
    return (start.year, start.month or 0, start.day or 0) > (end.year, end.month or 99, end.day or 99)


def words_and_fields(text: str, notices: list[str], offers: list[Offer]) -> str:
    """« » and “ ” as quotes, known field names in lower case; unknown field prefixes
    and lower-case operators between words are said (and the operator offered)."""
    text = _FRENCH_QUOTES.sub(lambda m: f'"{m[1] if m[1] is not None else m[2]}"', text)
    text = _FIELD_NAME.sub(lambda m: f"{m[1].lower()}:", text)
    for name in dict.fromkeys(unknown_fields(text)):
        notices.append(f"« {name}: » n’est pas un champ : cherché comme des mots (champs connus : titre, texte, date, source, auteur)")
    for match in _LOWERCASE_OPERATOR.finditer(text):
        word = match[1]
        notices.append(f"« {word} » en minuscules " + ("est un mot courant, ignoré" if word == "ou" else "est cherché comme un mot"))
        written = text[: match.start(1)] + word.upper() + text[match.end(1) :]
        offers.append(Offer("operator", f"Vouliez-vous dire {word.upper()} ?", written.strip()))
    return text
