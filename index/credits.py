"""Sources and authors as filters and facets see them, on both engines: the fields, how
many names a facet lists, and the folded key a filter value looks for (an agency by any
of its spellings, case and accents aside). Whoosh counts them from its terms
(index/whoosh/credits.py), OpenSearch from a keyword field (index/opensearch/documents.py).
"""

from __future__ import annotations

from archive.credits import fold, source_name

FIELDS = ("sources", "authors")
# Names listed in a facet, the most frequent first.
FACET_LIMIT = 20


def wanted_key(field: str, name: str) -> str:
    """The folded key a filter value looks for: an agency by any of its spellings."""
    return fold(source_name(name) if field == "sources" else name)
