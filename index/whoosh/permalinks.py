"""Permalinks looked up in a Whoosh index: the dispatches holding a hash prefix, and the
form naming one text alone (what the prefixes are and why: index/permalinks.py).
"""

from __future__ import annotations

from whoosh import query as wq
from whoosh.searching import Searcher

from index.permalinks import FULL, MAX_LISTED, SHORT, HashMatch


def lookup(searcher: Searcher, prefix: str, limit: int = MAX_LISTED) -> list[HashMatch]:
    """Every dispatch (at most `limit`) whose content hash starts with `prefix`, by id."""
    q = wq.Term("hash", prefix) if len(prefix) == FULL else wq.Prefix("hash", prefix)
    found = []
    for docnum in sorted(q.docs(searcher), key=lambda n: searcher.stored_fields(n)["id"])[:limit]:
        fields = searcher.stored_fields(docnum)
        found.append(HashMatch(fields["id"], fields["title"], fields["hash"]))
    return found


def permalink_key(searcher: Searcher, content_hash: str, length: int = SHORT) -> str:
    """The form naming this text alone: its first `length` digits, or the whole hash
    when another text's hash starts with the same digits."""
    short = content_hash[:length]
    if all(match.content_hash == content_hash for match in lookup(searcher, short, limit=MAX_LISTED)):
        return short
    return content_hash


def shared_prefixes(searcher: Searcher, length: int = SHORT) -> frozenset[str]:
    """The `length`-digit prefixes that two live texts share, for naming many dispatches
    at once (an export): one pass over the sorted hash terms finds the candidates
    (neighbours alike), and only those few are looked up, as `permalink_key` would."""
    candidates, previous = set(), None
    for term in searcher.reader().lexicon("hash"):
        text = term.decode("ascii") if isinstance(term, bytes) else term
        if previous is not None and previous[:length] == text[:length]:
            candidates.add(text[:length])
        previous = text
    return frozenset(p for p in candidates if len({m.content_hash for m in lookup(searcher, p)}) > 1)
