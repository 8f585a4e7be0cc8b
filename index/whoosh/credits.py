"""Filters and facets by source and by author, counted with NumPy as the date facets are.

Each name indexed under `sources` or `authors` is a term; once per index generation the
terms become a table of (document, name) pairs, names that differ only by case or
accents merged (« Jean Dupont », « JEAN DUPONT »: one author, shown as most documents
write it). A filter is then a mask over document numbers, and a facet a count of pairs.

Grouped, a name counts each story once, at the first version holding that name, and
within the period asked for: exactly what a click on the facet gives (see
`versions.counted`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from archive.credits import fold
from index.cache import LruCache
from index.credits import FACET_LIMIT, wanted_key
from index.results import FacetValue

# Per (generation, field): a few generations, the live one and the previous.
_tables: LruCache[NameTable] = LruCache(8)


@dataclass(frozen=True)
class NameTable:
    """The names of one field and which documents hold each."""

    names: tuple[str, ...]  # shown name, by name number
    numbers: dict[str, int]  # folded name → name number
    docs: np.ndarray  # document number of each (document, name) pair
    values: np.ndarray  # name number of each pair


def table(searcher, generation_key: tuple, field: str) -> NameTable:
    """The (document, name) pairs of `field` in this searcher's reader (cached)."""

    def read() -> NameTable:
        reader = searcher.reader()
        numbers: dict[str, int] = {}
        spellings: list[Counter] = []
        docs: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for term in reader.field_terms(field):
            number = numbers.setdefault(fold(term), len(numbers))
            if number == len(spellings):
                spellings.append(Counter())
            ids = np.fromiter(reader.postings(field, term).all_ids(), dtype=np.int64)
            spellings[number][term] += ids.size
            docs.append(ids)
            values.append(np.full(ids.size, number, dtype=np.int64))
        empty = np.zeros(0, dtype=np.int64)
        return NameTable(
            names=tuple(counter.most_common(1)[0][0] for counter in spellings),
            numbers=numbers,
            docs=np.concatenate(docs) if docs else empty,
            values=np.concatenate(values) if values else empty,
        )

    return _tables.get((generation_key, field), read)


def allowed(searcher, generation_key: tuple, wanted: dict[str, Sequence[str]]) -> np.ndarray | None:
    """A mask over document numbers: those holding every name asked for in each field
    (`{"sources": ["AFP"], "authors": [...]}`); None when nothing is asked. A name no
    document holds leaves the mask empty."""
    if not any(wanted.values()):
        return None
    mask = np.ones(searcher.reader().doc_count_all(), dtype=bool)
    for field, names in wanted.items():
        if not names:
            continue
        names_table = table(searcher, generation_key, field)
        for name in names:
            holds = np.zeros_like(mask)
            number = names_table.numbers.get(wanted_key(field, name))
            if number is not None:
                holds[names_table.docs[names_table.values == number]] = True
            mask &= holds
    return mask


# The counts over every live document, per (generation, field, grouped): the empty query's.
_whole_counts: LruCache[tuple[FacetValue, ...]] = LruCache(8)


def count(names_table: NameTable, docnums: np.ndarray, keys: np.ndarray, codes: np.ndarray | None,
          date_filter, limit: int = FACET_LIMIT, whole: tuple | None = None) -> tuple[FacetValue, ...]:
    """How many of the matching `docnums` (every version) hold each name: dispatches,
    or grouped (story `codes`) stories, each at its first version holding the name;
    those in the `date_filter`'s period. The `limit` most frequent names. `whole`:
    (generation, field) when `docnums` is every live document, whose count without a
    date filter is then made once for the generation."""
    if whole is not None and not date_filter.active:
        return _whole_counts.get((*whole, codes is not None, limit),
                                 lambda: count(names_table, docnums, keys, codes, date_filter, limit))
    inside = np.zeros(keys.size, dtype=bool)
    inside[docnums] = True
    chosen = inside[names_table.docs]
    docs, values = names_table.docs[chosen], names_table.values[chosen]
    if codes is not None and docs.size:
        # One pair per (name, story): its earliest dated document, undated last.
        stories, dated = codes[docs], keys[docs]
        order = np.lexsort((docs, dated, dated == 0, stories, values))
        docs, values, stories = docs[order], values[order], stories[order]
        first = np.ones(docs.size, dtype=bool)
        first[1:] = (values[1:] != values[:-1]) | (stories[1:] != stories[:-1])
        docs, values = docs[first], values[first]
    if date_filter.active:
        values = values[date_filter.mask(keys[docs])]
    counts = np.bincount(values, minlength=len(names_table.names))
    shown = sorted((-int(c), names_table.names[n]) for n, c in enumerate(counts.tolist()) if c)
    return tuple(FacetValue(name, -negative) for negative, name in shown[:limit])
