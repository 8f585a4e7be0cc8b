"""`reindex` into an OpenSearch cluster: the same files in, the same `ReindexReport` out
as index/whoosh/writer.py's: the files are scanned (index/scan.py) and read
(index/reindexing.py) as there.

Searches read an alias (`Target.index`). A first run or `rebuild` writes a new concrete
index (`<alias>-<time>`), groups its stories, then moves the alias onto it in one
`update_aliases` call, so searches answer throughout from the old index or the new; the
old one is deleted after (and the next run deletes one a killed run left). An update compares each file's size and mtime with those the
index holds (read from `_source` over a point in time, nothing else), reads only the
files that moved, and writes their changes with the stories they reach in one bulk.
Document ids are dispatch ids: running again converges.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from uuid import uuid4

from index.fingerprints import fingerprint
from index.opensearch import bulk, stories
from index.opensearch.connection import ClusterNeedsRebuild, ClusterRefused, Target, answering, connect
from index.opensearch.documents import source
from index.opensearch.lock import reindex_lock
from index.opensearch.mapping import MAPPING_VERSION, index_body
from index.opensearch.reading import scan
from index.reindexing import Progress, read_changed, read_files
from index.results import ReindexReport
from index.scan import scan as scan_files

# Shards of a new index, and replicas once it is written (none while it is being built:
# the copy is made once, at the end, rather than for every batch). One replica, on a
# cluster of two data nodes or more, lets searches carry on from the other copy when the
# node holding one dies; a build a node's death interrupts stops (exit 4), its index is
# deleted, and the next run writes it again.
SHARDS = 1
REPLICAS = 1
# Files per page of the composite aggregation an update reads the index's files with:
# under OpenSearch's default `search.max_buckets` (65,535).
FILES_PAGE = 60_000
# How long a rebuild waits for its replicas before giving up (the alias stays where it was).
REPLICA_WAIT = 30 * 60


def reindex(target: Target, roots: Sequence[Path], *, rebuild: bool = False,
            progress: Progress | None = None, lock_timeout: float = 10.0, shards: int = SHARDS,
            replicas: int | None = None) -> ReindexReport:
    """Add new files, update changed ones, remove deleted ones; `rebuild` writes a new
    index and swaps the alias. Raises ClusterUnavailable when the cluster does not
    answer, ClusterNeedsRebuild when the live index has another mapping version,
    IndexLocked when another reindex of the archive runs past `lock_timeout`."""
    started = time.perf_counter()
    report = ReindexReport()
    client = connect(target)
    with answering(target), reindex_lock(client, target, lock_timeout):
        found = scan_files(list(dict.fromkeys(Path(r).resolve() for r in roots)), report).files()
        live = live_index(client, target)
        _delete_unfinished(client, target, live)
        if live is not None and not rebuild and _version(client, live) != MAPPING_VERSION:
            raise ClusterNeedsRebuild(target)
        if live is None or rebuild:
            if replicas is None:
                replicas = min(REPLICAS, max(0, client.cluster.health()["number_of_data_nodes"] - 1))
            _build(client, target, live, found, report, progress, shards, replicas)
        else:
            _update(client, live, found, report, progress)
        client.indices.refresh(index=target.index)
        report.documents = client.count(index=target.index)["count"]
    report.seconds = time.perf_counter() - started
    return report


def _wait_for_replicas(client, target: Target, name: str) -> None:
    """Every copy in place before searches move over. Copying a large index to a replica
    takes minutes on a busy machine (34,103 dispatches: more than two on two loaded
    cores), so the wait is asked again while it lasts, up to REPLICA_WAIT seconds.
    opensearch-py reads a bare `timeout` as its own; with `request_timeout` it is the
    server's wait, which answers 408 when it runs out."""
    deadline = time.monotonic() + REPLICA_WAIT
    while True:
        health = client.cluster.health(index=name, wait_for_status="green", timeout="60s", request_timeout=90,
                                       ignore=408)
        if health.get("status") == "green":
            return
        if time.monotonic() > deadline:
            raise ClusterRefused(target, f"les copies de « {name} » ne sont pas toutes en place après "
                                         f"{REPLICA_WAIT / 60:.0f} minutes ({health.get('status')})")


def live_index(client, target: Target) -> str | None:
    """The concrete index the alias points at, or None before the first reindex."""
    if not client.indices.exists_alias(name=target.index):
        if client.indices.exists(index=target.index):
            raise ClusterRefused(target, f"« {target.index} » est un index, pas l’alias où l’archive écrit")
        return None
    return sorted(client.indices.get_alias(name=target.index))[0]


def _delete_unfinished(client, target: Target, live: str | None) -> None:
    """Deletes the indices a rebuild started and never finished: its own failure deletes
    its index, but a reindex killed half-way (or cut off from the cluster) cannot. Under
    the lock no other rebuild runs, so an index with `_build`'s kind of name that the
    alias does not point at is one of those."""
    unfinished = re.compile(rf"{re.escape(target.index)}-\d{{8}}-\d{{6}}-[0-9a-f]{{6}}")
    names = client.indices.get(index=f"{target.index}-*", expand_wildcards="all", allow_no_indices=True)
    for name in sorted(names):
        if name != live and unfinished.fullmatch(name):
            client.indices.delete(index=name, ignore_unavailable=True)


def _version(client, index: str) -> int | None:
    meta = client.indices.get_mapping(index=index)[index]["mappings"].get("_meta") or {}
    return meta.get("mapping_version")


def _build(client, target: Target, old: str | None, found: list, report: ReindexReport,
           progress: Progress | None, shards: int, replicas: int) -> None:
    name = f"{target.index}-{time.strftime('%Y%m%d-%H%M%S')}-{uuid4().hex[:6]}"
    body = index_body(shards=shards, replicas=0)
    # Nothing reads it before the swap, and a build that dies is written again: no
    # refresh, and the translog synced in the background rather than at every batch
    # (the flush below makes it all durable before replicas and the swap).
    body["settings"]["index"] |= {"refresh_interval": "-1", "translog.durability": "async"}
    client.indices.create(index=name, body=body)
    try:
        signed = []

        def actions() -> Iterator[dict]:
            for file, dispatches in read_files(found, report, progress):
                for dispatch in dispatches:
                    fp = fingerprint(dispatch.body)
                    if fp.signature is not None:
                        signed.append((dispatch.id, dispatch.date, fp.signature))
                    report.added += 1
                    yield {"_index": name, "_id": dispatch.id, "_source": source(dispatch, file.size, file.mtime, fp)}

        # Every action is on its own id: batches may be written in any order.
        bulk.write(client, actions(), concurrency=bulk.CONCURRENCY)
        client.indices.refresh(index=name)
        regrouped = stories.group_written(client, name, signed)
        bulk.write(client, ({"_op_type": "update", "_index": name, "_id": doc_id, "doc": fields}
                            for doc_id, fields in regrouped.items()), concurrency=bulk.CONCURRENCY)
        # A commit first: a new replica then copies the primary's segment files instead
        # of replaying every write from the translog (2.7 of 11.6 minutes at 34,103).
        client.indices.flush(index=name)
        client.indices.put_settings(index=name, body={"index": {"refresh_interval": None, "translog.durability": None,
                                                                "number_of_replicas": replicas}})
        client.indices.refresh(index=name)
        _wait_for_replicas(client, target, name)
        swap = [{"add": {"index": name, "alias": target.index}}]
        if old is not None:
            swap.insert(0, {"remove": {"index": old, "alias": target.index}})
        client.indices.update_aliases(body={"actions": swap})
    except BaseException:
        # The unfinished index goes now; the alias still names the previous one.
        client.indices.delete(index=name, ignore_unavailable=True)
        raise
    if old is not None:
        client.indices.delete(index=old, ignore_unavailable=True)
    if progress and not found:
        progress(0, 0)


def _update(client, index: str, found: list, report: ReindexReport, progress: Progress | None) -> None:
    known = _known_files(client, index, [file.key for file in found])
    changed = []
    for file in found:
        entry = known.get(file.key)
        if entry is not None and (entry[0], entry[1]) == (file.size, file.mtime):
            report.unchanged += entry[2]
        else:
            changed.append(file)
    seen = {file.key for file in found}
    gone = [key for key in known if key not in seen]
    if not changed and not gone:
        if progress:
            progress(0, 0)
        return
    # What the changed and removed files held: id → (hash, story).
    old = _held(client, index, [f.key for f in changed if f.key in known] + gone)
    removed: dict[str, str | None] = {doc_id: story for doc_id, (_, story, _) in old.items()}
    for key in gone:
        report.removed += known[key][2]
    added = read_changed(changed, lambda file: {doc_id: held[0] for doc_id, held in old.items() if held[2] == file.key},
                         report, progress)
    plan = stories.plan_update(client, index, removed, [(d.id, d.date, fp) for d, _, fp in added])
    fresh = {dispatch.id for dispatch, _, _ in added}

    def actions() -> Iterator[dict]:
        for doc_id in removed:
            if doc_id not in fresh:
                yield {"_op_type": "delete", "_index": index, "_id": doc_id}
        for dispatch, file, fp in added:
            s = plan.stamps[dispatch.id]
            yield {"_index": index, "_id": dispatch.id,
                   "_source": source(dispatch, file.size, file.mtime, fp, story=s.story, inferred=s.inferred)}
        for doc_id, fields in plan.rewrites.items():
            yield {"_op_type": "update", "_index": index, "_id": doc_id, "doc": fields}

    bulk.write(client, actions())


def _known_files(client, index: str, paths: list[str]) -> dict[str, tuple[int, int, int]]:
    """Per file the index holds: its size, mtime and dispatches, from the columns (doc
    values) of `path`, `size` and `mtime` by composite aggregations. Reading them from
    `_source` instead decompressed every document's text: 17 s for a no-op at 34,103.

    A composite aggregation walks every document its query selects for each page of
    buckets it answers, whatever page it is at. So the files found on disk (`paths`) are
    cut into ranges of as many files as a page may hold (`search.max_buckets`), and each
    range is asked for apart: every document is walked once. At 341,030 documents
    (323,832 files, 3 nodes), paging one aggregation over the whole index took 23–27 s
    (six pages of 60,000), ranges 4.5–4.7 s. A range holding more files than a page
    (files gone from the disk) is paged within itself. Reading the columns hit by hit
    (`docvalue_fields`) cost more the more segments the index has. A file whose
    dispatches disagree on size or mtime (a write cut short) gets an impossible size, so
    the comparison reads it again."""
    known: dict[str, tuple[int, int, int]] = {}
    page = _files_page(client)
    # Lucene orders keywords by their UTF-8 bytes: so are the ranges' bounds.
    ordered = sorted(paths, key=lambda path: path.encode("utf-8", "surrogatepass"))
    bounds = ordered[page::page]
    for low, high in zip([None, *bounds], [*bounds, None]):
        limits = {name: value for name, value in (("gte", low), ("lt", high)) if value is not None}
        query = {"range": {"path": limits}} if limits else {"match_all": {}}
        _read_files(client, index, query, page, known)
    return known


def _read_files(client, index: str, query: dict, page: int, known: dict[str, tuple[int, int, int]]) -> None:
    """The files of the documents `query` selects, into `known`, a page of buckets at a time."""
    sources = [{"path": {"terms": {"field": "path"}}}, {"size": {"terms": {"field": "size"}}},
               {"mtime": {"terms": {"field": "mtime"}}}]
    after = None
    while True:
        composite = {"size": page, "sources": sources} | ({"after": after} if after else {})
        answer = client.search(index=index, body={"size": 0, "track_total_hits": False, "query": query,
                                                  "aggs": {"files": {"composite": composite}}})
        files_agg = answer["aggregations"]["files"]
        for bucket in files_agg["buckets"]:
            key = bucket["key"]
            entry = known.get(key["path"])
            if entry is None:
                known[key["path"]] = (key["size"], key["mtime"], bucket["doc_count"])
            else:
                known[key["path"]] = (-1, -1, entry[2] + bucket["doc_count"])
        after = files_agg.get("after_key")
        if after is None or len(files_agg["buckets"]) < page:
            return


def _files_page(client) -> int:
    """FILES_PAGE, or less when the cluster allows fewer buckets in one answer."""
    settings = client.cluster.get_settings(include_defaults=True, flat_settings=True)
    allowed = next((section["search.max_buckets"] for section in (settings.get("transient", {}),
                    settings.get("persistent", {}), settings.get("defaults", {}))
                    if "search.max_buckets" in section), FILES_PAGE)
    return max(1, min(FILES_PAGE, int(allowed)))


def _held(client, index: str, paths: list[str]) -> dict[str, tuple[str, str | None, str]]:
    """The dispatches of these files: id → (content hash, story, path)."""
    held = {}
    for start in range(0, len(paths), 1000):
        query = {"terms": {"path": paths[start:start + 1000]}}
        for doc in scan(client, index, query, ["id", "hash", "story", "path"]):
            held[doc["id"]] = (doc["hash"], doc.get("story"), doc["path"])
    return held
