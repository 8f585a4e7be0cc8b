"""The OpenSearch backend's own behaviour on a real cluster (the session fixture
`opensearch_cluster`): the alias a rebuild moves, the reindex lock, and the help page's
examples answered as Whoosh answers them. Behaviour shared with Whoosh is in
tests/test_backends.py."""

from __future__ import annotations

import json
from uuid import uuid4

import pytest

from index import Backend, SearchRequest, open_backend, reindex_backend

pytestmark = [pytest.mark.opensearch, pytest.mark.slow]


def _ids(result) -> list[str]:
    return [hit.id for hit in result.hits]


def test_rebuild_moves_the_alias_and_deletes_the_old_index(opensearch_cluster, seeds_dir):
    name = f"test-{uuid4().hex[:12]}"
    backend = Backend("opensearch", opensearch_url=",".join(opensearch_cluster.urls), opensearch_index=name)
    client = opensearch_cluster.client()
    try:
        reindex_backend(backend, [seeds_dir])
        (first,) = client.indices.get_alias(name=name)
        reindex_backend(backend, [seeds_dir], rebuild=True)
        (second,) = client.indices.get_alias(name=name)
        assert second != first and not client.indices.exists(index=first)
        # Replicated once the build is done, on a cluster of three nodes, and the build's
        # own settings gone: refreshed every second again, the translog synced at each request.
        settings = client.indices.get_settings(index=second)[second]["settings"]["index"]
        assert settings["number_of_replicas"] == "1"
        assert "refresh_interval" not in settings and "translog" not in settings
    finally:
        client.indices.delete(index=f"{name}-*", ignore_unavailable=True)


def test_one_reindex_at_a_time_and_a_dead_holder_is_taken_over(opensearch_cluster, seeds_dir, runner):
    from index.opensearch import lock
    from web.cli import cli

    name = f"test-{uuid4().hex[:12]}"
    backend = Backend("opensearch", opensearch_url=",".join(opensearch_cluster.urls), opensearch_index=name)
    client = opensearch_cluster.client()
    try:
        with lock.reindex_lock(client, backend.target(), timeout=1):
            result = runner.invoke(cli, ["reindex", "--backend", "opensearch", "--opensearch-url", backend.opensearch_url,
                                         "--opensearch-index", name, "--wait", "0.5", str(seeds_dir)])
            assert result.exit_code == 3 and "une autre réindexation est en cours" in result.stderr
        # A holder that died without releasing: its stamp grows old, and the lock is taken.
        client.index(index=lock.lock_index(backend.target()), id=lock.LOCK_ID, refresh="true",
                     body={"owner": "gone", "seen": 0})
        assert reindex_backend(backend, [seeds_dir], lock_timeout=0.5).documents == 2
        assert not client.exists(index=lock.lock_index(backend.target()), id=lock.LOCK_ID)
    finally:
        client.indices.delete(index=f"{name}-*", ignore_unavailable=True)


def test_the_help_page_examples_find_the_same_on_both_backends(opensearch_cluster, seeds_dir, tmp_path):
    from web.guide import SECTIONS

    whoosh = Backend("whoosh", index_dir=tmp_path / "index")
    name = f"test-{uuid4().hex[:12]}"
    cluster = Backend("opensearch", opensearch_url=",".join(opensearch_cluster.urls), opensearch_index=name)
    try:
        for backend in (whoosh, cluster):
            reindex_backend(backend, [seeds_dir])
        with open_backend(whoosh) as ours, open_backend(cluster) as theirs:
            for example in (e for section in SECTIONS for e in section.examples):
                request = SearchRequest(query=example.query, collapse_versions=False)
                a, b = ours.search(request), theirs.search(request)
                assert (b.total, b.partial_total) == (a.total, a.partial_total), example.query
                assert sorted(_ids(b)) == sorted(_ids(a)) != [], example.query
                assert {h.id: h.snippet for h in b.hits} == {h.id: h.snippet for h in a.hits}, example.query
    finally:
        opensearch_cluster.client().indices.delete(index=f"{name}-*", ignore_unavailable=True)



def test_an_update_rereads_a_file_whose_dispatches_disagree_on_its_stamp(opensearch_cluster, tmp_path):
    """An update compares each file's size and mtime with what every one of its
    dispatches holds: a file whose last dispatch disagrees (a write cut short) is read
    again, although its first one agrees, and the next run is a no-op."""
    root = tmp_path / "archive"
    root.mkdir()
    lines = [{"id": f"d{n}", "date": "2011-03-0{n}", "title": f"Dépêche {n}", "body": f"Tripoli, le {n} mars."}
             for n in (1, 2)]
    (root / "two.jsonl").write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines),
                                    encoding="utf-8")
    (root / "one.txt").write_text("date 2011-03 Benghazi tient toujours.\n", encoding="utf-8")
    name = f"test-{uuid4().hex[:12]}"
    backend = Backend("opensearch", opensearch_url=",".join(opensearch_cluster.urls), opensearch_index=name)
    client = opensearch_cluster.client()
    try:
        assert reindex_backend(backend, [root]).added == 3
        (live,) = client.indices.get_alias(name=name)
        noop = reindex_backend(backend, [root])
        assert (noop.added, noop.updated, noop.removed, noop.unchanged) == (0, 0, 0, 3)
        size = (root / "two.jsonl").stat().st_size
        client.update(index=live, id="two.jsonl#d2", body={"doc": {"size": size + 1}}, refresh="true")
        torn = reindex_backend(backend, [root])
        assert (torn.added, torn.removed, torn.unchanged + torn.updated) == (0, 0, 3)
        assert client.get(index=live, id="two.jsonl#d2")["_source"]["size"] == size
        again = reindex_backend(backend, [root])
        assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 3)
    finally:
        client.indices.delete(index=f"{name}-*", ignore_unavailable=True)


def test_an_update_reads_every_file_in_pages_the_cluster_allows(opensearch_cluster, make_archive):
    """The files the index holds are read in ranges of paths holding a page of buckets
    no larger than the cluster's `search.max_buckets` each: lowered to 2, a no-op finds
    each of five files unchanged; then, with files gone from the disk, a range holds
    more than a page and is paged within itself, and each change is found."""
    root = make_archive({f"{n}.txt": f"date 2011-03 Dépêche {n} de Benghazi.\n" for n in "abcde"})
    name = f"test-{uuid4().hex[:12]}"
    backend = Backend("opensearch", opensearch_url=",".join(opensearch_cluster.urls), opensearch_index=name)
    client = opensearch_cluster.client()
    try:
        assert reindex_backend(backend, [root]).added == 5
        client.cluster.put_settings(body={"persistent": {"search.max_buckets": 2}})
        try:
            noop = reindex_backend(backend, [root])
            assert (noop.added, noop.updated, noop.removed, noop.unchanged) == (0, 0, 0, 5)
            # On disk a, c, e, f: the ranges are [.., e) and [e, ..), the first holding
            # four files of the index.
            (root / "b.txt").unlink()
            (root / "d.txt").unlink()
            (root / "f.txt").write_text("date 2011-04 Dépêche f de Syrte.\n", encoding="utf-8")
            update = reindex_backend(backend, [root])
            assert (update.added, update.updated, update.removed, update.unchanged) == (1, 0, 2, 3)
            again = reindex_backend(backend, [root])
            assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 4)
        finally:
            client.cluster.put_settings(body={"persistent": {"search.max_buckets": None}})
    finally:
        client.indices.delete(index=f"{name}-*", ignore_unavailable=True)
