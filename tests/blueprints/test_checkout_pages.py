"""Checkout pages: the success and cancel redirects, the simulated checkout (its Pay button reaches the
webhook over real HTTP), buying credits from the account page; SECURITY.md 9 (another user's checkout →
404) and 15 (CSRF)."""

from __future__ import annotations

import re

import pytest
import requests
import sqlalchemy as sa

from app.extensions import db as db_ext
from app.models import CreditTransaction, Purchase, StripeEvent, User
from app.services import checkout, creator_tokens, fulfilment
from tests.conftest import form_token
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.payments_helpers import make_creator, make_priced_pack, paid_simulated_session

pytest_plugins = ["tests.payments_fixtures"]  # fake_stripe, stripe_app
HTMX = {"HX-Request": "true"}


@pytest.fixture
def me(app, auth):  # type: ignore[no-untyped-def]
    person = make_user(app)
    auth.login(person.email)
    return person


def _checkout(app, user_id, pack_id=None, bundle=None):  # type: ignore[no-untyped-def]
    """A started checkout: (purchase id, simulated session id)."""
    with app.app_context():
        if pack_id is not None:
            start = checkout.start_pack(user_id, pack_id, base_url="http://localhost/")
        else:
            start = checkout.start_credits(user_id, bundle, base_url="http://localhost/")
    return start.purchase_id, start.checkout_url.rsplit("/", 1)[1]


def test_the_success_page_fulfils_and_says_it_is_in_the_library(app, client, me):
    pack = make_priced_pack(app, make_creator(app), title="Quiet <b>hours</b>")
    purchase_id, session_id = _checkout(app, me.id, pack_id=pack)
    paid_simulated_session(app, session_id)  # paid, but no webhook has come
    page = client.get(f"/checkout/success?session_id={session_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "It's in your library" in html and 'href="/library"' in html
    assert "Quiet &lt;b&gt;hours&lt;/b&gt;" in html
    with app.app_context():
        assert db_ext.session.get(Purchase, purchase_id).status == "paid"
        assert fulfilment.owned_pack_ids(me.id) == {pack}


def test_the_success_page_shows_the_new_credit_balance(app, client, me):
    _purchase_id, session_id = _checkout(app, me.id, bundle=50)
    paid_simulated_session(app, session_id)
    html = client.get(f"/checkout/success?session_id={session_id}").get_data(as_text=True)
    assert "Your credits are added" in html
    assert re.search(r'data-testid="success-balance">51<', html)


def test_the_success_page_says_when_the_payment_is_still_processing(app, client, me):
    _purchase_id, session_id = _checkout(app, me.id, pack_id=make_priced_pack(app, make_creator(app)))
    html = client.get(f"/checkout/success?session_id={session_id}").get_data(as_text=True)
    assert "still processing" in html


def test_another_users_session_is_not_found(app, client, me):
    """SECURITY.md 9: someone else's session id on the success page is a 404, and nothing is fulfilled."""
    other = make_user(app)
    purchase_id, session_id = _checkout(app, other.id, bundle=5)
    paid_simulated_session(app, session_id)
    for url in (
        f"/checkout/success?session_id={session_id}",
        "/checkout/success?session_id=cs_nope",
        "/checkout/success",
    ):
        assert client.get(url).status_code == 404
    with app.app_context():
        assert db_ext.session.get(Purchase, purchase_id).status == "pending"


def test_another_users_simulated_checkout_is_not_found(app, client, me):
    """SECURITY.md 9: the simulated checkout page and its buttons are the buyer's alone."""
    other = make_user(app)
    _purchase_id, session_id = _checkout(app, other.id, bundle=5)
    token = form_token(client.get("/account/").data)
    assert client.get(f"/checkout/simulated/{session_id}").status_code == 404
    assert client.post(f"/checkout/simulated/{session_id}/pay", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/checkout/simulated/{session_id}/cancel", data={"csrf_token": token}).status_code == 404
    assert client.get("/checkout/simulated/cs_sim_nothing").status_code == 404
    with app.app_context():
        assert checkout.get_gateway().retrieve_checkout_session(session_id)["payment_status"] == "unpaid"


def test_the_simulated_checkout_shows_the_order(app, client, me):
    pack = make_priced_pack(app, make_creator(app), price=1250, price_type="subscription", interval="annual")
    _purchase_id, session_id = _checkout(app, me.id, pack_id=pack)
    html = client.get(f"/checkout/simulated/{session_id}").get_data(as_text=True)
    assert 'data-testid="order-name">Morning light<' in html
    assert "$12.50 a year" in html and "Every year" in html
    assert html.count('name="csrf_token"') >= 2 and "<script>" not in html.split("</head>")[1]


def test_simulated_pay_needs_the_csrf_token(app, client, me):
    """SECURITY.md 15."""
    _purchase_id, session_id = _checkout(app, me.id, bundle=5)
    assert client.post(f"/checkout/simulated/{session_id}/pay").status_code == 400
    with app.app_context():
        assert checkout.get_gateway().retrieve_checkout_session(session_id)["payment_status"] == "unpaid"


def test_simulated_pages_exist_only_when_simulated(stripe_app):
    person = make_user(stripe_app)
    client = stripe_app.test_client()
    page = client.get("/login")
    client.post(
        "/login", data={"email": person.email, "password": DEFAULT_PASSWORD, "csrf_token": form_token(page.data)}
    )
    assert client.get("/checkout/simulated/cs_sim_anything").status_code == 404


def test_the_cancel_page_charges_nothing_and_leads_back(app, client, me):
    purchase_id, _ = _checkout(app, me.id, bundle=15)
    html = client.get(f"/checkout/cancel?purchase={purchase_id}").get_data(as_text=True)
    assert "Nothing was charged" in html and "15 credits" in html and 'href="/account/"' in html
    other = make_user(app)
    theirs, _ = _checkout(app, other.id, bundle=50)
    html = client.get(f"/checkout/cancel?purchase={theirs}").get_data(as_text=True)
    assert "Nothing was charged" in html and "50 credits" not in html
    assert client.get("/checkout/cancel?purchase=junk").status_code == 200


def test_the_account_page_sells_credit_bundles(app, client, me, db):
    page = client.get("/account/")
    html = page.get_data(as_text=True)
    assert "Buy credits" in html
    for label in ("5 credits · $4.99", "15 credits · $12.99", "50 credits · $34.99"):
        assert label in html
    token = form_token(page.data)
    response = client.post("/account/credits/checkout", data={"csrf_token": token, "bundle": "15"})
    assert response.status_code == 303 and "/checkout/simulated/cs_sim_" in response.location
    purchase = db.session.scalar(sa.select(Purchase))
    assert (purchase.kind, purchase.amount, purchase.status) == ("credits", 1299, "pending")
    htmx = client.post("/account/credits/checkout", data={"csrf_token": token, "bundle": "15"}, headers=HTMX)
    assert htmx.status_code == 204 and htmx.headers["HX-Redirect"] == response.location  # the open one, reused
    bad = client.post("/account/credits/checkout", data={"csrf_token": token, "bundle": "7"}, follow_redirects=True)
    assert "the bundles are 5, 15, 50 credits" in bad.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Purchase)) == 1


def test_the_credit_form_needs_the_csrf_token(app, client, me, db):
    """SECURITY.md 15."""
    assert client.post("/account/credits/checkout", data={"bundle": "5"}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Purchase)) == 0


def _browser(live_server, email: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(live_server("/login"))
    response = browser.post(
        live_server("/login"), data={"email": email, "password": DEFAULT_PASSWORD, "csrf_token": form_token(page.text)}
    )
    assert response.status_code == 200
    return browser


def test_simulated_checkout_end_to_end_through_the_webhook(app, live_server):
    """The Pay button signs the event and posts it to /webhooks/stripe over HTTP; the webhook fulfils."""
    person = make_user(app)
    browser = _browser(live_server, person.email)
    account = browser.get(live_server("/account/"))
    to_pay = browser.post(
        live_server("/account/credits/checkout"), data={"csrf_token": form_token(account.text), "bundle": "5"}
    )
    assert to_pay.url.startswith(live_server("/checkout/simulated/cs_sim_"))
    assert "5 waQup credits" in to_pay.text and "$4.99" in to_pay.text
    session_id = to_pay.url.rsplit("/", 1)[1]
    done = browser.post(
        live_server(f"/checkout/simulated/{session_id}/pay"), data={"csrf_token": form_token(to_pay.text)}
    )
    assert done.status_code == 200 and done.url.startswith(live_server("/checkout/success?session_id="))
    assert "Your credits are added" in done.text
    with app.app_context():
        row = db_ext.session.scalar(sa.select(StripeEvent))
        assert row.event_type == "checkout.session.completed" and row.processed_at is not None
        assert db_ext.session.scalar(sa.select(User.credit_balance).where(User.id == person.id)) == 6
        ledger = db_ext.session.scalars(sa.select(CreditTransaction).order_by(CreditTransaction.entry_no)).all()
        assert ledger[-1].meta["bundle"] == 5


def test_simulated_subscription_end_to_end(app, live_server):
    person = make_user(app)
    creator = make_creator(app)
    pack = make_priced_pack(app, creator, price=500, price_type="subscription", interval="monthly")
    browser = _browser(live_server, person.email)
    token = requests.post(
        live_server("/api/v1/auth/token"), json={"email": person.email, "password": DEFAULT_PASSWORD}, timeout=30
    ).json()["access_token"]
    started = requests.post(
        live_server(f"/api/v1/packs/{pack}/checkout"), headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert started.status_code == 201 and started.json()["entitled"] is False
    page = browser.get(started.json()["checkout_url"])
    assert "$5.00 a month" in page.text
    session_id = page.url.rsplit("/", 1)[1]
    done = browser.post(
        live_server(f"/checkout/simulated/{session_id}/pay"), data={"csrf_token": form_token(page.text)}
    )
    assert "It's in your library" in done.text
    with app.app_context():
        types = set(db_ext.session.scalars(sa.select(StripeEvent.event_type)))
        assert types == {"checkout.session.completed", "invoice.paid"}
        assert db_ext.session.scalar(sa.select(sa.func.count()).where(StripeEvent.processed_at.is_(None))) == 0
        assert fulfilment.owned_pack_ids(person.id) == {pack}
        assert creator_tokens.balance(creator) == 350
    cancel = browser.get(live_server(f"/checkout/simulated/{session_id}"))
    assert "This checkout is complete" in cancel.text
