"""Admin test data: admins, packs in review, reviews, reports and payout requests as plain rows."""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import Flask

from app.extensions import db
from app.models import PackReview, Report, RitualPack
from app.models.types import utcnow
from app.services import creator_tokens, payouts
from tests.factories import UserRecord, make_user
from tests.marketplace_helpers import make_creator, publish_pack

# SECURITY.md 18: each must come out as text wherever it is shown.
XSS = '<script>alert(1)</script><div hx-get="/admin">boom</div><img src=x onerror=alert(2)>'
RAW_MARKUP = ("<script>alert(1)</script>", '<div hx-get="/admin">', "<img src=x onerror")


def make_admin(app: Flask, email: str | None = None) -> UserRecord:
    return make_user(app, email=email or f"admin-{uuid.uuid4().hex[:6]}@example.com", roles=["admin"])


def pack_in_review(app: Flask, creator_id: uuid.UUID, *, title: str = "Morning Light", **fields: object) -> uuid.UUID:
    """A complete pack (two ready items, a description) submitted for review; not in the catalog."""
    pack_id = publish_pack(app, creator_id, title=title, status="in_review", index=False, **fields)
    with app.app_context():
        pack = db.session.get(RitualPack, pack_id)
        pack.published_at = None
        pack.submitted_at = utcnow() - timedelta(hours=2)
        db.session.commit()
    return pack_id


def make_review(
    app: Flask, pack_id: uuid.UUID, user_id: uuid.UUID, *, rating: int = 2, body: str = "Too short."
) -> uuid.UUID:
    with app.app_context():
        review = PackReview(pack_id=pack_id, user_id=user_id, rating=rating, body=body)
        db.session.add(review)
        db.session.commit()
        return review.id


def make_report(
    app: Flask,
    reporter_id: uuid.UUID,
    *,
    pack_id: uuid.UUID | None = None,
    review_id: uuid.UUID | None = None,
    reason: str = "spam",
    note: str = "",
) -> uuid.UUID:
    with app.app_context():
        if review_id is not None:
            pack_id = db.session.get(PackReview, review_id).pack_id
        report = Report(
            reporter_id=reporter_id,
            target_type="review" if review_id else "pack",
            pack_id=pack_id,
            review_id=review_id,
            reason=reason,
            note=note,
        )
        db.session.add(report)
        db.session.commit()
        return report.id


def make_payout(
    app: Flask, creator_id: uuid.UUID, *, earned: int = 5000, amount: int = 1200, note: str = ""
) -> uuid.UUID:
    """A creator with `earned` tokens asking for `amount` of them."""
    with app.app_context():
        creator_tokens.reward(creator_id, earned, idempotency_key=f"reward:test:{uuid.uuid4()}", purchase_id=None)
        db.session.commit()
        return payouts.request(creator_id, amount, note).id


def moderation_world(app: Flask, *, text: str | None = None) -> dict[str, uuid.UUID | UserRecord]:
    """An admin, a creator (profile), a pack in review, a published pack with a buyer, reports on the
    published pack and on a review of it, and a pending payout; `text` goes into every free-text field."""
    words = text or "Plain words."
    admin = make_admin(app, "boss@example.com")
    creator = make_creator(app, name=text[:80] if text else "Maya Rivers", bio=words)
    in_review = pack_in_review(app, creator, title=text[:200] if text else "Morning Light", description=words)
    published = publish_pack(app, creator, title=text[:200] if text else "Deep Sleep Wind-Down", description=words)
    buyer = make_user(app, email="buyer@example.com")
    reporter = make_user(app, email="reporter@example.com")
    from tests.library_helpers import entitle

    entitle(app, buyer.id, published, source="purchase")
    review = make_review(app, published, buyer.id, body=words)
    return {
        "admin": admin,
        "creator": creator,
        "in_review": in_review,
        "published": published,
        "buyer": buyer,
        "reporter": reporter,
        "review": review,
        "pack_report": make_report(app, reporter.id, pack_id=published, reason="misleading", note=words),
        "review_report": make_report(app, reporter.id, review_id=review, reason="offensive", note=words),
        "payout": make_payout(app, creator, note=words),
    }
