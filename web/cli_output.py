"""What the `archive` command prints: progress, the reports of long runs, search hits.

Report lines are French, as the page is; JSON stays JSON. Dispatch text and file names
are made printable first: nothing a file holds may move a terminal's cursor or split a
report line.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import click
from tqdm import tqdm

from index import OptimiseReport, ReindexReport, SearchResult
from web.cli_errors import one_line


def plural(value: int, singular: str, plural: str | None = None) -> str:
    """« 0 dépêche », « 1 dépêche », « 2 dépêches »: French counts 0 and 1 as singular."""
    return f"{value} {singular if value in (0, 1) else (plural or singular + 's')}"


def seconds(value: float) -> str:
    """« 0,12 s »: a French decimal comma."""
    return f"{value:.2f} s".replace(".", ",")


class ProgressBar:
    """A tqdm bar on a terminal; a plain line every tenth of the way otherwise."""

    def __init__(self, name: str = "réindexation", unit: str = "fichier") -> None:
        # What the bar and the plain lines say: the command, what it counts.
        self.name, self.unit = name, unit

    def __enter__(self):
        self.bar = None
        self.step = 0
        return self

    def __call__(self, done: int, total: int) -> None:
        if sys.stderr.isatty():
            if self.bar is None:
                self.bar = tqdm(total=total, unit=self.unit, desc=self.name, leave=False)
            self.bar.update(done - self.bar.n)
        elif total and done * 10 // total > self.step:
            self.step = done * 10 // total
            click.echo(f"{self.name} : {done}/{total} {self.unit}s", err=True)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.close()


def print_reindex(report: ReindexReport, where: Path | str) -> None:
    """The summary of a reindex, then each failed file and why (the wording of
    `reindex --watch`, web/watch.py)."""
    click.echo(
        f"{report.added} ajoutée(s), {report.updated} mise(s) à jour, {report.removed} retirée(s), "
        f"{report.unchanged} inchangée(s), {len(report.failures)} en échec en {seconds(report.seconds)} ; "
        f"{plural(report.documents, 'dépêche')} dans {one_line(str(where))}"
    )
    for failure in report.failures:
        click.echo(f"  en échec : {one_line(failure.path)} : {one_line(failure.reason)}")


def print_optimise(report: OptimiseReport, where: Path | str) -> None:
    click.echo(
        f"{plural(report.documents, 'dépêche')} en {plural(report.segments_after, 'segment')} "
        f"(avant : {report.segments_before}), {report.purged} dépêche(s) supprimée(s) purgée(s), "
        f"en {seconds(report.seconds)} ; {one_line(str(where))}"
    )


def print_result(result: SearchResult) -> None:
    """A page of hits for a person: counts, « Vouliez-vous dire », then each hit."""
    if result.notice:
        click.secho(printable(result.notice), fg="yellow", err=True)
    noun = "sujet" if result.grouped else "dépêche"
    counted = plural(result.total, noun)
    if result.grouped:
        counted += f", {plural(result.dispatches, 'dépêche')}"
    if result.needed:
        counted += f" avec au moins {result.needed} des {result.words_searched} mots"
        partial = f" (+{result.partial_total} avec moins)" if result.partial_total else ""
    else:
        partial = f" (+{result.partial_total} avec une partie des mots)" if result.partial_total else ""
    click.echo(f"{counted}{partial} en {result.elapsed * 1000:.0f} ms")
    if result.suggestion:
        click.echo(f"Vouliez-vous dire : {printable(result.suggestion)}")
    for offer in result.offers:
        click.echo(f"{printable(offer.message)} → {printable(offer.query)}")
    for hit in result.hits:
        date = hit.date.iso() if hit.date else "sans date"
        partial = " (une partie des mots)" if hit.partial else ""
        click.echo()
        click.secho(printable(hit.title), bold=True, nl=False)
        click.echo(f"  [{date}] {printable(hit.id)}{partial}")
        if hit.sources or hit.authors:
            click.echo("  " + printable(" · ".join(filter(None, (", ".join(hit.sources), ", ".join(hit.authors))))))
        click.echo("  " + terminal_marks(hit.snippet))


def terminal_marks(snippet_html: str) -> str:
    """Snippet HTML for a terminal: matches in bold, entities decoded, and no control
    character of the dispatch's own (only the bold is an escape sequence)."""
    from html import unescape

    bold_on, bold_off = ("\x1b[1m", "\x1b[0m") if sys.stdout.isatty() else ("", "")
    marks = {"<mark>": bold_on, "</mark>": bold_off}
    return "".join(marks[part] if part in marks else printable(unescape(part)) for part in _MARKS.split(snippet_html))


_MARKS = re.compile(r"(</?mark>)")
# A terminal acts on C0 and C1 control characters (ESC and CSI start the sequences that
# clear the screen, move the cursor, retitle the window): dispatch text printed to it
# keeps none. Line breaks and tabs become spaces: each hit keeps its lines.
_UNPRINTABLE = {c: None for c in [*range(32), *range(0x7F, 0xA0)]} | {ord(c): " " for c in "\t\n\r\f\v"}
# What json.dumps leaves unescaped with ensure_ascii=False, and a terminal acts on.
_JSON_UNPRINTABLE = {c: f"\\u{c:04x}" for c in range(0x7F, 0xA0)}


def printable(text: str) -> str:
    """Dispatch text as a terminal may print it (see _UNPRINTABLE); undecodable bytes
    (surrogates) escaped."""
    return text.translate(_UNPRINTABLE).encode("utf-8", "backslashreplace").decode("utf-8")


def as_json(value: object, indent: int | None = None) -> str:
    """JSON for a terminal or a pipe: C0 characters escaped by json.dumps, DEL and C1
    escaped here; still valid JSON, read back unchanged."""
    return json.dumps(value, ensure_ascii=False, indent=indent).translate(_JSON_UNPRINTABLE)
