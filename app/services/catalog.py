"""The marketplace catalog: published packs as cards, their search documents, and keeping the index
and the search cache in step with every change to a published pack.

Cards come from PostgreSQL in three set-based queries whatever their number (packs with their
creator, item aggregates, active entitlements), so a page of search results costs the same as one pack.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import ContentItem, CreatorProfile, Entitlement, PackItem, Purchase, RitualPack
from app.models.types import as_utc, utcnow
from app.providers.search import PackDocument, get_search
from app.redis_client import get_redis
from app.services import reviews
from app.services.cache_keys import SEARCH_GENERATION_KEY

log = logging.getLogger(__name__)

DEFAULT_CREATOR_NAME = "Independent creator"
INTERVAL_LABELS = {"monthly": "month", "annual": "year"}
CURRENCY_SIGNS = {"usd": "$", "eur": "€", "gbp": "£"}


def money(amount: int, currency: str = "usd") -> str:
    """Minor units as a price: 499 → "$4.99"."""
    sign = CURRENCY_SIGNS.get(currency.lower())
    value = f"{amount / 100:,.2f}"
    return f"{sign}{value}" if sign else f"{value} {currency.upper()}"


@dataclass(frozen=True)
class PackCard:
    """A published pack as the catalog shows it."""

    id: uuid.UUID
    title: str
    description: str
    tags: list[str]
    creator_id: uuid.UUID
    creator_name: str
    cover_key: str | None
    price_type: str
    price_amount: int
    currency: str
    subscription_interval: str | None
    status: str
    published_at: datetime | None
    item_count: int = 0
    total_duration: float = 0.0
    content_types: list[str] = field(default_factory=list)
    depths: list[str] = field(default_factory=list)
    popularity: int = 0
    rating: float | None = None  # average of the visible reviews
    review_count: int = 0

    @property
    def price_label(self) -> str:
        if self.price_type == "free":
            return "Free"
        label = money(self.price_amount, self.currency)
        if self.price_type == "subscription":
            return f"{label} / {INTERVAL_LABELS.get(self.subscription_interval or '', 'month')}"
        return label

    @property
    def minutes(self) -> int:
        return round(self.total_duration / 60)

    @property
    def cover_seed(self) -> int:
        """A stable number per pack for its generated cover pattern."""
        return self.id.int % 360

    def document(self) -> PackDocument:
        return PackDocument(
            id=str(self.id),
            title=self.title,
            description=self.description,
            tags=list(self.tags),
            creator_name=self.creator_name,
            content_types=list(self.content_types),
            depths=list(self.depths),
            price_type=self.price_type,
            price_amount=self.price_amount,
            total_duration=self.total_duration,
            item_count=self.item_count,
            popularity=self.popularity,
            published_at=as_utc(self.published_at) or utcnow(),
        )

    def to_json(self) -> dict:
        return {
            "id": str(self.id),
            "title": self.title,
            "description": self.description,
            "tags": list(self.tags),
            "creator": {"id": str(self.creator_id), "name": self.creator_name},
            "price": {
                "type": self.price_type,
                "amount": self.price_amount,
                "currency": self.currency,
                "interval": self.subscription_interval,
                "label": self.price_label,
            },
            "item_count": self.item_count,
            "total_duration": self.total_duration,
            "content_types": list(self.content_types),
            "depths": list(self.depths),
            "popularity": self.popularity,
            "rating": self.rating,
            "review_count": self.review_count,
            "published_at": as_utc(self.published_at).isoformat() if self.published_at else None,
        }


_PACK_COLUMNS = (
    RitualPack.id,
    RitualPack.title,
    RitualPack.description,
    RitualPack.tags,
    RitualPack.creator_id,
    RitualPack.cover_key,
    RitualPack.price_type,
    RitualPack.price_amount,
    RitualPack.currency,
    RitualPack.subscription_interval,
    RitualPack.status,
    RitualPack.published_at,
)


def _pack_rows(where: sa.ColumnElement[bool]) -> list[sa.Row]:
    """Plain rows, not ORM objects: reading the whole catalog keeps nothing in the session."""
    query = (
        sa.select(*_PACK_COLUMNS, CreatorProfile.display_name)
        .outerjoin(CreatorProfile, CreatorProfile.user_id == RitualPack.creator_id)
        .where(where)
    )
    return list(db.session.execute(query))


def _aggregates(pack_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict]:
    """Per pack: how many playable items, their total seconds, kinds and depths."""
    totals: dict[uuid.UUID, dict] = defaultdict(lambda: {"count": 0, "seconds": 0.0, "types": set(), "depths": set()})
    if not pack_ids:
        return totals
    rows = db.session.execute(
        sa.select(
            PackItem.pack_id,
            ContentItem.content_type,
            ContentItem.depth,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(ContentItem.audio_duration), 0.0),
        )
        .join(ContentItem, ContentItem.id == PackItem.content_item_id)
        .where(PackItem.pack_id.in_(pack_ids), ContentItem.audio_url.is_not(None))
        .group_by(PackItem.pack_id, ContentItem.content_type, ContentItem.depth)
    )
    for pack_id, content_type, depth, count, seconds in rows:
        entry = totals[pack_id]
        entry["count"] += count
        entry["seconds"] += float(seconds)
        entry["types"].add(content_type)
        if depth:
            entry["depths"].add(depth)
    return totals


def _popularity(pack_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not pack_ids:
        return {}
    now = utcnow()
    rows = db.session.execute(
        sa.select(Entitlement.pack_id, sa.func.count())
        .where(
            Entitlement.pack_id.in_(pack_ids),
            Entitlement.revoked_at.is_(None),
            sa.or_(Entitlement.expires_at.is_(None), Entitlement.expires_at > now),
        )
        .group_by(Entitlement.pack_id)
    )
    return dict(rows.all())


def _cards(where: sa.ColumnElement[bool]) -> list[PackCard]:
    rows = _pack_rows(where)
    ids = [pack.id for pack in rows]
    totals, popular = _aggregates(ids), _popularity(ids)
    ratings = reviews.summary(ids)
    cards = []
    for pack in rows:
        agg = totals.get(pack.id) or {"count": 0, "seconds": 0.0, "types": set(), "depths": set()}
        cards.append(
            PackCard(
                id=pack.id,
                title=pack.title,
                description=pack.description or "",
                tags=list(pack.tags or []),
                creator_id=pack.creator_id,
                creator_name=pack.display_name or DEFAULT_CREATOR_NAME,
                cover_key=pack.cover_key,
                price_type=pack.price_type,
                price_amount=pack.price_amount or 0,
                currency=pack.currency,
                subscription_interval=pack.subscription_interval,
                status=pack.status,
                published_at=as_utc(pack.published_at),
                item_count=agg["count"],
                total_duration=round(agg["seconds"], 1),
                content_types=sorted(agg["types"]),
                depths=sorted(agg["depths"]),
                popularity=popular.get(pack.id, 0),
                rating=ratings.get(pack.id, (None, 0))[0],
                review_count=ratings.get(pack.id, (None, 0))[1],
            )
        )
    return cards


def cards(pack_ids: Iterable[uuid.UUID], *, published_only: bool = True) -> list[PackCard]:
    """Cards for these packs, in the order given; unpublished ones are left out unless asked for."""
    ids = list(pack_ids)
    if not ids:
        return []
    where = RitualPack.id.in_(ids)
    if published_only:
        where = sa.and_(where, RitualPack.status == "published")
    by_id = {card.id: card for card in _cards(where)}
    return [by_id[pack_id] for pack_id in ids if pack_id in by_id]


def card(pack_id: uuid.UUID, *, published_only: bool = True) -> PackCard | None:
    found = cards([pack_id], published_only=published_only)
    return found[0] if found else None


def creator_packs(creator_id: uuid.UUID, *, exclude: uuid.UUID | None = None, limit: int = 4) -> list[PackCard]:
    """A creator's other published packs, newest first."""
    query = sa.select(RitualPack.id).where(RitualPack.creator_id == creator_id, RitualPack.status == "published")
    if exclude is not None:
        query = query.where(RitualPack.id != exclude)
    ids = db.session.scalars(query.order_by(RitualPack.published_at.desc(), RitualPack.id).limit(limit)).all()
    return cards(ids)


def documents(batch: int = 500) -> Iterator[PackDocument]:
    """Every published pack as a search document, read in batches by id."""
    last: uuid.UUID | None = None
    while True:
        query = sa.select(RitualPack.id).where(RitualPack.status == "published").order_by(RitualPack.id).limit(batch)
        if last is not None:
            query = query.where(RitualPack.id > last)
        ids = db.session.scalars(query).all()
        if not ids:
            return
        for found in cards(ids):
            yield found.document()
        last = ids[-1]


def published_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(RitualPack.status == "published")) or 0


def reindex_all(progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the search index from the database, then drop every cached search."""
    count = get_search().reindex(documents(), progress=progress)
    invalidate_search()
    log.info("search index rebuilt with %d packs", count)
    return count


def pack_changed(pack_id: uuid.UUID) -> None:
    """Call after any committed write to a pack (publish, edit, archive, its items, a sale): the index and
    the cache follow.

    Never raises: the change is already in the database and stands. If the search index or Redis is
    down, the failure is logged and `flask search reindex` brings the index back in step.
    """
    try:
        found = card(pack_id)
        search = get_search()
        if found is None:
            search.remove(str(pack_id))
        else:
            search.index([found.document()])
        invalidate_search()
    except Exception:
        log.exception(
            "search index not updated for pack %s; the change is saved, run `flask search reindex` to repair it",
            pack_id,
        )


def holders_changed(purchase: Purchase | None) -> None:
    """After a committed sale, refund or end of access: the pack's popularity in the index follows."""
    if purchase is not None and purchase.pack_id is not None:
        pack_changed(purchase.pack_id)


def item_changed(item_id: uuid.UUID) -> None:
    """A pack item's new version (its length, depth) changes the published packs that hold it.

    Never raises, like `pack_changed`: the new version is already saved.
    """
    try:
        pack_ids = db.session.scalars(
            sa.select(PackItem.pack_id)
            .join(RitualPack, RitualPack.id == PackItem.pack_id)
            .where(PackItem.content_item_id == item_id, RitualPack.status == "published")
        ).all()
    except Exception:
        log.exception(
            "search index not updated for the packs holding item %s; the change is saved, "
            "run `flask search reindex` to repair it",
            item_id,
        )
        return
    for pack_id in pack_ids:
        pack_changed(pack_id)


def invalidate_search() -> None:
    """Every cached search result goes stale at once (the generation is part of each entry)."""
    get_redis().incr(SEARCH_GENERATION_KEY)
