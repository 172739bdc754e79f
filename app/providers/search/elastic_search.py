"""Elasticsearch backend: an alias over one concrete index, rebuilt beside the old one and swapped in.

Writes refresh before they return (`refresh="wait_for"`), so a search right after sees them. A reindex
fills a fresh index, then moves the alias in one atomic call, so the catalog is never empty meanwhile.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from elasticsearch import ApiError, BadRequestError, Elasticsearch, NotFoundError, TransportError, helpers

from app.providers.search.base import (
    BOOSTS,
    FUZZY_WEIGHT,
    WORD_MATCH_SCORE,
    PackDocument,
    SearchError,
    SearchQuery,
    SearchResult,
    normalise,
    offset,
    query_words,
    search_terms,
)

log = logging.getLogger(__name__)

MAX_WINDOW = 10_000  # Elasticsearch's index.max_result_window
CHUNK = 500
_TEXT = {"type": "text", "analyzer": "english", "copy_to": ["words", "spell"]}
SETTINGS = {
    "number_of_shards": 1,  # one shard: exact term statistics for scoring and suggestions
    "analysis": {"normalizer": {"folded": {"type": "custom", "filter": ["lowercase"]}}},
}
MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "keyword"},
        "title": _TEXT,
        "tags": {**_TEXT, "fields": {"exact": {"type": "keyword", "normalizer": "folded"}}},
        "description": _TEXT,
        "creator_name": _TEXT,
        "words": {"type": "text", "analyzer": "english"},  # every text field, stemmed: which words are known
        "spell": {"type": "text", "analyzer": "standard"},  # every text field as written: "did you mean" words
        "content_types": {"type": "keyword"},
        "depths": {"type": "keyword"},
        "price_type": {"type": "keyword"},
        "price_amount": {"type": "integer"},
        "total_duration": {"type": "double"},
        "item_count": {"type": "integer"},
        "popularity": {"type": "integer"},
        "published_at": {"type": "date"},
    },
}
FIELDS = [f"{field}^{boost:g}" for field, boost in BOOSTS.items()]
SORT_FIELDS = {
    "popular": [{"popularity": "desc"}, {"published_at": "desc"}, {"id": "asc"}],
    "newest": [{"published_at": "desc"}, {"id": "asc"}],
    "price": [{"price_amount": "asc"}, {"popularity": "desc"}, {"published_at": "desc"}, {"id": "asc"}],
}


def source(doc: PackDocument) -> dict[str, Any]:
    return {
        "id": doc.id,
        "title": doc.title,
        "tags": list(doc.tags),
        "description": doc.description,
        "creator_name": doc.creator_name,
        "content_types": list(doc.content_types),
        "depths": list(doc.depths),
        "price_type": doc.price_type,
        "price_amount": int(doc.price_amount),
        "total_duration": float(doc.total_duration),
        "item_count": int(doc.item_count),
        "popularity": int(doc.popularity),
        "published_at": doc.published_at.isoformat(),
    }


def word_query(word: str) -> dict[str, Any]:
    """One query word: exact (boosted fields) or near misses at half weight, plus a fixed score for matching."""
    exact = {"multi_match": {"query": word, "type": "most_fields", "fields": FIELDS}}
    near = {"multi_match": {**exact["multi_match"], "fuzziness": "AUTO", "prefix_length": 1, "boost": FUZZY_WEIGHT}}
    matched = {"constant_score": {"filter": near, "boost": WORD_MATCH_SCORE}}
    return {"bool": {"should": [matched, exact, near]}}


def build_query(query: SearchQuery, terms: list[str]) -> dict[str, Any]:
    filters: list[dict[str, Any]] = []
    for field, value in (
        ("content_types", query.content_type),
        ("price_type", query.price_type),
        ("depths", query.depth),
        ("tags.exact", query.tag),
    ):
        if value:
            filters.append({"term": {field: value}})
    span = {}
    if query.min_minutes is not None:
        span["gte"] = query.min_minutes * 60
    if query.max_minutes is not None:
        span["lte"] = query.max_minutes * 60
    if span:
        filters.append({"range": {"total_duration": span}})
    words = [word_query(term) for term in terms]
    text = {"bool": {"should": words, "minimum_should_match": 1}} if words else {"match_all": {}}
    return {"bool": {"must": [text], "filter": filters}}


def build_sort(sort: str, has_text: bool) -> list[Any]:
    if sort == "relevance":
        return ([{"_score": "desc"}] if has_text else []) + SORT_FIELDS["popular"]
    return SORT_FIELDS[sort]


def build_suggest(words: list[str]) -> dict[str, Any]:
    """Two term suggesters: unknown stems (`words`), and their nearest words as written (`spell`)."""
    common = {"suggest_mode": "missing", "prefix_length": 1, "max_edits": 2, "size": 1}
    return {
        "text": " ".join(words),
        "plain": {"term": {"field": "spell", "min_word_length": 3, "sort": "score", **common}},
        "stemmed": {"term": {"field": "words", "min_word_length": 1, **common}},
    }


def suggestion(words: list[str], suggest: dict[str, Any]) -> str | None:
    """The words with each unknown one (its stem is not indexed) replaced by the nearest indexed word."""
    unknown = {entry["offset"] for entry in suggest.get("stemmed", []) if entry.get("options")}
    nearest = {
        entry["offset"]: entry["options"][0]["text"] for entry in suggest.get("plain", []) if entry.get("options")
    }
    fixed, position = [], 0
    for word in words:
        fixed.append(nearest[position] if position in unknown and position in nearest else word)
        position += len(word) + 1
    return " ".join(fixed) if fixed != words else None


class ElasticsearchSearch:
    name = "elasticsearch"

    def __init__(self, url: str, alias: str = "waqup-packs", *, client: Elasticsearch | None = None) -> None:
        self.alias = alias
        self.es = client or Elasticsearch(url, request_timeout=10, max_retries=2, retry_on_timeout=True)
        self._ready = False

    def close(self) -> None:
        self.es.close()

    @contextmanager
    def _calling(self, operation: str) -> Iterator[None]:
        """Log and wrap client failures as SearchError, naming the operation and the index."""
        try:
            yield
        except (ApiError, TransportError, helpers.BulkIndexError) as error:
            log.error("elasticsearch %s on %s failed: %s", operation, self.alias, error)
            raise SearchError(f"search {operation} failed on {self.alias}: {error}") from error

    def _create(self, index: str, *, with_alias: bool) -> None:
        aliases = {self.alias: {}} if with_alias else None
        self.es.indices.create(index=index, settings=SETTINGS, mappings=MAPPINGS, aliases=aliases)

    def _ensure(self) -> None:
        """Create the first index behind the alias unless it exists (the same name in every process)."""
        if self._ready:
            return
        with self._calling("setup"):
            if not self.es.indices.exists_alias(name=self.alias):
                try:
                    self._create(f"{self.alias}-initial", with_alias=True)
                except BadRequestError as error:
                    if error.error != "resource_already_exists_exception":
                        raise
        self._ready = True

    def index(self, docs: Iterable[PackDocument]) -> int:
        self._ensure()
        actions = ({"_index": self.alias, "_id": doc.id, "_source": source(doc)} for doc in docs)
        with self._calling("index"):
            count, _ = helpers.bulk(self.es, actions, chunk_size=CHUNK, refresh="wait_for")
        return int(count)

    def remove(self, pack_id: str) -> None:
        self._ensure()
        with self._calling("remove"), suppress(NotFoundError):  # already absent
            self.es.delete(index=self.alias, id=str(pack_id), refresh="wait_for")

    def reindex(self, docs: Iterable[PackDocument], progress: Callable[[int], None] | None = None) -> int:
        """Bulk-load a new index, then point the alias at it and drop the old ones."""
        self._ensure()
        fresh = f"{self.alias}-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"
        actions = ({"_index": fresh, "_id": doc.id, "_source": source(doc)} for doc in docs)
        done, old = 0, []
        with self._calling("reindex"):
            self._create(fresh, with_alias=False)
            try:
                for done, _ in enumerate(helpers.streaming_bulk(self.es, actions, chunk_size=CHUNK), start=1):
                    if progress is not None and done % CHUNK == 0:
                        progress(done)
                self.es.indices.refresh(index=fresh)
                with suppress(NotFoundError):  # no index behind the alias yet
                    old = list(self.es.indices.get_alias(name=self.alias))
                moves = [{"remove": {"index": name, "alias": self.alias}} for name in old]
                self.es.indices.update_aliases(actions=[*moves, {"add": {"index": fresh, "alias": self.alias}}])
            except BaseException:
                self.es.indices.delete(index=fresh, ignore_unavailable=True)
                raise
            if old:
                self.es.indices.delete(index=",".join(old), ignore_unavailable=True)
        if progress is not None:
            progress(done)
        return done

    def clear(self) -> None:
        self.reindex([])

    def search(self, query: SearchQuery) -> SearchResult:
        query = normalise(query)
        words = query_words(query.text)
        terms = search_terms(words)
        start = offset(query)
        size = query.per_page if start + query.per_page <= MAX_WINDOW else 0  # past the window: count only
        request: dict[str, Any] = {
            "query": build_query(query, terms),
            "sort": build_sort(query.sort, bool(terms)),
            "from_": start if size else 0,
            "size": size,
            "track_total_hits": True,
            "source": False,
        }
        if words:
            request["suggest"] = build_suggest(words)
        self._ensure()
        with self._calling("search"):
            response = self.es.search(index=self.alias, **request)
        ids = [hit["_id"] for hit in response["hits"]["hits"]]
        total = int(response["hits"]["total"]["value"])
        hint = suggestion(words, response.get("suggest", {})) if words else None
        return SearchResult(ids=ids, total=total, suggestion=hint)
