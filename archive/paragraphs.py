"""Paragraphs and titles from running text, shared by the readers."""

from __future__ import annotations

import re

# A paragraph break is a blank line (white space allowed on it).
_BLANK_LINE = re.compile(r"\n[ \t\f\v]*\n")
# A first line (after any blank ones), then a blank line.
_TITLE_LINE = re.compile(r"\s*+([^\n]++)\n[ \t\f\v]*+\n")

# A sentence ends with . ! ? or … (perhaps followed by a closing quote, with or without
# the French space before it) before a capital or an opening quote. The look-behinds keep
# initials (« Thomas D. Waldhauser », « J.-C. Decaux ») and titles (« M. », « MM. »)
# whole, also at the start of a text. The pattern opens with the punctuation itself, not
# a look-behind, so that the regex engine can skip ahead to it: twice as fast.
_SENTENCE_END = re.compile(
    r"([.!?…])(?<!\b[A-ZÀ-ÖØ-Þ]\.)(?<!\bMM\.)(?<!\bMme\.)(?<!\bMgr\.)(?<!\bDr\.)"
    r"(?<!\bPr\.)(?<!\bSt\.)"
    r"(\s?[»”]|\"|)\s+(?=[«\"“A-ZÀ-ÖØ-ÞŒ])"
)

# Longer than this, a paragraph is a whole article written on one line: split it.
LONG_PARAGRAPH = 1200
TITLE_LENGTH = 110


def split_paragraphs(text: str) -> tuple[str, ...]:
    """Blank-line separated paragraphs, each with its line breaks folded.

    A paragraph longer than `LONG_PARAGRAPH` is a whole article written on one line (seed
    `002`): it is cut into one paragraph per sentence, so that it stays readable and
    versions of a story can be compared paragraph by paragraph.
    """
    paragraphs: list[str] = []
    for block in _BLANK_LINE.split(text):
        paragraph = " ".join(block.split())
        if len(paragraph) > LONG_PARAGRAPH:
            paragraphs.extend(split_sentences(paragraph))
        elif paragraph:
            paragraphs.append(paragraph)
    return tuple(paragraphs)


def split_sentences(text: str) -> tuple[str, ...]:
    """The sentences of one paragraph, each with its closing quote."""
    parts = _SENTENCE_END.split(text)
    # split() returns text, stop, closing quote, text, stop, closing quote, …: glue the
    # stops and quotes back to their sentence.
    sentences = [parts[0]]
    for stop, quote, following in zip(parts[1::3], parts[2::3], parts[3::3]):
        sentences[-1] += stop + quote
        sentences.append(following)
    return tuple(s.strip() for s in sentences if s.strip())


def derive_title(paragraph: str, limit: int = TITLE_LENGTH) -> str:
    """The first sentence; when longer than `limit`, cut on a word boundary and ended
    with « … », the whole title then `limit` characters at most."""
    sentences = split_sentences(paragraph)
    sentence = sentences[0] if sentences else ""
    if len(sentence) <= limit:
        return sentence
    # Cutting the `limit` first characters at their last space keeps whole words in
    # `limit - 1` characters at most, and leaves one for the ellipsis.
    window = sentence[:limit]
    words = window.rsplit(" ", 1)[0] if " " in window else window[: limit - 1]
    cut = words.rstrip(" ,;:-–—") or window[: limit - 1]
    return cut + "…"


def looks_like_heading(text: str) -> bool:
    """Does the text open with a title line: one line of at most 200 characters that a
    blank line follows?

    Final punctuation does not matter (« VIDÉO. Cécile Duflot critique… », « Pourquoi
    ? »), except a final dash: `Paris, 7 avril 2019 (AFP) -` on its own line is a
    dateline, not a title. A first paragraph of several lines is text.
    """
    match = _TITLE_LINE.match(text)
    if match is None:
        return False
    line = " ".join(match.group(1).split())
    return 0 < len(line) <= 200 and not line.endswith(("-", "–", "—"))
