"""The offer of the exact search, as the result says it: « Dati : 175 dépêches avec ce mot
exact, 2 557 avec ses variantes ». Each engine counts both sides its own way
(index/whoosh/offers.py, index/opensearch/search.py); the message is the same.
"""

from __future__ import annotations


def message(words: str, exact: int, variants: int) -> str:
    dispatches = "dépêche" if exact < 2 else "dépêches"
    if " " in words:
        # In quotes, as searched: in this order, little words included.
        return f'"{words}" : {_number(exact)} {dispatches} avec ces mots exacts, {_number(variants)} avec leurs variantes'
    return f"{words} : {_number(exact)} {dispatches} avec ce mot exact, {_number(variants)} avec ses variantes"


def _number(n: int) -> str:
    """French digit grouping (« 2 557 », with a narrow no-break space)."""
    return f"{n:,}".replace(",", "\u202f")
