"""The payments API: buying packs and credit bundles, and the purchase history."""

from __future__ import annotations

import uuid

from jsonschema import Draft202012Validator

from app.extensions import db
from app.models import Purchase
from app.services import fulfilment
from tests.api.helpers import API, assert_error
from tests.conftest import bearer
from tests.factories import make_user
from tests.payments_helpers import event, make_creator, make_priced_pack, paid_simulated_session, post_event


def _schema(client, path: str, method: str, status: str) -> Draft202012Validator:  # type: ignore[no-untyped-def]
    doc = client.get(f"{API}/openapi.json").json
    return Draft202012Validator(
        doc["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    )


def test_buying_a_free_pack_puts_it_in_the_library(app, client):
    person = make_user(app)
    headers = bearer(client, person.email)
    pack = make_priced_pack(app, make_creator(app), price_type="free")
    response = client.post(f"{API}/packs/{pack}/checkout", headers=headers)
    assert response.status_code == 201
    assert response.json == {"checkout_url": None, "entitled": True, "purchase_id": None}
    _schema(client, "/packs/{pack_id}/checkout", "post", "201").validate(response.json)
    with app.app_context():
        assert fulfilment.owned_pack_ids(person.id) == {pack}
    assert_error(client.post(f"{API}/packs/{pack}/checkout", headers=headers), 409, code="conflict")


def test_buying_a_paid_pack_gives_a_checkout_url(app, client):
    person = make_user(app)
    headers = bearer(client, person.email)
    pack = make_priced_pack(app, make_creator(app), price=1500)
    response = client.post(f"{API}/packs/{pack}/checkout", headers=headers)
    assert response.status_code == 201
    assert response.json["checkout_url"].startswith("http://localhost/checkout/simulated/cs_sim_")
    assert response.json["entitled"] is False
    with app.app_context():
        purchase = db.session.get(Purchase, uuid.UUID(response.json["purchase_id"]))
        assert (purchase.user_id, purchase.amount, purchase.status) == (person.id, 1500, "pending")


def test_packs_that_cannot_be_bought_are_404_or_409(app, client):
    creator = make_creator(app)
    person = make_user(app)
    headers = bearer(client, person.email)
    draft = make_priced_pack(app, creator, status="draft")
    assert_error(client.post(f"{API}/packs/{draft}/checkout", headers=headers), 404, code="not_found")
    assert_error(client.post(f"{API}/packs/{uuid.uuid4()}/checkout", headers=headers), 404)
    own = make_priced_pack(app, creator)
    creator_headers = bearer(client, db_email(app, creator))
    assert_error(client.post(f"{API}/packs/{own}/checkout", headers=creator_headers), 409)
    assert_error(client.post(f"{API}/packs/{own}/checkout"), 401)


def db_email(app, user_id) -> str:  # type: ignore[no-untyped-def]
    from app.models import User

    with app.app_context():
        return db.session.get(User, user_id).email


def test_buying_credits(app, client):
    person = make_user(app)
    headers = bearer(client, person.email)
    response = client.post(f"{API}/credits/checkout", json={"bundle": 50}, headers=headers)
    assert response.status_code == 201 and "/checkout/simulated/" in response.json["checkout_url"]
    error = assert_error(client.post(f"{API}/credits/checkout", json={"bundle": 6}, headers=headers), 422)
    assert "5, 15, 50" in error["message"]
    assert_error(client.post(f"{API}/credits/checkout", json={"bundle": "5"}, headers=headers), 422, field="bundle")
    assert_error(client.post(f"{API}/credits/checkout", json={}, headers=headers), 422, field="bundle")
    assert_error(client.post(f"{API}/credits/checkout", json={"bundle": 5, "x": 1}, headers=headers), 422)


def test_my_purchases_are_listed_newest_first(app, client):
    person = make_user(app)
    other = make_user(app)
    headers = bearer(client, person.email)
    pack = make_priced_pack(app, make_creator(app), title="Evening pack")
    started = client.post(f"{API}/packs/{pack}/checkout", headers=headers).json
    client.post(f"{API}/credits/checkout", json={"bundle": 5}, headers=headers)
    client.post(f"{API}/credits/checkout", json={"bundle": 15}, headers=bearer(client, other.email))
    post_event(
        client,
        event("checkout.session.completed", paid_simulated_session(app, started["checkout_url"].rsplit("/", 1)[1])),
    )
    response = client.get(f"{API}/me/purchases", headers=headers)
    assert response.status_code == 200
    _schema(client, "/me/purchases", "get", "200").validate(response.json)
    items = response.json["items"]
    assert [(i["kind"], i["credits"]) for i in items] == [("credits", 5), ("pack", None)]
    assert items[1]["pack"] == {"id": str(pack), "title": "Evening pack"} and items[1]["status"] == "paid"
    assert items[1]["fulfilled_at"] and items[0]["fulfilled_at"] is None
    assert response.json["total"] == 2
    paged = client.get(f"{API}/me/purchases?page=2&per_page=1", headers=headers).json
    assert [i["kind"] for i in paged["items"]] == ["pack"] and paged["pages"] == 2
    assert_error(client.get(f"{API}/me/purchases?page=0", headers=headers), 422, field="page")


def test_canceling_my_subscription(app, client, time_machine, monkeypatch):
    """At the period end: 200 with when access ends; another user's → 404, twice → 409 (SECURITY.md 9),
    Stripe unavailable → 503 and nothing changed."""
    from datetime import UTC, datetime

    from app.providers.payments import PaymentGatewayError, get_gateway

    time_machine.move_to(datetime(2027, 3, 1, 9, tzinfo=UTC), tick=False)
    person = make_user(app)
    headers = bearer(client, person.email)
    creator = make_creator(app)
    pack = make_priced_pack(app, creator, price=800, price_type="subscription")
    purchase_id = client.post(f"{API}/packs/{pack}/checkout", headers=headers).json["purchase_id"]
    with app.app_context():
        session_id = db.session.get(Purchase, uuid.UUID(purchase_id)).stripe_checkout_session_id
    post_event(client, event("checkout.session.completed", paid_simulated_session(app, session_id)))

    stranger = bearer(client, make_user(app).email)
    path = f"{API}/me/subscriptions/{purchase_id}/cancel"
    assert_error(client.post(path, headers=stranger), 404, code="not_found")
    assert_error(client.post(path), 401)

    def refuse(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise PaymentGatewayError("Stripe is down")

    with app.app_context():
        monkeypatch.setattr(get_gateway(), "cancel_at_period_end", refuse)
    error = assert_error(client.post(path, headers=headers), 503, code="payments_unavailable")
    assert "nothing was changed" in error["message"]
    monkeypatch.undo()
    response = client.post(path, headers=headers)
    assert response.status_code == 200
    assert response.json == {
        "id": purchase_id,
        "status": "paid",
        "cancel_at_period_end": True,
        "ends_at": "2027-04-01T09:00:00+00:00",
    }
    _schema(client, "/me/subscriptions/{purchase_id}/cancel", "post", "200").validate(response.json)
    error = assert_error(client.post(path, headers=headers), 409, code="conflict")
    assert "canceled already" in error["message"]
    one_time = make_priced_pack(app, creator, price=500, title="Evening")
    bought = client.post(f"{API}/packs/{one_time}/checkout", headers=headers).json["purchase_id"]
    assert_error(client.post(f"{API}/me/subscriptions/{bought}/cancel", headers=headers), 409)
    with app.app_context():
        assert fulfilment.owned_pack_ids(person.id) == {pack}
