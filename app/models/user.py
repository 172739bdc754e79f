"""Accounts: users with roles, preferences and a credit balance."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import JSONType, TextList, created_at_column, updated_at_column, uuid_pk

ROLES = ("user", "creator", "admin")
PACES = ("slow", "normal", "fast")
TONES = ("gentle", "warm", "energising", "grounding")


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("credit_balance >= 0", name="credit_balance_non_negative"),
        # PostgreSQL can check array contents; elsewhere the accounts service validates roles.
        sa.CheckConstraint("roles <@ ARRAY['user','creator','admin']::text[]", name="roles_valid").ddl_if(
            dialect="postgresql"
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    email: Mapped[str] = mapped_column(sa.String(254), nullable=False, unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    roles: Mapped[list[str]] = mapped_column(TextList, nullable=False, default=lambda: ["user"])
    preferences: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    practice_history_summary: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    credit_balance: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default=sa.text("1"))
    # Bumped to revoke every API token at once (password change, suspension, deletion).
    token_version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default=sa.text("0"))
    suspended_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    stripe_customer_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)  # one Customer per user
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    def has_role(self, role: str) -> bool:
        return role in (self.roles or [])

    @property
    def is_creator(self) -> bool:
        return self.has_role("creator")

    @property
    def is_admin(self) -> bool:
        return self.has_role("admin")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.suspended_at is None

    def __repr__(self) -> str:
        return f"<User {self.email}>"
