"""Turn the OrangeSum articles into an archive folder of every format the archive reads.

A benchmark on real files measures what a reindex really costs (walking folders, reading,
decoding, stripping HTML), so the articles are written out the way an archive holds them:
mostly seed-format `.txt` files in year/month folders, ~5 % `.html` pages with metadata
and page furniture, and one `.jsonl` export (~5 % of the records). Everything is seeded,
so two runs write byte-identical folders.

`read_back()` is the peers' reader: it knows only the layout written here, which is all
a plain Whoosh or Tantivy program would need for these files.
"""

from __future__ import annotations

import dataclasses
import gzip
import itertools
import json
import os
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape as e
from pathlib import Path

from bs4 import BeautifulSoup

# The news corpus may not be redistributed, so it is not in the repository: benchmarks and
# load tests read it from `../shared/` beside the checkout, or from ARCHIVE_NEWS_CORPUS.
CORPUS = Path(os.environ.get("ARCHIVE_NEWS_CORPUS")
              or Path(__file__).resolve().parents[2] / "shared" / "corpus" / "orangesum" / "news.jsonl.gz")
JSONL_NAME = "export/orangesum-export.jsonl"
HTML_SHARE = 0.05
JSONL_SHARE = 0.05


@dataclass(frozen=True)
class Record:
    """One OrangeSum article, as the corpus gives it."""

    id: str
    date: str  # YYYY-MM-DD
    published: str | None
    title: str
    body: str
    author: str
    source: str
    url: str

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.split("\n\n") if p.strip()]


def missing_corpus(path: Path = CORPUS) -> str | None:
    """What to tell a person when the corpus file is not there; None when it is."""
    if path.is_file():
        return None
    return (f"The news corpus is missing: expected {path}.\n"
            "It is OrangeSum (34,103 French news articles; Tixierae/OrangeSum, CC BY-SA 4.0 as its authors publish it,\n"
            "the texts remaining their publishers'): it may not be redistributed, so it is not in this repository.\n"
            "Put its articles, one JSON object a line (id, date, title, body, author, source, url), gzipped,\n"
            "at that path, or point ARCHIVE_NEWS_CORPUS at such a file. The tests do not need it.")


def load_records(path: Path = CORPUS) -> list[Record]:
    """Every article of the corpus, in file order."""
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [
            Record(
                id=row["id"],
                date=row["date"],
                published=row.get("published"),
                title=row["title"].strip(),
                body=row["body"],
                author=row.get("author") or "",
                source=row.get("source") or "",
                url=row.get("url") or "",
            )
            for row in map(json.loads, lines)
        ]


# Larger archives than the corpus: copy k of every article has REDRAWN of its words drawn
# again from the corpus's own word distribution and its date moved back 5 × k years, so
# that postings, vocabulary and dates grow as a real archive's would, not as duplicates.
REDRAWN = 0.3
YEARS_BACK = 5


def enlarged(records: list[Record], n: int, seed: int = 2019) -> list[Record]:
    """`n` records: the corpus, then as many altered copies of it as needed (the same
    ones on every run for the same seed). At most the corpus when `n` is smaller."""
    if n <= len(records):
        return records
    words, weights = _word_distribution(records)
    out = list(records)
    copy = 0
    while len(out) < n:
        copy += 1
        rng = random.Random(f"{seed}-copy-{copy}")
        for record in records[: n - len(out)]:
            out.append(_altered(record, copy, rng, words, weights))
    return out


def _word_distribution(records: list[Record]) -> tuple[list[str], list[int]]:
    counts: dict[str, int] = {}
    for record in records[::10]:  # a tenth of the corpus gives its word frequencies
        for word in record.body.split():
            counts[word] = counts.get(word, 0) + 1
    words = sorted(counts)
    return words, list(itertools.accumulate(counts[w] for w in words))


def _altered(record: Record, copy: int, rng: random.Random, words: list[str], cumulative: list[int]) -> Record:
    def redraw(text: str) -> str:
        tokens = text.split(" ")
        picks = [i for i in range(len(tokens)) if rng.random() < REDRAWN and tokens[i]]
        for i, word in zip(picks, rng.choices(words, cum_weights=cumulative, k=len(picks))):
            tokens[i] = word
        return " ".join(tokens)

    body = "\n\n".join(redraw(p) for p in record.paragraphs)
    return dataclasses.replace(
        record, id=f"{record.id}-c{copy}", date=_years_back(record.date, YEARS_BACK * copy),
        published=None, title=redraw(record.title), body=body,
    )


def _years_back(iso: str, years: int) -> str:
    year, month, day = int(iso[:4]) - years, iso[5:7], iso[8:10]
    if (month, day) == ("02", "29") and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        day = "28"
    return f"{year:04d}-{month}-{day}"


@dataclass
class Archive:
    """A materialised archive folder and what is needed to change it later."""

    root: Path
    records: list[Record]  # the N records written, in id order
    formats: dict[str, int]  # dispatches per format
    bytes_written: int
    txt_files: dict[Path, Record]  # live .txt files (the ones changes may touch)
    reserve: list[Record] = field(default_factory=list)  # unused records, for "new" files
    seed: int = 0
    steps: int = 0


def materialise(records: list[Record], n: int, root: Path, seed: int = 2019, write: bool = True) -> Archive:
    """Write `n` of `records` (a seeded sample; all of them when `n` covers the corpus).
    `write=False`: only the `Archive` that writing would give, for a copy of a folder
    written before with the same arguments (`apply_changes` can then change the copy)."""
    rng = random.Random(seed)
    if n >= len(records):
        chosen, reserve = list(records), []
    else:
        picked = set(rng.sample(range(len(records)), n))
        chosen = [r for i, r in enumerate(records) if i in picked]
        reserve = [r for i, r in enumerate(records) if i not in picked]
        rng.shuffle(reserve)
    chosen.sort(key=lambda r: r.id)

    archive = Archive(root=root, records=chosen, formats={"txt": 0, "html": 0, "jsonl": 0},
                      bytes_written=0, txt_files={}, reserve=reserve, seed=seed)
    exported: list[Record] = []
    for record in chosen:
        draw = rng.random()
        if draw < HTML_SHARE:
            path = root / "html" / record.date[:4] / record.date[5:7] / f"{record.id}.html"
            archive.bytes_written += _write(path, html_page(record)) if write else 0
            archive.formats["html"] += 1
        elif draw < HTML_SHARE + JSONL_SHARE:
            exported.append(record)
        else:
            path = txt_path(root, record)
            archive.bytes_written += _write(path, seed_text(record)) if write else 0
            archive.txt_files[path] = record
            archive.formats["txt"] += 1
    if exported:
        lines = "".join(json.dumps(jsonl_row(r), ensure_ascii=False) + "\n" for r in exported)
        archive.bytes_written += _write(root / JSONL_NAME, lines) if write else 0
        archive.formats["jsonl"] = len(exported)
    return archive


def txt_path(root: Path, record: Record, suffix: str = "") -> Path:
    return root / "txt" / record.date[:4] / record.date[5:7] / f"{record.id}{suffix}.txt"


def seed_text(record: Record, extra: str = "") -> str:
    """The seed format: ` date YYYY-MM-DD ` then the title paragraph, then the body."""
    paragraphs = [record.title, *record.paragraphs]
    if extra:
        paragraphs.append(extra)
    return f" date {record.date} " + "\n\n".join(paragraphs) + "\n"


def html_page(record: Record) -> str:
    """A news page: metadata in <head>, the text in <article>, furniture around it."""
    published = record.published or f"{record.date}T00:00:00+00:00"
    paragraphs = "\n".join(f"<p>{e(p)}</p>" for p in record.paragraphs)
    return f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>{e(record.title)} - Orange Actu</title>
<meta property="og:title" content="{e(record.title)}">
<meta property="og:url" content="{e(record.url)}">
<meta property="article:published_time" content="{e(published)}">
<meta name="author" content="{e(record.author)}">
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"page": "article"}});</script>
</head>
<body>
<nav><ul><li><a href="/">Accueil</a></li><li><a href="/france">France</a></li><li><a href="/monde">Monde</a></li></ul></nav>
<article>
<h1>{e(record.title)}</h1>
{paragraphs}
</article>
<footer><p>© Orange Actu — mentions légales, cookies, contact</p></footer>
<script src="/static/tag.js" async></script>
</body>
</html>
"""


def jsonl_row(record: Record) -> dict:
    return {"id": record.id, "date": record.date, "title": record.title,
            "body": "\n\n".join(record.paragraphs), "author": record.author,
            "source": record.source, "url": record.url}


def apply_changes(archive: Archive, count: int = 10) -> dict[str, int]:
    """One incremental step: `count` new, `count` changed and `count` deleted `.txt` files.

    New files come from records not yet in the archive; once the whole corpus is written
    they are later versions of existing stories (a title marked « mise à jour » and one
    more paragraph), which is how agencies update a dispatch anyway.
    """
    archive.steps += 1
    rng = random.Random(f"{archive.seed}-{archive.steps}")
    live = sorted(archive.txt_files)
    touched = rng.sample(live, 2 * count)
    for path in touched[:count]:
        record = archive.txt_files[path]
        extra = f"(Mise à jour n° {archive.steps}) Le texte de cette dépêche a été complété."
        path.write_text(seed_text(record, extra), encoding="utf-8")
    for path in touched[count:]:
        path.unlink()
        del archive.txt_files[path]
    for i in range(count):
        if archive.reserve:
            record = archive.reserve.pop()
            path = txt_path(archive.root, record)
        else:
            base = archive.records[rng.randrange(len(archive.records))]
            record = dataclasses.replace(base, title=f"{base.title} (mise à jour)")
            path = txt_path(archive.root, record, suffix=f"-maj{archive.steps}-{i}")
        _write(path, seed_text(record, "Précisions apportées dans la soirée."))
        archive.txt_files[path] = record
    return {"new": count, "changed": count, "deleted": count}


_HEADER = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\s+")


def read_back(root: Path) -> Iterator[dict]:
    """Yield `path`, `mtime_ns`, `id`, `title`, `body`, `date` for every dispatch under root.

    The peers' reader: it reads only the layout `materialise` writes.
    """
    for path in archive_files(root):
        mtime = os.stat(path).st_mtime_ns
        yield from (dict(row, path=path, mtime_ns=mtime) for row in read_file(path))


def archive_files(root: Path) -> Iterator[str]:
    """Paths of the files under root, in a stable order."""
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            yield os.path.join(folder, name)


def read_file(path: str) -> Iterator[dict]:
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    if path.endswith(".txt"):
        match = _HEADER.match(text)
        date = match.group(1) if match else ""
        title, _, body = text[match.end() if match else 0:].partition("\n\n")
        yield {"id": path, "title": title.strip(), "body": body.strip(), "date": date}
    elif path.endswith(".html"):
        soup = BeautifulSoup(text, "html.parser")
        for tag in soup(["nav", "script", "footer"]):
            tag.decompose()
        published = soup.find("meta", property="article:published_time")
        article = soup.find("article")
        yield {"id": path, "title": article.h1.get_text(" ", strip=True),
               "body": "\n\n".join(p.get_text(" ", strip=True) for p in article.find_all("p")),
               "date": published["content"][:10] if published else ""}
    elif path.endswith(".jsonl"):
        for line_no, line in enumerate(text.splitlines(), 1):
            row = json.loads(line)
            yield {"id": f"{path}#L{line_no}", "title": row["title"], "body": row["body"],
                   "date": row.get("date") or ""}


def _write(path: Path, text: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    path.write_bytes(data)
    return len(data)
