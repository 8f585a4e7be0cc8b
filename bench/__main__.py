"""`python -m bench`: the command line of the benchmark harness.

`--quick` is the few-minutes check to run before a pull request (N=5,000, one
repetition, 100 queries); the default is the full run that `docs/benchmarks.md` reports.
"""

from __future__ import annotations

from pathlib import Path

import click

from bench.corpus import missing_corpus
from bench.ours import REPO
from bench.run import Options, run


@click.command()
@click.option("--quick", is_flag=True, help="N=5,000 only, 1 repetition, 100 queries, short HTTP runs.")
@click.option("--sizes", help="Archive sizes, comma-separated [default: 5000,34103; 5000 with --quick]; "
              "past 34,103, altered copies of the corpus are added (341030: ten times the corpus).")
@click.option("--repeat", type=click.IntRange(min=1), help="Repetitions of each measure [default: 3; 1 with --quick].")
@click.option("--queries", type=click.IntRange(min=10), help="Queries per size [default: 300; 100 with --quick].")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=REPO / "docs" / "benchmarks.md",
              show_default=True, help="Where to write the markdown table.")
@click.option("--skip-http", is_flag=True, help="Leave out the HTTP load runs.")
@click.option("--skip-maintenance", is_flag=True,
              help="Leave out the maintenance merge after the updates (`archive optimise`: at 341,030 it "
                   "costs as much as a rebuild).")
@click.option("--http-requests", type=click.IntRange(min=10), help="Request cap per HTTP run [default: 2000; 300 with --quick].")
@click.option("--http-seconds", type=click.FloatRange(min=1), help="Time limit per HTTP run [default: 20; 5 with --quick].")
@click.option("--workdir", type=click.Path(file_okay=False, writable=True, path_type=Path),
              help="Where the temporary archive and indexes go [default: the system temp folder].")
@click.option("--keep", is_flag=True, help="Keep the temporary archive and indexes.")
@click.option("--seed", type=int, default=2019, show_default=True, help="Seed of the sample, formats and queries.")
@click.option("--engines", default="ours,opensearch,whoosh,tantivy", show_default=True,
              help="Which engines to measure, comma-separated (opensearch: ours with the index on a "
                   "3-node cluster started for the run; needs Java 17 and Maven).")
@click.option("--opensearch-url", metavar="URLS",
              help="Bench the OpenSearch backend on these running nodes (comma-separated) "
                   "instead of starting a cluster; the run's indexes are deleted at the end.")
@click.option("--opensearch-heap", default="384m", show_default=True, metavar="SIZE",
              help="Java heap of each node of the cluster the run starts (the tests' size; a "
                   "larger archive wants more, e.g. 2g at 341,030).")
def main(quick, sizes, repeat, queries, out, skip_http, skip_maintenance, http_requests, http_seconds, workdir, keep, seed, engines,
         opensearch_url, opensearch_heap):
    """Benchmark ours (on Whoosh and on OpenSearch) against plain Whoosh and Tantivy;
    write and print the table."""
    if message := missing_corpus():
        raise click.ClickException(message)
    try:
        chosen = tuple(int(s) for s in (sizes or ("5000" if quick else "5000,34103")).split(","))
    except ValueError:
        raise click.BadParameter("give whole numbers separated by commas", param_hint="--sizes") from None
    unknown = set(engines.split(",")) - {"ours", "opensearch", "whoosh", "tantivy"}
    if unknown:
        raise click.BadParameter(f"unknown: {', '.join(sorted(unknown))}", param_hint="--engines")
    options = Options(
        sizes=chosen,
        repeat=repeat or (1 if quick else 3),
        queries=queries or (100 if quick else 300),
        out=out,
        skip_http=skip_http,
        skip_maintenance=skip_maintenance,
        http_requests=http_requests or (300 if quick else 2000),
        http_seconds=http_seconds or (5 if quick else 20),
        workdir=workdir,
        keep=keep,
        seed=seed,
        engines=tuple(name.strip() for name in engines.split(",")),
        opensearch_url=opensearch_url,
        opensearch_heap=opensearch_heap,
    )
    click.echo(run(options))


if __name__ == "__main__":
    main()
