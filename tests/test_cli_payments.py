"""`flask payments reconcile`: mends what lost webhooks left, from the provider's own list of sessions."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db as db_ext
from app.models import Purchase, StripeEvent
from app.services import checkout, creator_tokens, fulfilment
from tests.factories import make_user
from tests.payments_helpers import (
    event,
    make_creator,
    make_priced_pack,
    paid_simulated_session,
    post_event,
    refunded_charge,
)

pytest_plugins = ["tests.payments_fixtures"]  # fake_stripe, stripe_app
BASE = "http://localhost/"


def _status(app, purchase_id) -> str:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db_ext.session.get(Purchase, purchase_id).status


def test_reconcile_fulfils_paid_sessions_and_cancels_expired_ones(stripe_app, fake_stripe):
    buyer = make_user(stripe_app)
    creator = make_creator(stripe_app)
    paid_pack = make_priced_pack(stripe_app, creator, title="Paid")
    lapsed_pack = make_priced_pack(stripe_app, creator, title="Lapsed")
    with stripe_app.app_context():
        paid = checkout.start_pack(buyer.id, paid_pack, base_url=BASE)
        lapsed = checkout.start_pack(buyer.id, lapsed_pack, base_url=BASE)
        bundle = checkout.start_credits(buyer.id, 5, base_url=BASE)
    by_purchase = {s["client_reference_id"]: s["id"] for s in fake_stripe.sessions.values()}
    fake_stripe.complete(by_purchase[str(paid.purchase_id)])
    fake_stripe.complete(by_purchase[str(bundle.purchase_id)])
    fake_stripe.expire(by_purchase[str(lapsed.purchase_id)])
    stray = next(iter(fake_stripe.sessions.values()))
    fake_stripe.sessions["cs_test_elsewhere"] = {**stray, "id": "cs_test_elsewhere", "client_reference_id": None}

    result = stripe_app.test_cli_runner().invoke(args=["payments", "reconcile", "--days", "2"])
    assert result.exit_code == 0, result.output
    assert "Checked 4 checkout sessions from the last 2 days." in result.output
    assert "Fulfilled: 2" in result.output and "Canceled (expired): 1" in result.output
    assert "Not ours (no purchase): 1" in result.output
    assert _status(stripe_app, paid.purchase_id) == "paid"
    assert _status(stripe_app, bundle.purchase_id) == "paid"
    assert _status(stripe_app, lapsed.purchase_id) == "canceled"
    with stripe_app.app_context():
        assert fulfilment.owned_pack_ids(buyer.id) == {paid_pack}
        assert creator_tokens.balance(creator) == 699
    again = stripe_app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert again.exit_code == 0 and "Nothing needed fixing." in again.output
    listing = [r for r in fake_stripe.requests if r["method"] == "GET" and r["path"] == "/v1/checkout/sessions"]
    assert listing and all("gte" in r["query"]["created"] for r in listing)


def test_reconcile_replays_events_left_waiting(app, client):
    buyer = make_user(app)
    creator = make_creator(app)
    pack = make_priced_pack(app, creator)
    with app.app_context():
        start = checkout.start_pack(buyer.id, pack, base_url=BASE)
    session = paid_simulated_session(app, start.checkout_url.rsplit("/", 1)[1])
    # The refund came, the payment's webhook never did.
    assert post_event(client, event("charge.refunded", refunded_charge(session["payment_intent"], 999))).json == {
        "received": True,
        "outcome": "waiting",
    }
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert result.exit_code == 0, result.output
    assert "Fulfilled: 1" in result.output
    assert _status(app, start.purchase_id) == "refunded"
    with app.app_context():
        assert fulfilment.owned_pack_ids(buyer.id) == set()
        assert db_ext.session.scalar(sa.select(StripeEvent.processed_at)) is not None
        assert creator_tokens.balance(creator) == 0 and creator_tokens.ledger_problems(creator) == []


def test_reconcile_rejects_a_bad_window(app):
    result = app.test_cli_runner().invoke(args=["payments", "reconcile", "--days", "0"])
    assert result.exit_code != 0 and "--days" in result.output
