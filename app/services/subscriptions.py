"""Subscription events: a paid renewal invoice extends access and rewards the creator again; a
deleted subscription ends access when its period (or the subscription) ends."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Purchase
from app.models.types import utcnow
from app.services.fulfilment import Applied, Waiting, entitlement_for, extend_entitlement, lock_purchase, reward_creator
from app.services.stripe_objects import (
    amount,
    as_uuid,
    invoice_metadata,
    invoice_payment_intent,
    invoice_period_end,
    invoice_subscription,
    invoice_tax,
    metadata,
    subscription_end,
)

log = logging.getLogger(__name__)


def subscription_purchase(subscription_id: str, meta: dict[str, Any]) -> Purchase | None:
    """The purchase that started a subscription (the one with a Checkout Session), locked."""
    found = lock_purchase(
        sa.and_(
            Purchase.stripe_subscription_id == subscription_id,
            Purchase.stripe_checkout_session_id.is_not(None),
        )
    )
    purchase_id = as_uuid(meta.get("purchase_id"))
    if found is None and purchase_id is not None:
        found = lock_purchase(sa.and_(Purchase.id == purchase_id, Purchase.kind == "subscription"))
        if found is not None and found.stripe_subscription_id not in (None, subscription_id):
            log.error(
                "subscription %s names purchase %s of subscription %s",
                subscription_id,
                found.id,
                found.stripe_subscription_id,
            )
            return None
    return found


def invoice_paid(invoice: dict[str, Any]) -> Applied:
    """`invoice.paid`: the first invoice completes the original purchase's ids; a renewal is a new
    purchase (one per invoice, SECURITY.md 4) with its own reward; either extends access."""
    subscription_id = invoice_subscription(invoice)
    if not subscription_id:
        return Applied(None)  # not a subscription's invoice: nothing of ours to do
    original = subscription_purchase(subscription_id, invoice_metadata(invoice))
    if original is None or original.fulfilled_at is None:
        raise Waiting(f"subscription {subscription_id}")
    invoice_id = invoice["id"]
    payment_intent = invoice_payment_intent(invoice)
    keys = [f"invoice {invoice_id}"] + ([f"payment_intent {payment_intent}"] if payment_intent else [])
    first = original.stripe_invoice_id == invoice_id or (
        original.stripe_invoice_id is None and invoice.get("billing_reason") == "subscription_create"
    )
    if first:
        original.stripe_invoice_id = invoice_id
        original.stripe_subscription_id = original.stripe_subscription_id or subscription_id
        original.stripe_payment_intent_id = original.stripe_payment_intent_id or payment_intent
        extend_entitlement(original, invoice_period_end(invoice))
        return Applied(original, True, keys)

    renewal = db.session.scalars(sa.select(Purchase).where(Purchase.stripe_invoice_id == invoice_id)).first()
    if renewal is not None:
        return Applied(renewal)  # this invoice was applied before
    paid = amount(invoice.get("amount_paid"))
    renewal = Purchase(
        user_id=original.user_id,
        pack_id=original.pack_id,
        kind="subscription",
        status="paid",
        amount=paid,
        currency=invoice.get("currency") or original.currency,
        stripe_subscription_id=subscription_id,
        stripe_invoice_id=invoice_id,
        stripe_payment_intent_id=payment_intent,
        fulfilled_at=utcnow(),
        meta={
            "renewal_of": str(original.id),
            "billing_reason": invoice.get("billing_reason"),
            "title": (original.meta or {}).get("title"),
            "amount_tax": invoice_tax(invoice),
        },
    )
    db.session.add(renewal)
    db.session.flush()
    extend_entitlement(original, invoice_period_end(invoice))
    reward_creator(
        renewal,
        net=paid - invoice_tax(invoice),
        key=f"reward:{invoice_id}",
        extra={"invoice_id": invoice_id, "subscription_id": subscription_id},
    )
    log.info("subscription %s renewed by invoice %s: purchase %s", subscription_id, invoice_id, renewal.id)
    return Applied(renewal, True, keys)


def subscription_deleted(subscription: dict[str, Any]) -> Applied:
    """`customer.subscription.deleted`: access lasts until the subscription ended (or its period's end)."""
    subscription_id = subscription.get("id")
    if not subscription_id:
        return Applied(None)
    original = subscription_purchase(subscription_id, metadata(subscription))
    if original is None or original.fulfilled_at is None:
        raise Waiting(f"subscription {subscription_id}")
    end = subscription_end(subscription) or utcnow()
    ent = entitlement_for(original)
    if ent is not None and ent.source == "subscription" and ent.revoked_at is None:
        ent.expires_at = end
    if original.status == "paid":
        original.status = "canceled"
    original.stripe_subscription_id = original.stripe_subscription_id or subscription_id
    original.meta = {**(original.meta or {}), "ended_at": end.isoformat()}
    log.info("subscription %s ended: access to pack %s until %s", subscription_id, original.pack_id, end)
    return Applied(original, True)
