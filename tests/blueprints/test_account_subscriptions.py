"""The account page's subscriptions: listed with their price and renewal date, canceled at the period's
end through a plain form; SECURITY.md 9 (another user's subscription → 404) and 15 (CSRF)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.models import AuditLog, Purchase
from app.providers.payments import get_gateway
from app.services import checkout
from tests.conftest import form_token
from tests.factories import make_user
from tests.payments_helpers import event, make_creator, make_priced_pack, paid_simulated_session, post_event

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def me(app, auth, time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(T0, tick=False)
    person = make_user(app)
    auth.login(person.email)
    return person


def _subscribed(app, client, user_id):  # type: ignore[no-untyped-def]
    """A paid monthly subscription of `user_id`: (purchase id, subscription id)."""
    pack = make_priced_pack(app, make_creator(app), price=800, price_type="subscription", title="Evening calm")
    with app.app_context():
        start = checkout.start_pack(user_id, pack, base_url="http://localhost/")
    session = paid_simulated_session(app, start.checkout_url.rsplit("/", 1)[1])
    assert post_event(client, event("checkout.session.completed", session)).status_code == 200
    return start.purchase_id, session["subscription"]


def test_the_account_page_lists_subscriptions_and_cancels_one(app, client, me, db):
    assert "You have no subscriptions." in client.get("/account/").get_data(as_text=True)
    purchase_id, subscription_id = _subscribed(app, client, me.id)
    page = client.get("/account/")
    html = page.get_data(as_text=True)
    assert "Your subscriptions" in html and "Evening calm" in html and "$8.00 a month" in html
    assert "Renews on 01 Apr 2027" in html
    action = f'action="/account/subscriptions/{purchase_id}/cancel"'
    assert action in html and "Yes, cancel at the end of this period" in html

    response = client.post(f"/account/subscriptions/{purchase_id}/cancel", data={"csrf_token": form_token(page.data)})
    assert response.status_code == 303 and response.location.endswith("/account/#subscriptions")
    html = client.get("/account/").get_data(as_text=True)
    assert "Your subscription is canceled" in html and "you keep Evening calm until 01 Apr 2027" in html
    assert "Canceled: ends on 01 Apr 2027" in html and "Renews on" not in html
    assert action not in html  # nothing left to cancel
    assert db.session.get(Purchase, purchase_id).meta["cancel_at_period_end"] is True
    assert get_gateway().cancels_at_period_end(subscription_id)
    assert db.session.scalar(sa.select(AuditLog.action).where(AuditLog.target_id == str(purchase_id))) == (
        "subscription.cancel"
    )

    again = client.post(
        f"/account/subscriptions/{purchase_id}/cancel",
        data={"csrf_token": form_token(page.data)},
        follow_redirects=True,
    )
    assert again.status_code == 200 and "This subscription is canceled already." in again.get_data(as_text=True)


def test_the_cancel_form_needs_the_csrf_token(app, client, me, db):
    """SECURITY.md 15."""
    purchase_id, subscription_id = _subscribed(app, client, me.id)
    assert client.post(f"/account/subscriptions/{purchase_id}/cancel").status_code == 400
    assert "cancel_at_period_end" not in db.session.get(Purchase, purchase_id).meta
    assert not get_gateway().cancels_at_period_end(subscription_id)


def test_another_users_subscription_is_not_found(app, client, me, db):
    """SECURITY.md 9."""
    other = make_user(app)
    theirs, subscription_id = _subscribed(app, client, other.id)
    token = form_token(client.get("/account/").data)
    assert client.post(f"/account/subscriptions/{theirs}/cancel", data={"csrf_token": token}).status_code == 404
    assert client.post("/account/subscriptions/not-an-id/cancel", data={"csrf_token": token}).status_code == 404
    assert "cancel_at_period_end" not in db.session.get(Purchase, theirs).meta
    assert not get_gateway().cancels_at_period_end(subscription_id)
    assert "Evening calm" not in client.get("/account/").get_data(as_text=True)
