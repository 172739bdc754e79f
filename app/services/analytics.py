"""Creator analytics: per pack and per item, over the last 30 or 90 days (UTC calendar days).

- buyers: active entitlements from purchases, subscriptions and free claims (now), and the new
  ones per day (a sale later refunded or revoked is not counted);
- revenue: paid purchases of the pack on the day they were paid, minus refunds on the day they
  were refunded (minor units);
- plays and completion rate: practice events on the pack's items by listeners entitled to the
  pack (the creator's own plays are not counted), completion = events with `completed_at` / events;
- ratings: average and count of the visible reviews (all time);
- tokens earned: the creator's token rewards minus their reversals on the day they were written
  (all of them on the overview; a pack's own through the purchase they came from).

A creator sees only their own packs: another creator's pack is NotFound (SECURITY.md 9).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import ContentItem, CreatorTokenTransaction, Entitlement, PackItem, PracticeEvent, Purchase, RitualPack
from app.models.types import as_utc, utcnow
from app.services import NotFound, ServiceError, creator_tokens, payouts, reviews

PERIODS = (30, 90)
BUYER_SOURCES = ("free", "purchase", "subscription")
EARNING_TYPES = ("reward", "reversal")  # a reversal's amount is negative: their sum is what was earned


def _rate(done: int, total: int) -> float | None:
    return round(done / total, 4) if total else None


@dataclass
class DayPoint:
    day: date
    new_buyers: int = 0
    revenue: int = 0
    plays: int = 0
    completions: int = 0
    tokens: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "new_buyers": self.new_buyers,
            "revenue": self.revenue,
            "plays": self.plays,
            "completions": self.completions,
            "tokens": self.tokens,
        }


@dataclass
class Totals:
    buyers: int = 0
    new_buyers: int = 0
    revenue: int = 0
    plays: int = 0
    completions: int = 0
    tokens: int = 0
    rating: float | None = None
    review_count: int = 0

    @property
    def completion_rate(self) -> float | None:
        return _rate(self.completions, self.plays)

    def to_json(self) -> dict[str, Any]:
        return {
            "buyers": self.buyers,
            "new_buyers": self.new_buyers,
            "revenue": self.revenue,
            "plays": self.plays,
            "completions": self.completions,
            "completion_rate": self.completion_rate,
            "tokens": self.tokens,
            "rating": self.rating,
            "review_count": self.review_count,
        }


@dataclass
class ItemStats:
    id: uuid.UUID
    title: str
    content_type: str
    plays: int = 0
    completions: int = 0

    @property
    def completion_rate(self) -> float | None:
        return _rate(self.completions, self.plays)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "title": self.title,
            "content_type": self.content_type,
            "plays": self.plays,
            "completions": self.completions,
            "completion_rate": self.completion_rate,
        }


@dataclass
class PackStats:
    id: uuid.UUID
    title: str
    status: str
    totals: Totals
    series: list[DayPoint]
    items: list[ItemStats] = field(default_factory=list)

    def to_json(self, *, with_series: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {"id": str(self.id), "title": self.title, "status": self.status, **self.totals.to_json()}
        if with_series:
            body["series"] = [point.to_json() for point in self.series]
            body["items"] = [item.to_json() for item in self.items]
        return body


@dataclass
class Overview:
    days: int
    start: date
    end: date
    totals: Totals
    series: list[DayPoint]
    packs: list[PackStats]
    balance: int
    available: int

    def to_json(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "totals": self.totals.to_json(),
            "series": [point.to_json() for point in self.series],
            "packs": [pack.to_json() for pack in self.packs],
            "token_balance": self.balance,
            "payout_available": self.available,
        }


def parse_days(value: object) -> int:
    """The period asked for: 30 or 90 days (30 when not given); 422 otherwise."""
    if value in (None, ""):
        return PERIODS[0]
    try:
        days = int(str(value))
    except ValueError:
        days = 0
    if days not in PERIODS:
        raise ServiceError("The period is 30 or 90 days.", field="days")
    return days


def _period(days: int) -> tuple[date, date, datetime]:
    if days not in PERIODS:
        raise ServiceError("The period is 30 or 90 days.", field="days")
    end = utcnow().date()
    start = end - timedelta(days=days - 1)
    return start, end, datetime.combine(start, time(), UTC)


def _day(column: Any) -> Any:
    """The UTC calendar day of a timestamp column, in SQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.date(sa.func.timezone("UTC", column))
    return sa.func.date(column)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _buyers_now(ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    now = utcnow()
    rows = db.session.execute(
        sa.select(Entitlement.pack_id, sa.func.count())
        .where(
            Entitlement.pack_id.in_(ids),
            Entitlement.source.in_(BUYER_SOURCES),
            Entitlement.revoked_at.is_(None),
            sa.or_(Entitlement.expires_at.is_(None), Entitlement.expires_at > now),
        )
        .group_by(Entitlement.pack_id)
    )
    return dict(rows.all())


def _new_buyers(ids: list[uuid.UUID], since: datetime) -> list[tuple[uuid.UUID, date, int]]:
    day = _day(Entitlement.created_at)
    rows = db.session.execute(
        sa.select(Entitlement.pack_id, day, sa.func.count())
        .where(
            Entitlement.pack_id.in_(ids),
            Entitlement.source.in_(BUYER_SOURCES),
            Entitlement.revoked_at.is_(None),
            Entitlement.created_at >= since,
        )
        .group_by(Entitlement.pack_id, day)
    )
    return [(pack_id, _as_date(when), count) for pack_id, when, count in rows]


def _refund(purchase: Purchase) -> tuple[int, datetime | None]:
    """(amount refunded, when) of a purchase, from what the refund recorded."""
    meta = purchase.meta or {}
    refunded = meta.get("amount_refunded")
    if not isinstance(refunded, int) or isinstance(refunded, bool):
        refunded = purchase.amount if purchase.status == "refunded" else 0
    if refunded <= 0:
        return 0, None
    when = None
    if isinstance(meta.get("refunded_at"), str):
        try:
            when = as_utc(datetime.fromisoformat(meta["refunded_at"]))
        except ValueError:
            when = None
    return min(refunded, purchase.amount), when or as_utc(purchase.updated_at)


def _revenue(ids: list[uuid.UUID], since: datetime) -> list[tuple[uuid.UUID, date, int]]:
    """(pack, day, amount) movements: sales on the day paid, refunds (negative) on the day refunded."""
    found = db.session.scalars(
        sa.select(Purchase).where(
            Purchase.pack_id.in_(ids),
            Purchase.kind.in_(("pack", "subscription")),
            Purchase.status.in_(("paid", "refunded", "canceled")),  # canceled: a subscription that ended
            Purchase.fulfilled_at.is_not(None),
            sa.or_(Purchase.fulfilled_at >= since, Purchase.updated_at >= since),
        )
    ).all()
    moves = []
    for purchase in found:
        paid_at = as_utc(purchase.fulfilled_at)
        if paid_at >= since:
            moves.append((purchase.pack_id, paid_at.date(), purchase.amount))
        refunded, refunded_at = _refund(purchase)
        if refunded and refunded_at is not None and refunded_at >= since:
            moves.append((purchase.pack_id, refunded_at.date(), -refunded))
    return moves


def _plays(ids: list[uuid.UUID], since: datetime) -> list[tuple[uuid.UUID, uuid.UUID, date, int, int]]:
    """(pack, item, day, events, completed events) by listeners entitled to the pack."""
    day = _day(PracticeEvent.started_at)
    rows = db.session.execute(
        sa.select(
            PackItem.pack_id,
            PracticeEvent.ritual_id,
            day,
            sa.func.count(),
            sa.func.count(PracticeEvent.completed_at),
        )
        .join(PackItem, PackItem.content_item_id == PracticeEvent.ritual_id)
        .join(
            Entitlement,
            sa.and_(Entitlement.pack_id == PackItem.pack_id, Entitlement.user_id == PracticeEvent.user_id),
        )
        .where(
            PackItem.pack_id.in_(ids),
            Entitlement.source.in_(BUYER_SOURCES),
            Entitlement.revoked_at.is_(None),
            PracticeEvent.started_at >= since,
        )
        .group_by(PackItem.pack_id, PracticeEvent.ritual_id, day)
    )
    return [(pack_id, item_id, _as_date(when), n, done) for pack_id, item_id, when, n, done in rows]


def _tokens(creator_id: uuid.UUID, since: datetime) -> list[tuple[uuid.UUID | None, date, int]]:
    """(pack of the purchase or None, day, tokens) earned by the creator: rewards minus reversals."""
    day = _day(CreatorTokenTransaction.created_at)
    rows = db.session.execute(
        sa.select(Purchase.pack_id, day, sa.func.sum(CreatorTokenTransaction.amount))
        .select_from(CreatorTokenTransaction)
        .outerjoin(Purchase, Purchase.id == CreatorTokenTransaction.purchase_id)
        .where(
            CreatorTokenTransaction.creator_id == creator_id,
            CreatorTokenTransaction.transaction_type.in_(EARNING_TYPES),
            CreatorTokenTransaction.created_at >= since,
        )
        .group_by(Purchase.pack_id, day)
    )
    return [(pack_id, _as_date(when), int(amount)) for pack_id, when, amount in rows]


def _series(start: date, end: date) -> dict[date, DayPoint]:
    return {start + timedelta(days=n): DayPoint(start + timedelta(days=n)) for n in range((end - start).days + 1)}


def _bump(target: Totals | DayPoint, **values: int) -> None:
    for name, value in values.items():
        setattr(target, name, getattr(target, name) + value)


def _stats(
    creator_id: uuid.UUID, packs: list[RitualPack], days: int
) -> tuple[list[PackStats], dict[date, DayPoint], dict, date, date]:
    """Per pack stats and the creator-wide series for the period, in a handful of set-based queries."""
    start, end, since = _period(days)
    ids = [pack.id for pack in packs]
    buyers = _buyers_now(ids) if ids else {}
    ratings = reviews.summary(ids)
    per_pack = {pack.id: (Totals(), _series(start, end)) for pack in packs}
    overall = _series(start, end)
    item_counts: dict[uuid.UUID, list[int]] = defaultdict(lambda: [0, 0])

    def add(pack_id: uuid.UUID, day: date, **values: int) -> None:
        totals, series = per_pack[pack_id]
        _bump(totals, **values)
        for points in (series, overall):
            if day in points:
                _bump(points[day], **values)

    for pack_id, day, count in _new_buyers(ids, since) if ids else []:
        add(pack_id, day, new_buyers=count)
    for pack_id, day, amount in _revenue(ids, since) if ids else []:
        add(pack_id, day, revenue=amount)
    for pack_id, item_id, day, count, done in _plays(ids, since) if ids else []:
        add(pack_id, day, plays=count, completions=done)
        item_counts[item_id][0] += count
        item_counts[item_id][1] += done
    for pack_id, day, earned in _tokens(creator_id, since):
        if day not in overall:
            continue
        _bump(overall[day], tokens=earned)  # every token the creator earned, whichever pack (or none) it came from
        if pack_id in per_pack:
            _bump(per_pack[pack_id][0], tokens=earned)
            _bump(per_pack[pack_id][1][day], tokens=earned)
    stats = []
    for pack in packs:
        totals, series = per_pack[pack.id]
        totals.buyers = buyers.get(pack.id, 0)
        totals.rating, totals.review_count = ratings.get(pack.id, (None, 0))
        stats.append(PackStats(pack.id, pack.title, pack.status, totals, list(series.values())))
    return stats, overall, item_counts, start, end


def creator_overview(creator_id: uuid.UUID, days: int = 30) -> Overview:
    """Totals, a daily series and per-pack figures for every pack of the creator, over the period."""
    packs = list(
        db.session.scalars(
            sa.select(RitualPack)
            .where(RitualPack.creator_id == creator_id)
            .order_by(RitualPack.created_at.desc(), RitualPack.id)
        )
    )
    stats, overall, _items, start, end = _stats(creator_id, packs, days)
    totals = Totals()
    rated = 0.0
    for pack in stats:
        t = pack.totals
        _bump(totals, buyers=t.buyers, new_buyers=t.new_buyers, revenue=t.revenue, plays=t.plays)
        _bump(totals, completions=t.completions)
        if t.rating is not None:
            rated += t.rating * t.review_count
            totals.review_count += t.review_count
    totals.rating = round(rated / totals.review_count, 1) if totals.review_count else None
    totals.tokens = sum(point.tokens for point in overall.values())
    return Overview(
        days=days,
        start=start,
        end=end,
        totals=totals,
        series=list(overall.values()),
        packs=stats,
        balance=creator_tokens.balance(creator_id),
        available=payouts.available(creator_id),
    )


def pack_analytics(creator_id: uuid.UUID, pack_id: uuid.UUID, days: int = 30) -> PackStats:
    """One of the creator's packs: totals, its daily series and per-item plays; NotFound for anyone else's."""
    pack = db.session.scalar(sa.select(RitualPack).where(RitualPack.id == pack_id, RitualPack.creator_id == creator_id))
    if pack is None:
        # SECURITY.md 9: tests/blueprints/test_analytics_pages.py::test_another_creators_pack_is_not_found
        raise NotFound("No such pack.")
    stats, _overall, item_counts, _start, _end = _stats(creator_id, [pack], days)
    result = stats[0]
    rows = db.session.execute(
        sa.select(ContentItem.id, ContentItem.title, ContentItem.content_type)
        .join(PackItem, PackItem.content_item_id == ContentItem.id)
        .where(PackItem.pack_id == pack_id)
        .order_by(PackItem.position, PackItem.created_at)
    )
    for item_id, title, content_type in rows:
        plays, done = item_counts.get(item_id, (0, 0))
        result.items.append(ItemStats(item_id, title, content_type, plays, done))
    return result
