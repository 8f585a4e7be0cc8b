"""Highlighted snippets: the dispatch's own text, escaped, with `<mark>` around matches.

This is the one place where HTML is produced from dispatch text. Everything but the
`<mark>` tags is escaped here (`<`, `>` and `&`: snippets are element content, never
attribute values), so the page can insert snippets as they are.
"""

from __future__ import annotations

import re
from html import escape

from whoosh import highlight

from index.analysis import french_analyzer

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
        html = highlight.highlight(text, terms, french_analyzer(), fragmenter, _formatter, top=top)
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
    fragmenter = highlight.WholeFragmenter(charlimit=None)
    return highlight.highlight(text, terms, french_analyzer(), fragmenter, _formatter, top=1) or escape(
        text, quote=False
    )
