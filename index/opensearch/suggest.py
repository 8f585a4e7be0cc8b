"""« Vouliez-vous dire » on a cluster: index/suggestions.py's rules (a query finding fewer
than FEW_HITS dispatches; each of its words found in fewer than that replaced by the
closest term of the bodies' exact forms within MAX_EDITS edits found RARER times as
often, shown as it is most often written), with OpenSearch's term suggester finding the
candidates. One request gives every word's frequency and candidates; one more per word
corrected reads how the chosen term is written.
"""

from __future__ import annotations

from collections import Counter

from index.suggestions import FEW_HITS, MAX_CORRECTED_WORDS, MAX_EDITS, MAX_WORD_CHARS, RARER, SURFACE_DOCS
from index.whoosh.analysis import exact_analyzer
from index.whoosh.snippets import SNIPPET_SCAN_CHARS

# Candidates the suggester gives per word (closest first), among which the first
# frequent enough is taken.
CANDIDATES = 10


def suggest(search, words: tuple[str, ...], found: int) -> str | None:
    """The typed words with each unknown or rare one replaced, or None (`search`: a
    function sending one search body to the archive's index)."""
    if found >= FEW_HITS or not words:
        return None
    looked: dict[int, str] = {}
    for i, word in enumerate(words):
        tokens = [t.text for t in exact_analyzer()(word)] if 3 <= len(word) <= MAX_WORD_CHARS else []
        if len(tokens) == 1 and len(looked) < MAX_CORRECTED_WORDS:
            looked[i] = tokens[0]
    if not looked:
        return None
    body = {"size": 0, "aggs": {}, "suggest": {}}
    for i, token in looked.items():
        body["aggs"][f"f{i}"] = {"filter": {"bool": {"should": [{"term": {"body.exact": token}},
                                                                {"term": {"title.exact": token}}]}}}
        body["suggest"][f"s{i}"] = {"text": token, "term": {
            "field": "body.exact", "suggest_mode": "always", "max_edits": MAX_EDITS, "prefix_length": 1,
            "min_word_length": 3, "size": CANDIDATES, "sort": "score", "string_distance": "damerau_levenshtein"}}
    answer = search(body)
    corrected, changed = list(words), False
    for i, token in looked.items():
        frequency = answer["aggregations"][f"f{i}"]["doc_count"]
        if frequency >= FEW_HITS:
            continue
        entries = answer["suggest"][f"s{i}"]
        options = entries[0]["options"] if entries else []
        # Closest first, then the most frequent (the suggester's score is a similarity).
        options = sorted(options, key=lambda o: (-o["score"], -o["freq"], o["text"]))
        closest = next((o["text"] for o in options if o["freq"] >= max(1, RARER * frequency)), None)
        surface = _surface(search, closest) if closest else None
        if surface:
            corrected[i], changed = surface, True
    return " ".join(corrected) if changed else None


def _surface(search, term: str) -> str | None:
    """`term` as it is most often written in the first SURFACE_DOCS bodies holding it."""
    hits = search({"query": {"term": {"body.exact": term}}, "size": SURFACE_DOCS, "_source": ["body"]})["hits"]["hits"]
    written: Counter[str] = Counter()
    for hit in hits:
        body = hit["_source"]["body"][:SNIPPET_SCAN_CHARS]
        for token in exact_analyzer()(body, chars=True, removestops=False):
            if token.text == term:
                written[body[token.startchar:token.endchar]] += 1
    return min(written.items(), key=lambda item: (-item[1], item[0]))[0] if written else None
