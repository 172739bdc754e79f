"""The studio's analytics and payout pages: creators only, their own packs only, charts with a
table, the token ledger and the payout form (CSRF, limits), and user text rendered inert."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.extensions import db
from app.models import Entitlement, PayoutRequest, Purchase, User
from app.services import creator_tokens
from tests.conftest import form_token
from tests.factories import make_user
from tests.marketplace_helpers import make_creator, pack_item_ids, publish_pack
from tests.services.test_reviews import play

HTMX = {"HX-Request": "true"}
PAYLOADS = ["<script>alert(1)</script>", "<div hx-get=/admin hx-trigger=load>x</div>"]


def _email(app, user_id) -> str:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.get(User, user_id).email


def _tokens(app, creator_id, *amounts: int) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        for n, amount in enumerate(amounts):
            creator_tokens.reward(creator_id, amount, idempotency_key=f"reward:{creator_id}:{n}", purchase_id=None)
        db.session.commit()


def _requests(app) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return [(r.amount, r.status) for r in db.session.scalars(sa.select(PayoutRequest))]


@pytest.fixture
def studio(app):  # type: ignore[no-untyped-def]
    creator = make_creator(app, "Ana Light")
    pack_id = publish_pack(app, creator, title="Calm mornings")
    return {"creator": creator, "pack": pack_id, "email": _email(app, creator)}


def test_analytics_needs_the_creator_role(app, client, auth, studio):
    """SECURITY.md 10."""
    urls = ["/studio/analytics", f"/studio/analytics/packs/{studio['pack']}", "/studio/payouts"]
    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    listener = make_user(app)
    auth.login(listener.email)
    for url in urls:
        assert client.get(url).status_code == 403
    token = form_token(client.get("/account/").data)
    assert client.post("/studio/payouts", data={"amount": "1", "csrf_token": token}).status_code == 403


def test_another_creators_pack_is_not_found(app, client, auth, studio):
    """SECURITY.md 9."""
    other = make_creator(app, "Someone Else")
    auth.login(_email(app, other))
    assert client.get(f"/studio/analytics/packs/{studio['pack']}").status_code == 404
    assert client.get(f"/studio/analytics/packs/{studio['pack']}?days=90").status_code == 404
    assert "Calm mornings" not in client.get("/studio/analytics").data.decode()


def test_the_overview_shows_totals_charts_and_packs(app, client, auth, studio):
    now = datetime.now(UTC)
    listener = make_user(app).id
    with app.app_context():
        db.session.add(
            Entitlement(user_id=listener, pack_id=studio["pack"], source="free", created_at=now - timedelta(days=3))
        )
        db.session.commit()
    first, second = pack_item_ids(app, studio["pack"])
    play(app, listener, first, at=now - timedelta(days=2))
    play(app, listener, second, at=now - timedelta(days=1), completed=False)
    _tokens(app, studio["creator"], 1234)
    auth.login(studio["email"])
    html = client.get("/studio/analytics").data.decode()
    assert "Last 30 days" in html and 'aria-current="page">Last 30 days' in html
    assert "50 %" in html and "of plays finished (1)" in html
    assert "$12.34" in html and "Calm mornings" in html
    assert html.count('class="chart-col"') == 120  # four charts of 30 days
    assert "Show the last 30 days as a table" in html and "Plays per day, the last 30 days" in html
    assert re.search(r"lvl-20", html)
    ninety = client.get("/studio/analytics?days=90").data.decode()
    assert ninety.count('class="chart-col"') == 360 and "chart-dense" in ninety
    bad = client.get("/studio/analytics?days=45")
    assert bad.status_code == 400 and "30 or 90 days" in bad.data.decode()


def test_a_pack_page_lists_its_practices(app, client, auth, studio):
    listener = make_user(app).id
    with app.app_context():
        db.session.add(Entitlement(user_id=listener, pack_id=studio["pack"], source="free"))
        db.session.commit()
    first, _second = pack_item_ids(app, studio["pack"])
    play(app, listener, first)
    auth.login(studio["email"])
    html = client.get(f"/studio/analytics/packs/{studio['pack']}").data.decode()
    assert "Calm mornings 1" in html and "Calm mornings 2" in html and "100 %" in html
    assert client.get(f"/studio/analytics/packs/{studio['pack']}?days=7").status_code == 400


def test_a_frozen_day_puts_each_play_in_its_bar(app, client, auth, studio):
    now = datetime(2026, 3, 15, 9, tzinfo=UTC)
    listener = make_user(app).id
    with app.app_context():
        db.session.add(Entitlement(user_id=listener, pack_id=studio["pack"], source="free", created_at=now))
        db.session.commit()
    first, _second = pack_item_ids(app, studio["pack"])
    play(app, listener, first, at=now - timedelta(days=1))
    with time_machine.travel(now, tick=False):
        auth.login(studio["email"])
        html = client.get("/studio/analytics").data.decode()
    assert "Sat 14 Mar: 1 play<" in html and "Sun 15 Mar: 1 new buyer<" in html and "Fri 13 Mar: 0 plays" in html
    assert "14 Feb" in html and "15 Mar" in html  # the axis runs over the 30 days


def test_tokens_earned_per_day_have_a_chart_and_a_table_column(app, client, auth, studio):
    now = datetime(2026, 3, 15, 9, tzinfo=UTC)
    other = publish_pack(app, studio["creator"], title="Other pack")
    with app.app_context():
        sales = [
            Purchase(user_id=make_user(app).id, pack_id=pack, kind="pack", status="paid", amount=999, fulfilled_at=now)
            for pack in (studio["pack"], other)
        ]
        db.session.add_all(sales)
        db.session.commit()
        moves = [(1, 699, sales[0].id), (1, 150, sales[1].id), (0, -200, sales[0].id)]
        for n, (days_ago, amount, purchase_id) in enumerate(moves):
            with time_machine.travel(now - timedelta(days=days_ago), tick=False):
                change = creator_tokens.reward if amount > 0 else creator_tokens.reverse
                change(studio["creator"], abs(amount), idempotency_key=f"move:{n}", purchase_id=purchase_id)
                db.session.commit()
    with time_machine.travel(now, tick=False):
        auth.login(studio["email"])
        overview = client.get("/studio/analytics").data.decode()
        pack = client.get(f"/studio/analytics/packs/{studio['pack']}").data.decode()
    for html in (overview, pack):
        assert 'id="chart-tokens-title">Tokens earned per day</h2>' in html
        assert 'class="chart chart-tokens"' in html and "Tokens earned per day, the last 30 days" in html
        assert '<th scope="col" class="num">Tokens earned</th>' in html
        assert "Fri 13 Mar: $0.00<" in html and "Sun 15 Mar: −$2.00<" in html
    assert "All your packs: $6.49 in the last 30 days." in overview and "Sat 14 Mar: $8.49<" in overview
    assert '<td class="num">$8.49</td></tr>' in overview
    assert "This pack: $4.99 in the last 30 days." in pack and "Sat 14 Mar: $6.99<" in pack
    assert '<td class="num">$6.99</td></tr>' in pack and '<td class="num">−$2.00</td></tr>' in pack


def test_the_payout_page_shows_the_ledger_and_takes_a_request(app, client, auth, studio):
    _tokens(app, studio["creator"], 1500, 500)
    auth.login(studio["email"])
    page = client.get("/studio/payouts").data.decode()
    assert "$20.00" in page and "Up to $20.00" in page and "Sale" in page
    answer = client.post("/studio/payouts", data={"amount": "12.50", "note": "Monthly", "csrf_token": form_token(page)})
    assert answer.status_code == 303
    page = client.get("/studio/payouts").data.decode()
    assert "is sent" in page and "Waiting for a decision" in page and "Up to $7.50" in page
    assert _requests(app) == [(1250, "pending")]


@pytest.mark.parametrize(
    ("amount", "message"),
    [("20.01", "at most $7.50"), ("abc", "dollars and cents"), ("0", "above zero"), ("", "dollars and cents")],
)
def test_a_payout_beyond_the_available_tokens_is_refused(app, client, auth, studio, amount, message):
    _tokens(app, studio["creator"], 2000)
    with app.app_context():
        db.session.add(PayoutRequest(creator_id=studio["creator"], amount=1250))
        db.session.commit()
    auth.login(studio["email"])
    token = form_token(client.get("/studio/payouts").data)
    answer = client.post("/studio/payouts", data={"amount": amount, "note": "", "csrf_token": token})
    assert answer.status_code == 422 and message in answer.data.decode()
    assert f'value="{amount}"' in answer.data.decode()
    assert _requests(app) == [(1250, "pending")]


def test_the_payout_form_needs_the_csrf_token(app, client, auth, studio):
    """SECURITY.md 15."""
    _tokens(app, studio["creator"], 2000)
    auth.login(studio["email"])
    assert client.post("/studio/payouts", data={"amount": "5"}).status_code == 400
    assert client.post("/studio/payouts", data={"amount": "5", "csrf_token": "forged"}).status_code == 400
    assert _requests(app) == []


def test_the_ledger_is_paged_and_answers_htmx_with_the_table(app, client, auth, studio):
    _tokens(app, studio["creator"], *range(100, 1800, 100))  # 17 rows
    auth.login(studio["email"])
    page = client.get("/studio/payouts").data.decode()
    assert "Page 1 of 2" in page
    fragment = client.get("/studio/payouts?page=2", headers=HTMX).data.decode()
    assert "<html" not in fragment and 'id="token-ledger"' in fragment and "$1.00" in fragment


@pytest.mark.parametrize("payload", PAYLOADS)
def test_pack_titles_and_payout_notes_are_inert(app, client, auth, payload):
    """SECURITY.md 18."""
    creator = make_creator(app, payload)
    publish_pack(app, creator, title=payload)
    _tokens(app, creator, 1000)
    auth.login(_email(app, creator))
    token = form_token(client.get("/studio/payouts").data)
    client.post("/studio/payouts", data={"amount": "1", "note": payload, "csrf_token": token})
    with app.app_context():
        row = db.session.scalar(sa.select(PayoutRequest))
        row.status, row.decision_reason = "rejected", payload
        db.session.commit()
    pages = [client.get("/studio/analytics").data, client.get("/studio/payouts").data]
    for html in pages:
        text = html.decode()
        assert payload not in text and "&lt;" in text
