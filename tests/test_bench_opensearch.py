"""The benchmark's OpenSearch engine (bench/on_opensearch.py) on a real cluster: it builds
and updates through the archive's own `reindex` command, answers through `open_backend`,
counts the nodes' memory with the build's, and reports the size of every copy.

The cluster is the session fixture `opensearch_cluster` (tests/conftest.py).
"""

from __future__ import annotations

from uuid import uuid4

import pytest

from bench.measure import run_command, tree_rss
from bench.on_opensearch import OnOpenSearch, cluster
from bench.ours import REPO
from bench.queries import BenchQuery, Mode

pytestmark = [pytest.mark.opensearch, pytest.mark.slow]

FILES = {
    "a.txt": "date 2019-04-07\nLes combats reprennent au sud de Tripoli.\n",
    "b.txt": "date 2019-05-02\nLe Conseil de sécurité se réunit à New York.\n",
    "c.txt": "date 2020-01-15\nLa récolte de safran commence dans le Quercy.\n",
}


@pytest.fixture
def index_dir(tmp_path):
    # The engine names one alias per archive size after the size's folder.
    return tmp_path / f"n{uuid4().hex[:10]}" / "index-opensearch"


def _cat(opensearch_cluster, alias: str) -> list[dict]:
    return opensearch_cluster.client().cat.indices(index=alias, format="json", bytes="b")


def test_build_update_and_queries_go_through_the_archive(opensearch_cluster, make_archive, index_dir):
    root = make_archive(FILES)
    engine = OnOpenSearch(opensearch_cluster.urls, [])
    try:
        run_command(engine.build_command(root, index_dir), cwd=REPO)
        searcher = engine.open(index_dir)
        try:
            assert searcher.search(BenchQuery("safran"), Mode.RANKING) == 1
            assert searcher.search(BenchQuery("Tripoli"), Mode.PAGE) == 1
            # The year filter reaches the cluster: b.txt is from 2019, the query asks for 2020.
            assert searcher.search(BenchQuery("Conseil", year=2020), Mode.SNIPPETS) == 0
        finally:
            searcher.close()

        (root / "d.txt").write_text("date 2020-02-01\nLe safran du Quercy se vend bien.\n", encoding="utf-8")
        run_command(engine.update_command(root, index_dir), cwd=REPO)  # the command, in a child
        (root / "c.txt").unlink()
        assert engine.update(root, index_dir) is None  # in this process, no file refused
        searcher = engine.open(index_dir)
        try:
            assert searcher.search(BenchQuery("safran"), Mode.RANKING) == 1  # d.txt in, c.txt out
            assert searcher.search(BenchQuery("récolte"), Mode.RANKING) == 0
        finally:
            searcher.close()
    finally:
        engine.drop_indexes()


def test_index_size_counts_the_replica_and_the_run_deletes_its_indexes(opensearch_cluster, make_archive,
                                                                       index_dir, tmp_path):
    root = make_archive(FILES)
    # Nodes given by address: the engine owns no process, and deletes what it wrote at the end.
    with cluster(tmp_path, ",".join(opensearch_cluster.urls), print) as engine:
        assert engine.pids == []
        run_command(engine.build_command(root, index_dir), cwd=REPO)
        alias = engine.alias(index_dir)
        (row,) = _cat(opensearch_cluster, alias)
        size = engine.index_size(index_dir)
        # One primary and one replica on three nodes: both copies, so more than the primary.
        assert size == int(row["store.size"]) and size > int(row["pri.store.size"]) > 0
    assert _cat(opensearch_cluster, f"{alias}-*") == []


def test_peak_memory_of_a_build_adds_the_nodes(opensearch_cluster, make_archive, index_dir):
    root = make_archive(FILES)
    engine = OnOpenSearch(opensearch_cluster.urls, opensearch_cluster.pids)
    try:
        nodes = engine.processes()
        assert sorted(p.pid for p in nodes) == sorted(opensearch_cluster.pids)
        run_command(engine.build_command(root, index_dir), cwd=REPO, also=nodes)
        # The same no-op update twice, once watching the nodes: the difference is theirs.
        alone = run_command(engine.update_command(root, index_dir), cwd=REPO)
        nodes_rss = sum(tree_rss(p) for p in nodes)
        watched = run_command(engine.update_command(root, index_dir), cwd=REPO, also=nodes)
        assert nodes_rss > 3 * 100 * 2**20  # three JVMs, each far above a Python process
        assert watched.peak_rss - alone.peak_rss > 0.8 * nodes_rss
    finally:
        engine.drop_indexes()
