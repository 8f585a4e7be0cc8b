"""Reading many documents from a cluster: every match of a query over one point in
time, page after page by `search_after` (no 10,000-hit window, no scroll context to
forget), and documents by id in batches. Only the `_source` fields asked for travel.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

# Documents read per request: large enough to amortise a round trip, small enough that
# a page of bodies stays a few megabytes.
PAGE = 1000
KEEP_ALIVE = "2m"


def scan(client, index: str, query: dict, includes: list[str] | None = None, page: int = PAGE,
         sort: list | None = None) -> Iterator[dict]:
    """Every document matching `query` as one point in time sees them: each hit's
    `_source` (only `includes`; none when `includes` is empty) with `_id` and `sort`
    added, in `sort` order (by id when not given)."""
    pit = client.create_pit(index=index, keep_alive=KEEP_ALIVE)["pit_id"]
    try:
        after = None
        order = (sort or []) + [{"id": "asc"}]
        while True:
            body = {"size": page, "query": query, "sort": order, "track_total_hits": False,
                    "pit": {"id": pit, "keep_alive": KEEP_ALIVE},
                    "_source": {"includes": includes} if includes else False}
            if after is not None:
                body["search_after"] = after
            hits = client.search(body=body)["hits"]["hits"]
            for hit in hits:
                yield {**hit.get("_source", {}), "_id": hit["_id"], "sort": hit["sort"]}
            if len(hits) < page:
                return
            after = hits[-1]["sort"]
    finally:
        try:
            client.delete_pit(body={"pit_id": [pit]})
        except Exception:  # noqa: BLE001 - a point in time left open expires by itself
            pass


def by_ids(client, index: str, ids: Iterable[str], includes: list[str], batch: int = PAGE) -> dict[str, dict]:
    """The `_source` (only `includes`) of the documents with these ids that exist."""
    ids = list(dict.fromkeys(ids))
    found: dict[str, dict] = {}
    for start in range(0, len(ids), batch):
        answer = client.mget(index=index, body={"ids": ids[start:start + batch]}, _source_includes=includes)
        for doc in answer["docs"]:
            if doc.get("found"):
                found[doc["_id"]] = doc["_source"]
    return found
