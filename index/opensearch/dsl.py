"""The archive's parsed queries (index/whoosh/query.py) in OpenSearch's query DSL.

The parser has already analysed each word with the archive's French analyzer. An
unquoted word searches its exact form, a `term` on `title.exact` or `body.exact` (the
cluster folds as the archive does), and its stem, a `match` of that exact form on `title`
or `body`, stemmed by the cluster as it stemmed the texts: not the parser's stem, which
Lucene's Snowball French would stem again (« arme » → « arm ») and which differs on a few
words (index/opensearch/mapping.py). Quoted phrases become `match_phrase` on the exact
forms (those holding stop words on `.words`, which keeps them), prefixes
`prefix` and wildcards `wildcard` there; `And` is a `bool` of musts (`Not` children as
must-nots), `Or` a `bool` of shoulds, `DisjunctionMax` a `dis_max`, a long query's
`AtLeast` a `bool` with `minimum_should_match`. Boosts follow: the query's own, and the
title's weight (TITLE_WEIGHT), which Whoosh gives at indexing.
"""

from __future__ import annotations

import fnmatch
import re

from whoosh import query as wq

from index.french import FOLDED_STOP_WORDS
from index.whoosh.analysis import exact_index_analyzer
from index.whoosh.longqueries import AtLeast
from index.whoosh.phrases import Sequence

FIELDS = {"title": "title", "body": "body", "title_exact": "title.exact", "body_exact": "body.exact"}
MATCH_ALL = {"match_all": {}}
MATCH_NONE = {"match_none": {}}
# A title word's weight against a body word's. Whoosh applies schema.TITLE_BOOST (2) to
# the title's term frequencies, inside BM25's saturation: with k1 = 0.7 a doubled
# frequency scores about 1.25 times as much, so the title's score is multiplied by that
# here (PIAF dev MRR@10 through this backend: 0.7713 at 2, 0.7833 at 1.5, 0.7873 at
# 1.25, 0.7843 at 1; Whoosh: 0.7851).
TITLE_WEIGHT = 1.25


def translate(q: wq.Query) -> dict:
    """The DSL of one parsed query."""
    if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
        return MATCH_NONE
    if isinstance(q, wq.Every):
        return MATCH_ALL
    if isinstance(q, AtLeast):
        inner = {"bool": {"should": [translate(s) for s in q.subqueries], "minimum_should_match": q.needed}}
        if not q.bonus:
            return _boosted(inner, q.boost)
        return {"bool": {"must": [inner], "should": [translate(b) for b in q.bonus], "boost": q.boost}}
    if isinstance(q, wq.Phrase):  # Near too
        # A phrase with its stop words reads them on `.words`; Whoosh's slop 1 is
        # Lucene's 0 (words side by side).
        field = _field(q.fieldname)
        if isinstance(q, Sequence) and any(word in FOLDED_STOP_WORDS for word in q.words):
            field = field.replace(".exact", ".words")
        return {"match_phrase": {field: {"query": " ".join(q.words), "slop": max(0, q.slop - 1), "boost": _boost(q)}}}
    if isinstance(q, wq.Prefix):
        return {"prefix": {_field(q.fieldname): {"value": q.text, "boost": _boost(q)}}}
    if isinstance(q, wq.Wildcard):
        return {"wildcard": {_field(q.fieldname): {"value": q.text, "boost": _boost(q)}}}
    if isinstance(q, wq.Term):
        return {"term": {_field(q.fieldname): {"value": q.text, "boost": _boost(q)}}}
    if isinstance(q, wq.Not):
        return {"bool": {"must": [MATCH_ALL], "must_not": [translate(q.query)]}}
    if isinstance(q, wq.AndNot):
        return {"bool": {"must": [translate(q.a)], "must_not": [translate(q.b)]}}
    if isinstance(q, wq.AndMaybe):
        return {"bool": {"must": [translate(q.a)], "should": [translate(q.b)]}}
    if isinstance(q, wq.Require):
        return {"bool": {"must": [translate(q.a)], "filter": [translate(q.b)]}}
    if isinstance(q, wq.DisjunctionMax):
        return _boosted({"dis_max": {"queries": [translate(s) for s in q.subqueries],
                                     "tie_breaker": getattr(q, "tiebreak", 0.0)}}, q.boost)
    if isinstance(q, wq.And):
        wanted = [s for s in q.subqueries if not isinstance(s, wq.Not)]
        excluded = [translate(s.query) for s in q.subqueries if isinstance(s, wq.Not)]
        return _boosted({"bool": {"must": [translate(s) for s in wanted] or [MATCH_ALL], "must_not": excluded}}, q.boost)
    if isinstance(q, wq.Or):
        if (word := _word(q)) is not None:
            return _boosted(word, q.boost)
        return _boosted({"bool": {"should": [translate(s) for s in q.subqueries], "minimum_should_match": 1}}, q.boost)
    if isinstance(q, wq.TermRange):
        bounds = {}
        if q.start is not None:
            bounds["gte" if not q.startexcl else "gt"] = q.start
        if q.end is not None:
            bounds["lte" if not q.endexcl else "lt"] = q.end
        return {"range": {_field(q.fieldname): bounds}}
    # Anything else the parser may give: its terms, any of them.
    terms = [{"term": {_field(f): t}} for f, t in q.iter_all_terms() if f in FIELDS and isinstance(t, str)]
    return {"bool": {"should": terms, "minimum_should_match": 1}} if terms else MATCH_NONE


def _word(q: wq.Or) -> dict | None:
    """An unquoted word, as the parser gives it: its stem or its exact form, in one
    field. The stem is matched by analysing the exact form with the cluster's own chain
    (the form is folded, and the chain folds first): Lucene's Snowball French differs
    from ours on a few words (« française » → `francais`, ours `franc`), and the index
    holds Lucene's stems."""
    if len(q.subqueries) != 2 or not all(type(s) is wq.Term for s in q.subqueries):
        return None
    stem, form = q.subqueries
    if stem.fieldname not in ("title", "body") or form.fieldname != f"{stem.fieldname}_exact":
        return None
    return {"bool": {"should": [{"match": {stem.fieldname: {"query": form.text, "boost": _boost(stem)}}},
                                translate(form)], "minimum_should_match": 1}}


def _field(name: str) -> str:
    return FIELDS.get(name, name)


def _boost(q: wq.Query) -> float:
    return float(q.boost) * (TITLE_WEIGHT if q.fieldname.startswith("title") else 1.0)


def _boosted(dsl: dict, boost: float) -> dict:
    if boost != 1.0:
        next(iter(dsl.values()))["boost"] = float(boost)
    return dsl


def expansions(q: wq.Query | None) -> list[tuple[str, str]]:
    """The prefixes and wildcards of `q` over exact forms (kind, text), which snippets
    mark as the words of each text they match (`expanded`)."""
    if q is None:
        return []
    leaves = [q] if q.is_leaf() else list(q.leaves())
    found = []
    for leaf in leaves:
        if isinstance(leaf, (wq.Prefix, wq.Wildcard)) and leaf.fieldname.endswith("_exact"):
            found.append(("prefix" if isinstance(leaf, wq.Prefix) else "wildcard", leaf.text))
    return found


_analyzer = None


def expanded(patterns: list[tuple[str, str]], texts: list[str]) -> frozenset[str]:
    """The exact forms in `texts` that the prefixes and wildcards match: what Whoosh's
    bounded expansion gives its snippets, drawn from the texts shown."""
    global _analyzer
    if not patterns:
        return frozenset()
    if _analyzer is None:
        _analyzer = exact_index_analyzer()
    compiled = [re.compile(fnmatch.translate(text)) if kind == "wildcard" else text for kind, text in patterns]
    found = set()
    for text in texts:
        for token in _analyzer(text, mode="index"):
            word = token.text
            if any(word.startswith(c) if isinstance(c, str) else c.match(word) for c in compiled):
                found.add(word)
    return frozenset(found)
