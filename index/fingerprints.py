"""Fingerprints of dispatch bodies: word shingles, their MinHash, and the versions test.

Agencies re-send a story as it grows: the new version repeats paragraphs of the old one
word for word, drops some and adds others. Two bodies are versions of one story when a
large share of the smaller one's 5-word shingles appear in the larger one (containment),
not when their shingle sets are alike as wholes (Jaccard): seed `002` holds 44 % of
`000`'s shingles but the two share only 25 % of their union.

Finding candidate pairs uses MinHash LSH on Jaccard with a low threshold (64 bands of 2
rows over datasketch's 128-permutation MinHash, the banding datasketch itself picks for a
Jaccard threshold of 0.1), then every candidate pair gets the exact containment check
below. On the 34,103 OrangeSum articles this banding finds 96 % of the 806 pairs that pass
the check, among 6,575 candidate pairs.

The thresholds were read off that corpus (see `same_story`).
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from datetime import date

import numpy as np

from archive.model import PartialDate

SHINGLE_WORDS = 5
NUM_PERM = 128
# Two 32-bit MinHash values make one band: a band is one uint64 of the signature.
ROWS = 2
BANDS = NUM_PERM // ROWS
SIGNATURE_BYTES = NUM_PERM * 4
# Fixed, so that signatures written by one run compare with those of the next.
MINHASH_SEED = 1

# A pair is one story when it shares at least MIN_SHARED shingles (two sentences or so:
# less is boilerplate, « selon l'Agence France-Presse ») making at least MIN_CONTAINMENT
# of the smaller body, and the two are dated no more than MAX_DAYS_APART days apart
# when both have a date. On OrangeSum, pairs sampled above 0.55 were all versions
# (updates, rewrites of one dispatch); between 0.4 and 0.55 eight in ten; between 0.3
# and 0.4 about six in ten (follow-ups reusing background paragraphs), hence 0.4, which
# keeps the seeds (0.44). Further apart than two days, high containment came mostly from
# page furniture shared by unrelated articles (the same programme blurb a month apart).
MIN_SHARED = 30
MIN_CONTAINMENT = 0.4
MAX_DAYS_APART = 2

_NON_WORD = re.compile(r"\W+")
_MULTIPLIER = np.uint64(0x100000001B3)
# datasketch's permutations (its default "affine32" scheme), applied to a whole body's
# shingles at once: `MinHash.update_batch` hashes value by value in Python, which costs
# twice the shingling itself. tests/test_stories.py checks both give the same signature.
# They are drawn here as datasketch draws them, not imported: importing datasketch
# imports scipy, a third of a second of every command's start-up.
_PERMUTATIONS = np.random.RandomState(MINHASH_SEED)
_PERM_A = _PERMUTATIONS.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
_PERM_B = _PERMUTATIONS.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)


@dataclass(frozen=True)
class Fingerprint:
    """A body's shingle hashes (sorted, unique) and MinHash signature; `signature` is
    None when the body is too short ever to be a version (fewer than MIN_SHARED)."""

    shingles: np.ndarray
    signature: np.ndarray | None

    def column_value(self) -> bytes:
        """What the index's `minhash` column holds (zeros: no signature)."""
        return b"\0" * SIGNATURE_BYTES if self.signature is None else self.signature.tobytes()


def shingles(text: str) -> np.ndarray:
    """The distinct 32-bit hashes of the body's 5-word shingles, sorted.

    Words are runs of letters and digits, lowercased: quotes, apostrophes and
    punctuation (« » vs ", ’ vs ') do not tell two versions apart.
    """
    words = _NON_WORD.sub(" ", text.lower()).encode().split()
    if len(words) < SHINGLE_WORDS:
        return np.zeros(0, dtype=np.uint32)
    hashes = np.fromiter(map(zlib.crc32, words), dtype=np.uint64, count=len(words))
    count = len(words) - SHINGLE_WORDS + 1
    combined = hashes[:count].copy()
    for offset in range(1, SHINGLE_WORDS):
        combined *= _MULTIPLIER  # wraps modulo 2**64, as a hash should
        combined += hashes[offset : offset + count]
    # Fold the high bits in before keeping 32 (datasketch's scheme hashes 32-bit values).
    combined ^= combined >> np.uint64(32)
    return np.unique(combined.astype(np.uint32))


def fingerprint(text: str) -> Fingerprint:
    hashes = shingles(text)
    if hashes.size < MIN_SHARED:
        return Fingerprint(hashes, None)
    return Fingerprint(hashes, minhash(hashes))


def minhash(hashes: np.ndarray) -> np.ndarray:
    """The 128 MinHash values of these 32-bit hashes, as datasketch computes them."""
    mixed = _fmix32(hashes)
    return (mixed[:, None] * _PERM_A + _PERM_B).min(axis=0)


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's finalizer, which datasketch applies before its permutations."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def signatures_from_column(values: list[bytes]) -> np.ndarray:
    """Rows of 128 uint32 from the column's bytes (all zeros: no signature), given one
    value per document or blocks of consecutive documents' values."""
    if not values:
        return np.zeros((0, NUM_PERM), dtype=np.uint32)
    return np.frombuffer(b"".join(values), dtype=np.uint32).reshape(-1, NUM_PERM)


def band_keys(signatures: np.ndarray) -> np.ndarray:
    """The LSH bands of each signature row: one uint64 per pair of MinHash values."""
    return np.ascontiguousarray(signatures, dtype=np.uint32).view(np.uint64)


def has_signature(signatures: np.ndarray) -> np.ndarray:
    return signatures.any(axis=1)


def shared(a: np.ndarray, b: np.ndarray) -> int:
    return int(np.intersect1d(a, b, assume_unique=True).size)


def same_story(a: np.ndarray, b: np.ndarray, date_a: PartialDate | None, date_b: PartialDate | None) -> bool:
    """The exact test behind every LSH candidate pair, on two bodies' `shingles` (see
    the module docstring)."""
    smaller = min(a.size, b.size)
    if smaller < MIN_SHARED or _days_apart(date_a, date_b) > MAX_DAYS_APART:
        return False
    common = shared(a, b)
    return common >= MIN_SHARED and common >= MIN_CONTAINMENT * smaller


def _days_apart(a: PartialDate | None, b: PartialDate | None) -> int:
    """Days between the periods two partial dates stand for (0 when they overlap or one
    is unknown): « avril 2019 » and « 2019-04-07 » are 0 days apart."""
    if a is None or b is None:
        return 0
    (a_first, a_last), (b_first, b_last) = _span(a), _span(b)
    return max(0, (b_first - a_last).days, (a_first - b_last).days)


def _span(value: PartialDate) -> tuple[date, date]:
    first = value.first_day()
    if value.day is not None:
        return first, first
    if value.month is not None:
        following = date(value.year + value.month // 12, value.month % 12 + 1, 1)
        return first, date.fromordinal(following.toordinal() - 1)
    return first, date(value.year, 12, 31)
