"""A real 3-node OpenSearch cluster (one JVM per node, on loopback): it forms, loads the
French analysis filters, keeps answering when a node dies, and analyses French as
`index/whoosh/analysis.py` does.

The cluster is the session fixture `opensearch_cluster` (tests/conftest.py).
"""

from __future__ import annotations

import psutil
import pytest

from bench.opensearch_analysis import INDEX, analyze, compare, create_index, ours, paragraphs, vocabulary
from index.opensearch.mapping import FRENCH_EXACT, index_body

pytestmark = [pytest.mark.opensearch, pytest.mark.slow]


@pytest.fixture(scope="module")
def analysis_index(opensearch_cluster):
    """A client, and an index holding the archive's analyzers for `_analyze`."""
    client = opensearch_cluster.client()
    create_index(client)
    yield client
    client.indices.delete(index=INDEX)


def health(client, seconds: int = 60, **wait) -> dict:
    """Cluster health once `wait` holds (status, nodes…) or after `seconds`.

    opensearch-py takes a bare `timeout` for its own socket timeout: giving
    `request_timeout` too sends `timeout` to the server as the time to wait."""
    return client.cluster.health(timeout=f"{seconds}s", request_timeout=seconds + 30, **wait)


def test_cluster_is_green_with_three_nodes_on_loopback(opensearch_cluster):
    for node in range(3):
        state = opensearch_cluster.client(node).cluster.health()
        assert (state["status"], state["number_of_nodes"]) == ("green", 3)
    client = opensearch_cluster.client()
    nodes = client.cat.nodes(format="json", h="name,ip,cluster_manager")
    assert sorted(n["name"] for n in nodes) == ["node-0", "node-1", "node-2"]
    assert [n["cluster_manager"] for n in nodes].count("*") == 1
    # Every node loads the common analysis filters (a wrong plugin class would be skipped).
    plugins = client.nodes.info(metric="plugins")["nodes"].values()
    assert all("org.opensearch.analysis.common.CommonAnalysisPlugin" in {p["name"] for p in n["plugins"]}
               for n in plugins)
    # Nothing listens anywhere but 127.0.0.1: each JVM holds its HTTP and transport ports.
    listening = [c.laddr for pid in opensearch_cluster.pids for c in psutil.Process(pid).net_connections(kind="inet")
                 if c.status == psutil.CONN_LISTEN]
    assert len(listening) >= 6
    assert {address.ip for address in listening} == {"127.0.0.1"}


def test_french_chain_drops_elisions_and_stop_words_and_stems_folded(analysis_index):
    sentence = "L’économie s'est redressée jusqu’à Paris"
    # « s'est » and « jusqu’à » are an elision and a stop word each; accents folded
    # before the stemmer, the -ée ending given back to it.
    assert analyze(analysis_index, [sentence]) == [["econom", "redress", "paris"]]
    assert analyze(analysis_index, [sentence], FRENCH_EXACT) == [["economie", "redressee", "paris"]]
    assert ours(sentence) == ["econom", "redress", "paris"]
    # The modifier apostrophe ʼ elides too; « aujourd’hui » stays one word; hyphens split.
    assert analyze(analysis_index, ["lʼarmée d’aujourd’hui aux États-Unis"], FRENCH_EXACT) == [
        ["armee", "aujourd'hui", "etats", "unis"]]


def test_french_chain_agrees_with_ours_on_the_snowball_vocabulary(analysis_index):
    words = compare(analysis_index, vocabulary())
    assert words.texts == 21_655
    # Same chain, same order: 41 of the 21,655 words differ (0.19 %), all through
    # Lucene's older build of Snowball French (« française » → francais, ours franc;
    # « bijoux » → bijoux, ours bijou; « nier » → ni). Stemming before folding (OpenSearch's
    # usual order) differs on 2.8 % of the words, leaving out the re-accenting on 5.5 %:
    # this bound catches either.
    assert (words.texts - words.same) / words.texts <= 0.01, words.differing[:20]


def test_french_chain_agrees_with_ours_on_french_text(analysis_index):
    text = compare(analysis_index, paragraphs())
    assert text.tokens > 90_000
    # On these 93,059 tokens 0.26 % differ each way: the Snowball build above,
    # asciifolding folding « ł » and « ı » (Unicode decomposition does not) but not Greek
    # or Cyrillic accents, and Hebrew or Devanagari vowel signs, which Java's \w holds.
    assert sum(text.ours_only.values()) / text.tokens <= 0.01
    assert sum(text.theirs_only.values()) / text.tokens <= 0.01
    # Whole paragraphs, in order: 1,354 of the 1,518 give the very same token list.
    assert text.same / text.texts >= 0.85


def test_index_with_a_replica_answers_when_a_node_dies(opensearch_cluster):
    client = opensearch_cluster.client()
    client.indices.create(index="survivor", body=index_body(shards=3, replicas=1))
    actions = []
    for i in range(60):
        actions.append({"index": {"_index": "survivor", "_id": str(i)}})
        actions.append({"id": str(i), "title": f"Dépêche {i}", "body": f"L’armée américaine, jour {i}."})
    result = client.bulk(body=actions, refresh="true")
    assert not result["errors"]
    health(client, index="survivor", wait_for_status="green")
    # Six shard copies over three nodes, a primary and its replica never on one node.
    shards = client.cat.shards(index="survivor", format="json")
    assert len(shards) == 6 and {s["node"] for s in shards} == {"node-0", "node-1", "node-2"}
    for shard in {s["shard"] for s in shards}:
        assert len({s["node"] for s in shards if s["shard"] == shard}) == 2

    query = {"query": {"match": {"body": "armees americaines"}}}
    # The elected cluster manager is the hardest node to lose: kill that one.
    manager = client.cat.cluster_manager(format="json")[0]["node"]
    victim = opensearch_cluster.names.index(manager)
    survivors = [n for n in range(3) if n != victim]
    opensearch_cluster.kill(victim)
    try:
        for node in survivors:
            answer = opensearch_cluster.client(node).search(index="survivor", body=query, track_total_hits=True)
            # Shards whose copy died are read from their replica, within the same search.
            assert answer["hits"]["total"]["value"] == 60
            assert answer["_shards"]["failed"] == 0
        survivor = opensearch_cluster.client(survivors[0])
        state = health(survivor, 90, index="survivor", wait_for_nodes="2", wait_for_status="yellow")
        assert state["number_of_nodes"] == 2 and not state["timed_out"]
        # A new cluster manager was elected among the survivors.
        assert survivor.cat.cluster_manager(format="json")[0]["node"] in {opensearch_cluster.names[n] for n in survivors}
        assert survivor.count(index="survivor")["count"] == 60
    finally:
        opensearch_cluster.restart(victim)
        state = health(opensearch_cluster.client(survivors[0]), 180, wait_for_nodes="3", wait_for_status="green")
    assert (state["status"], state["number_of_nodes"]) == ("green", 3)
    assert opensearch_cluster.client(victim).count(index="survivor")["count"] == 60
    client.indices.delete(index="survivor")


def test_mapping_finds_variants_by_stem_and_forms_by_exact(opensearch_cluster):
    client = opensearch_cluster.client()
    client.indices.create(index="mapping", body=index_body(shards=2, replicas=0))
    documents = {
        "a": {"id": "a", "title": "Économie", "body": "L’économie française s’est redressée.", "year": "2019"},
        "b": {"id": "b", "title": "Marchés", "body": "Les économies européennes ralentissent.", "year": "2020"},
    }
    for key, document in documents.items():
        client.index(index="mapping", id=key, body=document)
    client.indices.refresh(index="mapping")

    def found(field: str, words: str) -> set[str]:
        # dfs_query_then_fetch: per-shard statistics would not change the set, only order.
        answer = client.search(index="mapping", body={"query": {"match": {field: {"query": words, "operator": "and"}}}},
                               search_type="dfs_query_then_fetch")
        return {hit["_id"] for hit in answer["hits"]["hits"]}

    # Stems join « économie » and « économies », typed with or without accents.
    assert found("body", "economie") == {"a", "b"}
    # The exact forms keep them apart, still folded and past the elision.
    assert found("body.exact", "economie") == {"a"}
    assert found("body.exact", "ÉCONOMIES") == {"b"}
    assert found("body", "redresse") == {"a"}
    # The unified highlighter marks the word as written, not the elision before it
    # (cut by a char filter, whose offsets map back to the text).
    answer = client.search(index="mapping", body={
        "query": {"match": {"body": "economie"}},
        "highlight": {"fields": {"body": {}}, "pre_tags": ["<mark>"], "post_tags": ["</mark>"]}})
    marks = {hit["_id"]: hit["highlight"]["body"][0] for hit in answer["hits"]["hits"]}
    assert marks["a"] == "L’<mark>économie</mark> française s’est redressée."
    # Year buckets from the keyword field.
    years = client.search(index="mapping", body={"size": 0, "aggs": {"years": {"terms": {"field": "year"}}}})
    assert {(b["key"], b["doc_count"]) for b in years["aggregations"]["years"]["buckets"]} == {("2019", 1), ("2020", 1)}
    client.indices.delete(index="mapping")


def test_core_gives_collapse_and_point_in_time_paging(opensearch_cluster):
    client = opensearch_cluster.client()
    client.indices.create(index="paging", body=index_body(shards=3, replicas=0))
    # Ten stories of three versions each.
    actions = []
    for i in range(30):
        actions.append({"index": {"_index": "paging", "_id": f"d{i:02d}"}})
        actions.append({"id": f"d{i:02d}", "story": f"s{i % 10}", "body": f"Combats à Tripoli, version {i}."})
    assert not client.bulk(body=actions, refresh="true")["errors"]

    # One hit per story, with the count of its versions.
    answer = client.search(index="paging", body={
        "size": 20, "query": {"match": {"body": "combat"}}, "collapse": {"field": "story"},
        "aggs": {"stories": {"cardinality": {"field": "story"}}}})
    stories = [hit["fields"]["story"][0] for hit in answer["hits"]["hits"]]
    assert sorted(stories) == [f"s{i}" for i in range(10)]
    assert answer["aggregations"]["stories"]["value"] == 10

    # Pages of 7 over a point in time, by search_after: every dispatch once, in order.
    pit = client.create_pit(index="paging", keep_alive="1m")["pit_id"]
    try:
        seen, after = [], None
        while True:
            body = {"size": 7, "query": {"match_all": {}}, "sort": [{"id": "asc"}],
                    "pit": {"id": pit, "keep_alive": "1m"}}
            if after:
                body["search_after"] = after
            hits = client.search(body=body)["hits"]["hits"]
            if not hits:
                break
            seen += [hit["_id"] for hit in hits]
            after = hits[-1]["sort"]
    finally:
        client.delete_pit(body={"pit_id": [pit]})
    assert seen == [f"d{i:02d}" for i in range(30)]
    client.indices.delete(index="paging")
