"""Plain Whoosh, set up the way its documentation shows: the baseline our index must beat.

`LanguageAnalyzer("fr")` on title and body (body stored for highlighting), one
`ix.writer()` in a single process, the documentation's incremental recipe (stored path
and modification time), `MultifieldParser` over title and body, facets through
`searcher.search(q, groupedby=…, maptype=sorting.Count)` on sortable year/month fields,
and default highlighting with `hit.highlights("body")`.

Matching: GROUP says how the words of a query combine. It is "and" (every word must
match, in the title or the body), which is our archive's rule; "or" is there to measure
Whoosh's own default of ranked disjunction when wanted (`BENCH_WHOOSH_GROUP=or`).
"""

from __future__ import annotations

import os
from pathlib import Path

from whoosh import index, sorting
from whoosh.analysis import LanguageAnalyzer
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.qparser import AndGroup, MultifieldParser, OrGroup
from whoosh.query import Term

from bench.corpus import archive_files, read_back, read_file
from bench.engine import peer_main
from bench.queries import BenchQuery, Mode

GROUP = os.environ.get("BENCH_WHOOSH_GROUP", "and")


def schema() -> Schema:
    french = LanguageAnalyzer("fr")
    return Schema(
        id=ID(stored=True, unique=True),
        path=ID(stored=True),
        mtime=STORED,
        title=TEXT(analyzer=french, stored=True),
        body=TEXT(analyzer=french, stored=True),
        year=ID(stored=True, sortable=True),
        month=ID(stored=True, sortable=True),
    )


def _add(writer, row: dict) -> None:
    dates = {"year": row["date"][:4], "month": row["date"][:7]} if row["date"] else {}
    writer.add_document(id=row["id"], path=row["path"], mtime=row["mtime_ns"],
                        title=row["title"], body=row["body"], **dates)


def build(root: Path, index_dir: Path) -> int:
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(index_dir), schema())
    count = 0
    with ix.writer() as writer:
        for row in read_back(root):
            _add(writer, row)
            count += 1
    return count


def update(root: Path, index_dir: Path) -> int:
    """The documentation's incremental indexing, by file path and modification time."""
    ix = index.open_dir(str(index_dir))
    indexed: dict[str, int] = {}
    stale: set[str] = set()
    count = 0
    with ix.searcher() as searcher:
        with ix.writer() as writer:
            for fields in searcher.all_stored_fields():
                indexed[fields["path"]] = fields["mtime"]
            for path, mtime in indexed.items():
                if not os.path.exists(path):
                    writer.delete_by_term("path", path)
                elif os.stat(path).st_mtime_ns > mtime:
                    writer.delete_by_term("path", path)
                    stale.add(path)
            for path in archive_files(root):
                if path in stale or path not in indexed:
                    mtime = os.stat(path).st_mtime_ns
                    for row in read_file(path):
                        _add(writer, dict(row, path=path, mtime_ns=mtime))
                        count += 1
    return count


class WhooshSearcher:
    def __init__(self, index_dir: Path, group: str = GROUP):
        self.ix = index.open_dir(str(index_dir))
        self.searcher = self.ix.searcher()
        self.parser = MultifieldParser(["title", "body"], self.ix.schema,
                                       group=AndGroup if group == "and" else OrGroup)

    def search(self, query: BenchQuery, mode: Mode) -> int:
        parsed = self.parser.parse(query.text)
        year = Term("year", str(query.year)) if query.year else None
        options = {}
        if mode is Mode.PAGE:
            # The page counts years, and the months of a chosen year.
            facets = {"year": sorting.FieldFacet("year")}
            if query.year:
                facets["month"] = sorting.FieldFacet("month")
            options = {"groupedby": facets, "maptype": sorting.Count}
        results = self.searcher.search(parsed, limit=10, filter=year, **options)
        total = len(results)
        # What the page shows: each hit's fields, its snippet, the facet counts.
        shown = [(hit["id"], hit["title"], hit.highlights("body") if mode is not Mode.RANKING else "")
                 for hit in results]
        if mode is Mode.PAGE:
            shown += [results.groups(name) for name in options["groupedby"]]
        return total

    def close(self) -> None:
        self.searcher.close()


def open_searcher(index_dir: Path) -> WhooshSearcher:
    return WhooshSearcher(index_dir)


if __name__ == "__main__":
    peer_main(build, update)
