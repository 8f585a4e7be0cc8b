"""Search quality: the evaluation itself on a few judged queries, then MRR@10 and recall
on the PIAF dev split (French questions on 1,518 Wikipedia paragraphs, `tests/data/
piaf/`), against a plain Whoosh index with the stock `LanguageAnalyzer("fr")`."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import ir_measures
import pytest
from ir_measures import RR, R
from whoosh import fields, qparser
from whoosh.analysis import LanguageAnalyzer
from whoosh.filedb.filestore import RamStorage

from index import open_index, reindex
from index.evaluate import DEPTH, evaluate, external_id
from textdata import PIAF

TARGET_MRR = 0.76

SEED_000 = "000_4375ea2097648a51.txt"
SEED_002 = "002_eb2ed1d0cd4a9010.txt"


def write_judgements(folder: Path, judged: list[tuple[str, str, str]]) -> tuple[Path, Path]:
    queries, qrels = folder / "queries.jsonl", folder / "qrels.tsv"
    queries.write_text("\n".join(json.dumps({"id": q, "text": t}) for q, t, _ in judged), encoding="utf-8")
    qrels.write_text("query_id\tdoc_id\trelevance\n" + "".join(f"{q}\t{d}\t1\n" for q, _, d in judged))
    return queries, qrels


def test_external_id_is_the_record_id():
    assert external_id("docs.jsonl#piaf-a000-p00") == "piaf-a000-p00"
    assert external_id("exports/2019/afp.jsonl#afp-42") == "afp-42"
    assert external_id(SEED_000) == SEED_000


def test_evaluate_ranks_and_misses(index_dir, tmp_path):
    queries, qrels = write_judgements(tmp_path, [
        ("first", "Pompeo", SEED_002),  # rank 1
        ("second", "Pompeo Waldhauser", SEED_000),  # partial matches only, 000 first
        ("none", "Zanzibar", SEED_000),  # no result at all: a miss, still counted
    ])
    scores = evaluate(open_index(index_dir), queries, qrels)
    assert scores["queries"] == 3
    assert scores["R@10"] == pytest.approx(2 / 3)
    assert scores["MRR@10"] == pytest.approx(2 / 3)


def test_evaluate_skips_unjudged_queries(index_dir, tmp_path):
    queries, qrels = write_judgements(tmp_path, [("q", "Pompeo", SEED_002)])
    with queries.open("a", encoding="utf-8") as handle:
        handle.write("\n" + json.dumps({"id": "unjudged", "text": "Zanzibar"}) + "\n\n")
    scores = evaluate(open_index(index_dir), queries, qrels)
    assert scores == {"MRR@10": 1.0, "R@10": 1.0, "R@100": 1.0, "queries": 1}


# PIAF


@pytest.fixture(scope="module")
def piaf() -> Path:
    needed = ["docs.jsonl", "queries-dev.jsonl", "qrels-dev.tsv"]
    if not all((PIAF / name).is_file() for name in needed):
        pytest.fail(f"the PIAF evaluation set is missing: expected {', '.join(needed)} in {PIAF}")
    return PIAF


@pytest.fixture(scope="module")
def piaf_index(piaf, tmp_path_factory) -> Path:
    # Only the paragraphs go in the archive folder (not the questions beside them).
    root = tmp_path_factory.mktemp("piaf")
    shutil.copy(piaf / "docs.jsonl", root / "docs.jsonl")
    directory = tmp_path_factory.mktemp("piaf-index")
    report = reindex(directory, [root])
    assert report.added == 1518 and not report.failures
    return directory


@pytest.fixture(scope="module")
def ours(piaf, piaf_index) -> dict[str, float]:
    return evaluate(open_index(piaf_index), piaf / "queries-dev.jsonl", piaf / "qrels-dev.tsv")


@pytest.mark.slow
def test_piaf_ids_are_the_record_ids(piaf_index):
    stored = open_index(piaf_index).get("docs.jsonl#piaf-a000-p00")
    assert stored is not None and stored.dispatch.title == "Sport"


@pytest.mark.slow
def test_piaf_dev_mrr(ours):
    assert ours["queries"] == 6049
    assert ours["MRR@10"] >= TARGET_MRR, ours
    assert ours["R@10"] >= 0.88 and ours["R@100"] >= 0.95, ours


# The stock analyzer, for comparison: the same questions, the same question marks read
# as punctuation, the same ranking model (Whoosh's default BM25F), no tuning.


def stock_whoosh(piaf: Path, partial: bool) -> dict[str, float]:
    """MRR@10, R@10, R@100 of a plain Whoosh index of the paragraphs, title and body
    analysed by `LanguageAnalyzer("fr")`: all the words first, then documents holding
    some of them (`partial`), or every document holding some of them, ranked (OR)."""
    analyzer = LanguageAnalyzer("fr")
    schema = fields.Schema(id=fields.ID(stored=True), title=fields.TEXT(analyzer=analyzer),
                           body=fields.TEXT(analyzer=analyzer))
    ix = RamStorage().create_index(schema)
    with ix.writer() as writer, open(piaf / "docs.jsonl", encoding="utf-8") as docs:
        for line in docs:
            record = json.loads(line)
            writer.add_document(id=record["id"], title=record["title"], body=record["body"])
    with open(piaf / "qrels-dev.tsv", newline="", encoding="utf-8") as handle:
        qrels = [ir_measures.Qrel(r["query_id"], r["doc_id"], int(r["relevance"]))
                 for r in csv.DictReader(handle, delimiter="\t")]
    every = qparser.MultifieldParser(["title", "body"], schema, group=qparser.AndGroup)
    some = qparser.MultifieldParser(["title", "body"], schema, group=qparser.OrGroup)
    run = []
    with ix.searcher() as searcher, open(piaf / "queries-dev.jsonl", encoding="utf-8") as queries:
        for line in queries:
            record = json.loads(line)
            text = re.sub(r"\?+(?![\w*])", " ", record["text"])
            ranked = []
            if partial:
                full = searcher.search(every.parse(text), limit=DEPTH)
                ranked = [(hit.docnum, hit["id"]) for hit in full]
            seen = {docnum for docnum, _ in ranked}
            if len(ranked) < DEPTH:
                more = searcher.search(some.parse(text), limit=DEPTH - len(ranked), mask=seen or None)
                ranked += [(hit.docnum, hit["id"]) for hit in more]
            run.append(ir_measures.ScoredDoc(record["id"], "", 0.0))  # no result is a miss
            run += [ir_measures.ScoredDoc(record["id"], doc, float(DEPTH - rank)) for rank, (_, doc) in enumerate(ranked)]
    scores = ir_measures.calc_aggregate((RR @ 10, R @ 10, R @ 100), qrels, run)
    return {"MRR@10": scores[RR @ 10], "R@10": scores[R @ 10], "R@100": scores[R @ 100]}


@pytest.mark.slow
def test_piaf_dev_ours_beats_the_stock_french_analyzer(piaf, ours):
    stock = stock_whoosh(piaf, partial=True)
    stock_or = stock_whoosh(piaf, partial=False)
    figures = (f"ours {ours}; stock AND-then-partial {stock}; stock OR {stock_or}")
    print(figures)
    assert ours["MRR@10"] >= stock["MRR@10"] + 0.02, figures
    assert ours["MRR@10"] >= stock_or["MRR@10"] + 0.02, figures
    # Stock Whoosh is somewhere near the figure it is known for, or the comparison is off.
    assert 0.68 <= stock["MRR@10"] <= 0.76, figures
