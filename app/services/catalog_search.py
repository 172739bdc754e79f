"""Catalog search, as DESIGN.md's "Search Pattern": `search:{query_hash}` in Redis (5 min; the hash
covers the words, filters, sort and page) → the search index → PostgreSQL for the packs' cards.

Each entry carries the catalog generation it was made under (`catalog:search_generation`, bumped by
every change to a published pack) and is only served while that generation is current; the lookup
reads both in one round trip.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from app.models.content import CONTENT_TYPES, DEPTHS
from app.models.marketplace import PRICE_TYPES
from app.providers.search import SORTS, SearchQuery, get_search
from app.redis_client import get_redis
from app.services import ServiceError
from app.services.cache_keys import (
    SEARCH_GENERATION_KEY,
    SEARCH_LOOKUPS_KEY,
    SEARCH_MISSES_KEY,
    SEARCH_TTL,
    search_key,
)
from app.services.catalog import PackCard, cards

log = logging.getLogger(__name__)

MAX_QUERY = 200
MAX_PAGE = 500
PER_PAGE = 12
MAX_PER_PAGE = 48


@dataclass(frozen=True)
class CatalogPage:
    cards: list[PackCard]
    total: int
    page: int
    per_page: int
    suggestion: str | None
    cached: bool

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _choice(args: Mapping[str, str], name: str, allowed: tuple[str, ...], label: str) -> str | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    if value not in allowed:
        raise ServiceError(f"{label} must be one of: {', '.join(allowed)}.", field=name)
    return value


def _number(args: Mapping[str, str], name: str, low: int, high: int, label: str) -> int | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise ServiceError(f"{label} must be a whole number.", field=name) from None
    if not low <= number <= high:
        raise ServiceError(f"{label} must be between {low} and {high}.", field=name)
    return number


def parse_query(args: Mapping[str, str]) -> SearchQuery:
    """A search from request arguments (`q`, `type`, `price`, `depth`, `tag`, `min_minutes`,
    `max_minutes`, `sort`, `page`, `per_page`); anything out of range is a ServiceError naming it."""
    text = " ".join((args.get("q") or "").split())
    if len(text) > MAX_QUERY:
        raise ServiceError(f"Search words are limited to {MAX_QUERY} characters.", field="q")
    tag = (args.get("tag") or "").strip().lower()
    if len(tag) > 60:
        raise ServiceError("A tag is at most 60 characters.", field="tag")
    low = _number(args, "min_minutes", 0, 600, "The shortest length")
    high = _number(args, "max_minutes", 0, 600, "The longest length")
    if low is not None and high is not None and low > high:
        raise ServiceError("The shortest length is more than the longest.", field="min_minutes")
    return SearchQuery(
        text=text,
        content_type=_choice(args, "type", CONTENT_TYPES, "Kind"),
        price_type=_choice(args, "price", PRICE_TYPES, "Price"),
        depth=_choice(args, "depth", DEPTHS, "Depth"),
        tag=tag or None,
        min_minutes=low,
        max_minutes=high,
        sort=_choice(args, "sort", SORTS, "Sort") or "relevance",
        page=_number(args, "page", 1, MAX_PAGE, "Page") or 1,
        per_page=_number(args, "per_page", 1, MAX_PER_PAGE, "Results per page") or PER_PAGE,
    )


def query_hash(query: SearchQuery) -> str:
    """The same search, however it was typed (case, spacing), gives the same hash."""
    fields = {
        "q": " ".join(query.text.lower().split()),
        "type": query.content_type,
        "price": query.price_type,
        "depth": query.depth,
        "tag": query.tag,
        "min": query.min_minutes,
        "max": query.max_minutes,
        "sort": query.sort,
        "page": query.page,
        "per_page": query.per_page,
    }
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:32]


def _normalised(query: SearchQuery) -> SearchQuery:
    return SearchQuery(**{**query.__dict__, "text": " ".join(query.text.lower().split())})


def search_ids(query: SearchQuery) -> tuple[list[str], int, str | None, bool]:
    """(ids, total, suggestion, from_cache): the cache when current, else the index (and fill the cache)."""
    redis = get_redis()
    key = search_key(query_hash(query))
    pipe = redis.pipeline(transaction=False)
    pipe.get(SEARCH_GENERATION_KEY)
    pipe.get(key)
    pipe.incr(SEARCH_LOOKUPS_KEY)  # the admin dashboard's hit rate
    generation, cached, _ = pipe.execute()
    generation = int(generation or 0)
    if cached is not None:
        entry = json.loads(cached)
        if entry.get("g") == generation:
            return entry["ids"], entry["total"], entry.get("suggestion"), True
    result = get_search().search(_normalised(query))
    entry = {"g": generation, "ids": result.ids, "total": result.total, "suggestion": result.suggestion}
    fill = redis.pipeline(transaction=False)
    fill.set(key, json.dumps(entry), ex=SEARCH_TTL)
    fill.incr(SEARCH_MISSES_KEY)
    fill.execute()
    return result.ids, result.total, result.suggestion, False


def search(query: SearchQuery) -> CatalogPage:
    """One page of published packs for this search, each with its creator and totals."""
    ids, total, suggestion, cached = search_ids(query)
    found = cards([uuid.UUID(pack_id) for pack_id in ids])
    if len(found) < len(ids):  # a pack left the catalog since the index saw it
        log.warning("search returned %d packs no longer published", len(ids) - len(found))
    return CatalogPage(
        cards=found,
        total=total,
        page=query.page,
        per_page=query.per_page,
        suggestion=suggestion,
        cached=cached,
    )
