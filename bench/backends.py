"""How far the OpenSearch backend agrees with Whoosh: the same archive in both, the
benchmark's query set (bench/queries.py) run through each, and per query the share of
Whoosh's top 10 that OpenSearch also returns, and whether the totals are equal.

    make cluster
    .venv/bin/python -m bench.backends --url http://127.0.0.1:9200 --dispatches 2000

The archive is a seeded sample of the news corpus (bench/corpus.py), written to a
temporary folder; the index on the cluster is deleted afterwards.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from bench.corpus import load_records, materialise, missing_corpus
from bench.queries import make_queries
from index import Backend, SearchRequest, open_backend, reindex_backend


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:9200", help="the cluster's nodes, comma-separated")
    parser.add_argument("--dispatches", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    if (missing := missing_corpus()) is not None:
        raise SystemExit(missing)
    records = load_records()
    with tempfile.TemporaryDirectory(prefix="archive-backends-") as folder:
        root = Path(folder) / "archive"
        archive = materialise(records, args.dispatches, root)
        whoosh = Backend("whoosh", index_dir=Path(folder) / "index")
        cluster = Backend("opensearch", opensearch_url=args.url, opensearch_index="bench-backends")
        for backend in (whoosh, cluster):
            report = reindex_backend(backend, [root], rebuild=True)
            print(f"{backend.kind:<10} {report.documents} dispatches indexed in {report.seconds:.1f} s")
        overlaps, full_overlaps, same_total = [], [], 0
        with open_backend(whoosh) as ours, open_backend(cluster) as theirs:
            queries = make_queries(archive.records, args.queries)
            for q in queries:
                request = SearchRequest(query=q.text, year=q.year, with_facets=False, with_snippets=False)
                a, b = ours.search(request), theirs.search(request)
                same_total += (a.total, a.partial_total) == (b.total, b.partial_total)
                overlaps += _overlap(a.hits, b.hits)
                # The full matches of the first page (every word found), apart.
                full_overlaps += _overlap([h for h in a.hits if not h.partial], [h for h in b.hits if not h.partial])
            theirs._client.indices.delete(index="bench-backends-*")
    print(f"queries    {len(queries)}")
    for name, found in (("top 10", overlaps), ("full matches in the top 10", full_overlaps)):
        print(f"{name}: mean share of Whoosh's hits also returned {statistics.mean(found):.3f}, "
              f"same set {sum(o == 1 for o in found) / len(found):.1%} (of {len(found)} queries)")
    print(f"same totals (full, partial): {same_total / len(queries):.1%}")


def _overlap(ours, theirs) -> list[float]:
    """The share of our hits theirs holds too; nothing when we have none."""
    if not ours:
        return []
    found = {hit.id for hit in theirs}
    return [sum(1 for hit in ours if hit.id in found) / len(ours)]


if __name__ == "__main__":
    main()
