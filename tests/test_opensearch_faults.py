"""The OpenSearch backend when a node of the real 3-node cluster dies (SIGKILL, as in a
crash): searches keep answering the same, a reindex either completes or stops with one
line and the next run converges, and a half-built index left behind is cleaned up.

The cluster is the session fixture `opensearch_cluster` (tests/conftest.py); each test
brings a killed node back (Cluster.restart) and waits for green, so later tests have
three nodes again.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from uuid import uuid4

import pytest

from index import Backend, SearchRequest, Sort, open_backend, reindex_backend

pytestmark = [pytest.mark.opensearch, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
# Plain French words the generated dispatches are made of (letters only: each one is
# its own stem family, whatever the analyzer).
WORDS = ("gouvernement ministre conseil accord sommet frontière élection tribunal grève usine "
         "marché récolte tempête incendie musée concert stade équipe victoire défaite budget "
         "impôt retraite hôpital médecin école université chercheur satellite fusée port navire").split()


def _letters(number: int) -> str:
    """A word of its own for each dispatch (`number` in base 26, letters only)."""
    word = ""
    while True:
        number, digit = divmod(number, 26)
        word = "abcdefghijklmnopqrstuvwxyz"[digit] + word
        if number == 0:
            return "zq" + word


def _generated(root: Path, count: int) -> Path:
    """`count` small dispatches, one a file, each with a word no other holds, and bodies
    different enough that no two are versions of one story."""
    rng = random.Random(count)
    root.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        body = " ".join(rng.choice(WORDS) for _ in range(40))
        day = f"2020-{1 + i % 12:02d}-{1 + i % 28:02d}"
        (root / f"d{i:05d}.txt").write_text(
            f"date {day}\n\nDépêche {_letters(i)}\n\nLe {_letters(i)} {body}.\n", encoding="utf-8")
    return root


def _health(client, seconds: int = 180, **wait) -> dict:
    # A bare `timeout` is opensearch-py's socket timeout; with `request_timeout` given it
    # is the server's wait.
    return client.cluster.health(timeout=f"{seconds}s", request_timeout=seconds + 30, **wait)


def _restore(cluster, node: int) -> None:
    """The killed node back, and the cluster green with its three nodes."""
    cluster.restart(node)
    survivor = (node + 1) % 3
    state = _health(cluster.client(survivor), wait_for_nodes="3", wait_for_status="green")
    assert (state["status"], state["number_of_nodes"]) == ("green", 3)


def _primary_node(cluster, index: str) -> int:
    shards = cluster.client().cat.shards(index=index, format="json")
    (primary,) = [s for s in shards if s["prirep"] == "p"]
    return cluster.names.index(primary["node"])


def _backend(cluster, name: str) -> Backend:
    return Backend("opensearch", opensearch_url=",".join(cluster.urls), opensearch_index=name)


QUERIES = [
    SearchRequest(query="gouvernement accord"),
    SearchRequest(query="\"tempête incendie\"", collapse_versions=False),
    SearchRequest(query="grève", sort=Sort.NEWEST, page=2),
    SearchRequest(query="zqa OU zqb OU zqbz"),
]
API = ["/api/search?q=gouvernement+accord", "/api/search?q=gr%C3%A8ve&tri=recent&page=2",
       "/api/search?q=%22temp%C3%AAte+incendie%22"]


def _seen(result) -> tuple:
    return result.total, result.dispatches, result.partial_total, [hit.id for hit in result.hits]


def _seen_json(data: dict) -> tuple:
    return data["total"], [hit["id"] for hit in data["hits"]]


def test_searches_answer_the_same_while_a_node_dies(opensearch_cluster, tmp_path, monkeypatch):
    from web import create_app

    name = f"test-{uuid4().hex[:12]}"
    backend = _backend(opensearch_cluster, name)
    client = opensearch_cluster.client()
    victim = None
    try:
        reindex_backend(backend, [_generated(tmp_path / "archive", 300)])
        (live,) = client.indices.get_alias(name=name)
        # The writer replicates the index on a cluster of three: a primary and a replica,
        # on two nodes.
        copies = client.cat.shards(index=live, format="json")
        assert sorted(s["prirep"] for s in copies) == ["p", "r"] and len({s["node"] for s in copies}) == 2
        # The node to kill holds the primary (its searches must move to the replica) and
        # comes first in the addresses, as a client knowing only one node would use it.
        doomed = _primary_node(opensearch_cluster, live)
        urls = [opensearch_cluster.urls[doomed]] + [u for u in opensearch_cluster.urls if u != opensearch_cluster.urls[doomed]]
        backend = Backend("opensearch", opensearch_url=",".join(urls), opensearch_index=name)
        # Every node named, through the environment, as a deployment would.
        monkeypatch.setenv("ARCHIVE_BACKEND", "opensearch")
        monkeypatch.setenv("ARCHIVE_OPENSEARCH_URL", ",".join(urls))
        monkeypatch.setenv("ARCHIVE_OPENSEARCH_INDEX", name)
        app = create_app({"TESTING": True, "WARM_CACHES": False, "INDEX_DIR": str(tmp_path / "unused")})
        web = app.test_client()
        index = open_backend(backend)
        expected = [_seen(index.search(request)) for request in QUERIES]
        expected_api = [_seen_json(web.get(url).get_json()) for url in API]
        assert all(seen[0] > 0 for seen in expected + expected_api)

        answers: list[tuple] = []  # (after the kill, which, what was seen)
        errors: list[BaseException] = []
        killed, stop = threading.Event(), threading.Event()

        def search_in_a_loop() -> None:
            while not stop.is_set():
                for i, request in enumerate(QUERIES):
                    after = killed.is_set()
                    try:
                        answers.append((after, ("index", i), _seen(index.search(request))))
                    except BaseException as error:  # noqa: BLE001 - reported below
                        errors.append(error)
                for i, url in enumerate(API):
                    after = killed.is_set()
                    response = web.get(url)
                    answers.append((after, ("api", i), (response.status_code, _seen_json(response.get_json())
                                                        if response.status_code == 200 else response.get_json())))

        searching = threading.Thread(target=search_in_a_loop)
        searching.start()
        try:
            while len(answers) < 20 and searching.is_alive():
                time.sleep(0.05)
            victim = doomed
            opensearch_cluster.kill(victim)
            killed.set()
            # Until the survivors have seen it go, then a few more rounds.
            survivor = opensearch_cluster.client((victim + 1) % 3)
            state = _health(survivor, 90, wait_for_nodes="2")
            assert state["number_of_nodes"] == 2
            after_kill = sum(1 for a in answers if a[0])
            while sum(1 for a in answers if a[0]) < after_kill + 30 and searching.is_alive():
                time.sleep(0.05)
        finally:
            stop.set()
            searching.join()
        assert errors == []
        after = [a for a in answers if a[0]]
        assert len(after) >= 30 and {a[1][0] for a in after} == {"index", "api"}
        for _, (kind, i), seen in answers:
            if kind == "index":
                assert seen == expected[i], QUERIES[i]
            else:
                assert seen == (200, expected_api[i]), API[i]
        index.close()
        app.extensions["archive_index"].close()
    finally:
        if victim is not None:
            _restore(opensearch_cluster, victim)
        client.indices.delete(index=f"{name}-*", ignore_unavailable=True)


def _indexed_so_far(client, name: str, besides: str | None = None) -> int:
    """Dispatches written into the index a rebuild is filling, the live one `besides`
    left out (not yet refreshed, so not counted by `count`: the indexing statistics see
    them)."""
    stats = client.indices.stats(index=f"{name}-2*", metric="indexing").get("indices", {})
    return sum(s["primaries"].get("indexing", {}).get("index_total", 0) for i, s in stats.items() if i != besides)


def _archive(*arguments: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("ARCHIVE_BACKEND", None)
    return subprocess.Popen([str(Path(sys.executable).parent / "archive"), *arguments], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_node_dying_during_a_reindex_then_the_next_run_converges(opensearch_cluster, tmp_path):
    from index.opensearch.lock import LOCK_ID, lock_index

    count = 2000
    archive = _generated(tmp_path / "archive", count)
    name = f"test-{uuid4().hex[:12]}"
    backend = _backend(opensearch_cluster, name)
    client = opensearch_cluster.client()
    command = ["reindex", "--backend", "opensearch", "--opensearch-url", backend.opensearch_url,
               "--opensearch-index", name, str(archive)]
    victim, runs = None, []
    try:
        run = _archive(*command)
        runs.append(run)
        # Once the writer has started writing into its new index, kill the node holding
        # that index's only copy (no replica while it is built): the hardest case.
        while _indexed_so_far(client, name) == 0 and run.poll() is None:
            time.sleep(0.05)
        assert run.poll() is None, run.communicate()
        (building,) = client.indices.get(index=f"{name}-2*")
        victim = _primary_node(opensearch_cluster, building)
        client = opensearch_cluster.client((victim + 1) % 3)
        opensearch_cluster.kill(victim)
        out, err = run.communicate(timeout=300)
        # The only copy of what it wrote is gone: the run cannot complete, and stops with
        # one line and the exit code of an index that could not be written (not a crash,
        # not a traceback, not the documents of the batch), once the cluster has said the
        # shard has no primary.
        assert run.returncode == 4, err
        assert "Traceback" not in err and "traceback" not in err
        *progress, last = err.strip().splitlines()
        assert all(line.startswith("réindexation : ") for line in progress), err
        assert last.startswith("Erreur : le cluster OpenSearch ") and "unavailable_shards_exception" in last, err
        assert len(last) < 600 and "Dépêche" not in last
        # The lock is released either way: the next run does not wait for it.
        assert not client.exists(index=lock_index(backend.target()), id=LOCK_ID)

        _restore(opensearch_cluster, victim)
        victim = None
        rerun = _archive(*command)
        runs.append(rerun)
        out, err = rerun.communicate(timeout=300)
        assert rerun.returncode == 0, err
        client.indices.refresh(index=name)
        # One index behind the alias, nothing half-built beside it, every dispatch once.
        assert sorted(client.indices.get(index=f"{name}-*")) == sorted(
            [*client.indices.get_alias(name=name), lock_index(backend.target())])
        (live,) = client.indices.get_alias(name=name)
        assert client.count(index=name)["count"] == count
        ids = {hit["_id"] for hit in client.search(index=name, body={"size": count, "_source": False})["hits"]["hits"]}
        assert ids == {f"d{i:05d}.txt" for i in range(count)}
        with open_backend(backend) as index:
            assert index.count() == count
            last = index.search(SearchRequest(query=_letters(count - 1)))
            assert [hit.id for hit in last.hits] == [f"d{count - 1:05d}.txt"]
        assert client.indices.get_settings(index=live)[live]["settings"]["index"]["number_of_replicas"] == "1"
    finally:
        for process in runs:  # a run left behind by a failed assertion
            if process.poll() is None:
                process.kill()
            process.communicate()
        if victim is not None:
            _restore(opensearch_cluster, victim)
        client.indices.delete(index=f"{name}-*", ignore_unavailable=True)


def test_a_rebuild_killed_half_way_leaves_the_live_index_and_the_next_run_deletes_its_index(opensearch_cluster, tmp_path):
    from index.opensearch.lock import LOCK_ID, lock_index

    name = f"test-{uuid4().hex[:12]}"
    backend = _backend(opensearch_cluster, name)
    client = opensearch_cluster.client()
    archive = _generated(tmp_path / "archive", 2000)
    first = tmp_path / "first"
    first.mkdir()
    for path in sorted(archive.iterdir())[:50]:
        (first / path.name).write_bytes(path.read_bytes())
    run = None
    try:
        reindex_backend(backend, [first])
        (live,) = client.indices.get_alias(name=name)
        run = _archive("reindex", "--rebuild", "--backend", "opensearch", "--opensearch-url", backend.opensearch_url,
                       "--opensearch-index", name, str(first), str(archive))
        while _indexed_so_far(client, name, besides=live) == 0 and run.poll() is None:
            time.sleep(0.05)
        assert run.poll() is None, run.communicate()
        # The reindex itself dies (a power cut, an OOM kill): nothing of it can clean up.
        run.kill()
        run.communicate()
        (unfinished,) = [i for i in client.indices.get(index=f"{name}-2*") if i != live]
        # Searches still read the index the alias named.
        assert list(client.indices.get_alias(name=name)) == [live]
        with open_backend(backend) as index:
            assert index.count() == 50
        # Its lock stays until it is stale (a minute without a stamp): here, aged at once.
        client.update(index=lock_index(backend.target()), id=LOCK_ID, body={"doc": {"seen": 0}}, refresh="true")
        report = reindex_backend(backend, [first], lock_timeout=5)
        assert (report.added, report.unchanged, report.documents) == (0, 50, 50)
        assert not client.indices.exists(index=unfinished)
        assert sorted(client.indices.get(index=f"{name}-*")) == sorted([live, lock_index(backend.target())])
    finally:
        if run is not None and run.poll() is None:
            run.kill()
            run.communicate()
        client.indices.delete(index=f"{name}-*", ignore_unavailable=True)
