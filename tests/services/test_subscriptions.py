"""Subscriptions through the webhook: renewals extend access and reward once per invoice; deletion ends
access when the subscription does; events in any order end the same way (SECURITY.md 5)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.models import CreatorTokenTransaction, Entitlement, Purchase
from app.models.types import as_utc
from app.providers.payments import add_interval, get_gateway
from app.services import checkout, creator_tokens, fulfilment, reconcile
from tests.factories import make_user
from tests.payments_helpers import (
    counts,
    event,
    invoice,
    make_creator,
    make_priced_pack,
    paid_simulated_session,
    post_event,
    refunded_charge,
)

pytest_plugins = ["tests.payments_fixtures"]  # fake_stripe, stripe_app
DAY = 86400
T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def frozen(time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(T0, tick=False)
    return time_machine


def _subscribe(app):  # type: ignore[no-untyped-def]
    buyer = make_user(app)
    creator = make_creator(app)
    pack = make_priced_pack(app, creator, price=800, price_type="subscription", interval="monthly")
    with app.app_context():
        start = checkout.start_pack(buyer.id, pack, base_url="http://localhost/")
    session = paid_simulated_session(app, start.checkout_url.rsplit("/", 1)[1])
    return buyer, creator, pack, start.purchase_id, session


def _first_invoice(session):  # type: ignore[no-untyped-def]
    start = int(T0.timestamp())
    return invoice(
        session, invoice_id=session["invoice"], reason="subscription_create", start=start, end=start + 30 * DAY
    )


def _renewal(session, n: int = 1, **kw):  # type: ignore[no-untyped-def]
    start = int(T0.timestamp()) + 30 * DAY * n
    return invoice(session, invoice_id=f"in_renewal_{n}", start=start, end=start + 30 * DAY, **kw)


def _expires(db, buyer_id):  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return as_utc(db.session.scalar(sa.select(Entitlement.expires_at).where(Entitlement.user_id == buyer_id)))


def _token_rows(db, creator):  # type: ignore[no-untyped-def]
    return db.session.scalars(
        sa.select(CreatorTokenTransaction)
        .where(CreatorTokenTransaction.creator_id == creator)
        .order_by(CreatorTokenTransaction.entry_no)
    ).all()


def test_a_subscription_grants_access_until_the_period_ends(app, client, db, frozen):
    buyer, creator, _pack, purchase_id, session = _subscribe(app)
    post_event(client, event("checkout.session.completed", session))
    ent = db.session.scalar(sa.select(Entitlement).where(Entitlement.user_id == buyer.id))
    assert ent.source == "subscription" and as_utc(ent.expires_at) == datetime(2027, 4, 1, 9, tzinfo=UTC)
    post_event(client, event("invoice.paid", _first_invoice(session)))
    assert _expires(db, buyer.id) == T0 + timedelta(days=31)  # never shortened by the invoice's own period
    purchase = db.session.get(Purchase, purchase_id)
    assert purchase.kind == "subscription" and purchase.stripe_subscription_id == session["subscription"]
    assert purchase.stripe_invoice_id == session["invoice"] and purchase.stripe_payment_intent_id
    assert [r.amount for r in _token_rows(db, creator)] == [560]
    frozen.shift(timedelta(days=32))
    assert fulfilment.owned_pack_ids(buyer.id) == set()


def test_a_renewal_extends_access_and_rewards_again_once(app, client, db, frozen):
    buyer, creator, pack, purchase_id, session = _subscribe(app)
    post_event(client, event("checkout.session.completed", session))
    post_event(client, event("invoice.paid", _first_invoice(session)))
    renewal = _renewal(session, tax=100, amount=900)
    assert post_event(client, event("invoice.paid", renewal)).status_code == 200
    assert post_event(client, event("invoice.paid", renewal)).status_code == 200  # redelivered under a new id
    assert _expires(db, buyer.id) == T0 + timedelta(days=60)
    renewed = db.session.scalar(sa.select(Purchase).where(Purchase.stripe_invoice_id == "in_renewal_1"))
    assert (renewed.status, renewed.amount, renewed.meta["renewal_of"]) == ("paid", 900, str(purchase_id))
    rows = _token_rows(db, creator)
    assert [(r.amount, r.idempotency_key) for r in rows] == [
        (560, f"reward:{purchase_id}"),
        (560, "reward:in_renewal_1"),
    ]
    assert creator_tokens.ledger_problems(creator) == []
    assert counts(app)["purchases"] == 2
    frozen.shift(timedelta(days=45))
    assert fulfilment.owned_pack_ids(buyer.id) == {pack}


def test_a_deleted_subscription_ends_access_at_the_period_end(app, client, db, frozen):
    buyer, _creator, pack, purchase_id, session = _subscribe(app)
    post_event(client, event("checkout.session.completed", session))
    post_event(client, event("invoice.paid", _first_invoice(session)))
    frozen.shift(timedelta(days=3))
    deleted = {
        "id": session["subscription"],
        "object": "subscription",
        "status": "canceled",
        "ended_at": None,
        "metadata": session["metadata"],
        "items": {"data": [{"current_period_end": int(T0.timestamp()) + 30 * DAY}]},
    }
    assert post_event(client, event("customer.subscription.deleted", deleted)).status_code == 200
    assert db.session.get(Purchase, purchase_id).status == "canceled"
    assert _expires(db, buyer.id) == T0 + timedelta(days=30)
    frozen.shift(timedelta(days=26))  # day 29
    assert fulfilment.owned_pack_ids(buyer.id) == {pack}
    frozen.shift(timedelta(days=2))  # day 31
    assert fulfilment.owned_pack_ids(buyer.id) == set()


def test_a_subscription_ended_now_ends_access_now(app, client, db, frozen):
    buyer, _creator, _pack, _purchase_id, session = _subscribe(app)
    post_event(client, event("checkout.session.completed", session))
    frozen.shift(timedelta(days=5))
    ended = int((T0 + timedelta(days=5)).timestamp())
    deleted = {"id": session["subscription"], "object": "subscription", "ended_at": ended, "metadata": {}}
    post_event(client, event("customer.subscription.deleted", deleted))
    assert _expires(db, buyer.id) == T0 + timedelta(days=5)
    assert fulfilment.owned_pack_ids(buyer.id) == set()
    # A renewal delivered late does not carry access past the end.
    post_event(client, event("invoice.paid", _renewal(session)))
    assert _expires(db, buyer.id) == T0 + timedelta(days=5)


def test_invoices_and_cancellation_before_the_session_end_the_same(app, client, db, frozen):
    """SECURITY.md 5: renewal and deletion delivered before checkout.session.completed wait for it."""
    buyer, creator, _pack, purchase_id, session = _subscribe(app)
    early = [
        event("invoice.paid", _first_invoice(session), created=int(T0.timestamp()) + 1),
        event("invoice.paid", _renewal(session), created=int(T0.timestamp()) + 2),
        event(
            "customer.subscription.deleted",
            {
                "id": session["subscription"],
                "object": "subscription",
                "ended_at": int(T0.timestamp()) + 50 * DAY,
                "metadata": session["metadata"],
            },
            created=int(T0.timestamp()) + 3,
        ),
    ]
    for evt in early:
        response = post_event(client, evt)
        assert response.status_code == 200 and response.json["outcome"] == "waiting"
    assert post_event(client, event("checkout.session.completed", session)).json["outcome"] == "processed"
    assert _expires(db, buyer.id) == T0 + timedelta(days=50)
    assert db.session.get(Purchase, purchase_id).status == "canceled"
    assert [r.amount for r in _token_rows(db, creator)] == [560, 560]
    assert counts(app)["purchases"] == 2


def test_a_refunded_renewal_revokes_access_and_its_reward(app, client, db, frozen):
    buyer, creator, _pack, _purchase_id, session = _subscribe(app)
    post_event(client, event("checkout.session.completed", session))
    post_event(client, event("invoice.paid", _first_invoice(session)))
    post_event(client, event("invoice.paid", _renewal(session, payment_intent="pi_renewal_1")))
    post_event(client, event("charge.refunded", refunded_charge("pi_renewal_1", 800)))
    renewed = db.session.scalar(sa.select(Purchase).where(Purchase.stripe_invoice_id == "in_renewal_1"))
    assert renewed.status == "refunded"
    assert fulfilment.owned_pack_ids(buyer.id) == set()
    rows = _token_rows(db, creator)
    assert [(r.transaction_type, r.amount) for r in rows] == [("reward", 560), ("reward", 560), ("reversal", -560)]
    assert rows[-1].purchase_id == renewed.id
    assert creator_tokens.ledger_problems(creator) == []


def _paid_invoice(session, invoice_id: str, start: datetime, *, payment_intent: str, reason="subscription_create"):  # type: ignore[no-untyped-def]
    begin = int(start.timestamp())
    return invoice(
        session, invoice_id=invoice_id, reason=reason, start=begin, end=begin + 30 * DAY, payment_intent=payment_intent
    )


def test_an_old_subscription_never_touches_a_new_one(app, client, db, frozen):
    """SECURITY.md 5: after S1 lapses and the buyer subscribes again (S2, the same entitlement row),
    S1's late cancellation, renewal and refund leave S2's access alone."""
    buyer, creator, pack, first_id, s1 = _subscribe(app)
    post_event(client, event("checkout.session.completed", s1))
    post_event(client, event("invoice.paid", _paid_invoice(s1, s1["invoice"], T0, payment_intent="pi_s1")))
    frozen.shift(timedelta(days=40))  # S1's renewal failed: access lapsed
    assert fulfilment.owned_pack_ids(buyer.id) == set()
    with app.app_context():
        again = checkout.start_pack(buyer.id, pack, base_url="http://localhost/")
    s2 = paid_simulated_session(app, again.checkout_url.rsplit("/", 1)[1])
    post_event(client, event("checkout.session.completed", s2))
    post_event(
        client, event("invoice.paid", _paid_invoice(s2, s2["invoice"], T0 + timedelta(days=40), payment_intent="pi_s2"))
    )
    s2_end = _expires(db, buyer.id)
    assert s2_end == datetime(2027, 5, 10, 9, tzinfo=UTC)  # a month after S2 started

    s1_deleted = {"id": s1["subscription"], "object": "subscription", "ended_at": int(T0.timestamp()) + 40 * DAY}
    assert post_event(client, event("customer.subscription.deleted", s1_deleted)).status_code == 200
    late = _paid_invoice(
        s1, "in_s1_late", T0 + timedelta(days=30), payment_intent="pi_s1_late", reason="subscription_cycle"
    )
    assert post_event(client, event("invoice.paid", late)).status_code == 200
    assert post_event(client, event("charge.refunded", refunded_charge("pi_s1", 800))).status_code == 200

    db.session.expire_all()
    ent = db.session.scalar(sa.select(Entitlement).where(Entitlement.user_id == buyer.id))
    assert (ent.purchase_id, ent.revoked_at, _expires(db, buyer.id)) == (again.purchase_id, None, s2_end)
    assert fulfilment.owned_pack_ids(buyer.id) == {pack}
    assert db.session.get(Purchase, first_id).status == "refunded"
    stray = db.session.scalar(sa.select(Purchase).where(Purchase.stripe_invoice_id == "in_s1_late"))
    assert stray.meta["needs_refund"] == "the buyer's access is no longer this subscription's"
    rows = _token_rows(db, creator)
    assert [(r.transaction_type, r.purchase_id) for r in rows] == [
        ("reward", first_id),
        ("reward", again.purchase_id),
        ("reversal", first_id),
    ]
    assert creator_tokens.ledger_problems(creator) == []


def test_a_refund_cancels_the_subscription(app, client, db, frozen):
    """SECURITY.md 5: access revoked by a refund is not billed again."""
    buyer, _creator, _pack, purchase_id, session = _subscribe(app)
    post_event(client, event("checkout.session.completed", session))
    post_event(client, event("invoice.paid", _paid_invoice(session, session["invoice"], T0, payment_intent="pi_1")))
    with app.app_context():
        assert not get_gateway().subscription_canceled(session["subscription"])
    post_event(client, event("charge.refunded", refunded_charge("pi_1", 800)))
    with app.app_context():
        assert get_gateway().subscription_canceled(session["subscription"])
    purchase = db.session.get(Purchase, purchase_id)
    assert purchase.status == "refunded" and "subscription_canceled_at" in purchase.meta
    assert "cancel_pending" not in purchase.meta and purchase.meta["cancel_attempts"] == 1
    assert fulfilment.owned_pack_ids(buyer.id) == set()
    post_event(client, event("invoice.paid", _renewal(session)))  # billed before the cancel took effect
    renewed = db.session.scalar(sa.select(Purchase).where(Purchase.stripe_invoice_id == "in_renewal_1"))
    assert renewed.meta["needs_refund"] == "the subscription's payment was refunded"
    assert [r.amount for r in _token_rows(db, _creator)] == [560, -560]


def test_a_renewal_after_a_refund_rewards_no_one_and_needs_a_refund(app, client, db, frozen, caplog):
    buyer, creator, _pack, _purchase_id, session = _subscribe(app)
    post_event(client, event("checkout.session.completed", session))
    post_event(client, event("invoice.paid", _first_invoice(session)))
    post_event(client, event("invoice.paid", _renewal(session, 1, payment_intent="pi_renewal_1")))
    post_event(client, event("charge.refunded", refunded_charge("pi_renewal_1", 800)))  # revokes access
    with app.app_context():
        assert get_gateway().subscription_canceled(session["subscription"])  # the renewal's subscription
    assert post_event(client, event("invoice.paid", _renewal(session, 2))).status_code == 200  # billed all the same
    renewed = db.session.scalar(sa.select(Purchase).where(Purchase.stripe_invoice_id == "in_renewal_2"))
    assert (renewed.status, renewed.amount) == ("paid", 800)
    assert renewed.meta["needs_refund"] == "the buyer's access was revoked"
    assert "no reward, needs a refund" in caplog.text
    assert [r.amount for r in _token_rows(db, creator)] == [560, 560, -560]
    assert fulfilment.owned_pack_ids(buyer.id) == set()
    assert creator_tokens.ledger_problems(creator) == []


def test_a_cancel_that_fails_is_retried_by_reconcile(stripe_app, fake_stripe):
    """Through the real SDK: the cancel reaches Stripe's DELETE /v1/subscriptions/{id}; refused, the
    purchase keeps its mark and reconcile cancels it later."""
    buyer = make_user(stripe_app)
    pack = make_priced_pack(stripe_app, make_creator(stripe_app), price=800, price_type="subscription")
    with stripe_app.app_context():
        purchase_id = checkout.start_pack(buyer.id, pack, base_url="http://localhost/").purchase_id
    session = fake_stripe.complete(fake_stripe.only_session()["id"])
    client = stripe_app.test_client()
    post_event(client, event("checkout.session.completed", session))
    start = int(datetime.now(UTC).timestamp())
    first = invoice(session, invoice_id=session["invoice"], reason="subscription_create", start=start, end=start + DAY)
    post_event(
        client, event("invoice.paid", {**first, "payments": {"data": [{"payment": {"payment_intent": "pi_x"}}]}})
    )
    fake_stripe.refuse_cancels = True
    assert post_event(client, event("charge.refunded", refunded_charge("pi_x", 800))).status_code == 200
    subscription = fake_stripe.subscriptions[session["subscription"]]
    assert subscription["status"] == "active"
    with stripe_app.app_context():
        meta = checkout.db.session.get(Purchase, purchase_id).meta
        assert meta["cancel_pending"] == "refunded" and "could not be canceled" in meta["cancel_error"]
    fake_stripe.refuse_cancels = False
    with stripe_app.app_context():
        report = reconcile.reconcile()
        assert report.canceled == [str(purchase_id)]
        meta = checkout.db.session.get(Purchase, purchase_id).meta
        assert "cancel_pending" not in meta and "subscription_canceled_at" in meta
        assert reconcile.reconcile().canceled == []
    assert subscription["status"] == "canceled"
    cancels = [r for r in fake_stripe.requests if r["method"] == "DELETE"]
    assert [r["path"] for r in cancels] == [f"/v1/subscriptions/{session['subscription']}"] * 2
    assert [r["idempotency_key"] for r in cancels] == [f"cancel:{session['subscription']}:{n}" for n in (1, 2)]


def test_a_cancelled_subscription_keeps_its_revenue_in_analytics(app, client, db, frozen):
    from app.services import analytics

    _buyer, creator, _pack, purchase_id, session = _subscribe(app)
    post_event(client, event("checkout.session.completed", session))
    post_event(client, event("invoice.paid", _first_invoice(session)))
    frozen.shift(timedelta(days=3))
    deleted = {"id": session["subscription"], "object": "subscription", "ended_at": int(T0.timestamp()) + 3 * DAY}
    post_event(client, event("customer.subscription.deleted", deleted))
    assert db.session.get(Purchase, purchase_id).status == "canceled"
    assert analytics.creator_overview(creator, 30).totals.revenue == 800


# --- The buyer cancels their own subscription ---------------------------------------------------


def _stripe_subscription(app, fake_stripe, client, start: datetime):  # type: ignore[no-untyped-def]
    """A subscription bought through the real SDK and the local Stripe, its first invoice paid:
    (buyer, pack, purchase id, session, period end)."""
    buyer = make_user(app)
    pack = make_priced_pack(app, make_creator(app), price=800, price_type="subscription")
    with app.app_context():
        purchase_id = checkout.start_pack(buyer.id, pack, base_url="http://localhost/").purchase_id
    session = fake_stripe.complete(fake_stripe.only_session()["id"])
    post_event(client, event("checkout.session.completed", session))
    begin = int(start.timestamp())
    end = add_interval(begin, "month")
    first = invoice(session, invoice_id=session["invoice"], reason="subscription_create", start=begin, end=end)
    post_event(client, event("invoice.paid", first))
    return buyer, pack, purchase_id, session, datetime.fromtimestamp(end, UTC)


def test_a_buyer_cancels_at_the_period_end_and_keeps_access_until_then(stripe_app, fake_stripe, frozen):
    """Through the real SDK: POST /v1/subscriptions/{id} cancel_at_period_end=true; access lasts until the
    period end and ends with the `customer.subscription.deleted` Stripe sends then."""
    from app.models import AuditLog
    from app.services import buyer_subscriptions

    client = stripe_app.test_client()
    buyer, pack, purchase_id, session, period_end = _stripe_subscription(stripe_app, fake_stripe, client, T0)
    subscription = fake_stripe.subscriptions[session["subscription"]]
    frozen.shift(timedelta(days=5))
    with stripe_app.app_context():
        assert [s.purchase.id for s in buyer_subscriptions.active_for(buyer.id)] == [purchase_id]
        purchase = buyer_subscriptions.cancel_by_buyer(buyer.id, purchase_id)
        assert purchase.status == "paid" and purchase.meta["cancel_at_period_end"] is True
        assert purchase.meta["cancel_requested_at"] == (T0 + timedelta(days=5)).isoformat()
        assert buyer_subscriptions.access_until(purchase) == period_end
        audit = checkout.db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "subscription.cancel")).all()
        assert [(a.actor_id, a.target_id) for a in audit] == [(buyer.id, str(purchase_id))]
        assert audit[0].after["ends_at"] == period_end.isoformat()
        [listed] = buyer_subscriptions.active_for(buyer.id)
        assert listed.canceled and listed.period_end == period_end
    assert (subscription["status"], subscription["cancel_at_period_end"]) == ("active", True)
    [update] = [r for r in fake_stripe.requests if r["path"] == f"/v1/subscriptions/{session['subscription']}"]
    assert update["method"] == "POST" and update["params"] == {"cancel_at_period_end": "true"}
    assert update["idempotency_key"] == f"cancel-at-period-end:{session['subscription']}"

    frozen.move_to(period_end - timedelta(hours=1))
    with stripe_app.app_context():
        assert fulfilment.owned_pack_ids(buyer.id) == {pack}  # still paid for
    frozen.move_to(period_end + timedelta(seconds=5))
    deleted = {
        **subscription,
        "status": "canceled",
        "ended_at": int(period_end.timestamp()),
        "cancel_at": int(period_end.timestamp()),
    }
    assert post_event(client, event("customer.subscription.deleted", deleted)).status_code == 200
    with stripe_app.app_context():
        assert fulfilment.owned_pack_ids(buyer.id) == set()
        ended = checkout.db.session.get(Purchase, purchase_id)
        assert ended.status == "canceled" and ended.meta["ended_at"] == period_end.isoformat()
        assert _expires(checkout.db, buyer.id) == period_end
        assert buyer_subscriptions.active_for(buyer.id) == []


def test_a_cancel_stripe_refuses_records_nothing(stripe_app, fake_stripe, frozen, caplog):
    from app.models import AuditLog
    from app.services import buyer_subscriptions

    client = stripe_app.test_client()
    buyer, _pack, purchase_id, session, _end = _stripe_subscription(stripe_app, fake_stripe, client, T0)
    fake_stripe.refuse_cancels = True
    with stripe_app.app_context():
        with pytest.raises(buyer_subscriptions.CancelUnavailable) as refused:
            buyer_subscriptions.cancel_by_buyer(buyer.id, purchase_id)
        assert refused.value.status == 503 and "nothing was changed" in refused.value.message
        assert "cancel_at_period_end" not in checkout.db.session.get(Purchase, purchase_id).meta
        assert checkout.db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == 0
    assert f"could not cancel subscription {session['subscription']} of purchase {purchase_id}" in caplog.text
    assert fake_stripe.subscriptions[session["subscription"]]["cancel_at_period_end"] is False
    fake_stripe.refuse_cancels = False  # a retry goes through
    with stripe_app.app_context():
        assert buyer_subscriptions.cancel_by_buyer(buyer.id, purchase_id).meta["cancel_at_period_end"] is True
    assert fake_stripe.subscriptions[session["subscription"]]["cancel_at_period_end"] is True


def test_only_the_buyers_own_active_subscription_can_be_canceled(app, client, db, frozen):
    """SECURITY.md 9: another user's purchase is not found; twice, or a one-time purchase, is a conflict."""
    from app.services import Conflict, NotFound, buyer_subscriptions

    buyer, creator, _pack, purchase_id, session = _subscribe(app)
    post_event(client, event("checkout.session.completed", session))
    post_event(client, event("invoice.paid", _first_invoice(session)))
    stranger = make_user(app)
    with pytest.raises(NotFound):
        buyer_subscriptions.cancel_by_buyer(stranger.id, purchase_id)
    with pytest.raises(NotFound):
        buyer_subscriptions.cancel_by_buyer(buyer.id, uuid.uuid4())
    assert "cancel_at_period_end" not in db.session.get(Purchase, purchase_id).meta

    buyer_subscriptions.cancel_by_buyer(buyer.id, purchase_id)
    assert get_gateway().cancels_at_period_end(session["subscription"])
    assert not get_gateway().subscription_canceled(session["subscription"])  # not at once
    with pytest.raises(Conflict, match=r"canceled already\. Your access ends on 01 Apr 2027"):
        buyer_subscriptions.cancel_by_buyer(buyer.id, purchase_id)

    one_time = make_priced_pack(app, creator, price=500, title="Evening")
    bought = checkout.start_pack(buyer.id, one_time, base_url="http://localhost/")
    with pytest.raises(Conflict, match="not a subscription"):
        buyer_subscriptions.cancel_by_buyer(buyer.id, bought.purchase_id)


def test_an_ended_subscription_cannot_be_canceled(app, client, db, frozen):
    from app.services import Conflict, buyer_subscriptions

    buyer, _creator, _pack, purchase_id, session = _subscribe(app)
    post_event(client, event("checkout.session.completed", session))
    ended = int((T0 + timedelta(days=2)).timestamp())
    deleted = {"id": session["subscription"], "object": "subscription", "ended_at": ended, "metadata": {}}
    post_event(client, event("customer.subscription.deleted", deleted))
    with pytest.raises(Conflict, match="has ended already"):
        buyer_subscriptions.cancel_by_buyer(buyer.id, purchase_id)
    assert not get_gateway().cancels_at_period_end(session["subscription"])
