"""Fulfilment through the signed webhook and the success redirect: once, in one transaction, whatever
the order (SECURITY.md 4–6)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from app.models import AuditLog, CreatorTokenTransaction, Entitlement, Purchase, StripeEvent, User
from app.services import checkout, creator_tokens, credits, fulfilment
from tests.factories import make_user
from tests.payments_helpers import (
    counts,
    credit_rows,
    event,
    make_creator,
    make_priced_pack,
    paid_simulated_session,
    post_event,
    refunded_charge,
)

pytest_plugins = ["tests.payments_fixtures"]  # fake_stripe, stripe_app
BASE = "http://localhost/"


def _start(app, buyer_id, pack_id):  # type: ignore[no-untyped-def]
    with app.app_context():
        start = checkout.start_pack(buyer_id, pack_id, base_url=BASE)
        return start.purchase_id, start.checkout_url.rsplit("/", 1)[1]


def _purchase(db, purchase_id: uuid.UUID) -> Purchase:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return db.session.get(Purchase, purchase_id)


def _rewards(db, creator_id):  # type: ignore[no-untyped-def]
    return db.session.scalars(
        sa.select(CreatorTokenTransaction)
        .where(CreatorTokenTransaction.creator_id == creator_id)
        .order_by(CreatorTokenTransaction.entry_no)
    ).all()


def test_the_webhook_fulfils_a_pack_once(app, client, db):
    buyer = make_user(app)
    creator = make_creator(app)
    pack = make_priced_pack(app, creator, price=999)
    purchase_id, session_id = _start(app, buyer.id, pack)
    session = paid_simulated_session(app, session_id)
    completed = event("checkout.session.completed", session)
    first = post_event(client, completed)
    assert first.status_code == 200 and first.json["outcome"] == "processed"
    assert post_event(client, completed).json["outcome"] == "duplicate"
    # Another event for the same session (Stripe sends several) grants nothing more.
    assert post_event(client, event("checkout.session.async_payment_succeeded", session)).status_code == 200
    purchase = _purchase(db, purchase_id)
    assert purchase.status == "paid" and purchase.fulfilled_at is not None
    assert purchase.stripe_payment_intent_id == session["payment_intent"]
    ent = db.session.scalar(sa.select(Entitlement).where(Entitlement.user_id == buyer.id))
    assert (ent.source, ent.purchase_id, ent.expires_at, ent.pack_id) == ("purchase", purchase_id, None, pack)
    [reward] = _rewards(db, creator)
    assert (reward.transaction_type, reward.amount, reward.balance_after) == ("reward", 699, 699)
    assert reward.idempotency_key == f"reward:{purchase_id}" and reward.purchase_id == purchase_id
    assert counts(app) == {
        "purchases": 1,
        "entitlements": 1,
        "stripe_events": 2,
        "creator_token_transactions": 1,
        "audit_log": 0,
    }
    stored = db.session.scalar(sa.select(StripeEvent).where(StripeEvent.stripe_event_id == completed["id"]))
    assert stored.processed_at is not None and stored.error is None and stored.payload["id"] == completed["id"]


def test_tax_is_left_out_of_the_reward(stripe_app, fake_stripe):
    buyer = make_user(stripe_app)
    creator = make_creator(stripe_app)
    pack = make_priced_pack(stripe_app, creator, price=1000)
    purchase_id, _ = _start(stripe_app, buyer.id, pack)
    session = fake_stripe.complete(fake_stripe.only_session()["id"], tax=200)
    response = post_event(stripe_app.test_client(), event("checkout.session.completed", session))
    assert response.status_code == 200
    with stripe_app.app_context():
        assert creator_tokens.balance(creator) == 700  # 70 % of 1200 - 200
        assert checkout.db.session.get(Purchase, purchase_id).meta["amount_tax"] == 200


def test_redirect_then_webhook_fulfils_once(stripe_app, fake_stripe):
    """SECURITY.md 6: whichever of the success redirect and the webhook comes second does nothing."""
    buyer = make_user(stripe_app)
    creator = make_creator(stripe_app)
    pack = make_priced_pack(stripe_app, creator)
    purchase_id, _ = _start(stripe_app, buyer.id, pack)
    session = fake_stripe.complete(fake_stripe.only_session()["id"])
    with stripe_app.app_context():
        assert checkout.complete_from_redirect(buyer.id, session["id"]).status == "paid"
    assert post_event(stripe_app.test_client(), event("checkout.session.completed", session)).status_code == 200
    with stripe_app.app_context():
        assert checkout.complete_from_redirect(buyer.id, session["id"]).id == purchase_id
        assert len(_rewards(checkout.db, creator)) == 1
    assert counts(stripe_app)["entitlements"] == 1


def test_a_credit_bundle_adds_a_purchase_row_with_its_bundle(app, client, db):
    buyer = make_user(app)
    with app.app_context():
        start = checkout.start_credits(buyer.id, 15, base_url=BASE)
    session = paid_simulated_session(app, start.checkout_url.rsplit("/", 1)[1])
    assert post_event(client, event("checkout.session.completed", session)).status_code == 200
    assert post_event(client, event("checkout.session.completed", session)).status_code == 200
    rows = credit_rows(app, buyer.id)
    assert [r.transaction_type for r in rows] == ["purchase", "purchase"]
    assert rows[-1].amount == 15 and rows[-1].balance_after == 16
    assert rows[-1].meta == {"bundle": 15, "purchase_id": str(start.purchase_id)}
    assert rows[-1].idempotency_key == f"purchase:{session['id']}"
    assert db.session.scalar(sa.select(User.credit_balance).where(User.id == buyer.id)) == 16
    assert credits.ledger_problems(buyer.id) == []
    assert counts(app)["creator_token_transactions"] == 0


def test_an_asynchronous_payment_is_awaited_then_granted(app, client, db):
    buyer = make_user(app)
    creator = make_creator(app)
    pack = make_priced_pack(app, creator)
    purchase_id, session_id = _start(app, buyer.id, pack)
    session = paid_simulated_session(app, session_id)
    processing = {**session, "payment_status": "unpaid"}
    assert post_event(client, event("checkout.session.completed", processing)).status_code == 200
    purchase = _purchase(db, purchase_id)
    assert purchase.status == "pending" and purchase.stripe_payment_intent_id == session["payment_intent"]
    assert fulfilment.owned_pack_ids(buyer.id) == set()
    assert post_event(client, event("checkout.session.async_payment_succeeded", session)).status_code == 200
    assert _purchase(db, purchase_id).status == "paid"
    assert fulfilment.owned_pack_ids(buyer.id) == {pack}
    assert creator_tokens.balance(creator) == 699


def test_a_failed_asynchronous_payment_grants_nothing(app, client, db):
    buyer = make_user(app)
    creator = make_creator(app)
    pack = make_priced_pack(app, creator)
    purchase_id, session_id = _start(app, buyer.id, pack)
    session = {**paid_simulated_session(app, session_id), "payment_status": "unpaid"}
    post_event(client, event("checkout.session.completed", session))
    assert post_event(client, event("checkout.session.async_payment_failed", session)).status_code == 200
    assert _purchase(db, purchase_id).status == "failed"
    assert fulfilment.owned_pack_ids(buyer.id) == set()
    assert counts(app)["creator_token_transactions"] == 0


def test_an_expired_session_cancels_its_pending_purchase(app, client, db):
    buyer = make_user(app)
    purchase_id, session_id = _start(app, buyer.id, make_priced_pack(app, make_creator(app)))
    with app.app_context():
        session = {**checkout.get_gateway().retrieve_checkout_session(session_id), "status": "expired"}
    assert post_event(client, event("checkout.session.expired", session)).status_code == 200
    assert _purchase(db, purchase_id).status == "canceled"


def test_a_refund_revokes_access_and_reverses_the_reward(app, client, db):
    buyer = make_user(app)
    creator = make_creator(app)
    pack = make_priced_pack(app, creator, price=2000)
    other = make_priced_pack(app, creator, price=1000, title="Second")
    purchase_id, session_id = _start(app, buyer.id, pack)
    session = paid_simulated_session(app, session_id)
    post_event(client, event("checkout.session.completed", session))
    _, second_id = _start(app, buyer.id, other)
    post_event(client, event("checkout.session.completed", paid_simulated_session(app, second_id)))
    charge = refunded_charge(session["payment_intent"], 2000)
    assert post_event(client, event("charge.refunded", charge)).status_code == 200
    assert post_event(client, event("charge.refunded", charge)).status_code == 200  # a new event id, same charge
    purchase = _purchase(db, purchase_id)
    assert purchase.status == "refunded" and purchase.meta["amount_refunded"] == 2000
    ent = db.session.scalar(sa.select(Entitlement).where(Entitlement.pack_id == pack))
    assert ent.revoked_at is not None
    assert fulfilment.owned_pack_ids(buyer.id) == {other}
    rows = _rewards(db, creator)
    assert [(r.transaction_type, r.amount, r.balance_after) for r in rows] == [
        ("reward", 1400, 1400),
        ("reward", 700, 2100),
        ("reversal", -1400, 700),
    ]
    assert rows[-1].idempotency_key == f"reversal:{purchase_id}" and rows[-1].purchase_id == purchase_id
    assert creator_tokens.ledger_problems(creator) == []
    assert sum(r.amount for r in rows) == creator_tokens.balance(creator)
    audit = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "purchase.refund"))
    assert audit.target_id == str(purchase_id) and audit.after["status"] == "refunded"


def test_a_partial_refund_keeps_access(app, client, db):
    buyer = make_user(app)
    pack = make_priced_pack(app, make_creator(app))
    purchase_id, session_id = _start(app, buyer.id, pack)
    session = paid_simulated_session(app, session_id)
    post_event(client, event("checkout.session.completed", session))
    post_event(client, event("charge.refunded", refunded_charge(session["payment_intent"], 999, full=False)))
    purchase = _purchase(db, purchase_id)
    assert purchase.status == "paid" and purchase.meta["amount_refunded"] == 499
    assert fulfilment.owned_pack_ids(buyer.id) == {pack}


def test_a_refunded_bundle_takes_back_the_credits_that_are_left(app, client, db):
    buyer = make_user(app)
    with app.app_context():
        start = checkout.start_credits(buyer.id, 5, base_url=BASE)
    session = paid_simulated_session(app, start.checkout_url.rsplit("/", 1)[1])
    post_event(client, event("checkout.session.completed", session))
    with app.app_context():
        credits.consume(buyer.id, 3, idempotency_key="spend-some")
    post_event(client, event("charge.refunded", refunded_charge(session["payment_intent"], 499)))
    rows = credit_rows(app, buyer.id)
    assert [(r.transaction_type, r.amount, r.balance_after) for r in rows] == [
        ("purchase", 1, 1),
        ("purchase", 5, 6),
        ("consumption", -3, 3),
        ("consumption", -3, 0),
    ]
    assert rows[-1].meta == {"reason": "refund", "purchase_id": str(start.purchase_id), "bundle": 5}
    assert _purchase(db, start.purchase_id).meta["credits_shortfall"] == 2
    assert credits.ledger_problems(buyer.id) == []


def test_a_refund_that_arrives_first_is_applied_when_the_payment_is(app, client, db):
    """SECURITY.md 5: events out of order end in the same state."""
    buyer = make_user(app)
    creator = make_creator(app)
    pack = make_priced_pack(app, creator)
    purchase_id, session_id = _start(app, buyer.id, pack)
    session = paid_simulated_session(app, session_id)
    refund = event("charge.refunded", refunded_charge(session["payment_intent"], 999))
    response = post_event(client, refund)
    assert response.status_code == 200 and response.json["outcome"] == "waiting"
    stored = db.session.scalar(sa.select(StripeEvent).where(StripeEvent.stripe_event_id == refund["id"]))
    assert stored.processed_at is None and stored.error == f"waiting for payment_intent {session['payment_intent']}"
    assert post_event(client, event("checkout.session.completed", session)).status_code == 200
    db.session.expire_all()
    assert db.session.get(StripeEvent, stored.id).processed_at is not None
    assert _purchase(db, purchase_id).status == "refunded"
    assert fulfilment.owned_pack_ids(buyer.id) == set()
    assert [r.amount for r in _rewards(db, creator)] == [699, -699]
    assert creator_tokens.ledger_problems(creator) == []


def _popular() -> list[uuid.UUID]:
    from app.providers.search import SearchQuery
    from app.services import catalog_search

    return [card.id for card in catalog_search.search(SearchQuery(sort="popular")).cards]


def test_a_sale_and_its_refund_move_the_pack_in_the_popular_sort(app, client, db):
    from tests.marketplace_helpers import make_creator as make_profiled_creator
    from tests.marketplace_helpers import publish_pack

    creator = make_profiled_creator(app)
    for title in ("Gratitude Evenings", "Focus Sprints"):
        publish_pack(app, creator, title=title, price_type="one_time", price_amount=999)
    before = _popular()
    sold = before[-1]
    _, session_id = _start(app, make_user(app).id, sold)
    session = paid_simulated_session(app, session_id)
    assert post_event(client, event("checkout.session.completed", session)).json["outcome"] == "processed"
    assert _popular() == [sold, before[0]]
    post_event(client, event("charge.refunded", refunded_charge(session["payment_intent"], 999)))
    assert _popular() == before
