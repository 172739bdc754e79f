"""Starting a checkout: free packs at once, paid ones through a Checkout Session (the real SDK against a
local fake Stripe), credit bundles, and finishing from the success redirect."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from app.models import Entitlement, Purchase, User
from app.providers.payments.stripe_gateway import StripeGateway
from app.services import Conflict, NotFound, ServiceError, checkout, creator_tokens, fulfilment
from app.services.checkout import PaymentsUnavailable
from tests.factories import make_user
from tests.library_helpers import entitle
from tests.payments_helpers import make_creator, make_priced_pack

BASE = "http://shop.test/"

pytest_plugins = ["tests.payments_fixtures"]  # fake_stripe, stripe_app


def test_a_free_pack_is_granted_at_once(app, db):
    buyer = make_user(app)
    pack = make_priced_pack(app, make_creator(app), price_type="free")
    start = checkout.start_pack(buyer.id, pack, base_url=BASE)
    assert start == checkout.CheckoutStart(None, True, None)
    ent = db.session.scalar(sa.select(Entitlement).where(Entitlement.user_id == buyer.id))
    assert ent.source == "free" and ent.pack_id == pack
    assert fulfilment.owned_pack_ids(buyer.id) == {pack}
    with pytest.raises(Conflict, match="already in your library"):
        checkout.start_pack(buyer.id, pack, base_url=BASE)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Purchase)) == 0


def test_packs_that_cannot_be_bought(app, db):
    buyer = make_user(app)
    creator = make_creator(app)
    for status in ("draft", "in_review", "archived"):
        hidden = make_priced_pack(app, creator, status=status)
        with pytest.raises(NotFound):
            checkout.start_pack(buyer.id, hidden, base_url=BASE)
    with pytest.raises(NotFound):
        checkout.start_pack(buyer.id, uuid.uuid4(), base_url=BASE)
    own = make_priced_pack(app, creator)
    with pytest.raises(Conflict, match="your own pack"):
        checkout.start_pack(creator, own, base_url=BASE)
    held = make_priced_pack(app, creator)
    entitle(app, buyer.id, held, source="admin")
    with pytest.raises(Conflict, match="already in your library"):
        checkout.start_pack(buyer.id, held, base_url=BASE)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Purchase)) == 0


def test_a_paid_pack_opens_a_stripe_checkout(stripe_app, fake_stripe):
    buyer = make_user(stripe_app)
    pack = make_priced_pack(stripe_app, make_creator(stripe_app), price=1299, title="Deep rest")
    with stripe_app.app_context():
        start = checkout.start_pack(buyer.id, pack, base_url=BASE, return_path="/marketplace/deep-rest")
        purchase = checkout.db.session.get(Purchase, start.purchase_id)
        customer = checkout.db.session.scalar(sa.select(User.stripe_customer_id).where(User.id == buyer.id))
        assert (purchase.status, purchase.kind, purchase.amount) == ("pending", "pack", 1299)
        assert purchase.meta["return_path"] == "/marketplace/deep-rest"
        session_id = purchase.stripe_checkout_session_id
    session = fake_stripe.sessions[session_id]
    assert start.checkout_url == session["url"] and not start.entitlement_granted
    params = fake_stripe.params[session_id]
    assert params["mode"] == "payment"
    assert params["customer"] == customer and customer in fake_stripe.customers
    assert params["client_reference_id"] == str(start.purchase_id)
    assert params["metadata"] == {"purchase_id": str(start.purchase_id), "user_id": str(buyer.id), "pack_id": str(pack)}
    assert params["line_items"][0]["price_data"]["product_data"]["name"] == "Deep rest"
    assert "recurring" not in params["line_items"][0]["price_data"]
    assert params["success_url"] == "http://shop.test/checkout/success?session_id={CHECKOUT_SESSION_ID}"
    assert params["cancel_url"] == f"http://shop.test/checkout/cancel?purchase={start.purchase_id}"
    assert params["payment_intent_data"]["metadata"]["purchase_id"] == str(start.purchase_id)


def test_a_second_click_reuses_the_open_session_and_one_customer(stripe_app, fake_stripe):
    buyer = make_user(stripe_app)
    creator = make_creator(stripe_app)
    pack = make_priced_pack(stripe_app, creator)
    other = make_priced_pack(stripe_app, creator, price_type="subscription", interval="annual", price=4999)
    with stripe_app.app_context():
        first = checkout.start_pack(buyer.id, pack, base_url=BASE)
        again = checkout.start_pack(buyer.id, pack, base_url=BASE)
        assert again == first
        fake_stripe.expire(fake_stripe.only_session()["id"])
        fresh = checkout.start_pack(buyer.id, pack, base_url=BASE)
        assert fresh.purchase_id != first.purchase_id
        sub = checkout.start_pack(buyer.id, other, base_url=BASE)
    assert len(fake_stripe.customers) == 1
    params = fake_stripe.params[fake_stripe.sessions[sub.checkout_url.rsplit("/", 1)[1]]["id"]]
    assert params["mode"] == "subscription"
    assert params["line_items"][0]["price_data"]["recurring"] == {"interval": "year"}


def test_credit_bundles(stripe_app, fake_stripe):
    buyer = make_user(stripe_app)
    with stripe_app.app_context():
        for bad in (7, 0, -5, True, "5"):
            with pytest.raises(ServiceError, match="the bundles are 5, 15, 50 credits") as caught:
                checkout.start_credits(buyer.id, bad, base_url=BASE)  # type: ignore[arg-type]
            assert caught.value.status == 422 and caught.value.field == "bundle"
        assert fake_stripe.sessions == {}
        start = checkout.start_credits(buyer.id, 15, base_url=BASE)
        purchase = checkout.db.session.get(Purchase, start.purchase_id)
        assert (purchase.kind, purchase.amount, purchase.meta["bundle"]) == ("credits", 1299, 15)
    params = fake_stripe.params[fake_stripe.only_session()["id"]]
    assert params["metadata"]["bundle"] == "15"
    assert params["line_items"][0]["price_data"]["unit_amount"] == "1299"


def test_when_stripe_is_down_nothing_is_charged_and_the_purchase_says_so(make_app):
    app = make_app(STRIPE_SECRET_KEY="sk_test_x", STRIPE_API_BASE="http://127.0.0.1:9", PAYMENTS_SIMULATED=False)
    buyer = make_user(app)
    pack = make_priced_pack(app, make_creator(app))
    app.extensions["payments"] = StripeGateway("sk_test_x", api_base="http://127.0.0.1:9", max_network_retries=0)
    with app.app_context():
        with pytest.raises(PaymentsUnavailable) as caught:
            checkout.start_pack(buyer.id, pack, base_url=BASE)
        assert caught.value.status == 503
        purchase = checkout.db.session.scalar(sa.select(Purchase))
        assert purchase.status == "failed" and purchase.fulfilled_at is None


def test_the_redirect_fulfils_a_paid_session_of_its_buyer_only(stripe_app, fake_stripe):
    buyer = make_user(stripe_app)
    stranger = make_user(stripe_app)
    creator = make_creator(stripe_app)
    pack = make_priced_pack(stripe_app, creator, price=1000)
    with stripe_app.app_context():
        start = checkout.start_pack(buyer.id, pack, base_url=BASE)
    session_id = fake_stripe.only_session()["id"]
    with stripe_app.app_context():
        with pytest.raises(NotFound):
            checkout.complete_from_redirect(stranger.id, session_id)
        with pytest.raises(NotFound):
            checkout.complete_from_redirect(buyer.id, "cs_test_unknown")
        assert checkout.complete_from_redirect(buyer.id, session_id).status == "pending"
    fake_stripe.complete(session_id)
    with stripe_app.app_context():
        purchase = checkout.complete_from_redirect(buyer.id, session_id)
        assert purchase.id == start.purchase_id and purchase.status == "paid" and purchase.fulfilled_at
        assert fulfilment.owned_pack_ids(buyer.id) == {pack}
        assert creator_tokens.balance(creator) == 700


def _popular() -> list[uuid.UUID]:
    from app.providers.search import SearchQuery
    from app.services import catalog_search

    return [card.id for card in catalog_search.search(SearchQuery(sort="popular")).cards]


def test_a_free_claim_moves_the_pack_up_the_popular_sort(app, db):
    from tests.marketplace_helpers import make_creator as make_profiled_creator
    from tests.marketplace_helpers import publish_pack

    creator = make_profiled_creator(app)
    packs = {publish_pack(app, creator, title=title) for title in ("Gratitude Evenings", "Focus Sprints")}
    before = _popular()
    assert set(before) == packs and _popular() == before  # the second search is served from the cache
    checkout.start_pack(make_user(app).id, before[-1], base_url=BASE)
    assert _popular() == [before[-1], before[0]]


def test_a_session_at_an_old_price_is_expired_not_reused(stripe_app, fake_stripe):
    """A second click after the price (or the billing interval) changed opens a session at the current
    price; the old one is expired at Stripe and its purchase canceled."""
    from app.models import RitualPack

    buyer = make_user(stripe_app)
    creator = make_creator(stripe_app)
    pack = make_priced_pack(stripe_app, creator, price=999)
    sub = make_priced_pack(stripe_app, creator, price=400, price_type="subscription", interval="monthly")
    with stripe_app.app_context():
        old = checkout.start_pack(buyer.id, pack, base_url=BASE)
        old_sub = checkout.start_pack(buyer.id, sub, base_url=BASE)
        checkout.db.session.get(RitualPack, pack).price_amount = 1499
        checkout.db.session.get(RitualPack, sub).subscription_interval = "annual"
        checkout.db.session.commit()
        new = checkout.start_pack(buyer.id, pack, base_url=BASE)
        new_sub = checkout.start_pack(buyer.id, sub, base_url=BASE)
        assert checkout.start_pack(buyer.id, pack, base_url=BASE) == new  # the current price is reused
        for before, after in ((old, new), (old_sub, new_sub)):
            assert after.purchase_id != before.purchase_id and after.checkout_url != before.checkout_url
            superseded = checkout.db.session.get(Purchase, before.purchase_id)
            assert superseded.status == "canceled" and superseded.meta["superseded"] == "the price changed"
            assert fake_stripe.sessions[superseded.stripe_checkout_session_id]["status"] == "expired"
        assert checkout.db.session.get(Purchase, new.purchase_id).amount == 1499
    price = fake_stripe.params[new.checkout_url.rsplit("/", 1)[1]]["line_items"][0]["price_data"]
    assert price["unit_amount"] == "1499"
    recurring = fake_stripe.params[new_sub.checkout_url.rsplit("/", 1)[1]]["line_items"][0]["price_data"]["recurring"]
    assert recurring == {"interval": "year"}
    expires = [r["path"] for r in fake_stripe.requests if r["path"].endswith("/expire")]
    assert len(expires) == 2


def test_stripe_returns_to_the_public_address_whatever_host_the_request_named(make_app, fake_stripe):
    """Behind a proxy, or with a forged Host header, Checkout must still send buyers back to the site."""
    from tests import stripe_server
    from tests.conftest import form_token

    app = make_app(
        STRIPE_SECRET_KEY=stripe_server.SECRET_KEY,
        STRIPE_API_BASE=fake_stripe.url,
        STRIPE_WEBHOOK_SECRET=stripe_server.WEBHOOK_SECRET,
        PAYMENTS_SIMULATED=False,
        PUBLIC_BASE_URL="https://waqup.example",
    )
    buyer = make_user(app)
    pack = make_priced_pack(app, make_creator(app), price=499, title="Deep rest")
    client = app.test_client()
    host = {"base_url": "http://evil.example"}  # every request names another host than the site's
    page = client.get("/login", **host)
    login = {"email": buyer.email, "password": buyer.password, "csrf_token": form_token(page.data)}
    client.post("/login", data=login, **host)
    page = client.get(f"/marketplace/packs/{pack}", **host)
    answer = client.post(f"/marketplace/packs/{pack}/get", data={"csrf_token": form_token(page.data)}, **host)
    assert answer.status_code == 303
    (session_id,) = fake_stripe.params
    assert fake_stripe.params[session_id]["success_url"].startswith("https://waqup.example/checkout/success?")
    assert fake_stripe.params[session_id]["cancel_url"].startswith("https://waqup.example/checkout/cancel?")
