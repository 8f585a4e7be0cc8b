"""The archive's query language once parsed: a small tree of plain values that any
engine reads.

The parser (index/whoosh/query.py) analyses each word with the archive's French analyzer and
builds the query Whoosh runs; `ParsedQuery.tree` gives the same query as these nodes,
which the OpenSearch backend turns into its DSL (index/opensearch/dsl.py) without
knowing Whoosh's classes. Field names are the archive's: `title`, `body` (stems),
`title_exact`, `body_exact` (folded exact forms), and the keyword fields a date range
names.

    « Libye -Tripoli » →
    AllOf(children=(Best((Word("title", stem="liby", form="libye", …),
                          Word("body", stem="liby", form="libye"))),),
          excluded=(Best((Word("title", stem="tripol", form="tripoli", …), …)),))
"""

from __future__ import annotations

from dataclasses import dataclass


class Node:
    """One node of a parsed query."""

    boost: float = 1.0


@dataclass(frozen=True)
class Everything(Node):
    """Every dispatch (the empty query, `*`, or only filters)."""


@dataclass(frozen=True)
class Nothing(Node):
    """No dispatch (a query of stop words alone)."""


@dataclass(frozen=True)
class Term(Node):
    """One analysed term on one field, as the index holds it."""

    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Word(Node):
    """An unquoted word on `title` or `body`: its `stem` there (boosted `stem_boost`), or
    its exact `form` on `<field>_exact` (boosted `form_boost`); `boost` is the whole
    word's. An engine that stems otherwise than the archive (Lucene's Snowball French)
    stems the form itself rather than use `stem`."""

    field: str
    stem: str
    form: str
    stem_boost: float = 1.0
    form_boost: float = 1.0
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase(Node):
    """Words side by side in one field, within `slop` (1: adjacent, Whoosh's way of
    counting). `stop_words`: a quoted phrase of exact forms that keeps its little words
    (« la guerre de Troie »), which only a field indexing them can match."""

    field: str
    words: tuple[str, ...]
    slop: int = 1
    boost: float = 1.0
    stop_words: bool = False


@dataclass(frozen=True)
class Prefix(Node):
    """Words of a field beginning with `text` (`milit*`)."""

    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Wildcard(Node):
    """Words of a field matching a `*`/`?` pattern other than a plain prefix."""

    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Range(Node):
    """Terms of a field between two bounds (None: open), each included unless said."""

    field: str
    start: str | None
    end: str | None
    start_excluded: bool = False
    end_excluded: bool = False
    boost: float = 1.0


@dataclass(frozen=True)
class AllOf(Node):
    """Every one of `children`, none of `excluded` (the words of a query, `SAUF`)."""

    children: tuple[Node, ...]
    excluded: tuple[Node, ...] = ()
    boost: float = 1.0


@dataclass(frozen=True)
class AnyOf(Node):
    """At least one of `children` (`OU`, a word's fields), scored as their sum."""

    children: tuple[Node, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class AtLeast(Node):
    """At least `needed` of `children` (a long query, index/longqueries.py), scored as
    their sum, plus `bonus` nodes that add to the score of a match that earns them."""

    children: tuple[Node, ...]
    needed: int
    bonus: tuple[Node, ...] = ()
    boost: float = 1.0


@dataclass(frozen=True)
class Best(Node):
    """The best-scoring of `children`, plus `tie` times the others' scores."""

    children: tuple[Node, ...]
    tie: float = 0.0
    boost: float = 1.0


@dataclass(frozen=True)
class Without(Node):
    """`query`, except what `excluded` matches."""

    query: Node
    excluded: Node
    boost: float = 1.0


@dataclass(frozen=True)
class Maybe(Node):
    """`query`, scored higher where `optional` matches too."""

    query: Node
    optional: Node
    boost: float = 1.0


@dataclass(frozen=True)
class Filtered(Node):
    """`query` where `condition` matches too, scored by `query` alone."""

    query: Node
    condition: Node
    boost: float = 1.0


def leaves(node: Node) -> list[Node]:
    """The term-level nodes under `node`, excluded ones included, in order."""
    if isinstance(node, (AllOf, AnyOf, AtLeast, Best)):
        inner = list(node.children) + list(getattr(node, "excluded", ())) + list(getattr(node, "bonus", ()))
        return [leaf for child in inner for leaf in leaves(child)]
    if isinstance(node, Without):
        return leaves(node.query) + leaves(node.excluded)
    if isinstance(node, Maybe):
        return leaves(node.query) + leaves(node.optional)
    if isinstance(node, Filtered):
        return leaves(node.query) + leaves(node.condition)
    return [node]


def expansions(node: Node | None) -> list[tuple[str, str]]:
    """The prefixes and wildcards of `node` over exact forms, as (kind, text): what
    snippets mark as the words of each text they match."""
    if node is None:
        return []
    return [("prefix" if isinstance(leaf, Prefix) else "wildcard", leaf.text)
            for leaf in leaves(node)
            if isinstance(leaf, (Prefix, Wildcard)) and leaf.field.endswith("_exact")]
