"""The credit ledger: every change of `users.credit_balance` is one row here."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.content import CONTENT_TYPES
from app.models.types import JSONType, created_at_column, enum_check, fk, uuid_pk

TRANSACTION_TYPES = ("purchase", "consumption", "refund")


class CreditTransaction(db.Model):
    __tablename__ = "credit_transactions"
    __table_args__ = (
        enum_check("transaction_type", TRANSACTION_TYPES),
        enum_check("content_type", CONTENT_TYPES, nullable=True),
        sa.CheckConstraint("amount <> 0", name="amount_non_zero"),
        sa.CheckConstraint("balance_after >= 0", name="balance_after_non_negative"),
        # Consumption takes credits away; purchases and refunds add them.
        sa.CheckConstraint(
            "(transaction_type = 'consumption' AND amount < 0) OR (transaction_type <> 'consumption' AND amount > 0)",
            name="amount_sign",
        ),
        sa.UniqueConstraint("user_id", "entry_no", name="uq_credit_transactions_user_entry"),
        sa.Index("ix_credit_transactions_user_created", "user_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = fk("users.id")
    transaction_type: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    amount: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    balance_after: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    # 1, 2, 3… per user, in the order the balance changed: the chain SECURITY.md 3 checks.
    entry_no: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    content_item_id: Mapped[uuid.UUID | None] = fk("content_items.id", ondelete="SET NULL", nullable=True)
    content_type: Mapped[str | None] = mapped_column(sa.String(32))
    idempotency_key: Mapped[str] = mapped_column(sa.String(200), nullable=False, unique=True)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, nullable=False, default=dict)
    created_at: Mapped[datetime] = created_at_column()
