"""Creator analytics on a fixed data set (time frozen): two packs, buyers, a refund, plays with and
without completion, over 30 and 90 days; another creator's pack is not found."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from app.models import Entitlement, PackReview, Purchase, User
from app.services import NotFound, ServiceError, analytics, creator_tokens, reviews
from tests.factories import make_user
from tests.marketplace_helpers import make_creator, pack_item_ids, publish_pack
from tests.services.test_reviews import play

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def _sale(db, user_id, pack_id, *, when, amount=999, refunded_at=None):  # type: ignore[no-untyped-def]
    """A paid (or later refunded) purchase with its entitlement, as fulfilment and refunds leave them."""
    purchase = Purchase(
        user_id=user_id,
        pack_id=pack_id,
        kind="pack",
        status="refunded" if refunded_at else "paid",
        amount=amount,
        fulfilled_at=when,
        created_at=when,
        updated_at=refunded_at or when,
        meta={"amount_refunded": amount, "refunded_at": refunded_at.isoformat()} if refunded_at else {},
    )
    db.session.add(purchase)
    db.session.flush()
    db.session.add(
        Entitlement(
            user_id=user_id,
            pack_id=pack_id,
            purchase_id=purchase.id,
            source="purchase",
            created_at=when,
            revoked_at=refunded_at,
        )
    )
    db.session.commit()


def _claim(db, user_id, pack_id, *, when):  # type: ignore[no-untyped-def]
    db.session.add(Entitlement(user_id=user_id, pack_id=pack_id, source="free", created_at=when))
    db.session.commit()


@pytest.fixture
def data(app, db):  # type: ignore[no-untyped-def]
    creator = make_creator(app, "Ana Light")
    paid = publish_pack(app, creator, title="Paid pack", price_type="one_time", price_amount=999)
    free = publish_pack(app, creator, title="Free pack")
    a1, a2 = pack_item_ids(app, paid)
    b1, _b2 = pack_item_ids(app, free)
    u = {name: make_user(app).id for name in ("u1", "u2", "u3", "u4", "u5", "stranger")}
    _sale(db, u["u1"], paid, when=ago(10))
    _sale(db, u["u2"], paid, when=ago(60))
    _sale(db, u["u3"], paid, when=ago(5), refunded_at=ago(2))  # bought and refunded within 30 days
    _claim(db, u["u4"], free, when=ago(3))
    _claim(db, u["u5"], free, when=ago(100))
    play(app, u["u1"], a1, at=ago(9))
    play(app, u["u1"], a2, at=ago(8), completed=False)
    play(app, u["u2"], a1, at=ago(50))  # only in the 90-day window
    play(app, u["u2"], a2, at=ago(1))
    play(app, u["u3"], a1, at=ago(4))  # refunded listener: not counted
    play(app, u["u4"], b1, at=ago(2))
    play(app, creator, a1, at=ago(1))  # the creator's own play: not counted
    play(app, u["stranger"], b1, at=ago(1))  # not entitled: not counted
    db.session.add_all(
        [
            PackReview(pack_id=paid, user_id=u["u1"], rating=4, body=""),
            PackReview(pack_id=paid, user_id=u["u2"], rating=5, body=""),
            PackReview(pack_id=free, user_id=u["u4"], rating=1, body="", hidden_at=ago(1), hidden_reason="x"),
        ]
    )
    db.session.commit()
    creator_tokens.reward(creator, 700, idempotency_key="reward:t", purchase_id=None)
    db.session.commit()
    return {"creator": creator, "paid": paid, "free": free, "a1": a1, "a2": a2}


def test_the_last_30_days(data):
    with time_machine.travel(NOW, tick=False):
        overview = analytics.creator_overview(data["creator"], 30)
    assert (overview.days, overview.start.isoformat(), overview.end.isoformat()) == (30, "2026-06-01", "2026-06-30")
    packs = {p.id: p.totals for p in overview.packs}
    paid, free = packs[data["paid"]], packs[data["free"]]
    assert (paid.buyers, paid.new_buyers, paid.revenue) == (2, 1, 999)  # 999 + 999 sold, 999 refunded
    assert (paid.plays, paid.completions, paid.completion_rate) == (3, 2, 0.6667)
    assert (paid.rating, paid.review_count) == (4.5, 2)
    assert (free.buyers, free.new_buyers, free.revenue, free.plays, free.completions) == (2, 1, 0, 1, 1)
    assert (free.rating, free.review_count, free.completion_rate) == (None, 0, 1.0)
    t = overview.totals
    assert (t.buyers, t.new_buyers, t.revenue, t.plays, t.completions, t.rating, t.review_count) == (
        4,
        2,
        999,
        4,
        3,
        4.5,
        2,
    )
    assert (overview.balance, overview.available) == (700, 700)
    assert len(overview.series) == 30
    by_day = {point.day: point for point in overview.series}
    assert by_day[ago(10).date()].new_buyers == 1 and by_day[ago(10).date()].revenue == 999
    assert by_day[ago(5).date()].revenue == 999 and by_day[ago(2).date()].revenue == -999
    assert by_day[ago(2).date()].plays == 1 and by_day[ago(1).date()].plays == 1
    assert sum(p.plays for p in overview.series) == 4 and sum(p.revenue for p in overview.series) == 999


def test_the_last_90_days(data):
    with time_machine.travel(NOW, tick=False):
        overview = analytics.creator_overview(data["creator"], 90)
    packs = {p.id: p.totals for p in overview.packs}
    paid, free = packs[data["paid"]], packs[data["free"]]
    assert (paid.new_buyers, paid.revenue, paid.plays, paid.completions) == (2, 1998, 4, 3)
    assert paid.completion_rate == 0.75
    assert (free.new_buyers, free.plays) == (1, 1)  # the claim 100 days ago is outside the period
    assert len(overview.series) == 90 and overview.series[0].day.isoformat() == "2026-04-02"


def test_a_pack_by_item(data):
    with time_machine.travel(NOW, tick=False):
        stats = analytics.pack_analytics(data["creator"], data["paid"], 30)
        ninety = analytics.pack_analytics(data["creator"], data["paid"], 90)
    items = {item.id: item for item in stats.items}
    assert [item.id for item in stats.items] == [data["a1"], data["a2"]]
    assert (items[data["a1"]].plays, items[data["a1"]].completions, items[data["a1"]].completion_rate) == (1, 1, 1.0)
    assert (items[data["a2"]].plays, items[data["a2"]].completions, items[data["a2"]].completion_rate) == (2, 1, 0.5)
    assert (stats.totals.plays, stats.totals.revenue) == (3, 999)
    assert {item.id: item.plays for item in ninety.items} == {data["a1"]: 2, data["a2"]: 2}
    body = stats.to_json(with_series=True)
    assert len(body["series"]) == 30 and body["items"][1]["completion_rate"] == 0.5


def test_another_creators_pack_is_not_found(app, db, data):
    other = make_creator(app, "Someone Else")
    with pytest.raises(NotFound):
        analytics.pack_analytics(other, data["paid"], 30)
    assert analytics.creator_overview(other, 30).packs == []


def test_only_30_or_90_days(data):
    for bad in (7, 45, 0):
        with pytest.raises(ServiceError, match="30 or 90"):
            analytics.creator_overview(data["creator"], bad)
    assert analytics.parse_days(None) == 30 and analytics.parse_days("90") == 90
    for bad in ("45", "abc", "90.0"):
        with pytest.raises(ServiceError):
            analytics.parse_days(bad)


def test_hidden_reviews_do_not_count_in_the_rating(app, db, data):
    admin = make_user(app, roles=["user", "admin"]).id
    hidden = db.session.scalar(db.select(PackReview).where(PackReview.pack_id == data["paid"], PackReview.rating == 5))
    reviews.hide(hidden.id, db.session.get(User, admin), "spam")
    with time_machine.travel(NOW, tick=False):
        totals = analytics.pack_analytics(data["creator"], data["paid"], 30).totals
    assert (totals.rating, totals.review_count) == (4.0, 1)


def test_a_creator_without_packs_sees_zeros(app, db):
    creator = make_creator(app)
    overview = analytics.creator_overview(creator, 30)
    assert overview.totals.plays == 0 and overview.totals.completion_rate is None and overview.totals.rating is None
    assert all(point.plays == 0 for point in overview.series)


def test_tokens_earned_per_day(app, db, data):
    """Rewards minus reversals per UTC day: all of them on the overview, a pack's own through its purchase."""
    sale = db.session.scalar(
        db.select(Purchase)
        .where(Purchase.pack_id == data["paid"], Purchase.status == "paid")
        .order_by(Purchase.fulfilled_at.desc())
    )
    creator = data["creator"]
    moves = [
        (ago(40), lambda: creator_tokens.reward(creator, 50, idempotency_key="reward:old", purchase_id=sale.id)),
        (ago(6), lambda: creator_tokens.reward(creator, 699, idempotency_key="reward:sale", purchase_id=sale.id)),
        (ago(3), lambda: creator_tokens.reward(creator, 300, idempotency_key="reward:other", purchase_id=None)),
        (ago(2), lambda: creator_tokens.reverse(creator, 200, idempotency_key="reversal:sale", purchase_id=sale.id)),
    ]
    for when, move in moves:
        with time_machine.travel(when, tick=False):
            move()
            db.session.commit()
    with time_machine.travel(ago(1), tick=False):
        creator_tokens.payout(creator, 100, idempotency_key="payout:t")  # paid out, not earned: not counted
    with time_machine.travel(NOW, tick=False):
        overview = analytics.creator_overview(creator, 30)
        paid = analytics.pack_analytics(creator, data["paid"], 30)
        free = analytics.pack_analytics(creator, data["free"], 30)
        ninety = analytics.pack_analytics(creator, data["paid"], 90)
    earned = {point.day: point.tokens for point in overview.series if point.tokens}
    assert earned == {ago(6).date(): 699, ago(3).date(): 300, ago(2).date(): -200}
    assert overview.totals.tokens == 799
    assert {p.id: p.totals.tokens for p in overview.packs} == {data["paid"]: 499, data["free"]: 0}
    assert {point.day: point.tokens for point in paid.series if point.tokens} == {
        ago(6).date(): 699,
        ago(2).date(): -200,
    }
    assert (paid.totals.tokens, free.totals.tokens, ninety.totals.tokens) == (499, 0, 549)
    body = overview.to_json()
    assert body["totals"]["tokens"] == 799 and body["packs"][0]["tokens"] in (0, 499)
    assert [point["tokens"] for point in body["series"][-7:]] == [699, 0, 0, 300, -200, 0, 0]
