"""The rules of French text both engines analyse by: the token pattern, the stop words,
folding and stemming.

Whoosh applies them in its analyzer pipeline (index/whoosh/analysis.py); OpenSearch's
mapping re-expresses them as the cluster's analyzers (index/opensearch/mapping.py), and
its Python side parses queries with the same pipeline. Plain Python and PyStemmer: no
engine type here.

Accents are folded *before* stemming, so a token depends only on the folded word:
« sécurité », « securite » and « SECURITE » always agree. Folding first costs Snowball
conflations, so the endings its rules read get their accent back before stemming (see
`stem`, and index/whoosh/analysis.py for the figures).
"""

from __future__ import annotations

import threading
import unicodedata
from functools import lru_cache

import Stemmer

# Letters, digits and combining accents (text in NFD keeps its words whole), with inner
# apostrophes so that the elision filter sees « l’armée » and « aujourd’hui » as one token.
_WORD = r"\w[\w\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]*"
TOKEN_PATTERN = rf"{_WORD}(?:['’]{_WORD})*"

# U+02BC (modifier letter apostrophe) is a word character, so tokens may contain it too.
APOSTROPHES = ("'", "’", "ʼ")
ELIDED = frozenset(
    {"c", "d", "j", "l", "m", "n", "s", "t", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"}
)

_FOLD_TABLE = str.maketrans({"œ": "oe", "æ": "ae", "’": "'", "ʼ": "'"})

# Snowball's suffix rules read a few accents that folding removes; put them back where
# the ending nearly always had one. « -ite » is not always « -ité », but « limite » and
# « limité » stem alike anyway; the few losses (« interdite ») cost less than the gain.
# Ambiguous endings (« arme »/« armé », « publie »/« publié ») are left alone.
# Checked longest first.
_REACCENT = (
    ("ieres", "ières"),
    ("iere", "ière"),
    ("ites", "ités"),
    ("ite", "ité"),
    ("ees", "ées"),
    ("ee", "ée"),
)

FRENCH_STOP_WORDS: frozenset[str] = frozenset(
    """
    le la les l un une des du de d au aux ce cet cette ces c ci
    mon ma mes ton ta tes son sa ses notre nos votre vos leur leurs
    quel quelle quels quelles lequel laquelle lesquels lesquelles
    duquel auquel auxquels auxquelles chaque aucun aucune plusieurs quelque quelques
    tel telle tels telles tout toute tous toutes même mêmes
    je j me m moi tu te t toi il ils elle elles on nous vous se s soi lui eux y en
    ça ceci cela celui celle ceux celles qui que qu quoi dont où
    à après avant avec chez contre dans depuis dès entre envers hors jusque jusqu
    malgré par parmi pendant pour sans selon sous sur vers via
    et ou mais donc or ni car si comme lorsque lorsqu puisque puisqu quand quoique quoiqu
    ne n pas plus moins très trop aussi ainsi alors déjà encore ici là
    suis es est sommes êtes sont étais était étions étiez étaient étant étée étées
    serai seras sera serons serez seront serais serait serions seriez seraient
    fus fut fûmes fûtes furent sois soit soyons soyez soient fusse fût
    ai as a avons avez ont avais avait avions aviez avaient ayant eu eue eues
    aurai auras aura aurons aurez auront aurais aurait aurions auriez auraient
    eus eut eûmes eûtes eurent aie aies ait ayons ayez aient eusse eût
    """.split()
)
"""Articles, pronouns, prepositions, conjunctions and the forms of « être » and « avoir »,
with accents. « été » is kept (it is also the season), and so are numbers, « oui », « non »."""


def fold(text: str) -> str:
    """Lowercase, expand « œ » and « æ », drop accents and unify apostrophes to ``'``."""
    text = text.lower()
    if text.isascii():
        return text
    text = unicodedata.normalize("NFD", text.translate(_FOLD_TABLE))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


# Stemmer objects are not thread-safe (the web app analyses queries in several threads).
_local = threading.local()


def snowball_stem(word: str) -> str:
    """The Snowball French stem of a lowercase word, as PyStemmer gives it."""
    try:
        stemmer = _local.stemmer
    except AttributeError:
        stemmer = _local.stemmer = Stemmer.Stemmer("french")
        stemmer.maxCacheSize = 0  # stem() keeps its own cache
    return stemmer.stemWord(word)


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """The index term of one folded word: its Snowball stem, folded.

    News vocabulary repeats a lot, so the result is cached per word.
    """
    for plain, accented in _REACCENT:
        if word.endswith(plain):
            word = word[: -len(plain)] + accented
            break
    return fold(snowball_stem(word))


FOLDED_STOP_WORDS = frozenset(map(fold, FRENCH_STOP_WORDS))
