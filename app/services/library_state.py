"""Each listener's own state for an item in their library: the favourite mark and where they stopped.

Kept in `library_entries`, one row per (user, item), created on first use. These functions join
the caller's transaction; the caller has already checked access and commits.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.models import LibraryEntry
from app.models.types import utcnow


def entry_for(user_id: uuid.UUID, item_id: uuid.UUID) -> LibraryEntry:
    """The user's entry for the item, inserted if missing (safe against a concurrent insert)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    db.session.execute(
        insert(LibraryEntry)
        .values(id=uuid.uuid4(), user_id=user_id, content_item_id=item_id, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["user_id", "content_item_id"])
    )
    return db.session.scalars(
        sa.select(LibraryEntry)
        .where(LibraryEntry.user_id == user_id, LibraryEntry.content_item_id == item_id)
        .execution_options(populate_existing=True)
    ).one()


def set_favourite(user_id: uuid.UUID, item_id: uuid.UUID, value: bool) -> None:
    entry_for(user_id, item_id).is_favourite = bool(value)


def save_position(user_id: uuid.UUID, item_id: uuid.UUID, seconds: float) -> None:
    entry = entry_for(user_id, item_id)
    entry.resume_position = max(0.0, round(float(seconds), 1))
    entry.position_updated_at = utcnow()


def resume_position(user_id: uuid.UUID, item_id: uuid.UUID) -> float:
    """Where the user stopped last time, in seconds (0 when never played or played to the end)."""
    value = db.session.scalar(
        sa.select(LibraryEntry.resume_position).where(
            LibraryEntry.user_id == user_id, LibraryEntry.content_item_id == item_id
        )
    )
    return float(value or 0.0)
