"""`OpenSearchIndex`: the archive on an OpenSearch cluster, behind the methods `web/`
calls on index/whoosh/search.py's `ArchiveIndex`, answering with the same plain types.

One request gives a page: the full matches (every word, or `needed` of a long query's)
with their count and date facets as aggregations; when the page reaches past them, a
second gives the partial matches (some of the words, none of the full ones). Grouped,
`collapse` on `story` keeps a story's best version and its inner hits name the others.
Pages by date past the 10,000-hit window walk the sorted hits by `search_after` over one
point in time. Snippets follow the archive's own rules (index/whoosh/snippets.py: the text
escaped, the matched words in <mark>), from the terms the parsed query marks.
"""

from __future__ import annotations

import time
from typing import NamedTuple

from index import offers, permalinks
from index.compare import Version
from index.export import BATCH
from index.opensearch import requests
from index.opensearch.connection import ClusterIndexMissing, ClusterNeedsRebuild, Target, answering, connect
from index.opensearch.documents import HIT_FIELDS
from index.opensearch.dsl import expanded, translate
from index.opensearch.export import OpenSearchExport
from index.opensearch.mapping import MAPPING_VERSION
from index.opensearch.reading import scan
from index.opensearch.suggest import suggest
from index.opensearch.writer import _version, live_index
from index.paging import MAX_PARTIAL_LISTED, Window, bounded
from index.querytree import expansions
from index.results import VERSIONS_SHOWN, Histogram, Offer, SearchHit, SearchRequest, SearchResult, Sort, Terms
from index.stored import StoredDispatch, paragraphs, shown_date, version_of
from index.whoosh import query
from index.whoosh.hits import hit_of, stored_dispatch

# OpenSearch's `index.max_result_window`: from + size past it needs `search_after`.
WINDOW = 10_000
# Other versions a collapsed hit names (OpenSearch's `index.max_inner_result_window`).
INNER_HITS = 100
# Grouped, partial matches leave out the stories listed in full when there are at most
# this many (read in the same request); beyond, only the dispatches matching in full.
SHOWN_STORIES = 1000
_NEWEST = [{"facet_key": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]
_OLDEST = [{"facet_key": {"order": "asc", "missing": "_last"}}, {"id": "asc"}]


class _Partials(NamedTuple):
    """The matches holding only some of the words (index/whoosh/pages.py `Partials` for a
    cluster): `total` counted, `listed` reachable, the hits `on_page`."""

    total: int = 0
    listed: int = 0
    on_page: tuple | list = ()


class OpenSearchIndex:
    """A handle on the archive behind `target`'s alias; safe to share between threads
    (opensearch-py's client pools its connections)."""

    def __init__(self, target: Target, warm: bool = False) -> None:
        self.target = target
        self._client = connect(target)
        with answering(target):
            live = live_index(self._client, target)
            if live is None:
                raise ClusterIndexMissing(target)
            if _version(self._client, live) != MAPPING_VERSION:
                raise ClusterNeedsRebuild(target)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> OpenSearchIndex:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def warm(self) -> int:
        """Nothing to read ahead here: the cluster keeps its own caches."""
        return 0

    def _search(self, body: dict) -> dict:
        with answering(self.target):
            return self._client.search(index=self.target.index, body=body)

    def count(self) -> int:
        with answering(self.target):
            return int(self._client.count(index=self.target.index)["count"])

    def search(self, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        p = requests.plan(bounded(request))
        request, parsed, grouped = p.request, p.parsed, p.request.collapse_versions
        start, end = (request.page - 1) * request.page_size, request.page * request.page_size
        body = {"query": p.full, "aggs": requests.facet_aggregations(p), "track_total_hits": True,
                "sort": self._order(request, parsed), "_source": HIT_FIELDS,
                "from": start if end <= WINDOW else 0, "size": request.page_size if end <= WINDOW else 0}
        if p.dates:
            body["post_filter"] = {"bool": {"filter": p.dates}}
        if grouped:
            body["collapse"] = _collapse()
            if parsed.some_tree is not None:
                # The stories listed in full, which partial matches leave out.
                body["aggs"]["chosen"]["aggs"]["listed"] = {"terms": {"field": "story", "size": SHOWN_STORIES}}
        answer = self._search(body)
        chosen = answer["aggregations"]["chosen"]
        total, dispatches = requests.count_of(chosen, grouped), int(chosen["doc_count"])
        window = Window.of(request, total, ranked=not parsed.is_empty)
        full = []
        if window.reaches_full:
            found = answer["hits"]["hits"] if end <= WINDOW else self._deep(p, start, request.page_size)
            full = found[: window.listed - start]
        partials = _Partials()
        if parsed.some_tree is not None and not window.capped:
            shown = [b["key"] for b in chosen.get("listed", {}).get("buckets", [])] if total <= SHOWN_STORIES else []
            partials = self._partial(p, window, shown)
        hits = [(hit, False) for hit in full] + [(hit, True) for hit in partials.on_page]
        terms = parsed.marked
        if partials.on_page:
            terms = terms.merged(parsed.some_marked)
        if request.with_snippets:
            prefixes = expansions(parsed.tree) + expansions(parsed.some_tree)
            terms = terms._replace(exact=terms.exact | expanded(prefixes, [hit["_source"]["body"] for hit, _ in hits]))
        return SearchResult(
            request=request,
            total=total,
            hits=tuple(_hit(hit, is_partial, terms if request.with_snippets else None) for hit, is_partial in hits),
            facets=requests.read_facets(answer["aggregations"], p),
            suggestion=None if parsed.is_empty else suggest(self._search, parsed.words, total),
            notice=window.notice(p.notice),
            elapsed=time.perf_counter() - started,
            offers=parsed.offers + tuple(o for o in (self._exact_offer(p, dispatches),) if o is not None),
            dispatches=dispatches,
            partial_total=partials.total,
            listed=window.listed + partials.listed,
            first_partial=window.listed,
            needed=parsed.needed,
            words_searched=parsed.words_searched,
        )

    def _exact_offer(self, p: requests.Plan, variants: int) -> Offer | None:
        """index/whoosh/offers.py's offer of the exact forms, counted on the cluster: the quoted
        query's dispatches under the same filters, against the variants'."""
        parsed = p.parsed
        if parsed.exact_query is None or not variants:
            return None
        quoted = query.read(parsed.exact_query)
        body = {"query": {"bool": {"must": [translate(quoted.tree)], "filter": p.named + p.dates}}}
        with answering(self.target):
            exact = int(self._client.count(index=self.target.index, body=body)["count"])
        if not exact or variants <= exact or variants < query.EXACT_OFFER_RATIO * exact:
            return None
        return Offer("exact", offers.message(parsed.exact_words, exact, variants), parsed.exact_query, exact, variants)

    @staticmethod
    def _order(request: SearchRequest, parsed: query.ParsedQuery) -> list:
        if request.sort is Sort.OLDEST:
            return _OLDEST
        if request.sort is Sort.NEWEST or parsed.is_empty:  # nothing to rank: the newest first
            return _NEWEST
        return ["_score", {"id": "asc"}]

    def _partial(self, p: requests.Plan, window: Window, shown: list[str]) -> _Partials:
        """Dispatches holding some of the words and not all (after every full match), of
        none of the `shown` stories: the page's share of them, their count, and how many
        the pages list."""
        grouped = p.request.collapse_versions
        excluded = [translate(p.parsed.tree)] + ([{"terms": {"story": shown}}] if shown else [])
        some = {"bool": {"must": [translate(p.parsed.some_tree)], "must_not": excluded, "filter": p.named + p.dates}}
        wanted = window.partial_slice(MAX_PARTIAL_LISTED)
        first, last = wanted.start, wanted.stop
        body = {"query": some, "track_total_hits": True, "_source": HIT_FIELDS, "sort": ["_score", {"id": "asc"}],
                "from": first, "size": max(0, last - first), "aggs": requests.counted(grouped)}
        if grouped:
            body["collapse"] = _collapse()
        answer = self._search(body)
        total = requests.count_of({**answer.get("aggregations", {}), "doc_count": answer["hits"]["total"]["value"]}, grouped)
        listed = min(total, MAX_PARTIAL_LISTED)
        on_page = []
        if window.end > window.listed and listed:
            on_page = answer["hits"]["hits"][: max(0, min(last, listed) - first)]
        return _Partials(total, listed, on_page)

    def _deep(self, p: requests.Plan, start: int, size: int) -> list:
        """Hits `start` to `start + size` of a list sorted by date, past the window:
        the sorted ids walked over one point in time (one per story when grouped)."""
        query_ = {"bool": {"must": [p.full], "filter": p.dates}}
        order = self._order(p.request, p.parsed)[:1]
        seen, kept = set(), []
        with answering(self.target):
            for doc in scan(self._client, self.target.index, query_, ["story"], page=WINDOW, sort=order):
                if p.request.collapse_versions:
                    if doc.get("story") in seen:
                        continue
                    seen.add(doc.get("story"))
                kept.append(doc["_id"])
                if len(kept) >= start + size:
                    break
        ids = kept[start:]
        if not ids:
            return []
        body = {"query": {"ids": {"values": ids}}, "size": len(ids), "_source": HIT_FIELDS}
        if p.request.collapse_versions:
            body["collapse"] = _collapse()
        found = {hit["_id"]: hit for hit in self._search(body)["hits"]["hits"]}
        return [found[i] for i in ids if i in found]

    def histogram(self, request: SearchRequest, unit: str) -> Histogram:
        """What `request` finds per year, month or day (`unit`), inside its period and
        its source and author filters, not its drill-down."""
        p = requests.plan(request.without_drilldown())
        grouped = p.request.collapse_versions
        body = {"query": {"bool": {"must": [p.full], "filter": p.dates}}, "size": 0,
                "aggs": requests.histogram_aggregations(unit, grouped)}
        return requests.read_histogram(self._search(body)["aggregations"], unit, grouped)

    def export(self, request: SearchRequest, text: bool = False, batch: int = BATCH) -> OpenSearchExport:
        """Every result of `request` holding all the words, in its order (relevance past
        MAX_RESULTS_DEPTH too), read `batch` at a time, with the full text if `text`."""
        return OpenSearchExport(self, request, text=text, batch=batch)

    def _doc(self, dispatch_id: str) -> dict | None:
        found = self._search({"query": {"term": {"id": dispatch_id}}, "size": 1})["hits"]["hits"]
        return found[0]["_source"] if found else None

    def get(self, dispatch_id: str, highlight: str = "", exact: bool = False, versions_start: int = 0,
            versions_limit: int | None = VERSIONS_SHOWN) -> StoredDispatch | None:
        """The dispatch with this id, its text highlighted for the query `highlight`,
        and `versions_limit` of its story's other versions from `versions_start`."""
        doc = self._doc(dispatch_id)
        if doc is None:
            return None
        terms = Terms()
        if highlight.strip():
            parsed = query.read(highlight, exact=exact)
            terms = parsed.marked
            terms = terms._replace(exact=terms.exact | expanded(expansions(parsed.tree), [doc["title"], doc["body"]]))
        versions_start = max(0, versions_start)
        shown, total = self._versions(doc, paragraphs(doc), versions_start, versions_limit)
        return stored_dispatch(doc, terms, shown, total, versions_start)

    def _versions(self, doc: dict, shown: tuple[str, ...], start: int, limit: int | None) -> tuple[tuple[Version, ...], int]:
        """The story's other versions, oldest first (a month or year from its first day,
        undated last), from `start`, at most `limit`, each compared with this one."""
        story = doc.get("story")
        if not story:
            return (), 0
        with answering(self.target):
            others = [d for d in scan(self._client, self.target.index, {"term": {"story": story}},
                                      ["id", "date_key", "inferred_date"]) if d["id"] != doc["id"]]

        def first_day(d: dict) -> tuple:
            date = shown_date(d)[0]
            return (date is None, date.first_day() if date else None, d["id"])

        others.sort(key=first_day)
        chosen = others[start: None if limit is None else start + limit]
        with answering(self.target):
            bodies = {d["_id"]: d["_source"] for d in self._client.mget(
                index=self.target.index, body={"ids": [d["_id"] for d in chosen]})["docs"] if d.get("found")} if chosen else {}
        found = []
        for d in chosen:
            full = bodies.get(d["_id"])
            if full is None:
                continue
            found.append(version_of(full, shown))
        return tuple(found), len(others)

    def similar(self, dispatch_id: str, limit: int = 5) -> tuple[SearchHit, ...]:
        """« Dépêches similaires »: other stories sharing the dispatch's key terms (its own
        versions left out), one hit per story, best first (`more_like_this`)."""
        doc = self._doc(dispatch_id)
        if doc is None:
            return ()
        like = {"more_like_this": {"fields": ["title", "body"], "like": [{"_index": self.target.index, "_id": dispatch_id}],
                                   "min_term_freq": 1, "min_doc_freq": 1, "max_query_terms": 25}}
        body = {"query": {"bool": {"must": [like], "must_not": [{"term": {"story": doc.get("story") or dispatch_id}}]}},
                "size": limit, "_source": HIT_FIELDS, "collapse": {"field": "story"}}
        return tuple(_hit(hit, False, Terms()) for hit in self._search(body)["hits"]["hits"])

    def by_hash(self, prefix: str) -> list[permalinks.HashMatch]:
        """The dispatches whose content hash starts with `prefix` (a permalink's key)."""
        q = {"term": {"hash": prefix}} if len(prefix) == permalinks.FULL else {"prefix": {"hash": prefix}}
        body = {"query": q, "size": permalinks.MAX_LISTED, "sort": [{"id": "asc"}], "_source": ["id", "title", "hash"]}
        return [permalinks.HashMatch(h["_source"]["id"], h["_source"]["title"], h["_source"]["hash"])
                for h in self._search(body)["hits"]["hits"]]

    def permalink_key(self, dispatch_id: str, length: int = permalinks.SHORT) -> str | None:
        """The first `length` digits of the dispatch's content hash, all of them when
        another text's hash starts alike; None for an id the index does not hold."""
        doc = self._doc(dispatch_id)
        if doc is None:
            return None
        full = doc["hash"]
        if all(match.content_hash == full for match in self.by_hash(full[:length])):
            return full[:length]
        return full


def _collapse() -> dict:
    return {"field": "story", "inner_hits": {"name": "versions", "size": INNER_HITS, "_source": ["id"], "sort": _OLDEST}}


def _hit(hit: dict, partial: bool, terms: Terms | None) -> SearchHit:
    """A hit from a cluster's answer, with the other versions its inner hits name."""
    inner = hit.get("inner_hits", {}).get("versions", {}).get("hits", {}).get("hits", [])
    return hit_of(hit["_source"], hit.get("_score") or 0.0, partial, terms,
                  tuple(h["_id"] for h in inner if h["_id"] != hit["_id"]))


__all__ = ["OpenSearchIndex"]
