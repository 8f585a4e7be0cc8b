"""Which segments an update merges: small ones only, a few at a time.

A full build writes the archive as a few large segments (one per worker, and the
stories' rewrites: index/whoosh/build.py). Whoosh's default policy (`MERGE_SMALL`) calls a
segment small against a Fibonacci number of its rank, so with large segments the first
update after a build merged them through Whoosh's external sort: at 341,030
dispatches, when a build still wrote a segment per memory budget, 12 minutes and 5.6 GB
of temporary files for 30 changed files.

Here an update never reads a segment of `LARGE_DOCS` documents or more: its
deletions are masked (Whoosh keeps a deletion set per segment) and stay on disk until
`archive optimise` (index/whoosh/optimise.py) rewrites the index. Smaller segments, the ones
updates write, are merged tier by tier, as a log-structured store does: a segment's
tier is its document count in powers of `FACTOR`, and a tier is merged into one
segment once it holds `FACTOR` of them. An update's merge work is therefore bounded
(at most `FACTOR` segments under `LARGE_DOCS` documents each), whatever the archive's
size, and the number of small segments grows with the logarithm of the updates.
"""

from __future__ import annotations

from whoosh.reading import SegmentReader

# An update leaves alone every segment holding at least this many documents (deleted
# ones included): what a build writes, and what merged small segments grow into.
LARGE_DOCS = 512
# Segments per tier before the tier is merged, and the ratio between tiers' sizes.
FACTOR = 8


def tier(documents: int) -> int:
    """A segment's tier: 0 below FACTOR documents, 1 below FACTOR², and so on."""
    level = 0
    while documents >= FACTOR:
        documents //= FACTOR
        level += 1
    return level


def plan(sizes: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Given each segment's (documents written, documents live), the positions of the
    segments to keep as they are and of those to merge. A segment whose documents
    are all deleted is neither: it is dropped."""
    keep: list[int] = []
    tiers: dict[int, list[int]] = {}
    for position, (written, live) in enumerate(sizes):
        if live == 0:
            continue
        if written >= LARGE_DOCS:
            keep.append(position)
        else:
            tiers.setdefault(tier(written), []).append(position)
    merge: list[int] = []
    for members in tiers.values():
        (merge if len(members) >= FACTOR else keep).extend(members)
    return sorted(keep), sorted(merge)


def merge_small(writer, segments: list) -> list:
    """A Whoosh merge policy (`writer.mergetype`): merge what `plan` says into the
    writer's new segment, return the segments kept."""
    keep, merge = plan([(segment.doc_count_all(), segment.doc_count()) for segment in segments])
    for position in merge:
        reader = SegmentReader(writer.storage, writer.schema, segments[position])
        try:
            writer.add_reader(reader)
        finally:
            reader.close()
    return [segments[position] for position in keep]
