"""Builder conversations, mirrored from the Redis session so nothing is lost."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import JSONType, created_at_column, enum_check, fk, updated_at_column, uuid_pk

BUILDER_STATES = (
    "IntentDiscovery",
    "ContextGathering",
    "PracticeDetails",
    "Personalization",
    "Confirm",
    "Generating",
    "Complete",
)


class Conversation(db.Model):
    __tablename__ = "conversations"
    __table_args__ = (
        enum_check("state", BUILDER_STATES),
        sa.Index("ix_conversations_user_created", "user_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = fk("users.id")
    session_id: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    messages: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False, default=list)
    state: Mapped[str] = mapped_column(sa.String(32), nullable=False, default="IntentDiscovery")
    completed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    resulting_ritual_id: Mapped[uuid.UUID | None] = fk("content_items.id", ondelete="SET NULL", nullable=True)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
