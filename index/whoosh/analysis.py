"""The French analyzer: one Whoosh pipeline, used identically at index and query time.

The rules it applies (token pattern, stop words, folding, stemming) are index/french.py's;
this is their Whoosh pipeline.

    Tokenizer | ElisionFilter | FoldFilter | StopFilter | StemFilter

    >>> [t.text for t in french_analyzer()("« L’armée américaine »")]
    ['arme', 'americain']

The same pipeline without its stemmer gives the exact forms (`exact_analyzer`), what
quotes, the exact switch and prefixes search: « Dati » is not « dates », « présidente »
is not « président », and `milit*` does not reach « millionnaires » through a stem.

    >>> [t.text for t in exact_analyzer()("« L’Armée américaine »")]
    ['armee', 'americaine']

Stop words have no term of their own in the stems, nor in the exact forms where they
stand. So that a quoted phrase still reads its little words (« "Le Maire" » is not « le
nouveau maire »), the exact fields index each stop word at the position of the word
after it, beside that word; positions stay those of the words alone (what `~N` and the
proximity bonus count):

    >>> [(t.text, t.pos) for t in exact_index_analyzer()("président de la République", positions=True, mode="index")]
    [('president', 0), ('republique', 1), ('de', 1), ('la', 1)]

and a quoted phrase asks for each stop word at the position of the word after it
(`exact_sequence`).

Elisions (« l’ », « qu’ », « jusqu’ »…) are dropped and ``startchar`` moves past them, so
highlights cover the word only; « aujourd’hui » stays one token. Hyphenated words are split
(« Etats-Unis » → ``etat``, ``unis``, as for « etats unis »); « 14h30 » stays one token.

Accents are folded *before* stemming, so a token depends only on the folded word:
« sécurité », « securite » and « SECURITE » always agree (every word of the Snowball test
vocabulary does, against 92.6 % when folding after the stemmer). Folding first costs
Snowball conflations (« armée » no longer meets « armées »: 80 % of its word pairs kept),
so the endings its rules read get their accent back before stemming, -ée(s), -ière(s),
-ité(s): then 92 % of the pairs are kept (98 % on news), and 97.5 % of the words (98.9 % of
news tokens) stem exactly as Snowball stems the accented word.
"""

from __future__ import annotations

from functools import cache, lru_cache

from whoosh.analysis import CompositeAnalyzer, Filter, RegexTokenizer, StemFilter, StopFilter

from index.french import APOSTROPHES, ELIDED, FOLDED_STOP_WORDS, TOKEN_PATTERN, fold, stem

_fold_token = lru_cache(maxsize=1 << 16)(fold)


class ElisionFilter(Filter):
    """Drops an elided article, pronoun or conjunction (« l’ », « qu’ »…) from the start
    of a token and moves ``startchar`` past it."""

    def __call__(self, tokens):
        for t in tokens:
            text = t.text
            if "'" in text or "’" in text or "ʼ" in text:
                cut = min(i for i in map(text.find, APOSTROPHES) if i >= 0)
                if text[:cut].lower() in ELIDED and cut + 1 < len(text):
                    t.text = text[cut + 1 :]
                    if t.chars:
                        t.startchar += cut + 1
            yield t


class FoldFilter(Filter):
    """Applies :func:`fold` to each token; a token that folds to nothing is dropped."""

    def __call__(self, tokens):
        for t in tokens:
            text = _fold_token(t.text)
            if text:
                t.text = text
                yield t


@cache
def exact_analyzer() -> CompositeAnalyzer:
    """The analyzer of the exact-form fields: `french_analyzer` without its stemmer, so
    a word's exact term is what the stemmer would have read. One shared instance."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | ElisionFilter()
        | FoldFilter()
        # minsize=1 keeps one-digit numbers (« 3 morts ») and letters (« plan B »);
        # renumber keeps phrase positions contiguous across removed stop words.
        | StopFilter(stoplist=FOLDED_STOP_WORDS, minsize=1, renumber=True)
    )


class StopsBeforeFilter(StopFilter):
    """`StopFilter` (stop words removed, positions renumbered) that, when indexing, also
    gives the stop words before each word at that word's position, once each: « de la
    République » → ``republique``, ``de``, ``la``, all at one position. Stop words with
    no word after them are left out. Searching, it is the stop filter alone: unquoted
    words do not read stop words (a quoted phrase asks for them, see `exact_sequence`)."""

    def __call__(self, tokens):
        stops, run, pos = self.stops, [], None
        for t in tokens:
            text = t.text
            if text in stops:
                if t.mode == "index" and text not in run:
                    run.append(text)
                if not t.removestops:
                    t.stopped = True
                    yield t
                continue
            if t.positions:
                pos = t.pos if pos is None else pos + 1
                t.pos = pos
            t.stopped = False
            yield t
            if run:
                for stop in run:
                    t.text = stop
                    yield t
                t.text = text
                run = []


def exact_sequence(text: str) -> tuple[list[str], list[int]]:
    """The exact-form terms a quoted phrase searches, in order, and the step of each
    from the term before: 1 to the next word, 0 to a term at the same position. A stop
    word stands at the position of the word after it (as `StopsBeforeFilter` indexes
    it): the first of a run one step after the word before, the others and the word
    after them at the same. Stop words after the last word have no word to stand with
    and are not searched.

    >>> exact_sequence("président de la République")
    (['president', 'de', 'la', 'republique'], [0, 1, 0, 0])
    """
    words: list[str] = []
    steps: list[int] = []
    run: list[str] = []
    for t in exact_analyzer()(text, removestops=False):
        if t.stopped:
            run.append(t.text)
            continue
        for i, term in enumerate([*run, t.text]):
            steps.append(0 if not words or i else 1)
            words.append(term)
        run = []
    return words, steps


@cache
def exact_index_analyzer() -> CompositeAnalyzer:
    """The analyzer of the exact-form fields: `exact_analyzer`, with the stop words at
    the position of the word after them when indexing. One shared instance."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | ElisionFilter()
        | FoldFilter()
        | StopsBeforeFilter(stoplist=FOLDED_STOP_WORDS, minsize=1, renumber=True)
    )


@cache
def french_analyzer() -> CompositeAnalyzer:
    """The analyzer of every French text field; one shared (stateless) instance."""
    # Whoosh's StemFilter skips stopped tokens.
    return exact_analyzer() | StemFilter(stemfn=stem, cachesize=None)
