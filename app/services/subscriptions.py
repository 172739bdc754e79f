"""Subscription events: a paid renewal invoice extends access and rewards the creator again; a
deleted subscription ends access when its period (or the subscription) ends.

Billing stops when access does: a refunded subscription payment, a takedown that revokes access
or a payment for a taken-down pack marks the subscription `cancel_pending`; `cancel_marked` cancels
it at Stripe after the commit, and reconcile retries a mark that stays. A renewal paid all the same
(access revoked, or the subscription refunded or over) rewards no one and is recorded with
`meta["needs_refund"]`.

A buyer stops their own subscription in `buyer_subscriptions`.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Purchase
from app.models.types import as_utc, utcnow
from app.providers.payments import PaymentGatewayError, get_gateway
from app.services.fulfilment import (
    Applied,
    Waiting,
    entitlement_for,
    extend_entitlement,
    lock_purchase,
    mark_for_cancel,
    reward_creator,
)
from app.services.stripe_objects import (
    amount,
    as_uuid,
    invoice_metadata,
    invoice_payment_intent,
    invoice_period_end,
    invoice_period_start,
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
    stop = _billing_should_have_stopped(original, invoice)
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
    if stop:
        # SECURITY.md 5: no access is bought by this payment, so no reward; it is left to be refunded
        # (tests/services/test_subscriptions.py::test_a_renewal_after_a_refund_rewards_no_one_and_needs_a_refund).
        renewal.meta = {**renewal.meta, "needs_refund": stop}
        cancel = [original.id] if mark_for_cancel(original, stop) else []
        log.warning(
            "subscription %s billed invoice %s (purchase %s) although %s: no reward, needs a refund",
            subscription_id,
            invoice_id,
            renewal.id,
            stop,
        )
        return Applied(renewal, True, keys, cancel)
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
    meta = {k: v for k, v in (original.meta or {}).items() if k != "cancel_pending"}  # nothing left to cancel
    original.meta = {**meta, "ended_at": end.isoformat()}
    log.info("subscription %s ended: access to pack %s until %s", subscription_id, original.pack_id, end)
    return Applied(original, True)


def _billing_should_have_stopped(original: Purchase, invoice: dict[str, Any]) -> str | None:
    """Why a renewal of `original` buys no access (None when it does): its entitlement is revoked or
    belongs to another purchase, its payment was refunded, or the subscription ended before this period."""
    if original.status == "refunded":
        return "the subscription's payment was refunded"
    ended = (original.meta or {}).get("ended_at")
    if original.status == "canceled" and ended:
        start = invoice_period_start(invoice)
        if start is None or start >= as_utc(datetime.fromisoformat(ended)):
            return "the subscription had ended"
    ent = entitlement_for(original)
    if ent is None:
        return "the buyer's access is no longer this subscription's"
    if ent.revoked_at is not None:
        return "the buyer's access was revoked"
    return None


def cancel_marked(purchase_ids: list[uuid.UUID] | None = None) -> list[uuid.UUID]:
    """Cancel at Stripe the subscription of each purchase marked `cancel_pending` (these ids, or every
    one marked), each outcome in its own commit; the ids canceled. Call it after the mark's commit.
    A failure is logged and keeps the mark, with `cancel_error`, for reconcile to retry."""
    if purchase_ids is not None and not purchase_ids:
        return []
    query = sa.select(Purchase.id, Purchase.stripe_subscription_id, Purchase.meta).where(
        Purchase.kind == "subscription",
        Purchase.stripe_subscription_id.is_not(None),
        Purchase.meta["cancel_pending"].as_string().is_not(None),
    )
    if purchase_ids is not None:
        query = query.where(Purchase.id.in_(purchase_ids))
    rows = db.session.execute(query).all()
    db.session.rollback()
    done = []
    for purchase_id, subscription_id, meta in rows:
        attempt = int((meta or {}).get("cancel_attempts") or 0) + 1
        try:
            get_gateway().cancel_subscription(subscription_id, idempotency_key=f"cancel:{subscription_id}:{attempt}")
        except PaymentGatewayError as exc:
            log.error(
                "subscription %s of purchase %s (%s) could not be canceled, attempt %d: %s; reconcile retries",
                subscription_id,
                purchase_id,
                (meta or {}).get("cancel_pending"),
                attempt,
                exc,
            )
            _record_cancel(purchase_id, attempt, error=str(exc)[:500])
            continue
        _record_cancel(purchase_id, attempt)
        log.info(
            "subscription %s of purchase %s canceled (%s)",
            subscription_id,
            purchase_id,
            (meta or {}).get("cancel_pending"),
        )
        done.append(purchase_id)
    return done


def _record_cancel(purchase_id: uuid.UUID, attempt: int, *, error: str | None = None) -> None:
    purchase = lock_purchase(Purchase.id == purchase_id)
    if purchase is None or not (purchase.meta or {}).get("cancel_pending"):
        db.session.rollback()
        return
    meta = {**purchase.meta, "cancel_attempts": attempt}
    if error is None:
        meta = {k: v for k, v in meta.items() if k not in ("cancel_pending", "cancel_error")}
        meta["subscription_canceled_at"] = utcnow().isoformat()
    else:
        meta["cancel_error"] = error
    purchase.meta = meta
    db.session.commit()

