"""Reading what a French user types into a Whoosh query.

Words must all match (documents holding only some of them are shown after, as partial
matches), `"phrases"`, `-exclusion`, `ET`/`OU`/`SAUF` as well as `AND`/`OR`/`NOT`,
`titre:` and `texte:` field prefixes, and a date written `date:2019`, `date:2019-04`,
`date:2019-04-07` or a range `date:2019-03..2019-05`.

A word matches its variants (its stem), and a dispatch holding the very form typed ranks
above one holding only a variant. Quotes — "…", « … », “…” — ask for the exact forms, in
order (`"…"~N`: within N positions); so does the exact switch for a whole query; a prefix
(`milit*`) expands over exact forms, not stems. Exact forms are searched in their own
fields (index/whoosh/schema.py), analysed as the others but without the stemmer.

People also type questions (« Combien de morts à Tripoli ? »): a question mark ending a
word is punctuation, not a wildcard, and the interrogatives that are not stop words are
left out. Whatever is typed gives a query; what had to be left out is said in `notice`.
"""

from __future__ import annotations

import re
from copy import copy
from dataclasses import dataclass, replace
from functools import cache, cached_property
from itertools import islice

from whoosh import qparser, query
from whoosh.qparser import syntax
from whoosh.query.compound import PreloadedOr

from archive.model import PartialDate
from index import querytree, readings
from index.cache import LruCache
from index.french import FOLDED_STOP_WORDS
from index.results import Offer, Terms
from index.whoosh.as_tree import tree_of
from index.whoosh.analysis import exact_sequence
from index.whoosh.internals import expanded_words
from index.whoosh.longqueries import PARENTHESES, QUOTED, AtLeast, at_least, quoted_bonus
from index.whoosh.phrases import Sequence
from index.whoosh.schema import build_schema

# Upper-case only: « et », « ou » in lower case are ordinary (stop) words.
_OPERATORS = qparser.OperatorsPlugin(
    And=r"(?<=\s)(?:AND|ET)(?=\s)",
    Or=r"(?<=\s)(?:OR|OU)(?=\s)",
    AndNot=r"(?<=\s)(?:ANDNOT|SAUF)(?=\s)",
    # `-mot` excludes a word; a hyphen inside a word (« Etats-Unis ») does not.
    Not=r"(^|(?<=[\s(]))(?:(?:NOT|NON)(?=\s)|-(?=[^\s-]))",
    AndMaybe=None,
    Require=None,
)
_FIELD_NAMES = {"title": ["titre"], "body": ["texte", "corps"]}
# A question mark ending a word or standing alone is punctuation (« Qui est mort ? »,
# « né? »), not the one-letter wildcard it is inside a word (« Pomp?o »).
_QUESTION_MARK = re.compile(r"[?\u055e\u061f\u1367]+(?![\w*])")
# A field prefix with no word after it (`titre:` at the end) is left out.
_DANGLING_FIELD = re.compile(
    r"(?<!\S)(?:(?:titre|title|texte|corps|body|date|source|sources|auteur|auteurs|author):)+(?=\s|$)", re.IGNORECASE
)
# An operator with nothing on one side (`SAUF` alone, `combats ET`) is left out.
_DANGLING_OPERATOR = re.compile(
    # `\b`: whole words only. Without it `ANDNOT` also reads as AND + NOT, and 40 of them
    # before another word took the regex engine hours (two ways to read each).
    r"^(?:\s*(?:AND|OR|ANDNOT|ET|OU|SAUF)(?=\s|$))+|(?:(?<=\s)|^)(?:(?:AND|OR|NOT|ANDNOT|NON|ET|OU|SAUF)\b\s*)+$"
)
# Stop words have exact-form terms (at the position of the word after them), which
# prefixes and wildcards do not expand to: « d* » is not « de », « des », « du »…
_STOP_TERMS = frozenset(word.encode("utf-8") for word in FOLDED_STOP_WORDS)
# The fields of exact forms beside the fields of stems.
EXACT_FIELDS = {"title": "title_exact", "body": "body_exact"}

# Ranking, tuned on the PIAF dev split (index/evaluate.py). A title match counts for
# 0.8 of its score, on top of the title boost in the index (schema.TITLE_BOOST): the
# body, much longer, says better which of the dispatches on one subject answers
# (MRR@10 0.764 at 0.2, 0.766 at 0.35, 0.769 at 0.5, 0.7735 at 0.8, 0.770 at 1.0).
TITLE_QUERY_BOOST = 0.8
# Among partial matches, two query words found as typed within PROXIMITY_SLOP positions
# of each other (« rite de la charrue », « Jakob Böhme ») add this much, as a phrase
# would. Exact forms, since only their fields keep positions (index/whoosh/schema.py).
# (PIAF dev MRR@10: 0.7859 over stems, 0.7855 over exact forms; recall@100 0.957.)
PROXIMITY_BOOST = 0.25
PROXIMITY_SLOP = 2
# Index terms of the words that make a query a question without saying what it is about
# (« Combien de morts ? »): left out of a plain query that reads as a question. The other
# interrogatives (« quel », « qui », « où », « quand »…) are stop words already.
QUESTION_WORDS: frozenset[str] = frozenset({"combien", "comment", "pourquoi"})
_QUESTION_START = re.compile(
    r"\W*(?:qu|quoi|quel|quels|quelles?|quand|où|comment|combien|pourquoi|lequel|laquelle|"
    r"lesquel(?:le)?s|est-ce|(?:à|a|en|de|dans|par|pour|sur|avec)\s+quel(?:le)?s?)\b",
    re.IGNORECASE,
)
# Written by a person, these are operators: the query then means what it says, and no
# partial matches are added to it.
_EXPLICIT = re.compile(r"[()]|\b(?:AND|OR|NOT|ET|OU|SAUF|NON|ANDNOT)\b")

# The longest query read; beyond it the text is cut (the person is told).
MAX_QUERY_CHARS = 1000
# The most words read: each costs a pass over its postings (and partial matches and
# proximity pairs grow with them); beyond, the text is cut (the person is told).
MAX_QUERY_WORDS = 32
# Partial matches (documents holding only some of the words) are looked for with this
# many words at most.
MAX_PARTIAL_WORDS = 6
# A prefix or wildcard expanding to more words than this is cut to the most frequent;
# the prefixes of one query share this many words per field (`a* b*`: 128 each), and
# this many postings (what matching costs: `a*` has 250,000 in 34,000 dispatches).
MAX_EXPANSION = 256
MAX_EXPANSION_POSTINGS = 250_000
# An unquoted word also searches its exact form, with this weight: of dispatches that
# hold a word as often, those holding the very form typed come first.
EXACT_BOOST = 1.0
# The exact search is offered when the variants find at least this many times as many
# dispatches (« Dati »: 175 with the name, 2,557 with « date », « dates »), for plain
# queries of at most this many words (the offer costs one more search, a phrase).
EXACT_OFFER_RATIO = 1.5
EXACT_OFFER_WORDS = 3
# A plain query with stop words among its words (« Le Maire ») still finds every
# variant, but the dispatches holding its very words in order, little words included,
# come first: the words as a quoted phrase (`Sequence`) add this many times their
# score, more than the words' own scores can differ. For queries of at
# most SEQUENCE_WORDS words.
SEQUENCE_BOOST = 10.0
SEQUENCE_WORDS = 6


@dataclass(frozen=True)
class ParsedQuery:
    everything: query.Query  # all the words (the default), or the operators as written
    anything: query.Query | None  # some of the words: for partial matches, when useful
    date_from: PartialDate | None = None
    date_to: PartialDate | None = None
    notice: str | None = None
    words: tuple[str, ...] = ()  # the plain words typed, for « did you mean »
    # Other readings offered in one click (a lowercase « ou » meant as OU).
    offers: tuple[Offer, ...] = ()
    # The same query in quotes, whose count the result compares with the variants'
    # (plain queries only, see EXACT_OFFER_WORDS); the words it quotes.
    exact_query: str | None = None
    exact_words: str | None = None
    # `source:AFP`, `auteur:"Jean Dupont"`: filters, as the URL's `source` and `auteur`.
    sources: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    # A long plain query: a full match holds at least `needed` of its `words_searched`
    # words (index/whoosh/longqueries.py); 0 when every word is required.
    needed: int = 0
    words_searched: int = 0

    @property
    def is_empty(self) -> bool:
        return isinstance(self.everything, query.Every)

    # What another engine reads (index/querytree.py): the same queries as neutral trees,
    # and the terms a page marks, so that no Whoosh class leaves the parser.
    @cached_property
    def tree(self) -> querytree.Node:
        return tree_of(self.everything)

    @cached_property
    def some_tree(self) -> querytree.Node | None:
        """`anything` as a tree: None when partial matches are not looked for."""
        return None if self.anything is None else tree_of(self.anything)

    @property
    def marked(self) -> Terms:
        """The terms a full match marks."""
        return highlighted(self.everything)

    @property
    def some_marked(self) -> Terms:
        """The terms a partial match marks."""
        return Terms() if self.anything is None else highlighted(self.anything)

    def bounded(self, reader, generation: tuple | None = None) -> ParsedQuery:
        """The same queries with prefixes and wildcards expanded boundedly (`bounded`);
        the notice says which prefixes were cut. With the index `generation`, the
        expansions are kept for the next query."""
        cut: list[str] = []
        everything = bounded(self.everything, reader, cut=cut, generation=generation)
        some = None if self.anything is None else _rarest(bounded(self.anything, reader, generation=generation), reader)
        notice = self.notice
        if cut:
            said = ", ".join(f"« {p} »" for p in dict.fromkeys(cut))
            more = f"{said} : trop de mots commencent ainsi ; seuls les {MAX_EXPANSION} mots les plus fréquents sont cherchés"
            notice = f"{notice}; {more}" if notice else more
        return replace(self, everything=everything, anything=some, notice=notice)


class _ExactForms(qparser.Plugin):
    """Sends phrases, prefixes and wildcards (and, with the exact switch, every word)
    to the exact-form fields; an unquoted word also searches its exact form, boosted.

    Runs after `MultifieldPlugin` (priority 110), once every node has its field."""

    def __init__(self, everywhere: bool) -> None:
        self.everywhere = everywhere

    def filters(self, parser):
        return [(self._route, 111)]

    def _route(self, parser, group):
        for i, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                group[i] = self._route(parser, node)
            elif getattr(node, "fieldname", None) not in EXACT_FIELDS:
                continue
            elif type(node) is syntax.WordNode and not self.everywhere:
                exact = copy(node)
                exact.set_fieldname(EXACT_FIELDS[node.fieldname], override=True)
                exact.set_boost(node.boost * EXACT_BOOST)
                group[i] = syntax.OrGroup([node, exact])
            elif isinstance(node, syntax.TextNode):
                # Phrases, prefixes, wildcards; words under the exact switch.
                node.set_fieldname(EXACT_FIELDS[node.fieldname], override=True)
                if type(node) is qparser.PhrasePlugin.PhraseNode:
                    node.__class__ = _SequenceNode
        return group


class _SequenceNode(qparser.PhrasePlugin.PhraseNode):
    """A quoted phrase over exact forms that reads its stop words, each at the position
    of the word after it (index/whoosh/analysis.py): « "Le Maire" » needs « le » right before
    « maire », « "président de la République" » needs « de la »."""

    def query(self, parser):
        q = super().query(parser)
        if isinstance(q, query.Phrase):
            words, steps = exact_sequence(self.text)
            if words != q.words:
                q = Sequence(q.fieldname, words, steps, slop=q.slop, boost=q.boost)
        return q


def _parser(schema, group, exact: bool = False) -> qparser.QueryParser:
    parser = qparser.QueryParser(None, schema, group=group)
    # A word found in the title and in the body counts once, where it scores best: a
    # derived title repeats the first sentence, and a sum would count its words twice.
    parser.add_plugin(qparser.MultifieldPlugin(
        ["title", "body"], fieldboosts={"title": TITLE_QUERY_BOOST}, group=qparser.DisMaxGroup
    ))
    parser.replace_plugin(_OPERATORS)
    # Only the fields a person may name: `path:`, `hash:`… stay plain words.
    parser.replace_plugin(qparser.FieldsPlugin(expr=r"(?P<text>titre|title|texte|corps|body):"))
    parser.add_plugin(qparser.FieldAliasPlugin(_FIELD_NAMES))
    parser.remove_plugin_class(qparser.BoostPlugin)
    parser.add_plugin(_ExactForms(everywhere=exact))
    return parser


def parse(text: str, schema, exact: bool = False) -> ParsedQuery:
    """Parse leniently: whatever was typed gives a query, and `notice` says what was
    left out or how it was read (an unreadable date, a query cut to length, an unknown
    field). `exact`: every word in its exact form, as if quoted."""
    notices = []
    offers = []
    typed = bool(text.strip())
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notices.append(f"la requête a été tronquée à {MAX_QUERY_CHARS} caractères")
    if len(split := text.split()) > MAX_QUERY_WORDS:
        text = " ".join(split[:MAX_QUERY_WORDS])
        notices.append(f"la requête a été réduite à ses {MAX_QUERY_WORDS} premiers mots")
    text, period = readings.dates(text, notices)
    text, named = readings.credits(text, notices)
    if text.strip() == "*":
        # Every dispatch: the empty query's path, not a wildcard over every word.
        text, typed = "", False
    text = readings.words_and_fields(text, notices, offers)
    for match in _DANGLING_FIELD.finditer(text):
        notices.append(f"« {match.group(0)} » sans mot après lui : ignoré")
    text = _DANGLING_FIELD.sub(" ", text).strip()
    for match in _DANGLING_OPERATOR.finditer(text):
        notices.append(f"opérateur « {match.group(0).strip()} » sans mot d’un côté : ignoré")
    text = _DANGLING_OPERATOR.sub(" ", text)
    asked = bool(_QUESTION_MARK.search(text))
    text = _QUESTION_MARK.sub(" ", text).strip()
    if _is_plain(text) and (asked or _QUESTION_START.match(text)):
        kept = [w for w in text.split() if not _is_question_word(w, schema)]
        if kept:
            text = " ".join(kept)
    words = tuple(re.findall(r"[^\W\d_][\w'’-]*", _strip_syntax(text)))
    exact_query = exact_words = None
    # Not for a word with an unknown field prefix (`auteur:AFP`): searched as two words,
    # it has no exact form to offer.
    if not exact and _is_plain(text) and 0 < len(text.split()) <= EXACT_OFFER_WORDS and not readings.unknown_fields(text):
        exact_words = " ".join(text.split())
        exact_query = " ".join([f'"{exact_words}"', *period.written, *named.written])
    if not text:
        # Nothing typed lists everything (in the period asked for); something typed that
        # leaves no word finds nothing, and the notices say why.
        everything, anything = (query.NullQuery if typed and period.date_from is None and not named.written else query.Every()), None
    else:
        try:
            everything = _parser(schema, qparser.AndGroup, exact).parse(text)
        except Exception:
            # Whoosh's parser fails on some runs of operators (IndexError on `NOT NOT *`,
            # AssertionError on `SAUF SAUF SAUF`): whatever it raises, the words are
            # still searched, without the operators.
            text = " ".join(words)
            everything = _parser(schema, qparser.AndGroup, exact).parse(text) if text else query.NullQuery
            notices.append("les opérateurs de la requête n’ont pas pu être lus : ses mots sont cherchés sans eux")
        if _is_plain(text) and len(text.split()) <= SEQUENCE_WORDS:
            everything = _with_sequence(everything, text)
        anything = None
        if not _EXPLICIT.search(text):
            anything = _some_of(everything, _pairs(schema, text) if _is_plain(text) else [])
        if _is_plain(text) and (most := at_least(everything, _pairs(schema, text))) is not None:
            everything = most
        elif (_is_plain(QUOTED.sub(" ", loose := PARENTHESES.sub(" ", text)))
              and (loose != text or QUOTED.search(text))):
            # A long headline quoting someone, or with a word in parentheses (« (vidéo) »):
            # parentheses without operators group nothing, and the quotes rank first the
            # dispatches citing those words as they stand, without requiring them.
            unquoted = QUOTED.sub(lambda m: " " + m.group(0).rsplit('"', 1)[0].strip('"') + " ", loose)
            plain = _parser(schema, qparser.AndGroup, exact).parse(unquoted)
            bonus = _pairs(schema, unquoted) + quoted_bonus(schema, loose, EXACT_FIELDS["body"])
            if (most := at_least(plain, bonus)) is not None:
                everything, anything = most, _some_of(plain, _pairs(schema, unquoted))
                if QUOTED.search(loose):
                    notices.append("requête longue : les expressions entre guillemets n’y sont pas exigées, "
                                   "les dépêches qui les citent telles quelles viennent d’abord")
    if everything is query.NullQuery and typed and not notices:
        notices.append("aucun mot à chercher : la requête ne contient que des mots trop courants ou des opérateurs")
    return ParsedQuery(
        everything=everything,
        anything=anything,
        date_from=period.date_from,
        date_to=period.date_to,
        notice="; ".join(notices) or None,
        words=words,
        offers=tuple(offers),
        exact_query=exact_query,
        exact_words=exact_words,
        sources=named.sources,
        authors=named.authors,
        needed=everything.needed if isinstance(everything, AtLeast) else 0,
        words_searched=len(everything.subqueries) if isinstance(everything, AtLeast) else 0,
    )


def read(text: str, exact: bool = False) -> ParsedQuery:
    """`text` parsed against the archive's schema (its analyzers) with no index open:
    how another engine reads the query language, through `ParsedQuery.tree`."""
    return parse(text, _archive_schema(), exact=exact)


@cache
def _archive_schema():
    return build_schema()


def _with_sequence(everything: query.Query, text: str) -> query.Query:
    """`everything` with a bonus for the dispatches holding `text`'s words in order with
    its stop words, when it has any. The bonus is `Or`-ed to one of the words: the
    documents holding the sequence hold every word, so those matched do not change."""
    words, steps = exact_sequence(text)
    if not any(word in FOLDED_STOP_WORDS for word in words):
        return everything
    bonus = query.DisjunctionMax([
        Sequence(EXACT_FIELDS["title"], words, steps, boost=TITLE_QUERY_BOOST),
        Sequence(EXACT_FIELDS["body"], words, steps),
    ], boost=SEQUENCE_BOOST)
    if isinstance(everything, query.And) and everything.subqueries:
        *others, last = everything.subqueries
        return query.And([*others, query.Or([last, bonus])], boost=everything.boost)
    if everything is query.NullQuery or isinstance(everything, query.Every):
        return everything
    return query.Or([everything, bonus])


def highlighted(q: query.Query) -> Terms:
    """The terms of `q` to mark in a text: stems, and exact forms (each kind is
    compared with the same kind of term of the text's words)."""
    stems, exact = set(), set()
    for field, text in q.iter_all_terms():
        if isinstance(text, str):
            if text in FOLDED_STOP_WORDS:
                continue  # a quoted stop word: not marked (snippets skip them)
            (exact if field in EXACT_FIELDS.values() else stems).add(text)
    return Terms(frozenset(stems), frozenset(exact))


def _some_of(everything: query.Query, bonus: list[query.Query]) -> query.Query | None:
    """Documents holding some of the words (phrases and field prefixes kept whole), none
    of the excluded ones; None when there is only one thing to look for."""
    if not isinstance(everything, query.And):
        return None
    wanted = [q for q in everything.subqueries if not isinstance(q, query.Not)]
    if len(wanted) < 2:
        return None
    excluded = [q for q in everything.subqueries if isinstance(q, query.Not)]
    some = query.Or(wanted + bonus)
    return query.And([some, *excluded]) if excluded else some


class Near(query.Phrase):
    """Two query words near each other: a ranking bonus, not a thing to find."""


def _rarest(some: query.Query, reader) -> query.Query:
    """`some` with only the MAX_PARTIAL_WORDS rarest of its words (and the bonuses of
    words kept). Scoring « some of the words » visits every document holding any of
    them: with many common words that is most of the archive. The rarest are those
    that rank best (keeping the first six instead cost 0.012 of MRR@10 on PIAF)."""
    inner, excluded = (some.subqueries[0], list(some.subqueries[1:])) if isinstance(some, query.And) else (some, [])
    if not isinstance(inner, query.Or):
        return some
    wanted = [q for q in inner.subqueries if not isinstance(q, Near)]
    if len(wanted) <= MAX_PARTIAL_WORDS:
        return some

    def frequency(q: query.Query) -> int:
        return sum(reader.doc_frequency(field, text) for field, text in q.iter_all_terms())

    kept = sorted(wanted, key=frequency)[:MAX_PARTIAL_WORDS]
    words = {text for q in kept for _, text in q.iter_all_terms()}
    near = [q for q in inner.subqueries if isinstance(q, Near) and set(q.words) <= words]
    rarest = query.Or(kept + near)
    return query.And([rarest, *excluded]) if excluded else rarest


def _is_question_word(word: str, schema) -> bool:
    tokens = [t.text for t in schema["body"].analyzer(word, mode="query")]
    return bool(tokens) and all(t in QUESTION_WORDS for t in tokens)


def _pairs(schema, text: str) -> list[query.Query]:
    """A phrase query with some slop for each two consecutive words, in their exact
    forms: a ranking bonus."""
    field = EXACT_FIELDS["body"]
    tokens = [t.text for t in schema[field].analyzer(text, mode="query")][:MAX_QUERY_WORDS]
    return [
        Near(field, [a, b], slop=PROXIMITY_SLOP, boost=PROXIMITY_BOOST)
        for a, b in zip(tokens, tokens[1:])
        if a != b
    ]


def _is_plain(text: str) -> bool:
    """Only words: no operators, quotes, field prefixes, wildcards or exclusions."""
    return not (
        _EXPLICIT.search(text)
        or re.search(r"[\"*?]|(?<!\S)-|\b(?:titre|title|texte|corps|body):", text, re.IGNORECASE)
    )


def _strip_syntax(text: str) -> str:
    text = re.sub(r"\b(?:AND|OR|NOT|ET|OU|SAUF|NON|ANDNOT)\b", " ", text)
    text = re.sub(r"\b\w+:", " ", text)
    return re.sub(r"(?<!\S)-\S+", " ", text)


def bounded(q: query.Query, reader, share: dict[str, int] | None = None, cut: list[str] | None = None,
            generation: tuple | None = None) -> query.Query:
    """Replace prefix and wildcard queries by at most `MAX_EXPANSION` of their most
    frequent words, so that `a*` cannot expand to the whole vocabulary; several prefixes
    in one field share that many words. Prefixes that lost words are added to `cut`."""
    if share is None:
        counts: dict[str, int] = {}
        for leaf in q.leaves() if not q.is_leaf() else [q]:
            if isinstance(leaf, query.MultiTerm) and not isinstance(leaf, query.Term):
                counts[leaf.fieldname] = counts.get(leaf.fieldname, 0) + 1
        share = {name: (max(1, MAX_EXPANSION // n), MAX_EXPANSION_POSTINGS // n) for name, n in counts.items()}
    if isinstance(q, query.MultiTerm) and not isinstance(q, query.Term):
        field = reader.schema[q.fieldname]
        limit, postings = share[q.fieldname]
        # Look at a bounded number of candidates (each costs a look-up), then keep the
        # most frequent ones that fit in the share of postings.
        candidates, frequency = (_candidates(q, reader, limit * 16 + 1) if generation is None else
                                 _expansions.get((generation, repr(q), limit),
                                                 lambda: _candidates(q, reader, limit * 16 + 1)))
        looked = candidates[: limit * 16]
        looked.sort(key=frequency.__getitem__, reverse=True)
        terms = []
        for t in looked:
            if len(terms) == limit:
                break
            if frequency[t] <= postings:
                terms.append(field.from_bytes(t))
                postings -= frequency[t]
        if cut is not None and len(terms) < len(candidates):
            cut.append(_written(q))
        if not terms:
            return query.NullQuery
        # Preloaded: Whoosh's default OR, a tree of 256 matchers walked document by
        # document, took 30 s for `a*` on 34,000 dispatches; this takes one.
        return PreloadedOr([query.Term(q.fieldname, t) for t in terms], boost=q.boost)
    if q.is_leaf():
        return q
    return q.apply(lambda child: bounded(child, reader, share, cut, generation))


# The candidates of the last prefixes and wildcards searched, per index generation:
# reading them is most of what `a*` costs (200 ms at 34,103), asked again it is free.
_expansions: LruCache[tuple[list[bytes], dict[bytes, int]]] = LruCache(64)


def _candidates(q: query.MultiTerm, reader, count: int) -> tuple[list[bytes], dict[bytes, int]]:
    """The first `count` words `q` expands to (stop words left out), in term order, and
    how many documents hold each.

    A prefix reads each segment's terms in order with their statistics, a sequential
    read: looking each word up again in every segment's hash table cost `a*` 0.5 s of
    its 0.55 s on 34,000 dispatches. A word among the first `count` overall is among the
    first `count` of every segment that holds it, so each segment is read that far."""
    if type(q) is not query.Prefix:
        words = list(islice((t for t in expanded_words(q, reader) if t not in _STOP_TERMS), count))
        return words, {t: reader.doc_frequency(q.fieldname, t) for t in words}
    frequency: dict[bytes, int] = {}
    for segment, _ in reader.leaf_readers():
        found = ((t, info) for t, info in segment.iter_prefix(q.fieldname, q.text) if t not in _STOP_TERMS)
        for text, info in islice(found, count):
            frequency[text] = frequency.get(text, 0) + info.doc_frequency()
    words = sorted(frequency)[:count]
    return words, {t: frequency[t] for t in words}


def _written(q: query.MultiTerm) -> str:
    """A prefix or wildcard as a person would write it."""
    return f"{q.text}*" if isinstance(q, query.Prefix) else str(q.text)
