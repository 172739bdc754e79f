"""Pack reviews: a rating (1–5) and optional words from a listener who holds the pack and has played it.

One review per listener and pack (UNIQUE pack + user); submitting again edits it. Hidden reviews
(a moderator's decision) are neither shown nor counted. The reviewer is shown by their creator
name when they have one, else as "A listener" — never by their email.
"""

from __future__ import annotations

import logging
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import CreatorProfile, Entitlement, PackItem, PackReview, PracticeEvent, RitualPack, User
from app.models.types import as_utc, utcnow
from app.services import NotFound, ServiceError, access, audit

log = logging.getLogger(__name__)

MAX_BODY = 2000
MAX_REASON = 500
MAX_PAGE = 1000
ANONYMOUS_NAME = "A listener"


@dataclass(frozen=True)
class ReviewView:
    """A review as pages and the API show it."""

    id: uuid.UUID
    pack_id: uuid.UUID
    user_id: uuid.UUID
    rating: int
    body: str
    reviewer: str
    created_at: datetime
    updated_at: datetime
    hidden_at: datetime | None = None
    hidden_reason: str | None = None

    @property
    def edited(self) -> bool:
        return (self.updated_at - self.created_at).total_seconds() > 60

    def to_json(self) -> dict:
        return {
            "id": str(self.id),
            "rating": self.rating,
            "body": self.body,
            "reviewer": self.reviewer,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


@dataclass(frozen=True)
class ReviewPage:
    reviews: list[ReviewView]
    page: int
    per_page: int
    total: int
    average: float | None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def clean_text(value: object, *, field: str, limit: int, label: str) -> str:
    """Plain text: trimmed, line ends unified, control characters (NUL included) removed; 422 when too long."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ServiceError(f"{label} must be text.", field=field)
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()
    if len(text) > limit:
        raise ServiceError(f"{label} can be at most {limit:,} characters (it has {len(text):,}).", field=field)
    return text


def _rating(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ServiceError("Choose a rating from 1 to 5 stars.", field="rating")
    try:
        rating = int(value)
    except ValueError:
        raise ServiceError("Choose a rating from 1 to 5 stars.", field="rating") from None
    if not 1 <= rating <= 5:
        raise ServiceError("Choose a rating from 1 to 5 stars.", field="rating")
    return rating


def _holds(user_id: uuid.UUID, pack_id: uuid.UUID) -> bool:
    held = sa.select(Entitlement.id).where(access.active_entitlement(user_id), Entitlement.pack_id == pack_id)
    return bool(db.session.scalar(sa.select(held.exists())))


def _played(user_id: uuid.UUID, pack_id: uuid.UUID) -> bool:
    played = (
        sa.select(PracticeEvent.id)
        .join(PackItem, PackItem.content_item_id == PracticeEvent.ritual_id)
        .where(PracticeEvent.user_id == user_id, PackItem.pack_id == pack_id)
    )
    return bool(db.session.scalar(sa.select(played.exists())))


def visible_pack(pack_id: uuid.UUID, viewer_id: uuid.UUID | None) -> RitualPack:
    """The pack if the viewer may see it (published, or held, or theirs); else NotFound."""
    pack = db.session.get(RitualPack, pack_id)
    if pack is None:
        raise NotFound("No such pack.")
    if pack.status == "published":
        return pack
    if viewer_id is not None and pack.creator_id == viewer_id:
        return pack
    if viewer_id is not None and pack.status != "draft" and _holds(viewer_id, pack_id):
        return pack
    raise NotFound("No such pack.")  # SECURITY.md 9: tests/services/test_reviews.py::test_drafts_are_not_found


def refusal(user_id: uuid.UUID, pack_id: uuid.UUID) -> str | None:
    """Why this user may not review this pack, or None when they may."""
    pack = db.session.get(RitualPack, pack_id)
    if pack is None:
        return "No such pack."
    if pack.creator_id == user_id:
        return "You cannot review your own pack."
    if not _holds(user_id, pack_id):
        return "Only listeners who hold this pack can review it."
    if not _played(user_id, pack_id):
        return "Play one of this pack's practices first, then tell others what you think."
    return None


def can_review(user_id: uuid.UUID, pack_id: uuid.UUID) -> bool:
    """True when the user holds the pack (active entitlement) and has played one of its items."""
    return refusal(user_id, pack_id) is None


def mine(user_id: uuid.UUID, pack_id: uuid.UUID) -> PackReview | None:
    """The user's own review of the pack (hidden or not), if any."""
    return db.session.scalar(sa.select(PackReview).where(PackReview.pack_id == pack_id, PackReview.user_id == user_id))


def submit(user_id: uuid.UUID, pack_id: uuid.UUID, rating: int, body: str) -> PackReview:
    """Create the user's review of the pack, or edit the one they wrote; committed."""
    rating = _rating(rating)
    text = clean_text(body, field="body", limit=MAX_BODY, label="A review")
    visible_pack(pack_id, user_id)
    reason = refusal(user_id, pack_id)
    if reason is not None:
        # tests/services/test_reviews.py::test_holding_without_playing_is_refused,
        # tests/services/test_reviews.py::test_playing_without_holding_is_refused
        raise access.Forbidden(reason)
    review = mine(user_id, pack_id)
    if review is None:
        review = PackReview(pack_id=pack_id, user_id=user_id, rating=rating, body=text)
        try:
            with db.session.begin_nested():
                db.session.add(review)
        except IntegrityError:  # the same listener's other request won the race: edit that one
            log.info("review of pack %s by %s created concurrently; editing it", pack_id, user_id)
            review = mine(user_id, pack_id)
            if review is None:
                raise
    if review.rating != rating or review.body != text:
        review.rating, review.body = rating, text
        review.updated_at = utcnow()
    db.session.commit()
    log.info("review %s of pack %s by %s: %d stars", review.id, pack_id, user_id, rating)
    return review


def _views(rows: Iterable[tuple[PackReview, str | None]]) -> list[ReviewView]:
    return [
        ReviewView(
            id=review.id,
            pack_id=review.pack_id,
            user_id=review.user_id,
            rating=review.rating,
            body=review.body,
            reviewer=name or ANONYMOUS_NAME,
            created_at=as_utc(review.created_at),
            updated_at=as_utc(review.updated_at),
            hidden_at=as_utc(review.hidden_at),
            hidden_reason=review.hidden_reason,
        )
        for review, name in rows
    ]


def for_pack(pack_id: uuid.UUID, *, page: int = 1, per_page: int = 10, include_hidden: bool = False) -> ReviewPage:
    """A page of the pack's reviews, newest first; hidden ones only when asked (moderation)."""
    page = min(max(1, page), MAX_PAGE)
    per_page = min(max(1, per_page), 100)
    where = [PackReview.pack_id == pack_id]
    if not include_hidden:
        where.append(PackReview.hidden_at.is_(None))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(PackReview).where(*where)) or 0
    rows = db.session.execute(
        sa.select(PackReview, CreatorProfile.display_name)
        .outerjoin(CreatorProfile, CreatorProfile.user_id == PackReview.user_id)
        .where(*where)
        .order_by(PackReview.created_at.desc(), PackReview.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    average = summary([pack_id]).get(pack_id, (None, 0))[0]
    return ReviewPage(_views(rows), page, per_page, total, average)


def view(review_id: uuid.UUID) -> ReviewView | None:
    """One review as shown (moderation uses it to show what was reported)."""
    row = db.session.execute(
        sa.select(PackReview, CreatorProfile.display_name)
        .outerjoin(CreatorProfile, CreatorProfile.user_id == PackReview.user_id)
        .where(PackReview.id == review_id)
    ).first()
    return _views([tuple(row)])[0] if row else None


def summary(pack_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, tuple[float, int]]:
    """Per pack with visible reviews: (average rating rounded to one decimal, count); hidden ones left out."""
    ids = list(pack_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(PackReview.pack_id, sa.func.avg(PackReview.rating), sa.func.count())
        .where(PackReview.pack_id.in_(ids), PackReview.hidden_at.is_(None))
        .group_by(PackReview.pack_id)
    )
    return {pack_id: (round(float(avg), 1), count) for pack_id, avg, count in rows}


def hide(review_id: uuid.UUID, actor: User, reason: str, *, commit: bool = True) -> PackReview:
    """Hide a review from the pack page and its average, with the moderator's reason; audited."""
    text = clean_text(reason, field="reason", limit=MAX_REASON, label="The reason")
    if not text:
        raise ServiceError("Give a reason for hiding the review.", field="reason")
    review = db.session.scalar(sa.select(PackReview).where(PackReview.id == review_id).with_for_update())
    if review is None:
        raise NotFound("No such review.")
    before = {"hidden": review.hidden_at is not None, "reason": review.hidden_reason}
    review.hidden_at = review.hidden_at or utcnow()
    review.hidden_reason = text
    # SECURITY.md 22: tests/services/test_reports.py::test_each_resolution_is_audited
    audit.record(
        "review.hide",
        actor=actor,
        target_type="review",
        target_id=review.id,
        before=before,
        after={"hidden": True, "reason": text, "pack_id": str(review.pack_id)},
    )
    if commit:
        db.session.commit()
    log.info("review %s hidden by %s", review.id, actor.email)
    return review
