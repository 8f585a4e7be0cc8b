"""Tantivy through its official Python binding: how fast a compiled engine does the same.

French analysis is tantivy's own pipeline: simple tokenizer, long-token removal,
lowercase, the Snowball French stemmer, then ASCII folding (after the stemmer, which
expects accents). Year and month are integer fast fields; facet counts come from a terms
aggregation, the fastest counting the binding exposes (it has no facet collector).
Snippets come from `SnippetGenerator`. Queries use tantivy's parser over title and body
with `conjunction_by_default=True`, the same all-words rule as ours.
"""

from __future__ import annotations

import os
from pathlib import Path

import tantivy
from tantivy import Document, Filter, Occur, Query, SnippetGenerator, TextAnalyzerBuilder, Tokenizer

from bench.corpus import archive_files, read_back, read_file
from bench.engine import peer_main
from bench.queries import BenchQuery, Mode

ANALYZER = "fr"


def french_analyzer() -> tantivy.TextAnalyzer:
    return (
        TextAnalyzerBuilder(Tokenizer.simple())
        .filter(Filter.remove_long(40))
        .filter(Filter.lowercase())
        .filter(Filter.stemmer("french"))
        .filter(Filter.ascii_fold())
        .build()
    )


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("path", stored=True, tokenizer_name="raw")
    builder.add_integer_field("mtime", stored=True)
    builder.add_text_field("title", stored=True, tokenizer_name=ANALYZER)
    builder.add_text_field("body", stored=True, tokenizer_name=ANALYZER)
    builder.add_integer_field("year", indexed=True, fast=True)
    builder.add_integer_field("month", indexed=True, fast=True)  # YYYYMM
    return builder.build()


def open_index(index_dir: Path, create: bool = False) -> tantivy.Index:
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = tantivy.Index(schema(), path=str(index_dir), reuse=not create)
    # Analyzers are not stored with the index: register it on every open.
    ix.register_tokenizer(ANALYZER, french_analyzer())
    return ix


def _document(row: dict) -> Document:
    fields = {"id": row["id"], "path": row["path"], "mtime": row["mtime_ns"],
              "title": row["title"], "body": row["body"]}
    if row["date"]:
        fields["year"] = int(row["date"][:4])
        fields["month"] = int(row["date"][:4] + row["date"][5:7])
    return Document(**fields)


def build(root: Path, index_dir: Path) -> int:
    ix = open_index(index_dir, create=True)
    writer = ix.writer()
    count = 0
    for row in read_back(root):
        writer.add_document(_document(row))
        count += 1
    writer.commit()
    writer.wait_merging_threads()
    return count


def update(root: Path, index_dir: Path) -> int:
    """Incremental by file path and modification time, like the Whoosh recipe."""
    ix = open_index(index_dir)
    searcher = ix.searcher()
    indexed: dict[str, int] = {}
    for _, address in searcher.search(Query.all_query(), limit=max(searcher.num_docs, 1)).hits:
        doc = searcher.doc(address)
        indexed[doc["path"][0]] = doc["mtime"][0]
    writer = ix.writer()
    stale: set[str] = set()
    for path, mtime in indexed.items():
        if not os.path.exists(path):
            writer.delete_documents_by_term("path", path)
        elif os.stat(path).st_mtime_ns > mtime:
            writer.delete_documents_by_term("path", path)
            stale.add(path)
    count = 0
    for path in archive_files(root):
        if path in stale or path not in indexed:
            mtime = os.stat(path).st_mtime_ns
            for row in read_file(path):
                writer.add_document(_document(dict(row, path=path, mtime_ns=mtime)))
                count += 1
    writer.commit()
    writer.wait_merging_threads()
    return count


class TantivySearcher:
    def __init__(self, index_dir: Path):
        self.ix = open_index(index_dir)
        self.schema = self.ix.schema

    def search(self, query: BenchQuery, mode: Mode) -> int:
        # The binding asks for a fresh (cheap) searcher per query.
        searcher = self.ix.searcher()
        text = self.ix.parse_query(query.text, ["title", "body"], conjunction_by_default=True)
        parsed = text
        if query.year:
            year = Query.term_query(self.schema, "year", query.year)
            parsed = Query.boolean_query([(Occur.Must, text), (Occur.Must, year)])
        result = searcher.search(parsed, limit=10, count=True)
        snippets = None
        if mode is not Mode.RANKING:
            snippets = SnippetGenerator.create(searcher, text, self.schema, "body")
            snippets.set_max_num_chars(200)  # Whoosh's default fragment size
        # What the page shows: each hit's fields, its snippet, the facet counts.
        shown = []
        for _, address in result.hits:
            doc = searcher.doc(address)
            snippet = snippets.snippet_from_doc(doc).to_html() if snippets is not None else ""
            shown.append((doc["id"], doc["title"], snippet))
        if mode is Mode.PAGE:
            # The page counts years, and the months of a chosen year.
            aggregations = {"years": {"terms": {"field": "year", "size": 100}}}
            if query.year:
                aggregations["months"] = {"terms": {"field": "month", "size": 12}}
            shown.append(searcher.aggregate(parsed, aggregations))
        return result.count

    def close(self) -> None:
        pass


def open_searcher(index_dir: Path) -> TantivySearcher:
    return TantivySearcher(index_dir)


if __name__ == "__main__":
    peer_main(build, update)
