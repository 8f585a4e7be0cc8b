"""Who a dispatch is credited to: its sources (news agencies, then the outlet that
published it) and its authors (people).

Files say it in many ways: a byline (`<meta name="author">`, a JSON `author`) that may
hold people, an agency or both (« Jean Dupont et Marie Curie », « Orange avec AFP »,
« Jean Dupont (AFP) », « Source BFMTV »), a site name (`og:site_name`, JSON-LD
`publisher`), a JSON `source`, and in the text itself a dateline opening the body
(`TRIPOLI (AFP) - …`) or a credit closing it (`… (AFP)`, `avec AFP`).

The spellings of the main agencies become one name (« Agence France-Presse »,
« AFP-Services » → `AFP`; « Associated Press » → `AP`), so that one filter finds them
all. « Le Monde avec AFP » credits two sources, `AFP` and `Le Monde`: a researcher
filtering on AFP wants that dispatch, and one filtering on Le Monde too.

In the text, only the two places where agencies sign are read: the start of the first
paragraph and the end of the last. « (AFP) » in the middle of the body (a quote, an
aside) credits nothing, and no source is ever guessed when none is written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Folded spellings (see `fold`) of the agencies whose names vary, and the one name kept.
_AGENCIES = {
    "afp": "AFP",
    "afp services": "AFP",
    "agence france presse": "AFP",
    "reuters": "Reuters",
    "thomson reuters": "Reuters",
    "ap": "AP",
    "associated press": "AP",
    "the associated press": "AP",
    "dpa": "DPA",
    "ansa": "ANSA",
    "efe": "EFE",
    "belga": "Belga",
    "ats": "ATS",
    "xinhua": "Xinhua",
    "6medias": "6Médias",
    "relaxnews": "Relaxnews",
}
# How the agencies that sign in the text are written there (case matters: « ap » is
# no agency, « AP » is).
_SIGNATURE = (
    r"AFP(?:-Services)?|Agence France[- ]Presse|Reuters|REUTERS|AP|Associated Press|"
    r"DPA|dpa|ANSA|EFE|Belga|ATS|Xinhua"
)
_SIGNATURES = rf"(?:{_SIGNATURE})(?:\s*(?:/|,|et|and|&)\s*(?:{_SIGNATURE}))*"
# `TRIPOLI (AFP) -`, `PARIS, 7 avril 2019 (Reuters) —`, `(AFP) -`: a short capitalised
# place (and date) before the agency, a dash or a colon after it.
_DATELINE = re.compile(rf"(?:[A-ZÀ-Þ][^()\n.!?]{{0,80}}?\s)?\(\s*(?P<who>{_SIGNATURES})\s*\)\s*[-–—:]")
# `… (AFP)`, `… (avec AFP)`, `… avec AFP.`, `Source : Reuters`, at the very end.
_TRAILER = re.compile(
    rf"(?:^|(?<=[\s.!?»”\"]))(?:\(\s*(?:(?i:avec|source\s*:?)\s+)?(?P<who>{_SIGNATURES})\s*\)"
    rf"|(?i:avec|source\s*:?)\s+(?P<who2>{_SIGNATURES}))\s*\.?\s*$"
)
# Inside a byline: « avec AFP », « (AFP) », a « Par » before names, a « Source » before a source.
_WITH = re.compile(r"\s+(?:avec|with)\s+", re.IGNORECASE)
_PARENTHESES = re.compile(r"\(([^()]*)\)")
_BY = re.compile(r"^(?:par|by)\s+", re.IGNORECASE)
_SOURCE = re.compile(r"^source\s*:?\s+", re.IGNORECASE)
_SEPARATORS = re.compile(r"\s*(?:,|;|/|&|\s(?:et|and)\s)\s*", re.IGNORECASE)
# A person's name: two to five words, each capitalised or a particle, letters only.
_NAME_WORD = r"(?:[A-ZÀ-Þ][\w'’.-]*|de|du|des|d’|d'|von|van|der|le|la|ben|bin|el|al)"
_PERSON = re.compile(rf"(?!(?:Le|La|Les|L['’])\s)[A-ZÀ-Þ][\w'’.-]*(?:\s+{_NAME_WORD}){{1,4}}")
# Words that make a name an outlet's, not a person's (« Non Stop Zapping », « Radio
# France », « Huffington Post », « Vidéo Jeanmarcmorandini.com »).
_OUTLET_WORDS = frozenset(
    "actu agence info infos journal magazine media medias médias news people post presse press "
    "radio télé tele tv video vidéo zap zapping france monde figaro parisien libération".split()
)
_URL = re.compile(r"^(?:https?:)?//|^www\.", re.IGNORECASE)
# Longer than this, a « name » is a sentence that landed in a byline: left out.
MAX_NAME = 80


def fold(name: str) -> str:
    """The key two spellings of one name share: no accents, no case, no punctuation."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.split())


def clean(name: str) -> str:
    """A name with its white space folded and no comma (commas separate names in the
    index); "" when nothing is left or the name is too long to be one."""
    name = " ".join(unicodedata.normalize("NFC", name).replace(",", " ").split()).strip(" .;:-–—")
    return name if len(name) <= MAX_NAME else ""


def source_name(name: str) -> str:
    """One name for the spellings of a known agency; any other name cleaned, as written."""
    name = clean(name)
    return _AGENCIES.get(fold(name), name)


def is_agency(name: str) -> bool:
    return fold(name) in _AGENCIES


def in_text(paragraphs: Iterable[str], title: str = "") -> tuple[str, ...]:
    """The agencies a body signs with: a dateline opening its first paragraph, a credit
    closing its last one or its title (« Heurts à Lesbos (AFP) »). Nothing else in the
    text counts."""
    paragraphs = list(paragraphs)
    if not paragraphs:
        return ()
    found: list[str] = []
    if title and (credit := _TRAILER.search(title[-200:])):
        found += _split(credit["who"] or credit["who2"])
    if dateline := _DATELINE.match(paragraphs[0][:200]):
        found += _split(dateline["who"])
    if trailer := _TRAILER.search(paragraphs[-1][-200:]):
        found += _split(trailer["who"] or trailer["who2"])
    return _unique(source_name(name) for name in found)


def from_byline(byline: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(sources, authors) named by a byline. People are authors; agencies, « Source X »
    and names that do not look like a person's (« Orange », « BFMTV ») are sources."""
    sources: list[str] = []
    authors: list[str] = []
    if not byline or _URL.match(byline.strip()):
        return (), ()
    text = byline
    # « Jean Dupont (AFP) »: the parenthesised part credits a source.
    for inner in _PARENTHESES.findall(text):
        sources += [part for part in _split(inner) if any(c.isalpha() for c in part)]
    text = _PARENTHESES.sub(" ", text)
    # « Orange avec AFP »: what follows « avec » are sources.
    head, *withs = _WITH.split(text)
    for part in withs:
        sources += _split(part)
    for part in _split(head):
        part = _BY.sub("", part).strip()
        if _SOURCE.match(part):
            sources.append(_SOURCE.sub("", part))
        elif is_agency(part) or not _looks_like_a_person(part):
            sources.append(part)
        else:
            authors.append(part)
    return _unique(source_name(s) for s in sources), _unique(clean(a) for a in authors if not _URL.match(a))


def authors_of(names: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(sources, authors) from a list of bylines (several JSON-LD authors, a JSON list)."""
    sources: list[str] = []
    authors: list[str] = []
    for name in names:
        more_sources, more_authors = from_byline(name)
        sources += more_sources
        authors += more_authors
    return _unique(sources), _unique(authors)


def merged(*groups: Iterable[str]) -> tuple[str, ...]:
    """The sources of every group, each once (by its folded key): the agencies first,
    then the others (outlets), each in the order given."""
    names = _unique(source_name(name) for group in groups for name in group)
    return tuple(sorted(names, key=lambda name: not is_agency(name)))


def _looks_like_a_person(name: str) -> bool:
    return bool(_PERSON.fullmatch(name)) and not _OUTLET_WORDS.intersection(fold(name).split()) and "." not in name


def _split(text: str) -> list[str]:
    return [part.strip() for part in _SEPARATORS.split(text) if part.strip()]


def _unique(names: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for name in names:
        if name and (key := fold(name)) and key not in seen:
            seen[key] = name
    return tuple(seen.values())
