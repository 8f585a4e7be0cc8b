"""The load test's archive: N OrangeSum articles written as seed-format `.txt` files and
indexed once by the real `archive reindex`, then reused by later runs with the same N.

Files go to `loadtest/.work/n<N>/archive/<year>/<month>/<id>.txt` (git ignores
`loadtest/.work/`); the index beside them is reused when its `READY` marker names the
same N and the same corpus file.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import CORPUS
from index.whoosh.schema import SCHEMA_VERSION, needs_rebuild

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
WORK = HERE / ".work"


@dataclass(frozen=True)
class Article:
    id: str
    date: str  # YYYY-MM-DD
    title: str
    body: str


@dataclass(frozen=True)
class Built:
    root: Path
    index_dir: Path
    documents: int
    titles: tuple[tuple[str, str], ...]  # (date, title) of every article written
    ids: tuple[str, ...]  # their dispatch ids (paths under the archive root)
    build_seconds: float | None  # None when a previous build was reused


def load_articles(limit: int, corpus: Path = CORPUS) -> list[Article]:
    """The first `limit` articles of the corpus with a date, a title and a body."""
    articles: list[Article] = []
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            title, body, date = row.get("title", "").strip(), row.get("body", "").strip(), row.get("date", "")
            if title and body and len(date) == 10:
                articles.append(Article(row["id"], date, " ".join(title.split()), body))
                if len(articles) == limit:
                    break
    return articles


def text_of(article: Article) -> str:
    """The seed format: the date header, the title on the same line, then the body."""
    return f" date {article.date} {article.title}\n\n{article.body}\n"


def relative_path(article: Article) -> str:
    return f"{article.date[:4]}/{article.date[5:7]}/{article.id}.txt"


def write_archive(articles: list[Article], root: Path) -> None:
    for article in articles:
        path = root / relative_path(article)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text_of(article), encoding="utf-8")


def build(docs: int, work: Path = WORK, log=print) -> Built:
    """Write and index `docs` articles, or reuse what an earlier run with `docs` built."""
    folder = work / f"n{docs}"
    root, index_dir, marker = folder / "archive", folder / "index", folder / "READY"
    articles = load_articles(docs)
    titles = tuple((a.date, a.title) for a in articles)
    ids = tuple(relative_path(a) for a in articles)
    key = {"docs": docs, "written": len(articles), "corpus_bytes": CORPUS.stat().st_size,
           "schema": SCHEMA_VERSION}
    if marker.exists() and json.loads(marker.read_text()).get("key") == key and not needs_rebuild(index_dir):
        documents = json.loads(marker.read_text())["documents"]
        log(f"reusing the index of {documents} dispatches in {index_dir}")
        return Built(root, index_dir, documents, titles, ids, None)
    marker.unlink(missing_ok=True)
    log(f"writing {len(articles)} articles under {root}")
    write_archive(articles, root)
    log("indexing them with `archive reindex --rebuild` (several minutes for the whole corpus)")
    started = time.perf_counter()
    archive_command = Path(sys.executable).with_name("archive")
    finished = subprocess.run(
        [str(archive_command), "reindex", "--rebuild", "--index", str(index_dir), str(root)],
        capture_output=True, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    seconds = time.perf_counter() - started
    if finished.returncode != 0:
        raise RuntimeError(f"archive reindex failed ({finished.returncode}): {finished.stderr[-800:]}{finished.stdout[-800:]}")
    summary = finished.stdout.strip().splitlines()[0]
    documents = int(summary.split("; ")[1].split()[0])
    marker.write_text(json.dumps({"key": key, "documents": documents, "build_seconds": seconds}))
    log(f"{summary} (wall clock {seconds:.0f} s)")
    return Built(root, index_dir, documents, titles, ids, seconds)
