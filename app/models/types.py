"""Column types and helpers that work on PostgreSQL and on SQLite."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

# JSONB on PostgreSQL, JSON text elsewhere.
JSONType = sa.JSON().with_variant(JSONB(), "postgresql")
# TEXT[] on PostgreSQL, a JSON list elsewhere.
TextList = sa.JSON().with_variant(ARRAY(sa.Text()), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; treat them as UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def enum_check(column: str, values: tuple[str, ...], *, nullable: bool = False) -> sa.CheckConstraint:
    """A CHECK constraint standing in for an enum type (named `<column>_valid`)."""
    allowed = ", ".join(f"'{v}'" for v in values)
    expr = f"{column} IN ({allowed})"
    if nullable:
        expr = f"{column} IS NULL OR {expr}"
    return sa.CheckConstraint(expr, name=f"{column}_valid")


def uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)


def created_at_column() -> Mapped[datetime]:
    return mapped_column(sa.DateTime(timezone=True), nullable=False, default=utcnow, server_default=sa.func.now())


def updated_at_column() -> Mapped[datetime]:
    return mapped_column(
        sa.DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow, server_default=sa.func.now()
    )


def fk(target: str, *, ondelete: str = "CASCADE", nullable: bool = False) -> Mapped:
    """A UUID foreign key column with an index (every foreign key is indexed)."""
    return mapped_column(sa.Uuid, sa.ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True)
