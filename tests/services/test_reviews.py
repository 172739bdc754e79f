"""Pack reviews: only a listener who holds the pack and has played it; one per listener, editable;
the average leaves hidden reviews out; reviewers are named by their creator name or "A listener"."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.models import AuditLog, CreatorProfile, PackReview, PracticeEvent
from app.models.types import utcnow
from app.services import NotFound, ServiceError, access, catalog, reviews
from tests.factories import make_user
from tests.library_helpers import entitle
from tests.marketplace_helpers import make_creator, pack_item_ids, publish_pack


def play(app, user_id: uuid.UUID, item_id: uuid.UUID, *, completed: bool = True, at=None) -> uuid.UUID:  # type: ignore[no-untyped-def]
    """A practice event of this user on this item (started `at`, completed or not)."""
    from app.extensions import db

    started = at or utcnow() - timedelta(hours=1)
    with app.app_context():
        event = PracticeEvent(
            user_id=user_id,
            ritual_id=item_id,
            started_at=started,
            completed_at=started + timedelta(minutes=10) if completed else None,
            duration=600 if completed else 60,
        )
        db.session.add(event)
        db.session.commit()
        return event.id


def listener_who_played(app, pack_id: uuid.UUID, *, name: str | None = None, email: str | None = None) -> uuid.UUID:  # type: ignore[no-untyped-def]
    """A listener holding the pack (a free claim) who has played its first practice; with a creator name if given."""
    from app.extensions import db

    person = make_user(app, email=email)
    entitle(app, person.id, pack_id)
    play(app, person.id, pack_item_ids(app, pack_id)[0])
    if name:
        with app.app_context():
            db.session.add(CreatorProfile(user_id=person.id, display_name=name))
            db.session.commit()
    return person.id


@pytest.fixture
def pack(app):  # type: ignore[no-untyped-def]
    creator = make_creator(app)
    return {"creator": creator, "id": publish_pack(app, creator, title="Evening rest")}


def test_holding_without_playing_is_refused(app, db, pack):
    holder = make_user(app).id
    entitle(app, holder, pack["id"])
    assert not reviews.can_review(holder, pack["id"])
    with pytest.raises(access.Forbidden, match="Play one of this pack"):
        reviews.submit(holder, pack["id"], 5, "Lovely")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PackReview)) == 0


def test_playing_without_holding_is_refused(app, db, pack):
    refunded = make_user(app).id
    entitle(app, refunded, pack["id"], revoked_at=utcnow())  # held once, refunded since
    play(app, refunded, pack_item_ids(app, pack["id"])[0])
    assert not reviews.can_review(refunded, pack["id"])
    with pytest.raises(access.Forbidden, match="Only listeners who hold this pack"):
        reviews.submit(refunded, pack["id"], 4, "")
    stranger = make_user(app).id
    assert reviews.refusal(stranger, pack["id"]) == "Only listeners who hold this pack can review it."


def test_the_creator_cannot_review_their_own_pack(app, db, pack):
    with pytest.raises(access.Forbidden, match="your own pack"):
        reviews.submit(pack["creator"], pack["id"], 5, "Mine is great")


def test_one_review_per_listener_and_a_second_submit_edits_it(app, db, pack):
    listener = listener_who_played(app, pack["id"])
    assert reviews.can_review(listener, pack["id"])
    first = reviews.submit(listener, pack["id"], 3, "  Good for winding down.  ")
    assert (first.rating, first.body) == (3, "Good for winding down.")
    second = reviews.submit(listener, pack["id"], 5, "Better every night.")
    assert second.id == first.id
    rows = db.session.scalars(sa.select(PackReview)).all()
    assert [(r.rating, r.body) for r in rows] == [(5, "Better every night.")]
    assert reviews.mine(listener, pack["id"]).id == first.id


@pytest.mark.parametrize(
    ("rating", "body", "field"),
    [(0, "", "rating"), (6, "", "rating"), ("five", "", "rating"), (True, "", "rating"), (4, "x" * 2001, "body")],
)
def test_bad_ratings_and_long_bodies_are_422_and_write_nothing(app, db, pack, rating, body, field):
    listener = listener_who_played(app, pack["id"])
    with pytest.raises(ServiceError) as caught:
        reviews.submit(listener, pack["id"], rating, body)
    assert caught.value.status == 422 and caught.value.field == field
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PackReview)) == 0


def test_bodies_are_plain_text_without_control_characters(app, db, pack):
    listener = listener_who_played(app, pack["id"])
    review = reviews.submit(listener, pack["id"], "4", "Calm\x00 and\r\nkind\x07.")
    assert review.rating == 4 and review.body == "Calm and\nkind."
    assert len(reviews.submit(listener, pack["id"], 4, "y" * 2000).body) == 2000


def test_drafts_are_not_found(app, db):
    creator = make_creator(app)
    draft = publish_pack(app, creator, status="draft", index=False)
    listener = listener_who_played(app, draft)
    with pytest.raises(NotFound):
        reviews.submit(listener, draft, 5, "")
    with pytest.raises(NotFound):
        reviews.visible_pack(draft, None)
    assert reviews.visible_pack(draft, creator).id == draft


def test_an_archived_pack_can_still_be_reviewed_by_who_holds_it(app, db, pack):
    from app.models import RitualPack

    listener = listener_who_played(app, pack["id"])
    db.session.get(RitualPack, pack["id"]).status = "archived"
    db.session.commit()
    assert reviews.submit(listener, pack["id"], 4, "Still here.").rating == 4
    with pytest.raises(NotFound):
        reviews.visible_pack(pack["id"], None)


def test_the_average_leaves_hidden_reviews_out(app, db, pack):
    admin = make_user(app, roles=["user", "admin"])
    ratings = {}
    for rating in (5, 4, 1):
        listener = listener_who_played(app, pack["id"])
        ratings[rating] = reviews.submit(listener, pack["id"], rating, f"{rating} stars").id
    assert reviews.summary([pack["id"]]) == {pack["id"]: (3.3, 3)}
    from app.models import User

    reviews.hide(ratings[1], db.session.get(User, admin.id), "Abusive words")
    assert reviews.summary([pack["id"]]) == {pack["id"]: (4.5, 2)}
    page = reviews.for_pack(pack["id"])
    assert (page.total, page.average) == (2, 4.5)
    assert [r.rating for r in page.reviews] == [4, 5]  # newest first
    assert reviews.for_pack(pack["id"], include_hidden=True).total == 3
    card = catalog.card(pack["id"])
    assert (card.rating, card.review_count) == (4.5, 2)
    assert card.to_json()["rating"] == 4.5 and card.to_json()["review_count"] == 2
    audit = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "review.hide"))
    assert audit.target_id == str(ratings[1]) and audit.after["reason"] == "Abusive words"
    assert audit.actor_email == admin.email


def test_a_pack_without_reviews_has_no_rating(app, db, pack):
    assert reviews.summary([pack["id"]]) == {}
    card = catalog.card(pack["id"])
    assert (card.rating, card.review_count) == (None, 0)
    assert reviews.summary([]) == {}


def test_reviewers_are_named_by_creator_name_or_as_a_listener_never_by_email(app, db, pack):
    named = listener_who_played(app, pack["id"], name="Noor")
    plain = listener_who_played(app, pack["id"], email="secret.person@example.com")
    reviews.submit(named, pack["id"], 5, "")
    reviews.submit(plain, pack["id"], 4, "")
    page = reviews.for_pack(pack["id"])
    assert {r.reviewer for r in page.reviews} == {"Noor", "A listener"}
    assert "secret.person" not in repr(page)


def test_reviews_are_paged(app, db, pack):
    for n in range(3):
        listener = listener_who_played(app, pack["id"])
        reviews.submit(listener, pack["id"], 5, f"review {n}")
    first = reviews.for_pack(pack["id"], page=1, per_page=2)
    second = reviews.for_pack(pack["id"], page=2, per_page=2)
    assert (first.pages, first.has_next, second.has_next) == (2, True, False)
    assert [r.body for r in first.reviews + second.reviews] == ["review 2", "review 1", "review 0"]


def test_hiding_needs_a_reason(app, db, pack):
    from app.models import User

    admin = make_user(app, roles=["user", "admin"])
    listener = listener_who_played(app, pack["id"])
    review = reviews.submit(listener, pack["id"], 2, "meh")
    with pytest.raises(ServiceError, match="reason"):
        reviews.hide(review.id, db.session.get(User, admin.id), "  ")
    with pytest.raises(NotFound):
        reviews.hide(uuid.uuid4(), db.session.get(User, admin.id), "gone")
