"""Highlighted snippets: the dispatch's own text, escaped, with `<mark>` around matches.

This is the one place where HTML is produced from dispatch text. Everything but the
`<mark>` tags is escaped here (`<`, `>` and `&`: snippets are element content, never
attribute values), so the page can insert snippets as they are.
"""

from __future__ import annotations

import re
from collections import deque
from html import escape

from functools import lru_cache

from whoosh import highlight
from whoosh.analysis import Token

from index.french import TOKEN_PATTERN
from index.whoosh.analysis import exact_analyzer, french_analyzer

SNIPPET_CHARS = 220
# What one dispatch may cost a page, whatever its size (a text file may hold 8 MB): a
# snippet is looked for in the opening of the text only, and the dispatch page marks
# the query's words in its first HIGHLIGHT_CHARS characters (the rest is shown as is).
# Analysing every word of an 8 MB body took seconds per hit.
SNIPPET_SCAN_CHARS = 100_000
HIGHLIGHT_CHARS = 300_000
FRAGMENTS = 3
ELLIPSIS = "…"
_NEAR_START = 12
_SURROUND = 70
_LINE_BREAKS = re.compile(r"\s*\n\s*")


def _plain(text: str) -> str:
    """Text of a snippet outside the matches, escaped; a snippet is one line: paragraph
    breaks inside it become spaces."""
    return escape(_LINE_BREAKS.sub(" ", text), quote=False)


class MarkFormatter(highlight.Formatter):
    """`<mark>` around matched words, everything else escaped, « … » where text is cut."""

    between = " "

    def _text(self, text: str) -> str:
        # Whoosh's hook for the text between matches (see index/whoosh/internals.py).
        return _plain(text)

    def format_token(self, text: str, token, replace: bool = False) -> str:
        return f"<mark>{escape(highlight.get_text(text, token, replace), quote=False)}</mark>"

    def format_fragment(self, fragment, replace: bool = False) -> str:
        html = super().format_fragment(fragment, replace)
        if fragment.startchar <= _NEAR_START:
            # Starting a few characters in (after « L’ »): show the text from its start.
            html = _plain(fragment.text[: fragment.startchar]) + html
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


def snippet(text: str, terms: frozenset[str], top: int = FRAGMENTS, exact: frozenset[str] = frozenset()) -> str:
    """Up to `top` passages of `text` around the analysed `terms` (stems) and `exact`
    forms; the opening of the text when none occurs in it (the match was in the title)
    or in its first SNIPPET_SCAN_CHARS characters."""
    if terms or exact:
        scanned = text[:SNIPPET_SCAN_CHARS]
        fragments = _best(scanned, _context_fragments(scanned, terms, exact=exact), top)
        if fragments:
            return _formatter(scanned, fragments)
    opening = text[:SNIPPET_CHARS]
    if len(text) > SNIPPET_CHARS:
        opening = opening.rsplit(" ", 1)[0] + " " + ELLIPSIS
    return escape(opening, quote=False)


def highlight_all(text: str, terms: frozenset[str], exact: frozenset[str] = frozenset()) -> str:
    """The whole `text`, escaped, with every occurrence of the terms (stems) and exact
    forms marked."""
    if not terms and not exact:
        return escape(text, quote=False)
    return _highlight(text, terms, highlight.WholeFragmenter(charlimit=None), 1, exact) or escape(text, quote=False)


def highlight_paragraphs(paragraphs: tuple[str, ...], terms: frozenset[str], exact: frozenset[str] = frozenset(),
                         budget: int = HIGHLIGHT_CHARS) -> tuple[str, ...]:
    """Each paragraph escaped, the terms (stems) and exact forms marked in the first `budget` characters only."""
    html = []
    for paragraph in paragraphs:
        if budget <= 0:
            html.append(escape(paragraph, quote=False))
        elif len(paragraph) <= budget:
            html.append(highlight_all(paragraph, terms, exact))
        else:
            # Cut between words, so that no word is marked by half.
            cut = paragraph.rfind(" ", 0, budget) + 1 or budget
            html.append(highlight_all(paragraph[:cut], terms, exact) + escape(paragraph[cut:], quote=False))
        budget -= len(paragraph)
    return tuple(html)


def _highlight(text: str, terms: frozenset[str], fragmenter, top: int, exact: frozenset[str] = frozenset()) -> str:
    """Whoosh's fragmenting, scoring and formatting, fed by `_tokens`."""
    fragments = fragmenter.fragment_tokens(text, _tokens(text, terms, exact))
    return _formatter(text, highlight.top_fragments(fragments, top, _scorer, highlight.FIRST, 1))


def _context_fragments(text: str, terms: frozenset[str], maxchars: int = SNIPPET_CHARS, surround: int = _SURROUND,
                       exact: frozenset[str] = frozenset()):
    """Whoosh's `ContextFragmenter.fragment_tokens`, step for step, on plain tuples:
    passages of at most `maxchars` characters of words, from `surround` characters of
    words before a match to `surround` after the last. Whoosh's version, fed with Token
    objects, was most of a result page's time. Yields (start, end, matches)."""
    first = None
    firsts: deque[int] = deque()
    countdown = -1  # < 0: not inside a passage
    matches: list[tuple[int, int, str]] = []
    length = 0
    endchar = None
    for word in _WORDS.finditer(text):
        base = word.start()
        for start, end, term, form in _word_tokens(word.group()):
            startchar, endchar, size = base + start, base + end, end - start
            matched = term in terms or form in exact
            if countdown < 0 and not matched:
                firsts.append(startchar)
                while firsts and endchar - firsts[0] > surround:
                    firsts.popleft()
            elif length + size > maxchars:
                countdown = 0
            elif matched:
                countdown = surround
                if first is None:
                    if firsts:
                        first = firsts[0]
                    else:
                        first = startchar
                        countdown += surround
                matches.append((startchar, endchar, term))
            if countdown >= 0:
                length += size
                countdown -= size
                if countdown <= 0:
                    # (Whoosh's `mkfrag` starts a passage begun by no match at its
                    # first match, or at 0: it scores nothing and is never shown.)
                    yield (first if first is not None else matches[0][0] if matches else 0), endchar, matches
                    matches, firsts, first, length = [], deque(), None, 0
    if matches:
        yield first, endchar, matches


def _best(text: str, fragments, top: int) -> list[highlight.Fragment]:
    """Whoosh's `top_fragments` with its `BasicFragmentScorer`: the matches, times 100
    per distinct term, the later passage first on a tie; then in text order."""
    scored = [(len(m) * (len({t for _, _, t in m}) * 100 or 1), start, end, m) for start, end, m in fragments]
    best = sorted((f for f in scored if f[0] >= 1), key=lambda f: (f[0], f[1]), reverse=True)[:top]
    return [
        highlight.Fragment(text, [Token(startchar=s, endchar=e, text=t) for s, e, t in m], start, end)
        for _, start, end, m in sorted(best, key=lambda f: f[1])
    ]


_scorer = highlight.BasicFragmentScorer()
_WORDS = re.compile(TOKEN_PATTERN)


@lru_cache(maxsize=1 << 17)
def _word_tokens(word: str) -> tuple[tuple[int, int, str, str], ...]:
    """The analyzer's tokens of one word (elision cut, folded, stemmed), with offsets,
    each with its exact form (the same token unstemmed)."""
    forms = [t.text for t in exact_analyzer()(word, removestops=False)]
    return tuple(
        (t.startchar, t.endchar, t.text, form)
        for t, form in zip(french_analyzer()(word, chars=True, removestops=False), forms)
    )


def _tokens(text: str, terms: frozenset[str], exact: frozenset[str] = frozenset()):
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
        for start, end, term, form in _word_tokens(match.group()):
            token.startchar, token.endchar, token.text = base + start, base + end, term
            token.matched = term in terms or form in exact
            yield token
