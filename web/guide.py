"""The help page `/aide`: how to write a query, with examples that can be tried."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template

bp = Blueprint("help", __name__)


@dataclass(frozen=True)
class Example:
    query: str
    explanation: str


@dataclass(frozen=True)
class Section:
    title: str
    text: str
    examples: tuple[Example, ...]


# Every example finds at least one dispatch of the seed archive (a test checks it).
SECTIONS = (
    Section(
        "Des mots",
        "Les dépêches qui contiennent tous les mots sont montrées d’abord, puis celles qui "
        "n’en contiennent qu’une partie (« correspondance partielle »). Majuscules et accents "
        "sont sans importance, et un mot trouve aussi ses formes voisines (pluriel, féminin).",
        (
            Example("armee americaine", "« armée américaine », « armées américaines »…"),
            Example("combat Tripoli", "« combat » trouve aussi « combats »"),
        ),
    ),
    Section(
        "Une expression exacte",
        "Des mots entre guillemets droits doivent se suivre dans cet ordre.",
        (Example('"guerre civile"', "les deux mots côte à côte"),),
    ),
    Section(
        "Exclure un mot",
        "Un tiret collé devant un mot écarte les dépêches qui le contiennent. Un tiret dans "
        "un mot (« Etats-Unis ») reste un trait d’union.",
        (Example("Libye -Pompeo", "« Libye » mais pas « Pompeo »"),),
    ),
    Section(
        "ET, OU, SAUF",
        "En majuscules, entre deux mots : ET (les deux, c’est le comportement par défaut), "
        "OU (l’un ou l’autre), SAUF (le premier sans le second). En minuscules, « et » et "
        "« ou » sont des mots ordinaires.",
        (
            Example("Haftar ET Pompeo", "les deux noms"),
            Example("Africom OU Pompeo", "l’un ou l’autre"),
            Example("Libye SAUF Pompeo", "le premier sans le second"),
        ),
    ),
    Section(
        "Chercher dans le titre",
        "titre: devant un mot ne cherche que dans les titres.",
        (Example("titre:armée", "« armée » dans le titre"),),
    ),
    Section(
        "Début de mot",
        "Une étoile à la fin d’un mot trouve tous les mots qui commencent ainsi.",
        (Example("milit*", "« militaire », « militaires »…"),),
    ),
    Section(
        "Une date ou une période",
        "date: suivi d’une année (2019), d’un mois (2019-04) ou d’un jour (2019-04-07) ; deux "
        "dates séparées par deux points (..) forment une période, bornes comprises. Les "
        "dépêches sans date n’y figurent pas : elles restent accessibles par le filtre "
        "« sans date ».",
        (
            Example("date:2019-04", "les dépêches d’avril 2019"),
            Example("combats date:2019-03..2019-05", "« combats » entre mars et mai 2019"),
        ),
    ),
)


@bp.get("/aide")
def page():
    return render_template("help/aide.html", sections=SECTIONS)
