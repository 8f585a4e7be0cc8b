"""A realistic, seeded query set drawn from the titles of the dispatches being indexed.

People type a few words they remember from a headline, sometimes a name in quotes, and
sometimes pick a year. So each query takes 2 to 4 content words of one title (in title
order), or a two-word quoted phrase from it, and about one in five carries that
dispatch's year as a filter. Every query therefore matches at least its own dispatch.

Words are kept only when every engine reads them alike: letters only (no digits, no
hyphenated compounds, an elided article such as « l’ » taken off) and never a stop word
of the plain-Whoosh baseline, whose analyzer drops them (a dropped word would loosen its
AND and the engines would no longer answer the same question).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlencode

from whoosh.lang.stopwords import stoplists

from bench.corpus import Record

# Whoosh's French list (what the baseline drops) plus the function words it lacks.
STOP_WORDS = stoplists["fr"] | {
    "après", "avant", "alors", "ans", "aussi", "autre", "autres", "bien", "car", "cela",
    "celle", "celui", "ceux", "cet", "cette", "chez", "comme", "comment", "contre", "dont",
    "déjà", "depuis", "deux", "dit", "donc", "elles", "encore", "entre", "fait", "faire",
    "fois", "ici", "ils", "leurs", "lors", "mois", "moins", "non", "où", "oui", "peu",
    "plus", "pourquoi", "quand", "quel", "quelle", "quels", "quelles", "sans", "selon",
    "sous", "tous", "tout", "toute", "toutes", "très", "trois", "trop", "vers", "voici",
    "voilà", "pendant", "jusqu", "lorsqu", "puisqu", "ceci", "rien", "veut", "doit",
}
_ELISION = re.compile(r"^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)
_EDGE = "\"'’«»“”‘()[]{}.,;:!?…"
_LETTERS = re.compile(r"^[^\W\d_]{3,}$")


class Mode(StrEnum):
    """How much of the result page a query computes."""

    RANKING = "ranking"  # the ranked top 10 (ids, titles) and the total
    SNIPPETS = "snippets"  # … plus a highlighted body snippet per hit
    PAGE = "page"  # … plus date facets: what the search page does


@dataclass(frozen=True)
class BenchQuery:
    text: str  # as typed in the search box, quotes included
    year: int | None = None

    def url(self) -> str:
        params = {"q": self.text}
        if self.year is not None:
            params["annee"] = str(self.year)
        return "/?" + urlencode(params)


def content_words(title: str) -> list[str | None]:
    """The title's words in order; `None` stands for a word no query may use."""
    words: list[str | None] = []
    for raw in title.split():
        word = _ELISION.sub("", raw.strip(_EDGE)).strip(_EDGE)
        ok = _LETTERS.match(word) and word.lower() not in STOP_WORDS
        words.append(word if ok else None)
    return words


def make_queries(records: list[Record], count: int, seed: int = 7) -> list[BenchQuery]:
    """`count` distinct queries from the titles of `records`, the same for the same input."""
    rng = random.Random(seed)
    order = list(range(len(records)))
    rng.shuffle(order)
    queries: dict[tuple[str, int | None], BenchQuery] = {}
    for index in order:
        if len(queries) >= count:
            break
        record = records[index]
        query = _from_title(record, rng)
        if query is not None:
            queries.setdefault((query.text.lower(), query.year), query)
    return list(queries.values())


def _from_title(record: Record, rng: random.Random) -> BenchQuery | None:
    words = content_words(record.title)
    usable = [w for w in words if w]
    draw = rng.random()
    if draw < 0.2:
        pairs = [(a, b) for a, b in zip(words, words[1:]) if a and b]
        if pairs:
            a, b = rng.choice(pairs)
            phrase = f'"{a} {b}"'
            others = [w for w in usable if w not in (a, b)]
            if others and rng.random() < 0.5:
                return BenchQuery(f"{phrase} {rng.choice(others)}")
            return BenchQuery(phrase)
    if len(usable) < 2:
        return None
    take = rng.randint(2, min(4, len(usable)))
    picked = sorted(rng.sample(range(len(usable)), take))
    text = " ".join(usable[i] for i in picked)
    year = int(record.date[:4]) if draw >= 0.8 else None
    return BenchQuery(text, year)
