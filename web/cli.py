"""The `archive` command: show, reindex, optimise, search, evaluate and serve.

It sits on top of the other layers (web → index → archive); domain errors become the
`click.ClickException`s of web/cli_errors.py: one French line on stderr and the exit
code the README documents, never a stack trace. What it prints is in web/cli_output.py.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from importlib.metadata import version
from pathlib import Path

import click

from archive import PartialDate, UnreadableDispatch, read_file
from index import ArchiveIndexError, Backend, SearchRequest, Sort, open_backend, optimise, reindex_backend
from web.cli_errors import CommandFailed, FilesFailed, MissingExtra, index_errors, one_line, write_errors
from web.cli_output import ProgressBar, as_json, plural, print_optimise, print_reindex, print_result

DEFAULT_INDEX = Path("index-data")
DEFAULT_ROOT = Path("seeds")

index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_INDEX,
    show_default=True,
    envvar="ARCHIVE_INDEX",
    help="Dossier de l’index (ou la variable d’environnement ARCHIVE_INDEX).",
)


def backend_options(command):
    """--backend, --opensearch-url and --opensearch-index, read into one `backend`
    argument (index/backend.py) with the index folder; certificates of an `https`
    cluster are checked as ARCHIVE_OPENSEARCH_VERIFY says."""
    options = [
        index_option,
        click.option("--backend", "backend_kind", type=click.Choice(["whoosh", "opensearch"]), default="whoosh",
                     show_default=True, envvar="ARCHIVE_BACKEND",
                     help="Moteur de recherche : un dossier d’index Whoosh, ou une grappe OpenSearch (ou ARCHIVE_BACKEND)."),
        click.option("--opensearch-url", envvar="ARCHIVE_OPENSEARCH_URL", metavar="URLS",
                     help="Les nœuds de la grappe, séparés par des virgules ; utilisateur:mot-de-passe@ dans "
                          "l’adresse pour l’authentification (ou ARCHIVE_OPENSEARCH_URL ; par défaut "
                          "http://127.0.0.1:9200)."),
        click.option("--opensearch-index", envvar="ARCHIVE_OPENSEARCH_INDEX", metavar="NAME",
                     help="Le nom (alias) de l’archive sur la grappe (ou ARCHIVE_OPENSEARCH_INDEX ; "
                          "par défaut archive)."),
    ]

    @functools.wraps(command)
    def wrapped(*args, index_dir, backend_kind, opensearch_url, opensearch_index, **kwargs):
        backend = Backend(backend_kind, index_dir, opensearch_url, opensearch_index,
                          os.environ.get("ARCHIVE_OPENSEARCH_VERIFY"))
        return command(*args, backend=backend, **kwargs)

    for option in reversed(options):
        wrapped = option(wrapped)
    return wrapped


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version("french-news-archive"), prog_name="archive", help="Afficher la version et quitter.")
def cli() -> None:
    """Une archive de dépêches d’actualité en français, où chercher."""


@cli.command(help="Afficher en JSON, un objet par ligne, les dépêches lues dans FILES.")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def show(files: tuple[Path, ...]) -> None:
    """Print the dispatches read from FILES as JSON, one object a line."""
    failed = []
    for path in files:
        path = path.resolve()
        try:
            reading = read_file(path, path.parent)
        except UnreadableDispatch as error:
            failed.append(f"{error.path} : {error.reason}")
            continue
        for dispatch in reading.dispatches:
            click.echo(as_json(dispatch.summary()))
        for problem in reading.problems:
            click.echo(f"Avertissement : {one_line(str(problem))}", err=True)
    if failed:
        raise FilesFailed(failed)


@cli.command("reindex", help="Indexer les fichiers de dépêches sous ROOTS (par défaut : seeds/), de façon incrémentale.")
@click.argument("roots", nargs=-1, type=click.Path(file_okay=False, path_type=Path))
@backend_options
@click.option("--rebuild", is_flag=True, help="Refaire l’index de zéro (l’ancien reste consultable jusqu’à la fin).")
@click.option("--wait", "lock_timeout", type=float, default=10.0, show_default=True, help="Secondes d’attente si une autre réindexation est en cours.")
@click.option("--debug", is_flag=True, help="Sur une erreur inattendue, afficher sa trace sur la sortie d’erreur.")
@click.option("--watch", is_flag=True, help="Rester actif : réindexer dès que des fichiers arrivent, changent ou disparaissent (Ctrl+C arrête).")
@click.option("--quiet-period", type=click.FloatRange(0.05, 60), default=0.5, show_default=True,
              help="Avec --watch : secondes sans changement qui closent un lot.")
def reindex_command(roots: tuple[Path, ...], backend: Backend, rebuild: bool, lock_timeout: float, debug: bool,
                    watch: bool, quiet_period: float) -> None:
    """Index the dispatch files under ROOTS (default: seeds/), incrementally."""
    roots = roots or (DEFAULT_ROOT,)
    for root in roots:
        if not root.is_dir():
            raise click.UsageError(f"{one_line(str(root))} n’est pas un dossier")
    if watch:
        if backend.kind != "whoosh":
            raise click.UsageError("--watch ne fonctionne qu’avec le moteur Whoosh")
        _watch(backend.index_dir, roots, rebuild, lock_timeout, debug, quiet_period)
        return
    with ProgressBar() as progress, write_errors(debug, "reindex"):
        report = reindex_backend(backend, list(roots), rebuild=rebuild, progress=progress, lock_timeout=lock_timeout)
    print_reindex(report, backend.where)
    if report.failures:
        raise FilesFailed([f"{len(report.failures)} fichier(s) en échec, listé(s) ci-dessus"])


def _watch(index_dir: Path, roots: tuple[Path, ...], rebuild: bool, lock_timeout: float, debug: bool,
           quiet_period: float) -> None:
    """`reindex --watch` (web/watch.py): stops with a summary and exit code 0 on Ctrl+C."""
    from web.watch import watch

    def echo(line: str) -> None:
        click.echo(line)
        sys.stdout.flush()  # a pipe (a log, a supervisor) sees each batch as it ends

    with write_errors(debug, "reindex"):
        summary = watch(index_dir, roots, echo, rebuild=rebuild, lock_timeout=lock_timeout,
                        quiet=quiet_period, longest=max(5.0, quiet_period * 4), show=one_line)
    echo(summary.line())


@cli.command("optimise", help="Réécrire l’index sans ses dépêches supprimées, en peu de segments. L’index reste "
             "consultable pendant ce temps ; aucun fichier de l’archive n’est relu.")
@index_option
@click.option("--wait", "lock_timeout", type=float, default=10.0, show_default=True, help="Secondes d’attente si une réindexation est en cours.")
@click.option("--debug", is_flag=True, help="Sur une erreur inattendue, afficher sa trace sur la sortie d’erreur.")
def optimise_command(index_dir: Path, lock_timeout: float, debug: bool) -> None:
    """Rewrite the index without its deleted dispatches, in few segments.

    Updates leave the segments of the last full build as they are (a removed or
    changed dispatch is only masked there): after many updates, optimising gives
    back their space and a little search speed. The index stays searchable
    throughout; nothing is read from the archive's files.
    """
    with ProgressBar("optimisation", "dépêche") as progress, write_errors(debug, "optimise"):
        report = optimise(index_dir, progress=progress, lock_timeout=lock_timeout)
    print_optimise(report, index_dir)


def _partial_date(value: str | None) -> PartialDate | None:
    if value is None:
        return None
    try:
        return PartialDate.from_iso(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} n’est pas une date (AAAA, AAAA-MM ou AAAA-MM-JJ)") from None


def period_options(command):
    """--year, --month, --from and --to, checked and read once into one `period`
    argument: the SearchRequest fields of the same names."""
    options = [
        click.option("--year", type=int, help="Cette année seulement."),
        click.option("--month", help="Ce mois seulement (AAAA-MM)."),
        click.option("--from", "date_from", help="À partir de cette date (AAAA, AAAA-MM ou AAAA-MM-JJ)."),
        click.option("--to", "date_to", help="Jusqu’à cette date, incluse."),
    ]

    @functools.wraps(command)
    def wrapped(*args, year, month, date_from, date_to, **kwargs):
        if month and not re.fullmatch(r"\d{4}-\d{2}", month):
            raise click.BadParameter(f"{month!r} n’est pas un mois (AAAA-MM)", param_hint="--month")
        period = {"year": year, "month": month, "date_from": _partial_date(date_from),
                  "date_to": _partial_date(date_to)}
        return command(*args, period=period, **kwargs)

    for option in reversed(options):
        wrapped = option(wrapped)
    return wrapped


@cli.command("search", help="Chercher WORDS dans l’archive (guillemets, -exclusion, OU, titre:, "
             "date:2019-04…).")
@click.argument("words", nargs=-1, required=True)
@backend_options
@period_options
@click.option("--sort", type=click.Choice([s.value for s in Sort]), default=Sort.RELEVANCE.value, show_default=True)
@click.option("--page", type=click.IntRange(min=1), default=1)
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--exact", is_flag=True, help="Chaque mot sous sa forme exacte, comme entre guillemets (sans variantes).")
@click.option("--source", "sources", multiple=True, help="Seulement les dépêches de cette source (AFP, Reuters…) ; répétable.")
@click.option("--author", "authors", multiple=True, help="Seulement les dépêches de cet auteur ; répétable.")
@click.option("--json", "json_output", is_flag=True, help="Un objet JSON, de la forme de l’API web.")
def search_command(words, backend, period, sort, page, limit, exact, sources, authors,
                   json_output) -> None:
    """Search the archive for WORDS (quotes, -exclusion, OU, titre:, date:2019-04…)."""
    request = SearchRequest(
        query=" ".join(words),
        **period,
        sort=Sort(sort),
        page=page,
        page_size=limit,
        exact=exact,
        sources=tuple(" ".join(s.split()) for s in sources if s.strip()),
        authors=tuple(" ".join(a.split()) for a in authors if a.strip()),
    )
    with index_errors():
        result = open_backend(backend).search(request)
    if json_output:
        from web.api import result_json

        click.echo(as_json(result_json(result), indent=2))
    else:
        print_result(result)


@cli.command("export", help="Écrire tous les résultats d’une recherche de WORDS (toutes les dépêches sans "
             "mots), dans leur ordre, en CSV ou JSON Lines : les colonnes de l’export web.")
@click.argument("words", nargs=-1)
@backend_options
@click.option("--format", "file_format", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Fichier à écrire (par défaut : la sortie standard) ; un fichier CSV commence par une marque d’ordre des octets UTF-8.")
@period_options
@click.option("--sort", type=click.Choice([s.value for s in Sort]), default=None,
              help="relevance (par défaut avec des mots), newest (sans), oldest.")
@click.option("--exact", is_flag=True, help="Chaque mot sous sa forme exacte, comme entre guillemets (sans variantes).")
@click.option("--versions", type=click.Choice(["grouped", "all"]), default="grouped", show_default=True,
              help="Une ligne par sujet, ou chaque version.")
@click.option("--text", is_flag=True, help="Ajouter le texte complet de chaque dépêche.")
def export_command(words, backend, file_format, output, period, sort, exact, versions,
                   text) -> None:
    """Write every result of a search for WORDS (all dispatches without), in its order,
    as CSV or JSON Lines: the columns of the web export (/export.csv), streamed."""
    from web import export

    query = " ".join(words)
    request = SearchRequest(
        query=query,
        **period,
        sort=Sort(sort) if sort else (Sort.RELEVANCE if query.strip() else Sort.NEWEST),
        exact=exact,
        collapse_versions=versions == "grouped",
    )
    with index_errors():
        found = open_backend(backend).export(request, text=text)
    # The rows are read as they are written: a cluster failing half-way is one line too.
    with index_errors(), found:
        # Paths to the dispatch pages (`/depeche/…`): the server's address is not known here.
        rows = export.records(found, lambda key: f"/d/{key}", text)
        chunks = export.csv_lines(rows, text) if file_format == "csv" else export.jsonl_lines(rows)
        if output is None:
            for chunk in chunks:
                click.echo(chunk, nl=False)
        else:
            with open(output, "w", encoding="utf-8", errors="backslashreplace", newline="") as out:
                if file_format == "csv":
                    out.write(export.BOM)  # for Excel (see web/export.py); not on a pipe
                out.writelines(chunks)
    click.echo(plural(found.total, "ligne exportée", "lignes exportées"), err=True)


@cli.command("evaluate", help="Mesurer le MRR@10 et le rappel@10/100 de l’index sur des QUERIES jugées "
             "(JSON Lines : id, text) et leurs QRELS (TSV : query_id, doc_id, relevance).")
@click.argument("queries", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("qrels", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@backend_options
def evaluate_command(queries: Path, qrels: Path, backend: Backend) -> None:
    """Measure MRR@10 and recall@10/100 of the current index on judged QUERIES (JSON
    Lines: id, text) and QRELS (TSV: query_id, doc_id, relevance)."""
    # Imported here: ir-measures is an optional extra for this command only, and every
    # other command (a no-op reindex most of all) would pay for its import.
    try:
        from index.evaluate import evaluate as run_evaluation
    except ModuleNotFoundError as error:
        if error.name != "ir_measures":
            raise
        raise MissingExtra("evaluate", "ir-measures", "evaluate") from None

    with index_errors():
        try:
            scores = run_evaluation(open_backend(backend), queries, qrels)
        except (KeyError, ValueError) as error:
            raise CommandFailed(f"impossible de lire les jugements : {error}") from None
    click.echo(f"requêtes   {scores['queries']}")
    for name in ("MRR@10", "R@10", "R@100"):
        click.echo(f"{name:<10} {scores[name]:.4f}")


# Searching holds Python's interpreter lock: threads beyond the cores only make requests
# wait on one another (34,103 dispatches, 8 clients on 2 cores: 63–71 requests/s with
# 2 threads, 60 with 4, 40–55 with 8).
DEFAULT_THREADS = max(2, os.cpu_count() or 2)


# Limits of the waitress server, for an app that only answers GET. Waitress's defaults
# suit an app taking uploads: 100 connections, idle ones kept 120 s, bodies buffered up
# to 1 GB in a temporary file. There 110 idle connections kept the archive off the air
# for two and a half minutes, and any POST could fill the disk before its 405.
# Connections at once: idle ones cost a socket each, not a thread; more than 100 of
# them (browsers keep several open) must not turn new visitors away. Under 1,000, as
# waitress's select() loop handles no more than 1,024 sockets.
CONNECTION_LIMIT = 500
# Seconds a connection may stay silent (checked every CLEANUP_SECONDS): a page is
# asked for at once, and keep-alive beyond this only holds a socket.
CHANNEL_TIMEOUT = 15
CLEANUP_SECONDS = 5
# The largest request body read: the app needs none, and a larger Content-Length is
# answered 413 and the connection closed without reading it.
MAX_BODY_BYTES = 64 * 1024


@cli.command("serve", help="Servir la page de recherche (et son API JSON) avec le serveur WSGI waitress.")
@backend_options
@click.option("--host", default="127.0.0.1", show_default=True, envvar="ARCHIVE_HOST")
@click.option("--port", type=click.IntRange(0, 65535), default=5000, show_default=True, envvar="ARCHIVE_PORT")
@click.option("--threads", type=click.IntRange(1, 64), default=DEFAULT_THREADS, show_default="le nombre de cœurs",
              help="Fils d’exécution du serveur.")
@click.option("--connection-limit", type=click.IntRange(10, 1000), default=CONNECTION_LIMIT, show_default=True,
              envvar="ARCHIVE_CONNECTION_LIMIT", help="Connexions ouvertes à la fois (inactives comprises).")
@click.option("--channel-timeout", type=click.IntRange(1, 3600), default=CHANNEL_TIMEOUT, show_default=True,
              envvar="ARCHIVE_CHANNEL_TIMEOUT", help="Secondes avant de fermer une connexion silencieuse.")
@click.option("--trusted-proxy", default=None, envvar="ARCHIVE_TRUSTED_PROXY", metavar="ADDRESS",
              help="Adresse d’un mandataire inverse dont les en-têtes X-Forwarded-For/-Proto/-Host sont crus.")
def serve_command(backend: Backend, host: str, port: int, threads: int, connection_limit: int,
                  channel_timeout: int, trusted_proxy: str | None) -> None:
    """Serve the search page (and its JSON API) with the waitress WSGI server."""
    from waitress import create_server

    from web import create_app

    try:
        open_backend(backend).close()
    except ArchiveIndexError as error:
        # The app opens the index as soon as it appears; until then pages answer 503.
        click.echo(f"Avertissement : {one_line(str(error))}", err=True)
    app = create_app({"INDEX_DIR": str(backend.index_dir), "BACKEND": backend.kind,
                      "OPENSEARCH_URL": backend.opensearch_url, "OPENSEARCH_INDEX": backend.opensearch_index,
                      "OPENSEARCH_VERIFY": backend.opensearch_verify})
    proxy = {}
    if trusted_proxy:
        # Only that address's forwarded headers are read; waitress drops them from
        # anyone else, so a client cannot claim another address or scheme.
        proxy = {"trusted_proxy": trusted_proxy, "trusted_proxy_count": 1,
                 "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"}}
    try:
        server = create_server(app, host=host, port=port, threads=threads, ident="archive",
                               connection_limit=connection_limit, channel_timeout=channel_timeout,
                               cleanup_interval=CLEANUP_SECONDS, max_request_body_size=MAX_BODY_BYTES, **proxy)
    except OSError as error:  # the port is taken, the address is not this machine's…
        raise CommandFailed(f"impossible d’écouter sur {host}:{port} : {error.strerror or error}") from None
    address = f"http://{host}:{server.effective_port}/"
    click.echo(f"Archive servie sur {address} (Ctrl+C pour arrêter)", err=False)
    sys.stdout.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        pass


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
