"""Voices, content items (the practices themselves), their generation jobs, practice events and
each listener's library entries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import (
    JSONType,
    TextList,
    created_at_column,
    enum_check,
    fk,
    updated_at_column,
    uuid_pk,
)

CONTENT_TYPES = ("affirmation", "guided_meditation", "ritual")
DEPTHS = ("shallow", "medium", "deep")
VOICE_PROVIDERS = ("piper", "espeak", "elevenlabs")
JOB_STATUSES = ("queued", "writing", "voicing", "mixing", "ready", "failed")


class Voice(db.Model):
    __tablename__ = "voices"
    __table_args__ = (
        enum_check("provider", VOICE_PROVIDERS),
        sa.UniqueConstraint("provider", "provider_voice_id", name="uq_voices_provider_voice"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    provider: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    provider_voice_id: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    language: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="en-US")
    gender: Mapped[str | None] = mapped_column(sa.String(16))
    style: Mapped[str | None] = mapped_column(sa.String(64))
    description: Mapped[str | None] = mapped_column(sa.Text)
    preview_key: Mapped[str | None] = mapped_column(sa.String(500))
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True, server_default=sa.true())
    created_at: Mapped[datetime] = created_at_column()


class ContentItem(db.Model):
    __tablename__ = "content_items"
    __table_args__ = (
        enum_check("content_type", CONTENT_TYPES),
        enum_check("depth", DEPTHS, nullable=True),
        sa.CheckConstraint("play_count >= 0", name="play_count_non_negative"),
        sa.Index("ix_content_items_user_created", "user_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = fk("users.id")
    content_type: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    content_text: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    voice_id: Mapped[uuid.UUID | None] = fk("voices.id", ondelete="SET NULL", nullable=True)
    audio_url: Mapped[str | None] = mapped_column(sa.String(500))  # object key of the current version
    audio_duration: Mapped[float | None] = mapped_column(sa.Float)  # seconds
    depth: Mapped[str | None] = mapped_column(sa.String(16))  # assigned by the system
    tags: Mapped[list[str]] = mapped_column(TextList, nullable=False, default=list)
    structure: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    context: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    last_played_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    play_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default=sa.text("0"))
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, nullable=False, default=dict)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class GenerationJob(db.Model):
    """One attempt to produce a version of a content item's audio; its progress is what pages show."""

    __tablename__ = "generation_jobs"
    __table_args__ = (
        enum_check("status", JOB_STATUSES),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        sa.UniqueConstraint("content_item_id", "version", name="uq_generation_jobs_item_version"),
        sa.Index("ix_generation_jobs_user_created", "user_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = fk("users.id")
    content_item_id: Mapped[uuid.UUID] = fk("content_items.id")
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    rq_job_id: Mapped[str] = mapped_column(sa.String(100), nullable=False, unique=True)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="queued")
    progress: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    step_label: Mapped[str | None] = mapped_column(sa.String(200))
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    error: Mapped[str | None] = mapped_column(sa.Text)
    spec: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class PracticeEvent(db.Model):
    __tablename__ = "practice_events"
    __table_args__ = (
        sa.CheckConstraint("duration IS NULL OR duration >= 0", name="duration_non_negative"),
        sa.Index("ix_practice_events_user_created", "user_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = fk("users.id")
    ritual_id: Mapped[uuid.UUID] = fk("content_items.id")
    started_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), nullable=False)
    completed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    duration: Mapped[int | None] = mapped_column(sa.Integer)  # seconds listened
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, nullable=False, default=dict)
    created_at: Mapped[datetime] = created_at_column()


class LibraryEntry(db.Model):
    """One listener's own state for an item in their library (owned or from a pack): favourite, resume point.

    Per user rather than on `content_items`, because a pack item is shared by every buyer and
    only its creator may change the item itself.
    """

    __tablename__ = "library_entries"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "content_item_id", name="uq_library_entries_user_item"),
        sa.CheckConstraint("resume_position >= 0", name="resume_position_non_negative"),
        sa.Index("ix_library_entries_user_created", "user_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = fk("users.id")
    content_item_id: Mapped[uuid.UUID] = fk("content_items.id")
    is_favourite: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    resume_position: Mapped[float] = mapped_column(  # seconds into the current version
        sa.Float, nullable=False, default=0.0, server_default=sa.text("0")
    )
    position_updated_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
