"""The offer of the exact search: « Dati : 175 dépêches avec ce mot exact, 2 557 avec
ses variantes ».

An unquoted word finds its variants (« Dati » also finds « date », « dates »), which is
what a reader of the news wants and what a researcher counting a name does not. When the
exact forms find far fewer dispatches, the result says how many and offers the quoted
query; the count is that query's own, with the same filters, so a click gives it.
"""

from __future__ import annotations

import numpy as np

from index.offers import message
from index.results import Offer
from index.whoosh import query as q
from index.whoosh import versions
from index.whoosh.matching import matching


def exact_offer(searcher, generation: tuple, parsed: q.ParsedQuery, date_filter, keys: np.ndarray,
                variants: int, named: np.ndarray | None = None) -> Offer | None:
    """The offer for a plain query whose `variants` (the dispatches it finds) are at least
    EXACT_OFFER_RATIO times what its exact forms find, and these some; None otherwise.
    `named`: a mask of the sources and authors asked for, as the variants were counted."""
    if parsed.exact_query is None or not variants:
        return None
    quoted = q.parse(parsed.exact_query, searcher.schema).bounded(searcher.reader(), generation)
    found = matching(searcher, quoted.everything, generation)
    if named is not None:
        found = found[named[found]]
    # Dispatches, not stories, on both sides: how often a name is written is what the
    # offer tells, whatever the grouping of the list.
    exact = int(versions.counted(found, keys, None, date_filter).size)
    # Nothing to offer when the exact forms find as many, or none: a click would give
    # the same list, or an empty one.
    if not exact or variants <= exact or variants < q.EXACT_OFFER_RATIO * exact:
        return None
    return Offer("exact", message(parsed.exact_words, exact, variants), parsed.exact_query, exact, variants)
