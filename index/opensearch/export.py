"""Every result of a search on a cluster, in its order, a batch at a time: index/whoosh/export.py's
`Export` for the OpenSearch backend, with the same rows (`ExportRow`).

The hits are walked by `search_after` over one point in time, so the whole export comes
from one state of the index even if a reindex writes meanwhile, and past the 10,000-hit
window by relevance too. Grouped, a story's first hit in the order stands for it. Each
batch costs two more requests: its stories' sizes, and the hashes sharing its permalinks'
prefixes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from index import permalinks
from index.export import BATCH, ExportRow
from index.opensearch import requests
from index.opensearch.connection import answering
from index.opensearch.documents import HIT_FIELDS
from index.opensearch.reading import scan
from index.results import SearchRequest
from index.whoosh.hits import hit_of


class OpenSearchExport:
    """The results of one request: `total` of them (stories when grouped: exact below
    requests.CARDINALITY_PRECISION), iterated once in the list's order."""

    def __init__(self, index, request: SearchRequest, text: bool = False, batch: int = BATCH) -> None:
        self._index, self._text = index, text
        self._batch = max(1, batch)
        p = requests.plan(replace(request, with_facets=False, with_snippets=False))
        self.request = p.request
        self._plan = p
        self._query = {"bool": {"must": [p.full], "filter": p.dates}}
        grouped = p.request.collapse_versions
        answer = index._search({"query": self._query, "size": 0, "track_total_hits": True,
                                "aggs": requests.counted(grouped)})
        self.total = requests.count_of({**answer.get("aggregations", {}), "doc_count": answer["hits"]["total"]["value"]},
                                       grouped)
        self.batches_read = 0
        self._closed = False

    def __iter__(self) -> Iterator[ExportRow]:
        p, index = self._plan, self._index
        order = index._order(p.request, p.parsed)
        if order and order[0] == "_score":
            order = [{"_score": "desc"}]
        else:
            order = order[:1]
        seen: set[str] = set()
        pending: list[dict] = []
        includes = HIT_FIELDS + ["hash"]
        try:
            with answering(index.target):
                for doc in scan(index._client, index.target.index, self._query, includes, page=self._batch, sort=order):
                    if self._closed:
                        return
                    if p.request.collapse_versions:
                        if doc.get("story") in seen:
                            continue
                        seen.add(doc.get("story"))
                    pending.append(doc)
                    if len(pending) == self._batch:
                        yield from self._rows(pending)
                        pending = []
                if pending and not self._closed:
                    yield from self._rows(pending)
        finally:
            self.close()

    def _rows(self, docs: list[dict]) -> list[ExportRow]:
        index = self._index
        stories = sorted({d.get("story") or d["id"] for d in docs})
        sizes = index._search({"query": {"terms": {"story": stories}}, "size": 0,
                               "aggs": {"stories": {"terms": {"field": "story", "size": len(stories)}}}})
        size_of = {b["key"]: b["doc_count"] for b in sizes["aggregations"]["stories"]["buckets"]}
        prefixes = sorted({d["hash"][:permalinks.SHORT] for d in docs})
        hashes = index._search({"query": {"bool": {"should": [{"prefix": {"hash": p}} for p in prefixes]}}, "size": 0,
                                "aggs": {"hashes": {"terms": {"field": "hash", "size": 4 * len(prefixes)}}}})
        holders: dict[str, set[str]] = {}
        for bucket in hashes["aggregations"]["hashes"]["buckets"]:
            holders.setdefault(bucket["key"][:permalinks.SHORT], set()).add(bucket["key"])
        shared = frozenset(p for p, found in holders.items() if len(found) > 1)
        self.batches_read += 1
        rows = []
        for doc in docs:
            hit = hit_of(doc, 0.0, False, None)
            rows.append(ExportRow(hit, int(size_of.get(doc.get("story") or doc["id"], 1)),
                                  permalinks.key_for(doc["hash"], shared), doc["body"] if self._text else None))
        return rows

    def close(self) -> None:
        self._closed = True

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> OpenSearchExport:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

