"""Subscriptions through the webhook: renewals extend access and reward once per invoice; deletion ends
access when the subscription does; events in any order end the same way (SECURITY.md 5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.models import CreatorTokenTransaction, Entitlement, Purchase
from app.models.types import as_utc
from app.services import checkout, creator_tokens, fulfilment
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
