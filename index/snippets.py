"""Highlighted snippets: the dispatch's own text, escaped, with `<mark>` around matches.

This is the one place where HTML is produced from dispatch text. Everything but the
`<mark>` tags is escaped here (`<`, `>` and `&`: snippets are element content, never
attribute values), so the page can insert snippets as they are.
"""

from __future__ import annotations

import re
from html import escape

from functools import lru_cache

from whoosh import highlight
from whoosh.analysis import Token

from index.analysis import TOKEN_PATTERN, french_analyzer

SNIPPET_CHARS = 220
FRAGMENTS = 3
ELLIPSIS = "…"
_NEAR_START = 12
_LINE_BREAKS = re.compile(r"\s*\n\s*")


class MarkFormatter(highlight.Formatter):
    """`<mark>` around matched words, everything else escaped, « … » where text is cut."""

    between = " "

    def _text(self, text: str) -> str:
        # A snippet is one line: paragraph breaks inside it become spaces.
        return escape(_LINE_BREAKS.sub(" ", text), quote=False)

    def format_token(self, text: str, token, replace: bool = False) -> str:
        return f"<mark>{escape(highlight.get_text(text, token, replace), quote=False)}</mark>"

    def format_fragment(self, fragment, replace: bool = False) -> str:
        html = super().format_fragment(fragment, replace)
        if fragment.startchar <= _NEAR_START:
            # Starting a few characters in (after « L’ »): show the text from its start.
            html = self._text(fragment.text[: fragment.startchar]) + html
        else:
            html = ELLIPSIS + html
        if fragment.endchar < len(fragment.text):
            html += ELLIPSIS
        return html

    def format(self, fragments, replace: bool = False) -> str:
        # Two cut passages meet at one ellipsis, not « … … ».
        html = self.between.join(self.format_fragment(f, replace) for f in fragments)
        return html.replace(f"{ELLIPSIS} {ELLIPSIS}", f" {ELLIPSIS} ")


_formatter = MarkFormatter()


def snippet(text: str, terms: frozenset[str], top: int = FRAGMENTS) -> str:
    """Up to `top` passages of `text` around the analysed `terms`; the opening of the text
    when no term occurs in it (the match was in the title)."""
    if terms:
        fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=70)
        html = _highlight(text, terms, fragmenter, top)
        if html:
            return html
    opening = text[:SNIPPET_CHARS]
    if len(text) > SNIPPET_CHARS:
        opening = opening.rsplit(" ", 1)[0] + " " + ELLIPSIS
    return escape(opening, quote=False)


def highlight_all(text: str, terms: frozenset[str]) -> str:
    """The whole `text`, escaped, with every occurrence of the terms marked."""
    if not terms:
        return escape(text, quote=False)
    return _highlight(text, terms, highlight.WholeFragmenter(charlimit=None), 1) or escape(text, quote=False)


def _highlight(text: str, terms: frozenset[str], fragmenter, top: int) -> str:
    """Whoosh's fragmenting, scoring and formatting, fed by `_tokens`."""
    fragments = fragmenter.fragment_tokens(text, _tokens(text, terms))
    return _formatter(text, highlight.top_fragments(fragments, top, _scorer, highlight.FIRST, 1))


_scorer = highlight.BasicFragmentScorer()
_WORDS = re.compile(TOKEN_PATTERN)


@lru_cache(maxsize=1 << 17)
def _word_tokens(word: str) -> tuple[tuple[int, int, str], ...]:
    """The analyzer's tokens of one word (elision cut, folded, stemmed), with offsets."""
    return tuple(
        (t.startchar, t.endchar, t.text) for t in french_analyzer()(word, chars=True, removestops=False)
    )


def _tokens(text: str, terms: frozenset[str]):
    """The same tokens as `french_analyzer()(text, chars=True)`, marked `matched` when in
    `terms`, but analysed once per distinct word: the analyzer works token by token, so
    a word always gives the same tokens. Re-analysing the ten bodies of a page through
    the whole pipeline was most of a page's time.

    One Token object is reused, as Whoosh's own tokenizers do; fragmenters copy the
    tokens they keep.
    """
    token = Token(chars=True)
    for match in _WORDS.finditer(text):
        base = match.start()
        for start, end, term in _word_tokens(match.group()):
            token.startchar, token.endchar, token.text = base + start, base + end, term
            token.matched = term in terms
            yield token
