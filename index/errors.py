"""Errors of the index layer, each with a message a person can act on (in French: the
command line prints it as it is)."""

from __future__ import annotations

from pathlib import Path


class ArchiveIndexError(Exception):
    """Base class: the command line prints the message and exits non-zero."""


class IndexMissing(ArchiveIndexError):
    def __init__(self, index_dir: Path) -> None:
        super().__init__(f"aucun index dans {index_dir} : lancez d’abord « archive reindex »")


class NeedsRebuild(ArchiveIndexError):
    def __init__(self, index_dir: Path) -> None:
        super().__init__(
            f"l’index dans {index_dir} a été écrit par une autre version de l’archive : "
            "lancez « archive reindex --rebuild »"
        )


class IndexDamaged(NeedsRebuild):
    """The index's files cannot be read (a truncated copy, a disk fault): only a rebuild
    from the archive's files mends it, as for an index of another version."""

    def __init__(self, index_dir: Path, reason: str) -> None:
        ArchiveIndexError.__init__(
            self, f"l’index dans {index_dir} est illisible ({reason}) : lancez « archive reindex --rebuild »")


class IndexLocked(ArchiveIndexError):
    def __init__(self, index_dir: Path, waited: float) -> None:
        super().__init__(
            f"une autre réindexation est en cours sur {index_dir} (attendu {waited:g} s) : "
            "réessayez quand elle sera finie"
        )
        self.waited = waited


class IndexUnwritable(ArchiveIndexError):
    def __init__(self, index_dir: Path, reason: str) -> None:
        super().__init__(f"impossible d’écrire l’index dans {index_dir} : {reason} ; l’index précédent est inchangé")


class SearchUnavailable(ArchiveIndexError):
    """The search engine (an OpenSearch cluster) does not answer: a server answers 503
    until it is back; a reindex stops with the index as it was."""


class Unsupported(ArchiveIndexError):
    """A function the chosen search backend does not offer."""

    def __init__(self, what: str) -> None:
        super().__init__(f"« {what} » n’est pas disponible avec ce moteur de recherche")
        self.what = what
