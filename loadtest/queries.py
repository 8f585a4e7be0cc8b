"""Realistic request paths: words from real titles, alone or by two or three, some with
a year or month facet, some sorted by date, some on page 2 or 3, some through the JSON
API, and a few dispatch pages. Seeded: two runs send the same requests."""

from __future__ import annotations

import random
import re
from urllib.parse import quote, urlencode

# Short or grammatical words a person does not search for.
_SKIP = frozenset("""alors après avant avec avoir cette comme dans depuis elle elles encore être
faire leur leurs mais même nous notre plus pour quand sans selon sont sous tout tous toute
très votre vous entre était""".split())
_WORD = re.compile(r"[^\W\d_]{4,}")


def title_words(titles: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(word, date) pairs: the searchable words of each title, with its article's date."""
    pairs = []
    for date, title in titles:
        for word in _WORD.findall(title):
            if word.lower() not in _SKIP:
                pairs.append((word, date))
    return pairs


def request_paths(titles: list[tuple[str, str]], ids: list[str], count: int = 2000, seed: int = 34103) -> list[str]:
    rng = random.Random(seed)
    pairs = title_words(titles)
    paths = []
    for _ in range(count):
        draw = rng.random()
        if draw < 0.05:
            paths.append("/depeche/" + quote(rng.choice(ids)))
            continue
        word, date = rng.choice(pairs)
        words = [word] + [rng.choice(pairs)[0] for _ in range(rng.choice([0, 0, 1, 2]))]
        params: dict[str, str] = {"q": " ".join(words)}
        facet = rng.random()
        if facet < 0.15:
            params["annee"] = date[:4]
        elif facet < 0.25:
            params["mois"] = date[:7]
        sort = rng.random()
        if sort < 0.15:
            params["tri"] = "recent"
        elif sort < 0.2:
            params["tri"] = "ancien"
        page = rng.random()
        if page < 0.1:
            params["page"] = "2"
        elif page < 0.15:
            params["page"] = "3"
        base = "/api/search" if draw < 0.25 else "/"
        paths.append(f"{base}?{urlencode(params)}")
    return paths
