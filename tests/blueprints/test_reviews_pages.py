"""Reviews and reports on the pack page: the average and the reviews, the viewer's own form, the
report disclosures, CSRF on every form, and user text rendered inert."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import CreatorProfile, PackReview, Report, User
from app.services import reviews
from tests.conftest import form_token
from tests.factories import make_user
from tests.library_helpers import entitle
from tests.marketplace_helpers import make_creator, publish_pack
from tests.services.test_reviews import listener_who_played

HTMX = {"HX-Request": "true"}
PAYLOADS = ["<script>alert(1)</script>", "<div hx-get=/admin hx-trigger=load>x</div>"]


@pytest.fixture
def pack(app):  # type: ignore[no-untyped-def]
    creator = make_creator(app, "Maya Rivers")
    return {"creator": creator, "id": publish_pack(app, creator, title="Deep Sleep Wind-Down")}


def _email(app, user_id) -> str:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.get(User, user_id).email


def _count(app, model) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def _review(app, pack_id, rating: int, body: str = "", **who) -> object:  # type: ignore[no-untyped-def]
    listener = listener_who_played(app, pack_id, **who)
    with app.app_context():
        return reviews.submit(listener, pack_id, rating, body).id


def test_the_page_shows_the_average_and_the_reviews_newest_first(app, client, pack):
    _review(app, pack["id"], 4, "Helps me sleep.", email="hidden.email@example.com")
    _review(app, pack["id"], 5, "Beautiful voice.", name="Noor")
    html = client.get(f"/marketplace/packs/{pack['id']}").data.decode()
    assert "4.5 out of 5</strong> from 2 reviews" in html
    assert html.index("Beautiful voice.") < html.index("Helps me sleep.")
    assert "Noor" in html and "A listener" in html and "hidden.email" not in html
    assert "Listeners who hold this pack can review it" in html
    assert "Report this pack" not in html  # anonymous: no forms
    catalog = client.get("/marketplace").data.decode()
    assert '4.5<span class="visually-hidden"> out of 5</span> (2 reviews)' in catalog


def test_hidden_reviews_are_neither_shown_nor_counted(app, client, pack):
    _review(app, pack["id"], 5, "Lovely")
    hidden = _review(app, pack["id"], 1, "Buy followers at spam.example")
    admin = make_user(app, roles=["user", "admin"])
    with app.app_context():
        reviews.hide(hidden, db.session.get(User, admin.id), "Spam")
    html = client.get(f"/marketplace/packs/{pack['id']}").data.decode()
    assert "spam.example" not in html and "5 out of 5</strong> from 1 review" in html


def test_a_listener_who_played_writes_then_edits_their_review(app, client, auth, pack):
    listener = listener_who_played(app, pack["id"])
    auth.login(_email(app, listener))
    page = client.get(f"/marketplace/packs/{pack['id']}").data.decode()
    assert "Review this pack" in page and "Report this pack" in page
    posted = client.post(
        f"/marketplace/packs/{pack['id']}/review",
        data={"rating": "4", "body": "Soft and slow.", "csrf_token": form_token(page)},
    )
    assert posted.status_code == 303 and posted.headers["Location"].endswith("#reviews")
    page = client.get(f"/marketplace/packs/{pack['id']}").data.decode()
    assert "Thank you for your review." in page and "Edit your review" in page
    assert re.search(r'value="4" required checked', page) and ">Soft and slow.</textarea>" in page
    client.post(
        f"/marketplace/packs/{pack['id']}/review",
        data={"rating": "2", "body": "Changed my mind.", "csrf_token": form_token(page)},
    )
    with app.app_context():
        rows = db.session.scalars(sa.select(PackReview)).all()
        assert [(r.rating, r.body) for r in rows] == [(2, "Changed my mind.")]


def test_bad_input_shows_the_form_again_with_the_message_and_writes_nothing(app, client, auth, pack):
    listener = listener_who_played(app, pack["id"])
    auth.login(_email(app, listener))
    token = form_token(client.get(f"/marketplace/packs/{pack['id']}").data)
    for data, message in (
        ({"rating": "9", "body": "Kept text"}, "Choose a rating from 1 to 5 stars."),
        ({"rating": "3", "body": "x" * 2001}, "at most 2,000 characters"),
    ):
        answer = client.post(f"/marketplace/packs/{pack['id']}/review", data={**data, "csrf_token": token})
        html = answer.data.decode()
        assert answer.status_code == 422 and message in html
        assert data["body"][:50] in html  # what was typed is kept
    assert _count(app, PackReview) == 0


def test_holding_without_playing_or_not_holding_is_refused(app, client, auth, pack):
    holder = make_user(app)
    entitle(app, holder.id, pack["id"])
    auth.login(holder.email)
    page = client.get(f"/marketplace/packs/{pack['id']}").data.decode()
    assert "Play one of this pack" in page and "Review this pack" not in page
    answer = client.post(
        f"/marketplace/packs/{pack['id']}/review", data={"rating": "5", "csrf_token": form_token(page)}
    )
    assert answer.status_code == 403 and "Play one of this pack" in answer.data.decode()
    assert _count(app, PackReview) == 0


def test_the_creator_sees_no_review_or_report_form_on_their_pack(app, client, auth, pack):
    auth.login(_email(app, pack["creator"]))
    html = client.get(f"/marketplace/packs/{pack['id']}").data.decode()
    assert "Review this pack" not in html and "Report this pack" not in html


def test_reporting_a_pack_and_a_review(app, client, auth, pack):
    review_id = _review(app, pack["id"], 1, "Rude words")
    reporter = make_user(app)
    auth.login(reporter.email)
    page = client.get(f"/marketplace/packs/{pack['id']}").data.decode()
    assert f'action="/marketplace/reviews/{review_id}/report"' in page
    token = form_token(page)
    first = client.post(
        f"/marketplace/packs/{pack['id']}/report", data={"reason": "misleading", "note": "", "csrf_token": token}
    )
    assert first.status_code == 303
    assert "A moderator will look at it" in client.get(first.headers["Location"]).data.decode()
    again = client.post(
        f"/marketplace/packs/{pack['id']}/report", data={"reason": "spam", "note": "", "csrf_token": token}
    )
    assert "already reported" in client.get(again.headers["Location"]).data.decode()
    client.post(f"/marketplace/reviews/{review_id}/report", data={"reason": "offensive", "csrf_token": token})
    with app.app_context():
        rows = db.session.scalars(sa.select(Report).order_by(Report.created_at)).all()
        assert [(r.target_type, r.reason) for r in rows] == [("pack", "misleading"), ("review", "offensive")]


def test_a_bad_report_shows_its_form_open_with_the_message(app, client, auth, pack):
    reporter = make_user(app)
    auth.login(reporter.email)
    token = form_token(client.get(f"/marketplace/packs/{pack['id']}").data)
    answer = client.post(
        f"/marketplace/packs/{pack['id']}/report", data={"reason": "boring", "note": "Kept", "csrf_token": token}
    )
    html = answer.data.decode()
    assert answer.status_code == 422 and "Choose a reason" in html
    assert '<details class="report-box report-pack" open>' in html and ">Kept</textarea>" in html
    assert _count(app, Report) == 0


def test_every_form_needs_the_csrf_token(app, client, auth, pack):
    """SECURITY.md 15."""
    review_id = _review(app, pack["id"], 3, "ok")
    listener = listener_who_played(app, pack["id"])
    auth.login(_email(app, listener))
    for url, data in (
        (f"/marketplace/packs/{pack['id']}/review", {"rating": "5"}),
        (f"/marketplace/packs/{pack['id']}/report", {"reason": "spam"}),
        (f"/marketplace/reviews/{review_id}/report", {"reason": "spam"}),
    ):
        assert client.post(url, data=data).status_code == 400
        assert client.post(url, data={**data, "csrf_token": "forged"}).status_code == 400
    assert _count(app, Report) == 0 and _count(app, PackReview) == 1


def test_anonymous_posts_go_to_the_login_page(app, client, pack):
    html = client.get(f"/marketplace/packs/{pack['id']}").data.decode()
    token = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
    answer = client.post(f"/marketplace/packs/{pack['id']}/report", data={"reason": "spam", "csrf_token": token})
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert _count(app, Report) == 0


def test_reviews_come_in_pages_and_as_an_htmx_fragment(app, client, pack):
    for n in range(12):
        _review(app, pack["id"], 5, f"Review number {n:02d}")
    first = client.get(f"/marketplace/packs/{pack['id']}").data.decode()
    assert "Page 1 of 2" in first and "Review number 11" in first and "Review number 01" not in first
    fragment = client.get(f"/marketplace/packs/{pack['id']}/reviews?reviews_page=2", headers=HTMX).data.decode()
    assert "<html" not in fragment and 'id="review-list"' in fragment and "Review number 01" in fragment
    full = client.get(f"/marketplace/packs/{pack['id']}/reviews?reviews_page=2").data.decode()
    assert "<html" in full and "Review number 00" in full and "Deep Sleep Wind-Down" in full


def test_drafts_and_unknown_reviews_are_not_found(app, client, auth, pack):
    draft = publish_pack(app, pack["creator"], status="draft", index=False)
    reporter = make_user(app)
    auth.login(reporter.email)
    token = form_token(client.get(f"/marketplace/packs/{pack['id']}").data)
    assert (
        client.post(f"/marketplace/packs/{draft}/report", data={"reason": "spam", "csrf_token": token}).status_code
        == 404
    )
    assert client.get(f"/marketplace/packs/{draft}/reviews").status_code == 404
    unknown = "/marketplace/reviews/00000000-0000-4000-8000-000000000000/report"
    assert client.post(unknown, data={"reason": "spam", "csrf_token": token}).status_code == 404


@pytest.mark.parametrize("payload", PAYLOADS)
def test_review_bodies_names_and_reporter_notes_are_inert(app, client, auth, pack, payload):
    """SECURITY.md 18."""
    _review(app, pack["id"], 2, payload)
    with app.app_context():
        listener = listener_who_played(app, pack["id"])
        db.session.add(CreatorProfile(user_id=listener, display_name=payload))
        db.session.commit()
        reviews.submit(listener, pack["id"], 3, "plain")
    reporter = make_user(app)
    auth.login(reporter.email)
    page = client.get(f"/marketplace/packs/{pack['id']}")
    html = page.data.decode()
    assert payload not in html and "&lt;" in html
    # A report refused for its reason comes back with the note as typed: still text.
    answer = client.post(
        f"/marketplace/packs/{pack['id']}/report",
        data={"reason": "nope", "note": payload, "csrf_token": form_token(html)},
    )
    assert answer.status_code == 422 and payload not in answer.data.decode()
    assert "&lt;" in answer.data.decode()
