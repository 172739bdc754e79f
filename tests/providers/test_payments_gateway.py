"""The payments port: the Stripe backend (the real SDK over HTTP to a local fake Stripe) and the simulated one."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from app.providers.payments import CheckoutRequest, PaymentGatewayError, add_interval, get_gateway
from app.providers.payments.stripe_gateway import StripeGateway
from tests import stripe_server

pytest_plugins = ["tests.payments_fixtures"]  # fake_stripe, stripe_app


def _request(**overrides: object) -> CheckoutRequest:
    values: dict = {
        "purchase_id": uuid.uuid4(),
        "user_id": uuid.uuid4(),
        "mode": "payment",
        "product_name": "Morning light",
        "unit_amount": 999,
        "currency": "usd",
        "success_url": "http://localhost/checkout/success?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://localhost/checkout/cancel?purchase=x",
        "metadata": {"purchase_id": "p", "pack_id": "k"},
    }
    values.update(overrides)
    return CheckoutRequest(**values)


def test_stripe_sessions_are_created_with_inline_prices_and_an_idempotency_key(stripe_app, fake_stripe):
    with stripe_app.app_context():
        gateway = get_gateway()
        assert isinstance(gateway, StripeGateway)
        request = _request(mode="subscription", interval="year", customer_id="cus_1")
        first = gateway.create_checkout_session(request)
        again = gateway.create_checkout_session(request)
    assert first["id"] == again["id"] and len(fake_stripe.sessions) == 1
    posts = [r for r in fake_stripe.requests if r["method"] == "POST"]
    assert {r["idempotency_key"] for r in posts} == {f"checkout:{request.purchase_id}"}
    params = fake_stripe.params[first["id"]]
    assert params["mode"] == "subscription"
    assert params["client_reference_id"] == str(request.purchase_id)
    assert params["customer"] == "cus_1"
    price = params["line_items"][0]["price_data"]
    assert price == {
        "currency": "usd",
        "unit_amount": "999",
        "product_data": {"name": "Morning light"},
        "recurring": {"interval": "year"},
    }
    assert params["subscription_data"]["metadata"] == {"purchase_id": "p", "pack_id": "k"}
    assert params["success_url"].endswith("session_id={CHECKOUT_SESSION_ID}")


def test_stripe_customers_are_created_once_per_user(stripe_app, fake_stripe):
    user_id = uuid.uuid4()
    with stripe_app.app_context():
        gateway = get_gateway()
        assert gateway.create_customer(user_id, "a@example.com") == gateway.create_customer(user_id, "a@example.com")
    assert len(fake_stripe.customers) == 1
    assert fake_stripe.requests[0]["idempotency_key"] == f"customer:{user_id}"


def test_stripe_retrieve_and_list(stripe_app, fake_stripe):
    with stripe_app.app_context():
        gateway = get_gateway()
        made = [gateway.create_checkout_session(_request()) for _ in range(3)]
        assert gateway.retrieve_checkout_session(made[1]["id"])["id"] == made[1]["id"]
        assert gateway.retrieve_checkout_session("cs_test_missing") is None
        listed = gateway.list_checkout_sessions(datetime.now(UTC) - timedelta(days=1))
        assert {s["id"] for s in listed} == {s["id"] for s in made}
        assert gateway.list_checkout_sessions(datetime.now(UTC) + timedelta(days=1)) == []
    listing = [r for r in fake_stripe.requests if r["path"] == "/v1/checkout/sessions" and r["method"] == "GET"]
    assert "gte" in listing[0]["query"]["created"]


def test_stripe_lists_every_page(stripe_app, fake_stripe, monkeypatch):
    with stripe_app.app_context():
        gateway = get_gateway()
        made = {gateway.create_checkout_session(_request())["id"] for _ in range(5)}
    monkeypatch.setattr(fake_stripe, "list_sessions", _paged(fake_stripe.list_sessions, 2))
    with stripe_app.app_context():
        listed = get_gateway().list_checkout_sessions(datetime.now(UTC) - timedelta(days=1))
    assert {s["id"] for s in listed} == made


def _paged(list_sessions, size):  # type: ignore[no-untyped-def]
    def paged(query):  # type: ignore[no-untyped-def]
        return list_sessions({**query, "limit": size})

    return paged


def test_stripe_errors_become_gateway_errors(make_app, fake_stripe):
    wrong_key = make_app(STRIPE_SECRET_KEY="sk_test_wrong", STRIPE_API_BASE=fake_stripe.url, PAYMENTS_SIMULATED=False)
    with wrong_key.app_context(), pytest.raises(PaymentGatewayError):
        get_gateway().create_checkout_session(_request())
    gone = StripeGateway(stripe_server.SECRET_KEY, api_base="http://127.0.0.1:9", max_network_retries=0)
    with pytest.raises(PaymentGatewayError):
        gone.retrieve_checkout_session("cs_test_x")


def test_simulated_sessions_are_idempotent_listed_and_paid_once(app):
    with app.app_context():
        gateway = get_gateway()
        assert gateway.name == "simulated"
        assert gateway.create_customer(uuid.uuid4(), "a@example.com") is None
        request = _request()
        session = gateway.create_checkout_session(request)
        assert gateway.create_checkout_session(request)["id"] == session["id"]
        assert session["url"] == f"http://localhost/checkout/simulated/{session['id']}"
        assert session["success_url"].endswith(f"session_id={session['id']}")
        assert gateway.retrieve_checkout_session(session["id"])["status"] == "open"
        assert gateway.retrieve_checkout_session("cs_sim_nothing") is None
        listed = gateway.list_checkout_sessions(datetime.now(UTC) - timedelta(hours=1))
        assert [s["id"] for s in listed] == [session["id"]]
        paid, order = gateway.pay(session["id"])
        assert paid["payment_status"] == "paid" and paid["payment_intent"].startswith("pi_sim_")
        assert order["name"] == "Morning light" and order["amount"] == 999
        with pytest.raises(PaymentGatewayError, match="complete"):
            gateway.pay(session["id"])


def test_simulated_sessions_expire_after_a_day(app, time_machine):
    time_machine.move_to(datetime.now(UTC), tick=False)
    with app.app_context():
        session = get_gateway().create_checkout_session(_request())
    time_machine.shift(timedelta(hours=24, seconds=1))
    with app.app_context():
        assert get_gateway().retrieve_checkout_session(session["id"])["status"] == "expired"
        with pytest.raises(PaymentGatewayError, match="expired"):
            get_gateway().pay(session["id"])


def test_billing_periods_add_calendar_months_and_years():
    jan31 = int(datetime(2027, 1, 31, 12, tzinfo=UTC).timestamp())
    assert datetime.fromtimestamp(add_interval(jan31, "month"), UTC) == datetime(2027, 2, 28, 12, tzinfo=UTC)
    assert datetime.fromtimestamp(add_interval(jan31, "year"), UTC) == datetime(2028, 1, 31, 12, tzinfo=UTC)
    dec = int(datetime(2027, 12, 5, tzinfo=UTC).timestamp())
    assert datetime.fromtimestamp(add_interval(dec, "month"), UTC) == datetime(2028, 1, 5, tzinfo=UTC)
    assert add_interval(int(time.time()), "month") > time.time()
