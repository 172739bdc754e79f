"""POST /webhooks/stripe: the signature on the raw body decides; each event is applied once, however
often and however concurrently it arrives (SECURITY.md 4, 5)."""

from __future__ import annotations

import json
import threading
import time
import urllib.request

import pytest
import sqlalchemy as sa

from app.extensions import db as db_ext
from app.models import Purchase, StripeEvent
from app.services import checkout, creator_tokens, fulfilment
from tests.factories import make_user
from tests.payments_helpers import (
    counts,
    event,
    make_creator,
    make_priced_pack,
    paid_simulated_session,
    refunded_charge,
    signed,
)

pytest_plugins = ["tests.payments_fixtures"]  # fake_stripe, stripe_app
NOTHING = {"purchases": 0, "entitlements": 0, "stripe_events": 0, "creator_token_transactions": 0, "audit_log": 0}


def _paid_pack_event(app):  # type: ignore[no-untyped-def]
    buyer = make_user(app)
    creator = make_creator(app)
    pack = make_priced_pack(app, creator)
    with app.app_context():
        start = checkout.start_pack(buyer.id, pack, base_url="http://localhost/")
    session = paid_simulated_session(app, start.checkout_url.rsplit("/", 1)[1])
    return buyer, creator, pack, start.purchase_id, session


def test_unsigned_or_badly_signed_events_write_nothing(app, client):
    """SECURITY.md 5: missing, wrong, tampered or stale signatures → 400 and no row anywhere."""
    _buyer, _creator, _pack, _purchase_id, session = _paid_pack_event(app)
    before = counts(app)
    evt = event("checkout.session.completed", session)
    secret = app.config["STRIPE_WEBHOOK_SECRET"]
    payload, headers = signed(evt, secret)
    attempts = [
        (payload, {"Content-Type": "application/json"}),
        (payload, {**headers, "Stripe-Signature": ""}),
        (payload, {**headers, "Stripe-Signature": "t=abc,v1=zz"}),
        (payload, signed(evt, "whsec_someone_else")[1]),
        (payload.replace('"paid"', '"PAID"'), headers),
        (payload, signed(evt, secret, timestamp=int(time.time()) - 301)[1]),
        ("not json at all", signed({"x": 1}, secret)[1] | {"Stripe-Signature": _sign("not json at all", secret)}),
        (b"\xff\xfe", {"Stripe-Signature": _sign("x", secret)}),
    ]
    for body, hdrs in attempts:
        response = client.post("/webhooks/stripe", data=body, headers=hdrs)
        assert response.status_code == 400, (body, hdrs, response.data)
        assert response.json["error"]["code"] == "bad_request"
    assert counts(app) == before == {**NOTHING, "purchases": 1}
    with app.app_context():
        assert db_ext.session.get(Purchase, _purchase_id).status == "pending"


def _sign(body: str, secret: str) -> str:
    from app.providers.payments import signature_header

    return signature_header(body, secret)


def test_a_signed_body_that_is_not_an_event_is_refused(app, client):
    secret = app.config["STRIPE_WEBHOOK_SECRET"]
    for body in ('{"id": "evt_1", "object": "event", "type": "x"}', "[1, 2]", '"text"'):
        response = client.post("/webhooks/stripe", data=body, headers={"Stripe-Signature": _sign(body, secret)})
        assert response.status_code == 400
    assert counts(app) == NOTHING


def test_an_oversized_body_is_refused(app, client):
    body = json.dumps(event("x.y", {"pad": "a" * (1024 * 1024)}))
    response = client.post("/webhooks/stripe", data=body, headers={"Stripe-Signature": _sign(body, "x")})
    assert response.status_code == 413
    assert counts(app) == NOTHING


def test_unknown_events_are_stored_and_acknowledged(app, client, db):
    evt = event("customer.created", {"id": "cus_1", "object": "customer"})
    payload, headers = signed(evt, app.config["STRIPE_WEBHOOK_SECRET"])
    response = client.post("/webhooks/stripe", data=payload, headers=headers)
    assert response.status_code == 200 and response.json == {"received": True, "outcome": "ignored"}
    row = db.session.scalar(sa.select(StripeEvent))
    assert (row.stripe_event_id, row.event_type, row.error) == (evt["id"], "customer.created", None)
    assert row.processed_at is not None


def test_a_processing_error_is_recorded_answered_500_and_retried(app, client, db):
    buyer = make_user(app)
    with app.app_context():
        broken = Purchase(user_id=buyer.id, kind="credits", amount=499, meta={})  # no bundle: cannot be granted
        db_ext.session.add(broken)
        db_ext.session.commit()
        purchase_id = broken.id
    session = {
        "id": "cs_sim_broken",
        "object": "checkout.session",
        "client_reference_id": str(purchase_id),
        "payment_status": "paid",
        "status": "complete",
        "amount_total": 499,
        "metadata": {},
    }
    evt = event("checkout.session.completed", session)
    payload, headers = signed(evt, app.config["STRIPE_WEBHOOK_SECRET"])
    response = client.post("/webhooks/stripe", data=payload, headers=headers)
    assert response.status_code == 500 and response.json["error"]["code"] == "server_error"
    row = db.session.scalar(sa.select(StripeEvent))
    assert row.processed_at is None and "amount" in row.error
    purchase = db.session.get(Purchase, purchase_id)
    assert purchase.fulfilled_at is None and purchase.status == "pending"  # the failed attempt left nothing
    purchase.meta = {"bundle": 5}
    db.session.commit()
    again = client.post("/webhooks/stripe", data=payload, headers=signed(evt, app.config["STRIPE_WEBHOOK_SECRET"])[1])
    assert again.status_code == 200 and again.json["outcome"] == "processed"
    db.session.expire_all()
    assert db.session.get(Purchase, purchase_id).status == "paid"
    assert db.session.get(StripeEvent, row.id).error is None


def _deliver(url: str, payload: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=payload.encode(), headers=headers, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        return response.status


def _together(count: int, work) -> list:  # type: ignore[no-untyped-def]
    results: list = [None] * count
    barrier = threading.Barrier(count)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as exc:  # collected and asserted on below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.mark.postgres
def test_the_same_event_ten_times_at_once_applies_once(app, live_server, db):
    """SECURITY.md 5: ten concurrent deliveries → one purchase, one entitlement, one reward."""
    buyer, creator, pack, purchase_id, session = _paid_pack_event(app)
    evt = event("checkout.session.completed", session)
    payload, headers = signed(evt, app.config["STRIPE_WEBHOOK_SECRET"])
    statuses = _together(10, lambda _i: _deliver(live_server("/webhooks/stripe"), payload, headers))
    assert statuses == [200] * 10
    assert counts(app) == {
        **NOTHING,
        "purchases": 1,
        "entitlements": 1,
        "stripe_events": 1,
        "creator_token_transactions": 1,
    }
    assert db.session.get(Purchase, purchase_id).status == "paid"
    assert fulfilment.owned_pack_ids(buyer.id) == {pack}
    assert creator_tokens.balance(creator) == 699 and creator_tokens.ledger_problems(creator) == []


@pytest.mark.postgres
def test_different_events_for_one_session_at_once_apply_once(app, live_server, db):
    _buyer, creator, _pack, _purchase_id, session = _paid_pack_event(app)
    types = ["checkout.session.completed", "checkout.session.async_payment_succeeded"]
    bodies = [signed(event(types[i % 2], session), app.config["STRIPE_WEBHOOK_SECRET"]) for i in range(10)]
    statuses = _together(10, lambda i: _deliver(live_server("/webhooks/stripe"), *bodies[i]))
    assert statuses == [200] * 10
    assert counts(app)["stripe_events"] == 10
    assert counts(app)["entitlements"] == 1 and counts(app)["creator_token_transactions"] == 1
    assert creator_tokens.ledger_problems(creator) == []


@pytest.mark.postgres
def test_the_redirect_racing_the_webhook_fulfils_once(stripe_app, fake_stripe):
    """SECURITY.md 6, under concurrency: five success redirects and five webhook deliveries at once."""
    buyer = make_user(stripe_app)
    creator = make_creator(stripe_app)
    pack = make_priced_pack(stripe_app, creator)
    with stripe_app.app_context():
        purchase_id = checkout.start_pack(buyer.id, pack, base_url="http://localhost/").purchase_id
    session = fake_stripe.complete(fake_stripe.only_session()["id"])
    evt = event("checkout.session.completed", session)
    payload, headers = signed(evt, stripe_app.config["STRIPE_WEBHOOK_SECRET"])

    def work(i: int):  # type: ignore[no-untyped-def]
        if i % 2:
            return stripe_app.test_client().post("/webhooks/stripe", data=payload, headers=headers).status_code
        with stripe_app.app_context():
            try:
                return checkout.complete_from_redirect(buyer.id, session["id"]).status
            finally:
                db_ext.session.remove()

    results = _together(10, work)
    assert sorted(map(str, results)) == ["200"] * 5 + ["paid"] * 5
    assert counts(stripe_app) == {
        **NOTHING,
        "purchases": 1,
        "entitlements": 1,
        "stripe_events": 1,
        "creator_token_transactions": 1,
    }
    with stripe_app.app_context():
        assert db_ext.session.get(Purchase, purchase_id).status == "paid"
        assert creator_tokens.balance(creator) == 699


@pytest.mark.postgres
def test_a_refund_racing_its_payment_still_ends_refunded(app, live_server, db):
    """SECURITY.md 5: a refund delivered at the same moment as the payment it refunds is not lost."""
    secret = app.config["STRIPE_WEBHOOK_SECRET"]
    for _round in range(5):
        buyer, creator, _pack, purchase_id, session = _paid_pack_event(app)
        bodies = [
            signed(event("checkout.session.completed", session), secret),
            signed(event("charge.refunded", refunded_charge(session["payment_intent"], 999)), secret),
        ]
        statuses = _together(2, lambda i, bodies=bodies: _deliver(live_server("/webhooks/stripe"), *bodies[i]))
        assert statuses == [200, 200]
        db.session.expire_all()
        assert db.session.get(Purchase, purchase_id).status == "refunded"
        assert fulfilment.owned_pack_ids(buyer.id) == set()
        assert creator_tokens.balance(creator) == 0 and creator_tokens.ledger_problems(creator) == []
        assert db.session.scalar(sa.select(sa.func.count()).where(StripeEvent.processed_at.is_(None))) == 0
