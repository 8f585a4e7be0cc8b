"""The failures of the `archive` command, one `click.ClickException` each with its exit code.

Commands raise these (or turn the index layer's errors into them at the boundary, with
`index_errors`); click prints the message as one French line on stderr and exits with
the code, never with a stack trace. The codes are documented in the README:

    1  a failure of the command (files unread, an index that cannot be searched…)
    2  a usage error (click's own `UsageError`, `BadParameter`)
    3  another reindex holds the index
    4  the index cannot be written or brought up to date
    5  an unexpected error (a fault of the program, not of the files)
"""

from __future__ import annotations

import tempfile
import traceback
import unicodedata
from contextlib import contextmanager

import click

from index import ArchiveIndexError, IndexLocked


def one_line(text: str) -> str:
    """A file name may hold a newline: escaped, each failure stays on its own line.
    Escape sequences and undecodable bytes (surrogates) are escaped too."""
    return "".join(ascii(c)[1:-1] if unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") else c for c in text)


class CommandFailed(click.ClickException):
    """A failure a person can act on: « Erreur : … » on stderr, exit code 1."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))

    def show(self, file=None) -> None:
        click.echo(f"Erreur : {self.format_message()}", err=True)


class FilesFailed(CommandFailed):
    """Some files could not be read, the others were: one line for each (`archive
    show`), or one for all when the report above lists them (`archive reindex`)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__(f"{len(lines)} fichier(s) illisible(s)")
        self.lines = [one_line(line) for line in lines]

    def show(self, file=None) -> None:
        for line in self.lines:
            click.echo(f"Erreur : {line}", err=True)


class MissingExtra(CommandFailed):
    """A command needs an optional dependency that is not installed."""

    def __init__(self, command: str, package: str, extra: str) -> None:
        super().__init__(f"« archive {command} » a besoin du paquet {package}, un complément facultatif : installez-le avec "
                         f"« pip install 'french-news-archive[{extra}]' » (dans le dépôt : « pip install -e '.[{extra}]' »)")


class IndexBusy(CommandFailed):
    """Another reindex holds the index (after waiting `--wait` seconds)."""

    exit_code = 3


class IndexNotUpdated(CommandFailed):
    """Not 1: no file failed, the index itself could not be written or brought up to
    date (disk full, read-only folder, a schema needing a rebuild, a cluster down)."""

    exit_code = 4


class Crashed(CommandFailed):
    """An unexpected error: one line for a person, the traceback for whoever fixes the
    program, on stderr with --debug, else in a file named in that line."""

    exit_code = 5
    WHAT = {"reindex": "la réindexation", "optimise": "l’optimisation"}

    def __init__(self, error: BaseException, debug: bool, command: str) -> None:
        trace = "".join(traceback.format_exception(error))
        self.trace = trace if debug else ""
        where = "relancez avec --debug pour voir la trace"
        if debug:
            where = "la trace est ci-dessus"
        else:
            try:
                handle, name = tempfile.mkstemp(prefix=f"archive-{command}-", suffix=".traceback.txt")
                with open(handle, "w", encoding="utf-8", errors="backslashreplace") as file:
                    file.write(trace)
                where = f"la trace est dans {name}"
            except OSError:
                pass  # a full disk: the line still says what happened
        super().__init__(f"{self.WHAT.get(command, command)} s’est arrêtée sur une erreur inattendue "
                         f"({type(error).__name__}: {error}) ; l’index en service est inchangé ; {where}")

    def show(self, file=None) -> None:
        if self.trace:
            click.echo(self.trace, err=True, nl=False)
        super().show(file)


@contextmanager
def index_errors():
    """For the commands that read the index: its errors exit with code 1."""
    try:
        yield
    except ArchiveIndexError as error:
        raise CommandFailed(str(error)) from None


@contextmanager
def write_errors(debug: bool, command: str):
    """For the commands that write the index: a lock held is 3, an index that cannot
    be written is 4, anything else is a crash (5)."""
    try:
        yield
    except IndexLocked as error:
        raise IndexBusy(str(error)) from None
    except ArchiveIndexError as error:
        raise IndexNotUpdated(str(error)) from None
    except click.ClickException:
        raise
    except Exception as error:  # noqa: BLE001 - a crash gets its own exit code
        raise Crashed(error, debug, command) from None
