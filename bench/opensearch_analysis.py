"""How far OpenSearch's French chain (`index/opensearch/mapping.py`) agrees with ours
(`index/whoosh/analysis.py`), word by word and text by text, through a real cluster's `_analyze`.

    make cluster
    .venv/bin/python -m bench.opensearch_analysis [--url http://127.0.0.1:9200]

prints the agreement on the Snowball French vocabulary and on the PIAF paragraphs shipped in
`tests/data/`, and the differences that occur most. `tests/test_opensearch_cluster.py`
asserts on the same figures.
"""

from __future__ import annotations

import argparse
import bisect
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from index.opensearch.mapping import FRENCH, index_body
from index.whoosh.analysis import french_analyzer

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
INDEX = "analysis-comparison"
# Characters sent per `_analyze` call; the index lets a call produce up to _MAX_TOKENS
# tokens (10,000 by default), more than that many characters can give.
_BATCH_CHARS = 100_000
_MAX_TOKENS = 50_000


def create_index(client, name: str = INDEX) -> None:
    """An index holding the archive's analyzers (custom analyzers live in an index)."""
    body = index_body(shards=1, replicas=0)
    body["settings"]["index"]["analyze.max_token_count"] = _MAX_TOKENS
    client.indices.create(index=name, body=body)
    client.cluster.health(index=name, wait_for_status="green", timeout="60s", request_timeout=90)


def analyze(client, texts: list[str], analyzer: str = FRENCH, index: str = INDEX) -> list[list[str]]:
    """Each text's tokens by `analyzer`, in few `_analyze` calls: texts are joined by
    newlines and each token goes back to its text by its start offset."""
    out: list[list[str]] = []
    begin = 0
    while begin < len(texts):
        end, size = begin, 0
        while end < len(texts) and (end == begin or size + len(texts[end]) < _BATCH_CHARS):
            size += len(texts[end]) + 1
            end += 1
        batch = texts[begin:end]
        starts, offset = [], 0
        for text in batch:
            starts.append(offset)
            # Offsets count UTF-16 code units (Java's chars), not code points.
            offset += len(text.encode("utf-16-le")) // 2 + 1
        response = client.indices.analyze(index=index, body={"analyzer": analyzer, "text": "\n".join(batch)})
        tokens: list[list[str]] = [[] for _ in batch]
        for token in response["tokens"]:
            tokens[bisect.bisect_right(starts, token["start_offset"]) - 1].append(token["token"])
        out.extend(tokens)
        begin = end
    return out


def ours(text: str) -> list[str]:
    return [t.text for t in french_analyzer()(text)]


def vocabulary() -> list[str]:
    return (DATA / "snowball-fr" / "voc.txt").read_text(encoding="utf-8").split()


def paragraphs() -> list[str]:
    with open(DATA / "piaf" / "docs.jsonl", encoding="utf-8") as lines:
        return [json.loads(line)["body"] for line in lines]


@dataclass
class Agreement:
    """Texts whose token lists are the same on both sides, and the tokens one side gives
    that the other does not (as multisets per text, so order and positions aside)."""

    texts: int = 0
    same: int = 0
    tokens: int = 0
    ours_only: Counter = field(default_factory=Counter)
    theirs_only: Counter = field(default_factory=Counter)
    differing: list[tuple[str, list[str], list[str]]] = field(default_factory=list)


def compare(client, texts: list[str], index: str = INDEX) -> Agreement:
    result = Agreement(texts=len(texts))
    for text, theirs in zip(texts, analyze(client, texts, index=index), strict=True):
        mine = ours(text)
        result.tokens += len(mine)
        if mine == theirs:
            result.same += 1
            continue
        result.differing.append((text, mine, theirs))
        result.ours_only.update(Counter(mine) - Counter(theirs))
        result.theirs_only.update(Counter(theirs) - Counter(mine))
    return result


def main() -> None:
    from opensearchpy import OpenSearch

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:9200")
    args = parser.parse_args()
    client = OpenSearch(hosts=[args.url])
    if client.indices.exists(index=INDEX):
        client.indices.delete(index=INDEX)
    create_index(client)
    try:
        words = compare(client, vocabulary())
        print(f"Snowball vocabulary: {words.same:,} of {words.texts:,} words agree "
              f"({words.same / words.texts:.2%})")
        for word, mine, theirs in words.differing:
            print(f"  {word}: ours {' '.join(mine)}, OpenSearch {' '.join(theirs)}")
        text = compare(client, paragraphs())
        print(f"PIAF paragraphs: {text.same:,} of {text.texts:,} give the same tokens; of {text.tokens:,} tokens, "
              f"{sum(text.ours_only.values()):,} ours only ({sum(text.ours_only.values()) / text.tokens:.2%}), "
              f"{sum(text.theirs_only.values()):,} OpenSearch's only")
        print("  ours only:", ", ".join(f"{t} ×{n}" for t, n in text.ours_only.most_common(25)))
        print("  OpenSearch only:", ", ".join(f"{t} ×{n}" for t, n in text.theirs_only.most_common(25)))
    finally:
        client.indices.delete(index=INDEX)


if __name__ == "__main__":
    main()
