"""What one version of a story adds to another and what it leaves out, paragraph by
paragraph, for the dispatch page.

Agencies re-send a story by keeping some paragraphs word for word, rewording others and
adding new ones, so paragraphs are aligned with `difflib` (on their text with white space
folded), and within a block that differs, a paragraph close enough to one of the other
version (word-level ratio ≥ 0.6) is shown as reworded, with its changed words, rather
than as one paragraph dropped and another added.

Plain types only: they leave `index/` with `StoredDispatch.versions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum

from archive.model import PartialDate, normalise_text

# Word-level similarity above which two paragraphs are one paragraph reworded.
REWORDED = 0.6
# What is compared of each version: its first paragraphs up to this many characters
# (a dispatch is a few thousand). Aligning paragraphs costs the product of their
# numbers, and words within a reworded one the product of their lengths: two 8 MB
# versions took seconds and filled the page with the whole of both.
COMPARED_CHARS = 30_000
COMPARED_PARAGRAPHS = 200


class Change(StrEnum):
    SAME = "same"  # in both versions, word for word
    ADDED = "added"  # in this version only
    DROPPED = "dropped"  # in the other version only
    REWORDED = "reworded"  # in both, with some words changed


@dataclass(frozen=True)
class Block:
    """One paragraph of the comparison, in this version's reading order.

    `text` is this version's paragraph (the other version's for DROPPED); for REWORDED,
    `other` is the other version's paragraph and `words` the word runs of the change:
    (`same` | `added` | `dropped`, text).
    """

    change: Change
    text: str
    other: str = ""
    words: tuple[tuple[Change, str], ...] = ()


@dataclass(frozen=True)
class Comparison:
    """This dispatch against one other version of its story; `truncated` when only the
    opening of the two was compared (COMPARED_CHARS, COMPARED_PARAGRAPHS)."""

    blocks: tuple[Block, ...]
    truncated: bool = False

    def _texts(self, change: Change) -> tuple[str, ...]:
        return tuple(block.text for block in self.blocks if block.change is change)

    @property
    def added(self) -> tuple[str, ...]:
        return self._texts(Change.ADDED)

    @property
    def dropped(self) -> tuple[str, ...]:
        return self._texts(Change.DROPPED)

    @property
    def reworded(self) -> tuple[Block, ...]:
        return tuple(block for block in self.blocks if block.change is Change.REWORDED)

    @property
    def same(self) -> int:
        return sum(1 for block in self.blocks if block.change is Change.SAME)


@dataclass(frozen=True)
class Version:
    """Another version of a dispatch's story, and how the dispatch compares with it."""

    id: str
    title: str
    date: PartialDate | None
    date_inferred: bool
    comparison: Comparison


def compare(this: tuple[str, ...], other: tuple[str, ...]) -> Comparison:
    """This version's paragraphs against the other's: what it adds, drops, rewords
    (within the first COMPARED_CHARS characters of each)."""
    (this, cut_this), (other, cut_other) = _opening(this), _opening(other)
    mine = [normalise_text(p) for p in this]
    theirs = [normalise_text(p) for p in other]
    blocks: list[Block] = []
    matcher = SequenceMatcher(None, mine, theirs, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            blocks += [Block(Change.SAME, p) for p in this[i1:i2]]
        else:
            blocks += _differing(this[i1:i2], other[j1:j2])
    return Comparison(tuple(blocks), truncated=cut_this or cut_other)


def _opening(paragraphs: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
    """The first paragraphs, up to COMPARED_CHARS characters and COMPARED_PARAGRAPHS
    paragraphs (the last one cut if need be), and whether anything was left out."""
    kept: list[str] = []
    room = COMPARED_CHARS
    for paragraph in paragraphs[:COMPARED_PARAGRAPHS]:
        if len(paragraph) > room:
            if room:
                kept.append(paragraph[:room])
            return tuple(kept), True
        kept.append(paragraph)
        room -= len(paragraph)
    return tuple(kept), len(paragraphs) > COMPARED_PARAGRAPHS


def _differing(this: tuple[str, ...], other: tuple[str, ...]) -> list[Block]:
    """A block that differs: each paragraph of this version is matched, in order, with
    the first close enough paragraph left in the other; what is skipped is dropped."""
    blocks: list[Block] = []
    start = 0
    for paragraph in this:
        words = paragraph.split()
        match = next(
            (k for k in range(start, len(other)) if _similar(words, other[k].split())),
            None,
        )
        if match is None:
            blocks.append(Block(Change.ADDED, paragraph))
            continue
        blocks += [Block(Change.DROPPED, p) for p in other[start:match]]
        blocks.append(Block(Change.REWORDED, paragraph, other[match], _word_runs(words, other[match].split())))
        start = match + 1
    blocks += [Block(Change.DROPPED, p) for p in other[start:]]
    return blocks


def _similar(a: list[str], b: list[str]) -> bool:
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return matcher.real_quick_ratio() >= REWORDED and matcher.quick_ratio() >= REWORDED and matcher.ratio() >= REWORDED


def _word_runs(this: list[str], other: list[str]) -> tuple[tuple[Change, str], ...]:
    runs: list[tuple[Change, str]] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, this, other, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append((Change.SAME, " ".join(this[i1:i2])))
            continue
        if j2 > j1:
            runs.append((Change.DROPPED, " ".join(other[j1:j2])))
        if i2 > i1:
            runs.append((Change.ADDED, " ".join(this[i1:i2])))
    return tuple(runs)
