"""The lead of a dispatch: a long query's words found in its first lines count more.

A dispatch is written top-down: its first sentences say what happened, the rest
explains. Among the dispatches holding most of a headline's words, the one that states
them in its lead is about that news; the one that meets them further down mentions it.
So the full matches of a long query (index/whoosh/longqueries.py) get their score multiplied
by 1 + LEAD_BOOST × the share of the query's words that stand among the first
LEAD_WORDS words of the body.

Tuned on known-item search over news bodies (bench/knownitem.py, 1,000 headlines): at
seed 2019, success@1 0.722 → 0.734; at seed 7, 0.727 → 0.742 (MRR@10 +0.01 at both).

Positions are read for the head of the ranking only: the documents that could reach
the first LEAD_HEAD places with the largest bonus (any document scoring less than the
LEAD_HEAD-th score divided by 1 + LEAD_BOOST keeps its place below them), at most
LEAD_READ of them. The order of the first pages is then exactly the boosted order; a
document further down keeps its score as it is.
"""

from __future__ import annotations

import numpy as np

from index.whoosh import postings as pl

# The lead: the first this many words of the body (stop words do not count: the
# exact-form field numbers the words that are searched, see index/whoosh/analysis.py).
LEAD_WORDS = 40
# A document stating every word of the query in its lead scores this much more (×1.5).
LEAD_BOOST = 0.5
# The places whose order is exact, and the most documents whose positions are read.
LEAD_HEAD = 200
LEAD_READ = 2_000
FIELD = "body_exact"


def boosted(reader, docs: np.ndarray, scores: np.ndarray, forms: tuple[str, ...]) -> np.ndarray:
    """`scores` (of `docs`, ascending) with the lead bonus in the head of the ranking;
    `forms`: the exact form of each word of the query (empty for one not in a body)."""
    words = [form for form in forms if form]
    if not words or not docs.size:
        return scores
    head = min(LEAD_HEAD, scores.size)
    threshold = np.partition(scores, scores.size - head)[scores.size - head]
    within = np.flatnonzero(scores * (1 + LEAD_BOOST) >= threshold)
    if within.size > LEAD_READ:
        within = within[np.argpartition(scores[within], within.size - LEAD_READ)[-LEAD_READ:]]
        within.sort()
    candidates = docs[within]
    held = np.zeros(within.size)
    for word in dict.fromkeys(words):
        early = [doc for doc, positions in pl.positions(reader, FIELD, word, candidates).items()
                 if positions and positions[0] < LEAD_WORDS]
        if early:
            held[np.searchsorted(candidates, early)] += 1
    boosted = scores.copy()
    boosted[within] *= 1 + LEAD_BOOST * held / len(forms)
    return boosted
