"""What an export yields, whichever engine reads it: one `ExportRow` per result, read
`BATCH` at a time (index/whoosh/export.py, index/opensearch/export.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from index.results import SearchHit

# Hits read and handed on together: large enough to amortise the per-batch work, small
# enough that a batch of full texts stays a few megabytes.
BATCH = 256


@dataclass(frozen=True)
class ExportRow:
    """One result of an export: the hit (no snippet), how many versions its story has
    in the archive (1 for a dispatch alone), its permalink's key (index/permalinks.py)
    and its full text when asked for."""

    hit: SearchHit
    versions: int
    permalink_key: str
    text: str | None = None
