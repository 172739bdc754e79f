"""Messages to a user shown in their studio: a pack approved, rejected or taken down, a payout decided."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from app.extensions import db
from app.models import Notification
from app.models.types import utcnow
from app.services import NotFound

MAX_MESSAGE = 2000


def notify(user_id: uuid.UUID, kind: str, message: str, *, pack_id: uuid.UUID | None = None) -> Notification:
    """Add a notification to the caller's transaction (the caller commits it with its change)."""
    row = Notification(user_id=user_id, kind=kind[:32], message=message[:MAX_MESSAGE], pack_id=pack_id)
    db.session.add(row)
    return row


def for_user(user_id: uuid.UUID, *, unread_only: bool = False, limit: int = 20) -> list[Notification]:
    """The user's newest notifications, newest first."""
    query = sa.select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(db.session.scalars(query.order_by(Notification.created_at.desc(), Notification.id).limit(limit)))


def unread_count(user_id: uuid.UUID) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def mark_read(user_id: uuid.UUID, notification_id: uuid.UUID) -> Notification:
    """Mark one of the user's notifications read; anyone else's is NotFound (SECURITY.md 9)."""
    row = db.session.get(Notification, notification_id)
    if row is None or row.user_id != user_id:
        raise NotFound("No such notification.")
    if row.read_at is None:
        row.read_at = utcnow()
        db.session.commit()
    return row


def mark_all_read(user_id: uuid.UUID) -> int:
    """Mark every unread notification of the user read; how many were."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
    return result.rowcount or 0
