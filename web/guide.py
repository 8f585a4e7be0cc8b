"""The help page `/aide`: how to write a query, with examples that can be tried."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template

from index import LEAD_WORDS, LONG_QUERY_SHARE, LONG_QUERY_WORDS

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


LONG_QUERY_PERCENT = round(LONG_QUERY_SHARE * 100)

# Every example finds at least one dispatch of the seed archive (a test checks it); the
# seeds name no source nor author, so that section has no example to try.
SECTIONS = (
    Section(
        "Des mots",
        "Les dépêches qui contiennent tous les mots sont montrées d’abord, puis celles qui "
        "n’en contiennent qu’une partie (« correspondance partielle »). Majuscules et accents "
        "sont sans importance, et un mot trouve aussi ses formes voisines (pluriel, féminin) ; "
        "les dépêches qui contiennent le mot tel qu’il est écrit viennent d’abord. Quand les "
        "formes voisines trouvent bien plus de dépêches que le mot exact (« Dati » et « dates »), "
        "la page le dit et propose la recherche exacte. Une requête longue — un titre collé, "
        f"une question, {LONG_QUERY_WORDS} mots cherchés ou plus, sans compter les mots trop "
        "courants — n’exige pas tous ses mots, qu’un texte reprend rarement tous : les dépêches "
        f"qui en contiennent au moins {LONG_QUERY_PERCENT} % comptent comme résultats (la page "
        "dit combien de mots sur combien), celles qui en contiennent moins suivent en "
        "correspondances partielles. Dans une requête longue, une expression entre guillemets "
        "(un titre qui cite quelqu’un) n’est pas exigée : ses mots comptent comme les autres, "
        "et les dépêches qui la citent telle quelle viennent d’abord. Une dépêche dit "
        "l’essentiel dans ses premières lignes : dans une requête longue, celles qui "
        f"portent les mots cherchés dès leurs {LEAD_WORDS} premiers mots passent devant. "
        "Avec de petits mots (« Le Maire »), les "
        "dépêches qui contiennent la suite exacte des mots, petits mots compris, viennent "
        "d’abord. Quand une requête ne trouve presque rien, la page propose un mot voisin "
        "bien plus fréquent, écrit comme les dépêches l’écrivent le plus souvent "
        "(« Sarkozi » : « Sarkozy »).",
        (
            Example("armee americaine", "« armée américaine », « armées américaines »…"),
            Example("combat Tripoli", "« combat » trouve aussi « combats »"),
        ),
    ),
    Section(
        "Mots exacts et expressions",
        "Entre guillemets — droits \"…\", français « … » ou “…” — les mots sont cherchés tels "
        "qu’ils sont écrits (sans leurs formes voisines : « présidente » ne trouve pas "
        "« président ») et doivent se suivre dans cet ordre ; majuscules et accents restent "
        "sans importance. Les petits mots (le, la, de, à…) comptent aussi : \"Le Maire\" ne "
        "trouve ni « le nouveau maire » ni « maire » seul, et \"ministère de la Santé\" ne "
        "trouve pas « ministère la Santé ». Ils doivent précéder le mot qui les suit, "
        "d’autres petits mots pouvant s’y ajouter (\"la Santé\" trouve « de la Santé ») ; "
        "placés en fin de guillemets, sans mot après eux, ils sont ignorés. Un seul mot entre "
        "guillemets est ce mot exact. "
        "Suivis de ~N, les mots peuvent être jusqu’à N positions l’un de l’autre. La case "
        "« Mots exacts » (exact=1 dans l’adresse) applique la forme exacte à tous les mots "
        "de la requête, sans exiger qu’ils se suivent.",
        (
            Example('"guerre civile"', "les deux mots côte à côte"),
            Example("« guerre civile »", "de même entre guillemets français"),
            Example('"Pompeo"', "ce mot tel qu’il est écrit"),
            Example('"ministère de la Santé"', "avec « de la » entre les deux mots"),
            Example('"forces Haftar"~3', "« Haftar » au plus trois positions après « forces »"),
        ),
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
        "« ou » sont des mots ordinaires : entre deux mots, la page propose l’opérateur.",
        (
            Example("Haftar ET Pompeo", "les deux noms"),
            Example("Africom OU Pompeo", "l’un ou l’autre"),
            Example("Libye SAUF Pompeo", "le premier sans le second"),
        ),
    ),
    Section(
        "Chercher dans le titre",
        "titre: devant un mot ne cherche que dans les titres, texte: que dans le texte. Les "
        "préfixes source: et auteur: filtrent (voir plus bas) ; les autres (lieu:) ne sont pas "
        "des champs : leurs mots sont cherchés partout, et la page le dit.",
        (Example("titre:armée", "« armée » dans le titre"),),
    ),
    Section(
        "Début de mot",
        "Une étoile à la fin d’un mot trouve tous les mots qui commencent ainsi, tels qu’ils "
        "sont écrits (« milit* » ne trouve pas « millionnaires »). Quand trop de mots "
        "commencent ainsi, seuls les 256 plus fréquents sont cherchés, et la page le dit. "
        "Une étoile seule montre toute l’archive.",
        (Example("milit*", "« militaire », « militaires »…"),),
    ),
    Section(
        "Une date ou une période",
        "date: suivi d’une année (2019), d’un mois (2019-04) ou d’un jour (2019-04-07) ; deux "
        "dates séparées par deux points (..) forment une période, bornes comprises (dans le "
        "désordre, elles sont remises dans l’ordre, et la page le dit). Les "
        "dépêches sans date n’y figurent pas : elles restent accessibles par le filtre "
        "« sans date ».",
        (
            Example("date:2019-04", "les dépêches d’avril 2019"),
            Example("combats date:2019-03..2019-05", "« combats » entre mars et mai 2019"),
        ),
    ),
    Section(
        "Une source ou un auteur",
        "source:AFP ne garde que les dépêches de l’AFP, auteur:\"Jean Dupont\" (entre guillemets "
        "pour un nom de plusieurs mots) celles de cet auteur ; dans l’adresse, source=AFP et "
        "auteur=Jean Dupont font de même, et plusieurs filtres s’additionnent. Majuscules et "
        "accents sont sans importance, et les graphies d’une agence se valent : « Agence "
        "France-Presse » est AFP, « Associated Press » est AP. La source est lue dans la "
        "signature (« Le Monde avec AFP » : les sources AFP et Le Monde), le nom du site, le "
        "champ source d’un export, ou l’agence qui signe le texte — en tête (« TRIPOLI (AFP) - ») "
        "ou à la fin (« (AFP) », « avec AFP ») ; jamais au milieu du texte. Une dépêche sans "
        "signature n’a pas de source. Un nom inconnu ne donne aucun résultat, avec le filtre "
        "affiché pour le retirer.",
        (),
    ),
)


@bp.get("/aide")
def page():
    return render_template("help/aide.html", sections=SECTIONS)
