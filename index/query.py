"""Reading what a French user types into a Whoosh query.

Words must all match (documents holding only some of them are shown after, as partial
matches), `"phrases"`, `-exclusion`, `ET`/`OU`/`SAUF` as well as `AND`/`OR`/`NOT`,
`titre:` and `texte:` field prefixes, and a date written `date:2019`, `date:2019-04`,
`date:2019-04-07` or a range `date:2019-03..2019-05`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice

from whoosh import qparser, query

from archive.model import PartialDate
from index.analysis import fold

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
_DATE = re.compile(r"(?<!\S)date:(?P<from>[\d-]+)(?:\.\.(?P<to>[\d-]+))?(?!\S)", re.IGNORECASE)

# Weight of a title match against a body match, applied at query time.
TITLE_QUERY_BOOST = 1.0
# Words that make a query a question without saying what it is about (« combien »,
# « pourquoi »): left out of plain queries of several words. The other interrogatives
# (« quel », « qui », « où »…) are stop words already.
QUESTION_WORDS: frozenset[str] = frozenset()
# Coordination bonus of partial matches: documents holding more of the words rank higher.
PARTIAL_SCALE: float | None = None

# The longest query read; beyond it the text is cut (the person is told).
MAX_QUERY_CHARS = 1000
# A prefix or wildcard expanding to more words than this is cut to the most frequent.
MAX_EXPANSION = 256


@dataclass(frozen=True)
class ParsedQuery:
    everything: query.Query  # all the words (the default), or the operators as written
    anything: query.Query | None  # some of the words: for partial matches, when useful
    date_from: PartialDate | None = None
    date_to: PartialDate | None = None
    notice: str | None = None
    words: tuple[str, ...] = ()  # the plain words typed, for « did you mean »

    @property
    def is_empty(self) -> bool:
        return isinstance(self.everything, query.Every)


def _parser(schema, group) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(
        ["title", "body"], schema, fieldboosts={"title": TITLE_QUERY_BOOST}, group=group
    )
    parser.replace_plugin(_OPERATORS)
    # Only the fields a person may name: `path:`, `hash:`… stay plain words.
    parser.replace_plugin(qparser.FieldsPlugin(expr=r"(?P<text>titre|title|texte|corps|body):"))
    parser.add_plugin(qparser.FieldAliasPlugin(_FIELD_NAMES))
    parser.remove_plugin_class(qparser.BoostPlugin)
    return parser


def parse(text: str, schema) -> ParsedQuery:
    """Parse leniently: whatever was typed gives a query, and `notice` says what was
    left out (an unreadable date, a query cut to length)."""
    notices = []
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notices.append(f"la requête a été tronquée à {MAX_QUERY_CHARS} caractères")
    date_from = date_to = None
    for match in _DATE.finditer(text):
        try:
            date_from = PartialDate.from_iso(match["from"])
            date_to = PartialDate.from_iso(match["to"]) if match["to"] else date_from
        except ValueError:
            notices.append(f"date illisible ignorée : « {match.group(0)} » (écrire date:2019-04)")
    text = _QUESTION_MARK.sub(" ", _DATE.sub(" ", text)).strip()
    if QUESTION_WORDS and _is_plain(text):
        kept = [w for w in text.split() if fold(w) not in QUESTION_WORDS]
        if kept:
            text = " ".join(kept)
    words = tuple(re.findall(r"[^\W\d_][\w'’-]*", _strip_syntax(text)))
    if not text:
        everything, anything = query.Every(), None
    else:
        everything = _parser(schema, qparser.AndGroup).parse(text)
        anything = None
        if len(words) > 1 and _is_plain(text):
            group = qparser.OrGroup.factory(PARTIAL_SCALE) if PARTIAL_SCALE else qparser.OrGroup
            anything = _parser(schema, group).parse(text)
    if everything is query.NullQuery and text:
        notices.append("la requête ne contient que des mots trop courants pour être cherchés")
    return ParsedQuery(
        everything=everything,
        anything=anything,
        date_from=date_from,
        date_to=date_to,
        notice="; ".join(notices) or None,
        words=words,
    )


def _is_plain(text: str) -> bool:
    """Only words: no operators, quotes, fields or exclusions that OR would distort."""
    return not re.search(r"[\"():*?]|(?<!\S)-|\b(?:AND|OR|NOT|ET|OU|SAUF|NON|ANDNOT)\b", text)


def _strip_syntax(text: str) -> str:
    text = re.sub(r"\b(?:AND|OR|NOT|ET|OU|SAUF|NON|ANDNOT)\b", " ", text)
    text = re.sub(r"\b\w+:", " ", text)
    return re.sub(r"(?<!\S)-\S+", " ", text)


def bounded(q: query.Query, reader) -> query.Query:
    """Replace prefix and wildcard queries by at most `MAX_EXPANSION` of their most
    frequent words, so that `a*` cannot expand to the whole vocabulary."""
    if isinstance(q, query.MultiTerm) and not isinstance(q, query.Term):
        field = reader.schema[q.fieldname]
        # Look at a bounded number of candidates, then keep the most frequent ones.
        candidates = list(islice(q._btexts(reader), MAX_EXPANSION * 16))
        candidates.sort(key=lambda t: reader.doc_frequency(q.fieldname, t), reverse=True)
        terms = [field.from_bytes(t) for t in candidates[:MAX_EXPANSION]]
        if not terms:
            return query.NullQuery
        return query.Or([query.Term(q.fieldname, t) for t in terms], boost=q.boost)
    if q.is_leaf():
        return q
    return q.apply(lambda child: bounded(child, reader))
