"""The archive's parsed queries (the engine-neutral tree of index/querytree.py) in
OpenSearch's query DSL.

The parser has already analysed each word with the archive's French analyzer. An
unquoted word (`Word`) searches its exact form, a `term` on `title.exact` or
`body.exact` (the cluster folds as the archive does), and its stem, a `match` of that
exact form on `title` or `body`, stemmed by the cluster as it stemmed the texts: not the
parser's stem, which Lucene's Snowball French would stem again (« arme » → « arm ») and
which differs on a few words (index/opensearch/mapping.py). Phrases become
`match_phrase` on the exact forms (those holding stop words on `.words`, which keeps
them), prefixes `prefix` and wildcards `wildcard` there; `AllOf` is a `bool` of musts
and must-nots, `AnyOf` a `bool` of shoulds, `Best` a `dis_max`, a long query's
`AtLeast` a `bool` with `minimum_should_match`. Boosts follow: the query's own, and the
title's weight (TITLE_WEIGHT), which Whoosh gives at indexing.
"""

from __future__ import annotations

import fnmatch
import re

from index import querytree as qt
from index.french import FOLDED_STOP_WORDS
from index.whoosh.analysis import exact_index_analyzer

FIELDS = {"title": "title", "body": "body", "title_exact": "title.exact", "body_exact": "body.exact"}
MATCH_ALL = {"match_all": {}}
MATCH_NONE = {"match_none": {}}
# A title word's weight against a body word's. Whoosh applies schema.TITLE_BOOST (2) to
# the title's term frequencies, inside BM25's saturation: with k1 = 0.7 a doubled
# frequency scores about 1.25 times as much, so the title's score is multiplied by that
# here (PIAF dev MRR@10 through this backend: 0.7713 at 2, 0.7833 at 1.5, 0.7873 at
# 1.25, 0.7843 at 1; Whoosh: 0.7851).
TITLE_WEIGHT = 1.25


def translate(node: qt.Node) -> dict:
    """The DSL of one parsed query."""
    match node:
        case qt.Nothing():
            return MATCH_NONE
        case qt.Everything():
            return MATCH_ALL
        case qt.AtLeast(children=children, needed=needed, bonus=bonus, boost=boost):
            inner = {"bool": {"should": [translate(c) for c in children], "minimum_should_match": needed}}
            if not bonus:
                return _boosted(inner, boost)
            return {"bool": {"must": [inner], "should": [translate(b) for b in bonus], "boost": boost}}
        case qt.Phrase(field=name, words=words, slop=slop, stop_words=stop_words):
            # A phrase with its stop words reads them on `.words`; Whoosh's slop 1 is
            # Lucene's 0 (words side by side).
            field = _field(name)
            if stop_words and any(word in FOLDED_STOP_WORDS for word in words):
                field = field.replace(".exact", ".words")
            return {"match_phrase": {field: {"query": " ".join(words), "slop": max(0, slop - 1),
                                             "boost": _boost(node)}}}
        case qt.Prefix(field=name, text=text):
            return {"prefix": {_field(name): {"value": text, "boost": _boost(node)}}}
        case qt.Wildcard(field=name, text=text):
            return {"wildcard": {_field(name): {"value": text, "boost": _boost(node)}}}
        case qt.Term(field=name, text=text):
            return {"term": {_field(name): {"value": text, "boost": _boost(node)}}}
        case qt.Word(field=name, form=form, stem_boost=stem_boost, form_boost=form_boost, boost=boost):
            # The stem is matched by analysing the exact form with the cluster's own
            # chain (the form is folded, and the chain folds first): Lucene's Snowball
            # French differs from ours on a few words (« française » → `francais`, ours
            # `franc`), and the index holds Lucene's stems.
            stem = {"match": {name: {"query": form, "boost": _weighted(name, stem_boost)}}}
            exact = {"term": {_field(f"{name}_exact"): {"value": form, "boost": _weighted(name, form_boost)}}}
            return _boosted({"bool": {"should": [stem, exact], "minimum_should_match": 1}}, boost)
        case qt.Without(query=query, excluded=excluded):
            return {"bool": {"must": [translate(query)], "must_not": [translate(excluded)]}}
        case qt.Maybe(query=query, optional=optional):
            return {"bool": {"must": [translate(query)], "should": [translate(optional)]}}
        case qt.Filtered(query=query, condition=condition):
            return {"bool": {"must": [translate(query)], "filter": [translate(condition)]}}
        case qt.Best(children=children, tie=tie, boost=boost):
            return _boosted({"dis_max": {"queries": [translate(c) for c in children], "tie_breaker": tie}}, boost)
        case qt.AllOf(children=children, excluded=excluded, boost=boost):
            return _boosted({"bool": {"must": [translate(c) for c in children] or [MATCH_ALL],
                                      "must_not": [translate(e) for e in excluded]}}, boost)
        case qt.AnyOf(children=children, boost=boost):
            return _boosted({"bool": {"should": [translate(c) for c in children], "minimum_should_match": 1}}, boost)
        case qt.Range(field=name, start=start, end=end, start_excluded=start_excluded, end_excluded=end_excluded):
            bounds = {}
            if start is not None:
                bounds["gt" if start_excluded else "gte"] = start
            if end is not None:
                bounds["lt" if end_excluded else "lte"] = end
            return {"range": {_field(name): bounds}}
    raise TypeError(f"no DSL for {node!r}")


def _field(name: str) -> str:
    return FIELDS.get(name, name)


def _weighted(field: str, boost: float) -> float:
    return float(boost) * (TITLE_WEIGHT if field.startswith("title") else 1.0)


def _boost(node) -> float:
    return _weighted(node.field, node.boost)


def _boosted(dsl: dict, boost: float) -> dict:
    if boost != 1.0:
        next(iter(dsl.values()))["boost"] = float(boost)
    return dsl


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
