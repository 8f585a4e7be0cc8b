"""Search quality: MRR@10 and recall@10/100 of the default query path on judged queries.

Queries run exactly as the search page runs them (same parser, same partial matches), so
the figures describe what a person gets. The metrics come from ir-measures.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import ir_measures
from ir_measures import RR, R

from index.protocol import SearchBackend
from index.results import SearchRequest

MEASURES = (RR @ 10, R @ 10, R @ 100)
DEPTH = 100


def external_id(dispatch_id: str) -> str:
    """The record's own id for a JSON Lines dispatch (`docs.jsonl#piaf-a000-p00`), the
    whole id otherwise: judgements name documents the way their collection does."""
    return dispatch_id.rsplit("#", 1)[-1]


def evaluate(archive: SearchBackend, queries_path: Path, qrels_path: Path) -> dict[str, float]:
    """Run every judged query and return {"MRR@10": …, "R@10": …, "R@100": …, "queries": n}."""
    qrels = []
    with open(qrels_path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            qrels.append(ir_measures.Qrel(row["query_id"], row["doc_id"], int(row["relevance"])))
    judged = {qrel.query_id for qrel in qrels}
    run = []
    count = 0
    with open(queries_path, encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            record = json.loads(line)
            if record["id"] not in judged:
                continue
            count += 1
            request = SearchRequest(
                query=record["text"], page_size=DEPTH, with_facets=False, with_snippets=False,
                collapse_versions=False,
            )
            hits = archive.search(request).hits
            if not hits:
                # A query with no results must count as a miss, not vanish from the mean.
                run.append(ir_measures.ScoredDoc(record["id"], "", 0.0))
            for rank, hit in enumerate(hits):
                run.append(ir_measures.ScoredDoc(record["id"], external_id(hit.id), float(DEPTH - rank)))
    scores = ir_measures.calc_aggregate(MEASURES, qrels, run)
    return {
        "MRR@10": scores[RR @ 10],
        "R@10": scores[R @ 10],
        "R@100": scores[R @ 100],
        "queries": count,
    }
