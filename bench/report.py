"""The results as one markdown page: the machine, then one table per archive size.

Each cell is the median of the repetitions with its range in brackets; the ratio columns
divide our median by the peer's, so below 1 is better for times and memory and above 1 is
better for rates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.measure import Stats

ENGINES = (("ours", "ours"), ("opensearch", "ours on OpenSearch (3 nodes)"), ("whoosh", "plain Whoosh"),
           ("tantivy", "Tantivy"))
# Engines whose column is left out of a table when the run left them out.
OPTIONAL = ("opensearch",)


@dataclass
class Row:
    label: str
    better: str = "lower"  # "lower", "higher", or "" when a ratio means nothing
    values: dict[str, Stats | str] = field(default_factory=dict)  # engine -> figure or note


@dataclass
class SizeResult:
    n: int
    formats: dict[str, int]
    megabytes: float
    queries: int
    year_queries: int
    phrase_queries: int
    rows: dict[str, Row]
    failures: list[str] = field(default_factory=list)


def thousands(value: float) -> str:
    """`34 103`: French-style grouping, readable in both languages."""
    return f"{value:,.0f}".replace(",", " ")


def number(value: float) -> str:
    if value >= 100:
        return thousands(value)
    if value >= 10:
        return f"{value:.1f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def cell(value: Stats | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if value.runs == 1:
        return number(value.median)
    return f"{number(value.median)} ({number(value.low)}–{number(value.high)})"


def ratio(row: Row, peer: str) -> str:
    ours, theirs = row.values.get("ours"), row.values.get(peer)
    if not row.better or not isinstance(ours, Stats) or not isinstance(theirs, Stats):
        return "—"
    if theirs.median == 0:
        return "—"
    return number(ours.median / theirs.median)


def shown(result: SizeResult) -> list[tuple[str, str]]:
    """The engines with a column: all but an optional one the run left out."""
    return [(name, label) for name, label in ENGINES
            if name not in OPTIONAL or any(row.values.get(name) not in (None, "left out") for row in result.rows.values())]


def table(result: SizeResult) -> str:
    engines = shown(result)
    peers = [engine for engine in engines if engine[0] != "ours"]
    head = ["measure", *(label for _, label in engines), *(f"ours / {label}" for _, label in peers)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in result.rows.values():
        cells = [row.label, *(cell(row.values.get(name)) for name, _ in engines),
                 *(ratio(row, name) for name, _ in peers)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render(machine: dict[str, str], settings: dict[str, str], results: list[SizeResult],
           notes: list[str]) -> str:
    out = ["# Benchmarks", "",
           "Produced by `python -m bench` (`make bench`; `make bench-quick` for a short run). "
           "Ours (on Whoosh, and on OpenSearch when asked), plain Whoosh and Tantivy are measured "
           "in the same run, on the same files and the same queries, so the ratios compare engines "
           "on equal terms.", "",
           "## Machine and run", ""]
    out += [f"- {key}: {value}" for key, value in {**machine, **settings}.items()]
    if notes:
        out += ["", *[f"- **Note:** {note}" for note in notes]]
    for result in results:
        formats = ", ".join(f"{thousands(count)} {name}" for name, count in result.formats.items())
        out += ["", f"## N = {thousands(result.n)} dispatches", "",
                f"Archive: {formats} ({result.megabytes:.0f} MB). Queries: {result.queries} "
                f"({result.phrase_queries} with a quoted phrase, {result.year_queries} with a year "
                "filter). Cells: median (min–max) over the repetitions.", "", table(result)]
        if result.failures:
            out += ["", "Failures and warnings:", "", *[f"- {failure}" for failure in result.failures]]
    out += ["", "## What each row measures", "", *LEGEND]
    return "\n".join(out) + "\n"


LEGEND = [
    "- **full rebuild**: wall time of the whole indexing command in a fresh child process "
    "(`archive reindex --rebuild --index DIR ROOT` for ours, `python -m bench.peers.… build` "
    "for the peers), start-up included; dispatches/s is N divided by that time.",
    "- **peak RSS**: the highest sum of resident memory over the command's process tree, "
    "sampled every 20 ms with psutil (worker processes included; shared pages counted "
    "per process).",
    "- **peak PSS**: the same sum of proportional set sizes, where a page shared by "
    "several processes (forked workers share their parent's) is divided among them: "
    "the memory the build takes from the machine.",
    "- **index size**: bytes of all files in the index folder after the build; on OpenSearch, "
    "`store.size` of `_cat/indices` for the index behind the alias: the primary shard and its "
    "replica together (about twice one copy).",
    "- **ours on OpenSearch**: the archive's own commands with `--backend opensearch` "
    "(`archive reindex --backend opensearch --opensearch-url … --opensearch-index bench-nN`), "
    "queries through `index.open_backend`, HTTP through `archive serve --backend opensearch`, on a "
    "3-node cluster on loopback (scripts/cluster.py, one JVM per node) sharing the machine's cores "
    "with the harness. Its peak RSS and PSS add the three nodes' JVMs to the build command's "
    "tree, sample by sample; its server RSS is the `archive serve` process alone. It has no "
    "read-ahead and no maintenance merge.",
    "- **no-op reindex**: an update when nothing changed. *subprocess* runs the command "
    "(about 0.3 s of interpreter start-up and imports included); *in-process* calls the "
    "update function in the warm harness process (`index.reindex` for ours).",
    "- **incremental 10+10+10**: 10 new, 10 changed and 10 deleted `.txt` files, then an "
    "update; a fresh set of changes for each repetition, the same set for every engine.",
    "- **read-ahead** (ours only): `archive serve` reads ahead, in a background thread, "
    "what queries need from each index generation (field lengths, date keys, the posting "
    "lists of words found in 300 documents or more). Before each pass of queries our "
    "caches are emptied and this read-ahead is run and timed apart, so each pass starts "
    "like a server that has just started: every rarer word is read from disk the first "
    "time a query uses it.",
    "- **query rows**: latency of one warm search handle per engine over the whole query "
    "set (after a warm-up pass), p50 and p95 per repetition. *ranking* = the top 10 with "
    "ids and titles and the exact number of matches; *+ snippets* = plus a highlighted body "
    "snippet per hit; *+ snippets + facets* = plus year counts (and month counts when a "
    "year is chosen): what the search page does.",
    "- **page of the empty query, of `*`, of `a*`** (ours, on Whoosh and on OpenSearch): a whole page (top 10, "
    "snippets, facets) of queries that walk the archive rather than rank a few matches: "
    "everything newest first, everything again written as `*`, and a prefix expanding to "
    "hundreds of words; 20 runs each after one warm-up, per repetition.",
    "- **matches per query**: a check that the engines answer the same question, not a "
    "speed: every word must match, in the title or the body (the peers' analyzers differ "
    "slightly from ours, so small gaps are expected).",
    "- **HTTP rows** (ours, on Whoosh and on OpenSearch): the real server (`archive serve`) on 127.0.0.1 driven by "
    "wrk cycling through the query URLs (`/?q=…`, `&annee=YYYY` for year queries), with "
    "1 and 8 concurrent connections, each run stopped at its request cap or time limit; "
    "server RSS is its process tree after the runs.",
    "- **peers**: they read the archive with the harness's own minimal reader (it knows the "
    "layout the harness wrote); ours goes through the archive's real readers, date "
    "handling and reindex bookkeeping.",
    "- **ranking quality** is measured apart: `python -m bench.knownitem` (news titles searched "
    "among the bodies indexed without them, ours beside Tantivy) writes `docs/knownitem.md`; "
    "the PIAF figures come from `archive evaluate` (see the README).",
]
