"""Packs, their items, purchases, entitlements, Stripe events and the creator token ledger."""

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

PRICE_TYPES = ("free", "one_time", "subscription")
SUBSCRIPTION_INTERVALS = ("monthly", "annual")
PACK_STATUSES = ("draft", "in_review", "published", "archived")
PURCHASE_KINDS = ("pack", "subscription", "credits")
PURCHASE_STATUSES = ("pending", "paid", "failed", "refunded", "canceled")
ENTITLEMENT_SOURCES = ("free", "purchase", "subscription", "admin")
TOKEN_TRANSACTION_TYPES = ("reward", "reversal", "payout", "adjustment")


class RitualPack(db.Model):
    __tablename__ = "ritual_packs"
    __table_args__ = (
        enum_check("price_type", PRICE_TYPES),
        enum_check("subscription_interval", SUBSCRIPTION_INTERVALS, nullable=True),
        enum_check("status", PACK_STATUSES),
        sa.CheckConstraint(
            "(price_type = 'free' AND COALESCE(price_amount, 0) = 0)"
            " OR (price_type <> 'free' AND price_amount IS NOT NULL AND price_amount > 0)",
            name="price_matches_type",
        ),
        sa.CheckConstraint(
            "(price_type = 'subscription') = (subscription_interval IS NOT NULL)",
            name="interval_only_for_subscriptions",
        ),
        sa.Index("ix_ritual_packs_creator_created", "creator_id", "created_at"),
        sa.Index("ix_ritual_packs_status_published", "status", "published_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    creator_id: Mapped[uuid.UUID] = fk("users.id")
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    tags: Mapped[list[str]] = mapped_column(TextList, nullable=False, default=list)
    cover_key: Mapped[str | None] = mapped_column(sa.String(500))
    price_type: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="free")
    price_amount: Mapped[int | None] = mapped_column(sa.Integer)  # minor units (cents)
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False, default="usd")
    subscription_interval: Mapped[str | None] = mapped_column(sa.String(16))
    published_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="draft")
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    archived_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # The reason an admin gave when rejecting or taking the pack down; the creator sees it.
    moderation_note: Mapped[str | None] = mapped_column(sa.Text)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, nullable=False, default=dict)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class CreatorProfile(db.Model):
    """What buyers see of a creator: the name on their packs, a short bio, an avatar."""

    __tablename__ = "creator_profiles"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    display_name: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    bio: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    avatar_key: Mapped[str | None] = mapped_column(sa.String(500))
    terms_accepted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class PackItem(db.Model):
    __tablename__ = "pack_items"
    __table_args__ = (sa.UniqueConstraint("pack_id", "content_item_id", name="uq_pack_items_pack_item"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    pack_id: Mapped[uuid.UUID] = fk("ritual_packs.id")
    content_item_id: Mapped[uuid.UUID] = fk("content_items.id")
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = created_at_column()


class Purchase(db.Model):
    __tablename__ = "purchases"
    __table_args__ = (
        enum_check("kind", PURCHASE_KINDS),
        enum_check("status", PURCHASE_STATUSES),
        sa.CheckConstraint("amount >= 0", name="amount_non_negative"),
        sa.Index("ix_purchases_user_created", "user_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = fk("users.id")
    pack_id: Mapped[uuid.UUID | None] = fk("ritual_packs.id", ondelete="SET NULL", nullable=True)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="pending")
    amount: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)  # minor units
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False, default="usd")
    # Idempotency: one purchase per Checkout Session (SECURITY.md 4).
    stripe_checkout_session_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    stripe_subscription_id: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    # A subscription renewal is its own purchase, once per invoice (SECURITY.md 4).
    stripe_invoice_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, nullable=False, default=dict)
    fulfilled_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class Entitlement(db.Model):
    """A user's right to a pack's items, from a free claim, a purchase, a subscription or an admin."""

    __tablename__ = "entitlements"
    __table_args__ = (
        enum_check("source", ENTITLEMENT_SOURCES),
        sa.UniqueConstraint("user_id", "pack_id", name="uq_entitlements_user_pack"),
        sa.Index("ix_entitlements_user_created", "user_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = fk("users.id")
    pack_id: Mapped[uuid.UUID] = fk("ritual_packs.id")
    purchase_id: Mapped[uuid.UUID | None] = fk("purchases.id", ondelete="SET NULL", nullable=True)
    source: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    expires_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()


class StripeEvent(db.Model):
    __tablename__ = "stripe_events"

    id: Mapped[uuid.UUID] = uuid_pk()
    stripe_event_id: Mapped[str] = mapped_column(sa.String(255), nullable=False, unique=True)
    event_type: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    processed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = created_at_column()


class CreatorTokenTransaction(db.Model):
    """The creator token ledger; like the credit ledger, each row chains from the one before."""

    __tablename__ = "creator_token_transactions"
    __table_args__ = (
        enum_check("transaction_type", TOKEN_TRANSACTION_TYPES),
        sa.CheckConstraint("amount <> 0", name="amount_non_zero"),
        sa.CheckConstraint("balance_after >= 0", name="balance_after_non_negative"),
        sa.UniqueConstraint("creator_id", "entry_no", name="uq_creator_token_transactions_creator_entry"),
        sa.Index("ix_creator_token_transactions_creator_created", "creator_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    creator_id: Mapped[uuid.UUID] = fk("users.id")
    transaction_type: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    amount: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    balance_after: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    entry_no: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    purchase_id: Mapped[uuid.UUID | None] = fk("purchases.id", ondelete="SET NULL", nullable=True)
    idempotency_key: Mapped[str] = mapped_column(sa.String(200), nullable=False, unique=True)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, nullable=False, default=dict)
    created_at: Mapped[datetime] = created_at_column()


REPORT_TARGETS = ("pack", "review")
REPORT_REASONS = ("spam", "offensive", "misleading", "copyright", "other")
REPORT_STATUSES = ("open", "dismissed", "actioned")
PAYOUT_STATUSES = ("pending", "approved", "rejected")


class PackReview(db.Model):
    """A listener's rating (1–5) and optional words on a pack they hold and have played; one per user and pack."""

    __tablename__ = "pack_reviews"
    __table_args__ = (
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        sa.UniqueConstraint("pack_id", "user_id", name="uq_pack_reviews_pack_user"),
        sa.Index("ix_pack_reviews_pack_created", "pack_id", "created_at"),
        sa.Index("ix_pack_reviews_user_created", "user_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    pack_id: Mapped[uuid.UUID] = fk("ritual_packs.id")
    user_id: Mapped[uuid.UUID] = fk("users.id")
    rating: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    hidden_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    hidden_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class Report(db.Model):
    """Someone's report of a pack or a review, waiting in the moderation queue until an admin resolves it."""

    __tablename__ = "reports"
    __table_args__ = (
        enum_check("target_type", REPORT_TARGETS),
        enum_check("reason", REPORT_REASONS),
        enum_check("status", REPORT_STATUSES),
        sa.CheckConstraint(
            "(target_type = 'pack' AND pack_id IS NOT NULL AND review_id IS NULL)"
            " OR (target_type = 'review' AND review_id IS NOT NULL)",
            name="target_matches_type",
        ),
        sa.Index("ix_reports_status_created", "status", "created_at"),
        sa.Index("ix_reports_reporter_created", "reporter_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    reporter_id: Mapped[uuid.UUID] = fk("users.id")
    target_type: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    pack_id: Mapped[uuid.UUID | None] = fk("ritual_packs.id", nullable=True)
    review_id: Mapped[uuid.UUID | None] = fk("pack_reviews.id", nullable=True)
    reason: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    note: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="open")
    resolution: Mapped[str | None] = mapped_column(sa.String(32))  # dismissed | review_hidden | pack_taken_down
    resolved_by: Mapped[uuid.UUID | None] = fk("users.id", ondelete="SET NULL", nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()


class PayoutRequest(db.Model):
    """A creator asking to be paid out tokens; an admin approves (debiting the ledger) or rejects it."""

    __tablename__ = "payout_requests"
    __table_args__ = (
        enum_check("status", PAYOUT_STATUSES),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.Index("ix_payout_requests_creator_created", "creator_id", "created_at"),
        sa.Index("ix_payout_requests_status_created", "status", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    creator_id: Mapped[uuid.UUID] = fk("users.id")
    amount: Mapped[int] = mapped_column(sa.Integer, nullable=False)  # tokens (cents)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="pending")
    note: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)
    decided_by: Mapped[uuid.UUID | None] = fk("users.id", ondelete="SET NULL", nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    token_transaction_id: Mapped[uuid.UUID | None] = fk(
        "creator_token_transactions.id", ondelete="SET NULL", nullable=True
    )
    # The studio form's one-time key: a double submit makes one request (SECURITY.md 4).
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class Notification(db.Model):
    """A message to a user shown in their studio (a pack approved, rejected or taken down, a payout decided)."""

    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_user_created", "user_id", "created_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = fk("users.id")
    kind: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    message: Mapped[str] = mapped_column(sa.Text, nullable=False)
    pack_id: Mapped[uuid.UUID | None] = fk("ritual_packs.id", ondelete="SET NULL", nullable=True)
    read_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()
