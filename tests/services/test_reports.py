"""Reports of packs and reviews: one open report per person and target, a fixed list of reasons,
and three audited resolutions (dismiss, hide the review, take the pack down)."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from app.models import AuditLog, Entitlement, Notification, PackReview, Report, RitualPack, User
from app.services import Conflict, NotFound, ServiceError, access, reports, reviews
from tests.factories import make_user
from tests.library_helpers import entitle
from tests.marketplace_helpers import make_creator, publish_pack
from tests.services.test_reviews import listener_who_played


@pytest.fixture
def world(app):  # type: ignore[no-untyped-def]
    creator = make_creator(app)
    pack_id = publish_pack(app, creator, title="Morning focus")
    writer = listener_who_played(app, pack_id)
    with app.app_context():
        review_id = reviews.submit(writer, pack_id, 1, "Spam spam spam").id
    return {
        "creator": creator,
        "pack": pack_id,
        "writer": writer,
        "review": review_id,
        "reporter": make_user(app).id,
        "other": make_user(app).id,
        "admin": make_user(app, roles=["user", "admin"]).id,
    }


def _count(db, model, *where) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0


def test_one_open_report_per_person_and_target(app, db, world):
    first = reports.file(world["reporter"], pack_id=world["pack"], reason="misleading", note="Not what it says")
    assert (first.target_type, first.status, first.note) == ("pack", "open", "Not what it says")
    with pytest.raises(Conflict, match="already reported"):
        reports.file(world["reporter"], pack_id=world["pack"], reason="spam", note="")
    # Another target, and another person, are separate reports.
    on_review = reports.file(world["reporter"], review_id=world["review"], reason="spam", note="")
    assert (on_review.target_type, on_review.review_id, on_review.pack_id) == ("review", world["review"], world["pack"])
    reports.file(world["other"], pack_id=world["pack"], reason="other", note="")
    with pytest.raises(Conflict):
        reports.file(world["reporter"], review_id=world["review"], reason="offensive", note="")
    assert _count(db, Report) == 3
    # Once resolved, the same person may report it again.
    reports.dismiss(first.id, db.session.get(User, world["admin"]))
    assert reports.file(world["reporter"], pack_id=world["pack"], reason="spam", note="").status == "open"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"reason": "boring"}, "reason"),
        ({"reason": ""}, "reason"),
        ({"reason": "spam", "note": "n" * 1001}, "note"),
        ({"reason": "spam", "review_id": "both"}, "pack_id"),
    ],
)
def test_bad_reports_are_422_and_write_nothing(app, db, world, kwargs, field):
    kwargs = dict(kwargs)
    if kwargs.pop("review_id", None):
        kwargs["review_id"] = world["review"]
    with pytest.raises(ServiceError) as caught:
        reports.file(world["reporter"], pack_id=world["pack"], **kwargs)
    assert caught.value.status == 422 and caught.value.field == field
    with pytest.raises(ServiceError, match="either a pack or a review"):
        reports.file(world["reporter"], reason="spam", note="")
    assert _count(db, Report) == 0


def test_what_cannot_be_seen_cannot_be_reported(app, db, world):
    draft = publish_pack(app, world["creator"], status="draft", index=False)
    with pytest.raises(NotFound):
        reports.file(world["reporter"], pack_id=draft, reason="spam", note="")
    with pytest.raises(NotFound):
        reports.file(world["reporter"], review_id=uuid.uuid4(), reason="spam", note="")
    reviews.hide(world["review"], db.session.get(User, world["admin"]), "Spam")
    with pytest.raises(NotFound):
        reports.file(world["reporter"], review_id=world["review"], reason="spam", note="")
    with pytest.raises(ServiceError, match="own pack"):
        reports.file(world["creator"], pack_id=world["pack"], reason="spam", note="")
    assert _count(db, Report) == 0


def test_the_queue_is_oldest_first_with_what_is_reported(app, db, world):
    older = reports.file(world["reporter"], pack_id=world["pack"], reason="copyright", note="Mine")
    newer = reports.file(world["other"], review_id=world["review"], reason="spam", note="")
    assert [r.id for r in reports.open_reports()] == [older.id, newer.id]
    queue = reports.open_queue()
    assert queue[0].pack_title == "Morning focus" and queue[0].reason_label == "Copyright or stolen content"
    assert queue[1].review.body == "Spam spam spam" and queue[1].review.rating == 1


def _audit(db, action: str) -> list[AuditLog]:  # type: ignore[no-untyped-def]
    return list(db.session.scalars(sa.select(AuditLog).where(AuditLog.action == action)))


def test_each_resolution_is_audited(app, db, world):
    admin = db.session.get(User, world["admin"])
    # Dismiss
    dismissed = reports.file(world["reporter"], pack_id=world["pack"], reason="other", note="")
    reports.dismiss(dismissed.id, admin)
    row = db.session.get(Report, dismissed.id)
    assert (row.status, row.resolution, row.resolved_by) == ("dismissed", "dismissed", admin.id)
    [audit] = _audit(db, "report.dismiss")
    assert audit.target_id == str(dismissed.id) and audit.actor_id == admin.id and audit.after["status"] == "dismissed"
    # Hide the review: every open report of it is actioned.
    one = reports.file(world["reporter"], review_id=world["review"], reason="spam", note="")
    two = reports.file(world["other"], review_id=world["review"], reason="offensive", note="")
    reports.hide_review(one.id, admin, "Advertising")
    assert {db.session.get(Report, r.id).status for r in (one, two)} == {"actioned"}
    assert db.session.get(Report, two.id).resolution == "review_hidden"
    review = db.session.get(PackReview, world["review"])
    assert review.hidden_at is not None and review.hidden_reason == "Advertising"
    [audit] = _audit(db, "review.hide")
    assert audit.target_id == str(world["review"]) and audit.actor_email == admin.email
    # Take the pack down: archived, every open report of the pack actioned, buyers keep it.
    buyer = make_user(app).id
    entitle(app, buyer, world["pack"])
    three = reports.file(world["reporter"], pack_id=world["pack"], reason="misleading", note="")
    four = reports.file(world["other"], pack_id=world["pack"], reason="spam", note="")
    reports.take_down(three.id, admin, "Misleading description")
    db.session.expire_all()
    assert {db.session.get(Report, r.id).resolution for r in (three, four)} == {"pack_taken_down"}
    pack = db.session.get(RitualPack, world["pack"])
    assert pack.status == "archived" and pack.moderation_note == "Misleading description"
    [audit] = _audit(db, "pack.takedown")
    assert audit.after["revoke_access"] is False and audit.before["status"] == "published"
    assert _count(db, Entitlement, Entitlement.revoked_at.is_(None), Entitlement.pack_id == world["pack"]) >= 2
    assert _count(db, Notification, Notification.user_id == world["creator"]) == 1


def test_a_take_down_can_revoke_access(app, db, world):
    admin = db.session.get(User, world["admin"])
    report = reports.file(world["reporter"], pack_id=world["pack"], reason="copyright", note="")
    reports.take_down(report.id, admin, "Copied audio", revoke_access=True)
    assert _count(db, Entitlement, Entitlement.pack_id == world["pack"], Entitlement.revoked_at.is_(None)) == 0
    [audit] = _audit(db, "pack.takedown")
    assert audit.after["revoke_access"] is True


def test_a_resolved_report_cannot_be_resolved_again(app, db, world):
    admin = db.session.get(User, world["admin"])
    report = reports.file(world["reporter"], pack_id=world["pack"], reason="spam", note="")
    reports.dismiss(report.id, admin)
    with pytest.raises(Conflict):
        reports.dismiss(report.id, admin)
    with pytest.raises(Conflict):
        reports.take_down(report.id, admin, "late")
    with pytest.raises(NotFound):
        reports.dismiss(uuid.uuid4(), admin)
    assert len(_audit(db, "report.dismiss")) == 1


def test_resolutions_must_fit_the_target(app, db, world):
    admin = db.session.get(User, world["admin"])
    on_pack = reports.file(world["reporter"], pack_id=world["pack"], reason="spam", note="")
    on_review = reports.file(world["reporter"], review_id=world["review"], reason="spam", note="")
    with pytest.raises(ServiceError, match="not a review"):
        reports.hide_review(on_pack.id, admin, "x")
    with pytest.raises(ServiceError, match="hide the review"):
        reports.take_down(on_review.id, admin, "x")
    with pytest.raises(ServiceError, match="reason"):
        reports.hide_review(on_review.id, admin, "")
    assert {r.status for r in db.session.scalars(sa.select(Report))} == {"open"}


def test_a_failed_take_down_resolves_nothing(app, db, world):
    not_admin = db.session.get(User, world["other"])
    report = reports.file(world["reporter"], pack_id=world["pack"], reason="spam", note="")
    with pytest.raises(access.Forbidden):
        reports.take_down(report.id, not_admin, "I say so")
    db.session.expire_all()
    assert db.session.get(Report, report.id).status == "open"
    assert db.session.get(RitualPack, world["pack"]).status == "published"
    assert _audit(db, "pack.takedown") == []
