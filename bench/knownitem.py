"""Known-item search: typed as the query, does a dispatch's headline find that dispatch?

People paste a headline, or ask a question in a dozen words, and expect the one dispatch
it belongs to. Here every news record's body is indexed WITHOUT its title (a JSON Lines
export whose records have none, read and indexed by the archive's own `reindex`), then
the titles of a seeded sample of records are searched as they stand, through the same
default path as the search page (`open_index(...).search(SearchRequest(query=…))`: all
the default options, versions grouped). A query succeeds at k when its record is among
the first k hits (or folded under one of them as another version of its story).

Tantivy, side by side, indexes the same bodies with a French analyzer (Snowball stemmer,
the benchmark peer's pipeline) and searches each title as an OR of its words, BM25.

    python -m bench.knownitem [--queries 1000] [--seed 2019] [--workdir DIR] [--out FILE]
"""

from __future__ import annotations

import json
import random
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import click

from bench import corpus
from bench.corpus import Record

DEPTH = 10
MIN_TITLE_WORDS = 4
EXPORT = "bodies"


@dataclass(frozen=True)
class Measures:
    queries: int
    success_at_1: float
    success_at_10: float
    mrr_at_10: float


def measures(ranks: Sequence[int | None]) -> Measures:
    """success@1, success@10 and MRR@10 of the 1-based ranks where each query found its
    record (None: not in the first ten)."""
    n = len(ranks)
    if not n:
        return Measures(0, 0.0, 0.0, 0.0)
    found = [r for r in ranks if r is not None and r <= DEPTH]
    return Measures(
        queries=n,
        success_at_1=sum(r == 1 for r in found) / n,
        success_at_10=len(found) / n,
        mrr_at_10=sum(1 / r for r in found) / n,
    )


def usable(title: str) -> bool:
    return len(re.findall(r"\w+", title)) >= MIN_TITLE_WORDS


def choose(records: Sequence[Record], n: int, seed: int) -> list[Record]:
    """`n` records (the same for the same seed) whose title has at least
    MIN_TITLE_WORDS words and belongs to no other record (a shared title names no one)."""
    seen: dict[str, int] = {}
    for record in records:
        seen[record.title.casefold()] = seen.get(record.title.casefold(), 0) + 1
    pool = [r for r in records if usable(r.title) and seen[r.title.casefold()] == 1]
    return random.Random(seed).sample(pool, min(n, len(pool)))


def write_bodies(records: Iterable[Record], root: Path) -> int:
    """The records as JSON Lines exports, one file a year, every title left out: the
    archive then derives each dispatch's title from its first sentence, as it does for
    any untitled record."""
    files: dict[str, list[str]] = {}
    for record in records:
        row = {"id": record.id, "date": record.date, "body": "\n\n".join(record.paragraphs),
               "author": record.author, "source": record.source, "url": record.url}
        files.setdefault(record.date[:4] or "undated", []).append(json.dumps(row, ensure_ascii=False) + "\n")
    root.mkdir(parents=True, exist_ok=True)
    for year, lines in files.items():
        (root / EXPORT / f"{year}.jsonl").parent.mkdir(parents=True, exist_ok=True)
        (root / EXPORT / f"{year}.jsonl").write_text("".join(lines), encoding="utf-8")
    return sum(map(len, files.values()))


# Ours: the public `index` API only.

def build_ours(root: Path, index_dir: Path) -> None:
    from index import reindex

    report = reindex(index_dir, [root], rebuild=True)
    if report.failures:
        raise click.ClickException(f"{len(report.failures)} records not indexed, e.g. {report.failures[0]}")


def our_ranks(index_dir: Path, items: Sequence[Record]) -> list[int | None]:
    """Where each title's record comes in the first page the search page would show."""
    from index import SearchRequest, open_index
    from index.evaluate import external_id

    ranks: list[int | None] = []
    with open_index(index_dir) as archive:
        for item in items:
            result = archive.search(SearchRequest(query=item.title, page_size=DEPTH, with_snippets=False))
            rank = None
            for i, hit in enumerate(result.hits, 1):
                if item.id in {external_id(hit.id), *map(external_id, hit.other_versions)}:
                    rank = i
                    break
            ranks.append(rank)
    return ranks


# Tantivy: the same bodies, a French BM25, the title's words OR-ed.

def build_tantivy(records: Iterable[Record], index_dir: Path) -> None:
    import tantivy

    index = _tantivy_index(index_dir, create=True)
    writer = index.writer()
    for record in records:
        writer.add_document(tantivy.Document(id=record.id, body="\n\n".join(record.paragraphs)))
    writer.commit()
    writer.wait_merging_threads()


def tantivy_ranks(index_dir: Path, items: Sequence[Record]) -> list[int | None]:
    index = _tantivy_index(index_dir)
    index.reload()
    searcher = index.searcher()
    ranks: list[int | None] = []
    for item in items:
        text = tantivy_query(item.title)
        rank = None
        if text:
            query = index.parse_query(text, ["body"])  # words OR-ed: tantivy's default
            for i, (_, address) in enumerate(searcher.search(query, limit=DEPTH).hits, 1):
                if searcher.doc(address)["id"][0] == item.id:
                    rank = i
                    break
        ranks.append(rank)
    return ranks


def tantivy_query(title: str) -> str:
    """The title's words, lower-cased (so that `AND`, `OR`, `NOT` are words) and
    without punctuation (so that nothing reads as query syntax)."""
    return " ".join(re.findall(r"\w+", title.lower()))


def _tantivy_index(index_dir: Path, create: bool = False):
    import tantivy

    from bench.peers.tantivy_peer import ANALYZER, french_analyzer

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("body", stored=False, tokenizer_name=ANALYZER)
    index_dir.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(builder.build(), path=str(index_dir), reuse=not create)
    index.register_tokenizer(ANALYZER, french_analyzer())
    return index


# The run and its table.

def table(rows: dict[str, Measures], seed: int, n_docs: int) -> str:
    first = next(iter(rows.values()))
    lines = [
        "| engine | success@1 | success@10 | MRR@10 |",
        "|---|---:|---:|---:|",
        *(f"| {name} | {m.success_at_1:.3f} | {m.success_at_10:.3f} | {m.mrr_at_10:.3f} |" for name, m in rows.items()),
        "",
        f"{first.queries} titles of at least {MIN_TITLE_WORDS} words (seed {seed}) searched among "
        f"{n_docs:,} bodies indexed without their titles.".replace(",", " "),
    ]
    return "\n".join(lines)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def timed(what: str, call: Callable):
    started = time.perf_counter()
    value = call()
    log(f"{what}: {time.perf_counter() - started:.1f} s")
    return value


@click.command()
@click.option("--queries", type=click.IntRange(min=1), default=1000, show_default=True, help="Titles searched.")
@click.option("--seed", type=int, default=2019, show_default=True, help="Seed of the sample of titles.")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path),
              help="Where the archive and both indexes go; kept, and reused when already built "
                   "[default: a temporary folder, removed after].")
@click.option("--rebuild", is_flag=True, help="Build the indexes again even when --workdir holds them.")
@click.option("--engines", default="ours,tantivy", show_default=True, help="Which engines, comma-separated.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the table, with a heading, to this markdown file.")
def main(queries, seed, workdir, rebuild, engines, out):
    """Search news titles as queries among the bodies alone; print success@1, @10, MRR@10."""
    if message := corpus.missing_corpus():
        raise click.ClickException(message)
    chosen = [name.strip() for name in engines.split(",")]
    if unknown := set(chosen) - {"ours", "tantivy"}:
        raise click.BadParameter(f"unknown: {', '.join(sorted(unknown))}", param_hint="--engines")
    records = timed("loading the corpus", corpus.load_records)
    items = choose(records, queries, seed)
    work = workdir or Path(tempfile.mkdtemp(prefix="knownitem-"))
    try:
        root, ours_dir, tantivy_dir = work / "archive", work / "index-ours", work / "index-tantivy"
        if rebuild or not (root / EXPORT).is_dir():
            shutil.rmtree(root, ignore_errors=True)
            timed("writing the bodies", lambda: write_bodies(records, root))
        rows: dict[str, Measures] = {}
        for name in chosen:
            if name == "ours":
                if rebuild or not ours_dir.is_dir():
                    timed("building ours", lambda: build_ours(root, ours_dir))
                rows["ours"] = measures(timed("searching ours", lambda: our_ranks(ours_dir, items)))
            else:
                if rebuild or not tantivy_dir.is_dir():
                    shutil.rmtree(tantivy_dir, ignore_errors=True)
                    timed("building Tantivy", lambda: build_tantivy(records, tantivy_dir))
                rows["Tantivy"] = measures(timed("searching Tantivy", lambda: tantivy_ranks(tantivy_dir, items)))
    finally:
        if workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    text = table(rows, seed, len(records))
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("# Known-item search: headlines as queries\n\n"
                       "Written by `python -m bench.knownitem` (see `bench/knownitem.py`).\n\n" + text + "\n",
                       encoding="utf-8")
    click.echo(text)


if __name__ == "__main__":
    main()
