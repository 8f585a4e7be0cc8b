"""The search page's state, read from and written to its URL.

`/?q=…&exact=1&annee=2019&mois=2019-04&jour=2019-04-07&sans_date=1&du=2019-01&au=2019-06&source=AFP&auteur=Jean+Dupont&tri=recent&versions=toutes&page=2`
is the whole state of a search: every link on the page (facets, sort, pages, the way
back from a dispatch) is this state with one thing changed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from babel.numbers import format_decimal
from werkzeug.exceptions import BadRequest

from archive.model import PartialDate
from index import MAX_QUERY_CHARS, SearchRequest, Sort

# The URL's French sort names and the index's.
SORTS = {"pertinence": Sort.RELEVANCE, "recent": Sort.NEWEST, "ancien": Sort.OLDEST}
_TRUE, _FALSE = {"1", "oui", "true", "on"}, {"0", "non", "false", "off", ""}
# `versions=toutes` lists every version of a story; without it, one result per story.
ALL_VERSIONS = "toutes"
# `source=AFP&source=Le Monde`, `auteur=Jean Dupont`: each value a filter, all required.
MAX_NAMES, MAX_NAME_CHARS = 10, 200


class BadParameter(BadRequest):
    """A URL parameter that cannot be read; the message is shown to the person."""


@dataclass(frozen=True)
class Filter:
    """One active filter, as shown above the results with a link that removes it."""

    name: str  # the URL parameter: annee, mois, jour, sans_date, du, au, source, auteur
    date: PartialDate | None
    remove: dict
    value: str | None = None  # the name a `source` or `auteur` filter asks for


@dataclass(frozen=True)
class SearchState:
    query: str = ""
    year: int | None = None
    month: str | None = None  # YYYY-MM
    day: str | None = None  # YYYY-MM-DD
    undated: bool = False
    date_from: PartialDate | None = None
    date_to: PartialDate | None = None
    sort: str | None = None  # as chosen in the URL; None: the default for the query
    all_versions: bool = False  # every version of a story, not one result per story
    exact: bool = False  # every word in its exact form (`exact=1`)
    page: int = 1
    sources: tuple[str, ...] = ()  # `source=AFP`, repeated for several
    authors: tuple[str, ...] = ()  # `auteur=Jean Dupont`

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> SearchState:
        """Read the URL parameters; BadParameter (400) with a French message otherwise."""
        query = args.get("q", "")
        if len(query) > MAX_QUERY_CHARS:
            raise BadParameter(
                f"La requête est trop longue ({format_decimal(len(query), locale='fr')} caractères ; "
                f"{format_decimal(MAX_QUERY_CHARS, locale='fr')} au plus)."
            )
        day = _date_param(args, "jour", r"\d{4}-\d{2}-\d{2}", "un jour (AAAA-MM-JJ)")
        month = _date_param(args, "mois", r"\d{4}-\d{2}", "un mois (AAAA-MM)")
        year = _date_param(args, "annee", r"\d{4}", "une année (AAAA)")
        # A day implies its month and year: the facets then show the way back up.
        if day and not month:
            month = day[:7]
        if month and not year:
            year = month[:4]
        if (day and day[:7] != month) or (month and month[:4] != year):
            raise BadParameter("Le jour, le mois et l’année choisis ne concordent pas.")
        sort = args.get("tri") or None
        if sort is not None and sort not in SORTS:
            raise BadParameter(f"Tri inconnu : « {sort} » (pertinence, recent ou ancien).")
        undated = args.get("sans_date", "").lower()
        if undated not in _TRUE | _FALSE:
            raise BadParameter("Le paramètre sans_date vaut 1 ou 0.")
        exact = args.get("exact", "").lower()
        if exact not in _TRUE | _FALSE:
            raise BadParameter("Le paramètre exact vaut 1 (mots exacts) ou 0.")
        versions = args.get("versions", "")
        if versions not in ("", ALL_VERSIONS):
            raise BadParameter(f"« {_shorten(versions)} » : le paramètre versions vaut « {ALL_VERSIONS} » ou rien.")
        return cls(
            query=query,
            year=int(year) if year else None,
            month=month,
            day=day,
            undated=undated in _TRUE,
            date_from=_partial_date(args, "du"),
            date_to=_partial_date(args, "au"),
            sort=sort,
            all_versions=versions == ALL_VERSIONS,
            exact=exact in _TRUE,
            page=_page(args),
            sources=_names(args, "source"),
            authors=_names(args, "auteur"),
        )

    @property
    def effective_sort(self) -> str:
        """Relevance for a query; without one (the archive's newest), the newest first."""
        return self.sort or ("pertinence" if self.query.strip() else "recent")

    @property
    def has_date_filters(self) -> bool:
        return bool(self.year or self.undated or self.date_from or self.date_to)

    def request(self, page_size: int, page: int | None = None) -> SearchRequest:
        return SearchRequest(
            query=self.query,
            year=self.year,
            month=self.month,
            day=self.day,
            undated=self.undated,
            date_from=self.date_from,
            date_to=self.date_to,
            sort=SORTS[self.effective_sort],
            page=page or self.page,
            page_size=page_size,
            collapse_versions=not self.all_versions,
            exact=self.exact,
            sources=self.sources,
            authors=self.authors,
        )

    def args(self, **changes) -> dict:
        """The URL parameters of this state with `changes` applied (defaults left out)."""
        state = replace(self, **changes) if changes else self
        args = {
            "q": state.query or None,
            "exact": "1" if state.exact else None,
            "annee": f"{state.year:04d}" if state.year else None,
            "mois": state.month,
            "jour": state.day,
            "sans_date": "1" if state.undated else None,
            "du": state.date_from.iso() if state.date_from else None,
            "au": state.date_to.iso() if state.date_to else None,
            "source": list(state.sources) or None,
            "auteur": list(state.authors) or None,
            "tri": state.sort,
            "versions": ALL_VERSIONS if state.all_versions else None,
            "page": state.page if state.page > 1 else None,
        }
        return {name: value for name, value in args.items() if value is not None}

    def hidden(self, **changes) -> list[tuple[str, str]]:
        """`args(**changes)` as (name, value) pairs, a repeated parameter once per value:
        the hidden fields of a form that keeps the rest of the state."""
        return [(name, str(v)) for name, value in self.args(**changes).items()
                for v in (value if isinstance(value, list) else [value])]

    # Links of the page: each is this state with one thing changed, back on page 1.

    def year_args(self, year: str) -> dict:
        return self.args(year=int(year), month=None, day=None, undated=False, page=1)

    def month_args(self, month: str) -> dict:
        return self.args(year=int(month[:4]), month=month, day=None, undated=False, page=1)

    def day_args(self, day: str) -> dict:
        return self.args(year=int(day[:4]), month=day[:7], day=day, undated=False, page=1)

    def undated_args(self) -> dict:
        return self.args(year=None, month=None, day=None, date_from=None, date_to=None, undated=True, page=1)

    def source_args(self, name: str) -> dict:
        return self.args(sources=tuple(dict.fromkeys((*self.sources, name))), page=1)

    def author_args(self, name: str) -> dict:
        return self.args(authors=tuple(dict.fromkeys((*self.authors, name))), page=1)

    def sort_args(self, sort: str) -> dict:
        return self.args(sort=sort, page=1)

    def versions_args(self, all_versions: bool) -> dict:
        return self.args(all_versions=all_versions, page=1)

    def page_args(self, page: int) -> dict:
        return self.args(page=page)

    def query_args(self, query: str) -> dict:
        return self.args(query=query, page=1)

    def without_name_filters(self) -> dict:
        return self.args(sources=(), authors=(), page=1)

    def without_date_filters(self) -> dict:
        return self.args(year=None, month=None, day=None, undated=False, date_from=None, date_to=None, page=1)

    def filters(self) -> list[Filter]:
        """The active date filters; removing a year also removes its month and day."""
        found = []
        if self.year:
            found.append(Filter("annee", PartialDate(self.year), self.args(year=None, month=None, day=None, page=1)))
        if self.month:
            found.append(Filter("mois", PartialDate.from_iso(self.month), self.args(month=None, day=None, page=1)))
        if self.day:
            found.append(Filter("jour", PartialDate.from_iso(self.day), self.args(day=None, page=1)))
        if self.undated:
            found.append(Filter("sans_date", None, self.args(undated=False, page=1)))
        if self.date_from:
            found.append(Filter("du", self.date_from, self.args(date_from=None, page=1)))
        if self.date_to:
            found.append(Filter("au", self.date_to, self.args(date_to=None, page=1)))
        for name in self.sources:
            others = tuple(n for n in self.sources if n != name)
            found.append(Filter("source", None, self.args(sources=others, page=1), name))
        for name in self.authors:
            others = tuple(n for n in self.authors if n != name)
            found.append(Filter("auteur", None, self.args(authors=others, page=1), name))
        return found


def _names(args: Mapping[str, str], name: str) -> tuple[str, ...]:
    """The names a repeated parameter asks for, spaces folded, empty ones left out."""
    values = args.getlist(name) if hasattr(args, "getlist") else [args.get(name) or ""]
    names = tuple(dict.fromkeys(" ".join(v.split()) for v in values if v and v.strip()))
    if len(names) > MAX_NAMES:
        raise BadParameter(f"Trop de valeurs pour le paramètre {name} ({MAX_NAMES} au plus).")
    for value in names:
        if len(value) > MAX_NAME_CHARS or not value.isprintable():
            raise BadParameter(f"« {_shorten(value)} » n’est pas un nom lisible (paramètre {name} ; "
                               f"{MAX_NAME_CHARS} caractères au plus).")
    return names


def _date_param(args: Mapping[str, str], name: str, pattern: str, what: str) -> str | None:
    value = args.get(name) or None
    if value is None:
        return None
    if not re.fullmatch(pattern, value, re.ASCII):
        raise BadParameter(f"« {_shorten(value)} » n’est pas {what} (paramètre {name}).")
    try:
        PartialDate.from_iso(value)
    except ValueError:
        raise BadParameter(f"« {value} » n’est pas une date du calendrier (paramètre {name}).") from None
    return value


def _partial_date(args: Mapping[str, str], name: str) -> PartialDate | None:
    value = args.get(name) or None
    if value is None:
        return None
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value, re.ASCII):
        raise BadParameter(f"« {_shorten(value)} » n’est pas une date (AAAA, AAAA-MM ou AAAA-MM-JJ ; paramètre {name}).")
    try:
        return PartialDate.from_iso(value)
    except ValueError:
        raise BadParameter(f"« {value} » n’est pas une date du calendrier (paramètre {name}).") from None


def _page(args: Mapping[str, str]) -> int:
    value = args.get("page") or "1"
    if not re.fullmatch(r"[0-9]{1,9}", value) or int(value) < 1:
        raise BadParameter(f"« {_shorten(value)} » n’est pas un numéro de page (un entier à partir de 1).")
    return int(value)


def flag(args: Mapping[str, str], name: str, message: str) -> bool:
    """A yes/no parameter (1/0, oui/non, true/false, on/off; absent: no)."""
    value = args.get(name, "").lower()
    if value not in _TRUE | _FALSE:
        raise BadParameter(message)
    return value in _TRUE


def _shorten(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
