"""The Whoosh queries the parser builds (index/whoosh/query.py), as the engine-neutral tree
of index/querytree.py: what another engine is handed instead of Whoosh's classes.

The parser's shapes are few: words (a stem-or-exact-form pair per field), phrases and
exact sequences, prefixes and wildcards, `And`/`Or`/`Not` and the operators' nodes,
`DisjunctionMax` over fields, a long query's `AtLeast`, term ranges, everything and
nothing. Anything else is read as its terms, any of them, so an unforeseen node
narrows nothing silently: it still finds what holds its words.
"""

from __future__ import annotations

from whoosh import query as wq

from index import querytree as qt
from index.whoosh.longqueries import AtLeast
from index.whoosh.phrases import Sequence


def tree_of(q: wq.Query) -> qt.Node:
    """The neutral tree of one parsed query."""
    if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
        return qt.Nothing()
    if isinstance(q, wq.Every):
        return qt.Everything()
    boost = float(q.boost)
    if isinstance(q, AtLeast):
        return qt.AtLeast(_all(q.subqueries), q.needed, _all(q.bonus), boost)
    if isinstance(q, wq.Phrase):  # Near and Sequence too
        return qt.Phrase(q.fieldname, tuple(q.words), q.slop, boost, stop_words=isinstance(q, Sequence))
    if isinstance(q, wq.Prefix):
        return qt.Prefix(q.fieldname, q.text, boost)
    if isinstance(q, wq.Wildcard):
        return qt.Wildcard(q.fieldname, q.text, boost)
    if isinstance(q, wq.Term):
        return qt.Term(q.fieldname, q.text, boost)
    if isinstance(q, wq.Not):
        return qt.Without(qt.Everything(), tree_of(q.query))
    if isinstance(q, wq.AndNot):
        return qt.Without(tree_of(q.a), tree_of(q.b))
    if isinstance(q, wq.AndMaybe):
        return qt.Maybe(tree_of(q.a), tree_of(q.b))
    if isinstance(q, wq.Require):
        return qt.Filtered(tree_of(q.a), tree_of(q.b))
    if isinstance(q, wq.DisjunctionMax):
        return qt.Best(_all(q.subqueries), float(getattr(q, "tiebreak", 0.0)), boost)
    if isinstance(q, wq.And):
        wanted = [s for s in q.subqueries if not isinstance(s, wq.Not)]
        excluded = [s.query for s in q.subqueries if isinstance(s, wq.Not)]
        return qt.AllOf(_all(wanted), _all(excluded), boost)
    if isinstance(q, wq.Or):
        if (word := _word(q)) is not None:
            return word
        return qt.AnyOf(_all(q.subqueries), boost)
    if isinstance(q, wq.TermRange):
        return qt.Range(q.fieldname, q.start, q.end, bool(q.startexcl), bool(q.endexcl), boost)
    terms = tuple(qt.Term(f, t) for f, t in q.iter_all_terms() if isinstance(t, str))
    return qt.AnyOf(terms) if terms else qt.Nothing()


def _all(queries) -> tuple[qt.Node, ...]:
    return tuple(tree_of(s) for s in queries)


def _word(q: wq.Or) -> qt.Word | None:
    """An unquoted word, as the parser gives it: `Or([Term(field, stem),
    Term(field_exact, form)])`."""
    if len(q.subqueries) != 2 or not all(type(s) is wq.Term for s in q.subqueries):
        return None
    stem, form = q.subqueries
    if stem.fieldname not in ("title", "body") or form.fieldname != f"{stem.fieldname}_exact":
        return None
    return qt.Word(stem.fieldname, stem.text, form.text, float(stem.boost), float(form.boost), float(q.boost))
