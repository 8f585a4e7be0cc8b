"""Long queries (a headline, a question): most of the words, not every one of them.

A short query names what it wants, and every word is required. A headline pasted as the
query, or a question of a dozen words, is written in other words than the dispatch it
looks for: a text seldom holds all ten, and requiring them all ranked first whatever
happened to hold them, before the dispatch that holds eight. From LONG_QUERY_WORDS words
on (words searched: stop words do not count), a full match is a dispatch holding at
least LONG_QUERY_SHARE of them, and the page says so (« au moins 6 des 8 mots »); the
dispatches holding fewer are the partial matches, after them, as for a short query.
Consecutive words found close together add to a full match's score. A quoted phrase in a
long query (a headline citing someone) is not required: its words count as the others,
and the dispatches citing it as it stands rank first (index/whoosh/query.py says so in the
notice); parentheses without operators group nothing and are read as punctuation.
"""

from __future__ import annotations

import re
from math import ceil

from whoosh import query as wq

# From this many words searched, a full match needs only LONG_QUERY_SHARE of them.
# Tuned on known-item search over news bodies (bench/knownitem.py) with the PIAF dev
# split (index/evaluate.py) as a check: see docs/knownitem.md.
LONG_QUERY_WORDS = 5
LONG_QUERY_SHARE = 0.75
# Two consecutive words found close together add to a full match's score, as they do
# to a partial match's (index/whoosh/query.py, PROXIMITY_BOOST).
LONG_QUERY_PROXIMITY = True
# A quoted phrase of a long query found as it stands adds its words' scores times this.
QUOTED_BONUS = 1.0
# A quoted phrase, `~N` included; parentheses, which group nothing without operators.
QUOTED = re.compile(r'"[^"]*"(?:~\d+)?')
PARENTHESES = re.compile(r"[()]")


class AtLeast(wq.Or):
    """Documents matching at least `needed` of the subqueries, scored as their sum.

    index/whoosh/scoring.py and index/whoosh/matching.py compute it from the posting arrays; Whoosh's
    own `Or` does not implement `minmatch`, so this query is never handed to Whoosh."""

    def __init__(self, subqueries, needed: int, boost: float = 1.0, bonus=()) -> None:
        super().__init__(subqueries, boost=boost)
        self.needed = needed
        # Ranking bonuses (index/whoosh/query.py's `Near` pairs): added to the score of a
        # document that earns them, never counted among the words it holds.
        self.bonus = tuple(bonus)
        # Each word's exact form in the body, for the lead bonus (index/whoosh/lead.py).
        self.lead = tuple(_body_form(sub) for sub in self.subqueries)

    def __eq__(self, other) -> bool:
        return super().__eq__(other) and self.needed == other.needed and self.bonus == other.bonus

    def __hash__(self) -> int:
        return super().__hash__() ^ hash(("needed", self.needed, self.bonus))

    def __unicode__(self) -> str:
        words, bonus = ", ".join(map(str, self.subqueries)), ", ".join(map(str, self.bonus))
        return f"AtLeast({self.needed} of {words}; bonus {bonus})"

    __str__ = __unicode__

    def apply(self, fn) -> AtLeast:
        return AtLeast([fn(q) for q in self.subqueries], self.needed, boost=self.boost,
                       bonus=[fn(q) for q in self.bonus])

    def normalize(self) -> wq.Query:
        # Whoosh's normalisation would fold it into a plain Or (or drop duplicates that
        # `needed` counted): it is built normalised already.
        return self


def at_least(everything: wq.Query, bonus=()) -> AtLeast | None:
    """The query as « most of the words » when it is a long conjunction of words
    (index/whoosh/query.py asks only for plain text: no operators, quotes or exclusions)."""
    if not isinstance(everything, wq.And) or type(everything) is not wq.And:
        return None
    words = list(dict.fromkeys(everything.subqueries))  # a word typed twice counts once
    if len(words) < LONG_QUERY_WORDS or any(isinstance(w, wq.Not) for w in words):
        return None
    return AtLeast(words, needed(len(words)), boost=everything.boost, bonus=bonus if LONG_QUERY_PROXIMITY else ())


def _body_form(q: wq.Query) -> str:
    """The exact form a word's query searches in the body, or "" (a prefix, a phrase)."""
    for term in q.leaves() if not isinstance(q, wq.Term) else [q]:
        if isinstance(term, wq.Term) and term.fieldname == "body_exact":
            return term.text
    return ""


def needed(words: int) -> int:
    return min(words, ceil(LONG_QUERY_SHARE * words - 1e-9))


def quoted_bonus(schema, text: str, field: str) -> list[wq.Query]:
    """A ranking bonus for each quoted phrase of a long query: its exact forms, in order,
    in `field` (quotes in a headline cite someone; they are not a requirement)."""
    phrases = []
    for match in QUOTED.finditer(text):
        tokens = [t.text for t in schema[field].analyzer(match.group(0).rsplit('"', 1)[0], mode="query")]
        if len(tokens) > 1:
            phrases.append(wq.Phrase(field, tokens, slop=1, boost=QUOTED_BONUS))
    return phrases
