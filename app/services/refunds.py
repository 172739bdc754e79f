"""Refunds (`charge.refunded`): the purchase is refunded, access revoked, the creator's reward
reversed, and bought credits taken back as far as the balance allows — with an audit row. A
refunded subscription payment also ends the subscription, so Stripe bills no more for access
that is gone (canceled after the commit, see `subscriptions.cancel_marked`)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import CreatorTokenTransaction, Purchase, User
from app.models.types import utcnow
from app.services import audit, creator_tokens, credits
from app.services.fulfilment import Applied, Waiting, entitlement_for, lock_purchase, mark_for_cancel
from app.services.stripe_objects import amount, as_uuid, obj_id

log = logging.getLogger(__name__)


def charge_refunded(charge: dict[str, Any]) -> Applied:
    """Apply a refunded charge to the purchase it paid for; a partial refund is recorded only."""
    payment_intent = obj_id(charge.get("payment_intent"))
    invoice_id = obj_id(charge.get("invoice"))
    purchase = None
    if payment_intent:
        purchase = lock_purchase(Purchase.stripe_payment_intent_id == payment_intent)
    if purchase is None and invoice_id:
        purchase = lock_purchase(Purchase.stripe_invoice_id == invoice_id)
    if purchase is None:
        if payment_intent or invoice_id:
            # Out of order: the payment is not recorded yet. The event waits and is replayed then.
            raise Waiting(f"payment_intent {payment_intent}" if payment_intent else f"invoice {invoice_id}")
        log.warning("refunded charge %s names no payment of ours", charge.get("id"))
        return Applied(None)
    refunded = amount(charge.get("amount_refunded"))
    if not charge.get("refunded"):
        purchase.meta = {**(purchase.meta or {}), "amount_refunded": refunded}
        log.warning("purchase %s partly refunded (%d of %d): access kept", purchase.id, refunded, purchase.amount)
        return Applied(purchase, True)
    if purchase.status == "refunded":
        return Applied(purchase)
    before = purchase.status
    purchase.status = "refunded"
    purchase.meta = {
        **(purchase.meta or {}),
        "amount_refunded": refunded,
        "refunded_at": utcnow().isoformat(),
        "charge_id": charge.get("id"),
    }
    # The subscription's purchase is locked before the entitlement, in the order the other handlers lock.
    cancel = _stop_billing(purchase) if purchase.kind == "subscription" else []
    if purchase.fulfilled_at is not None:
        if purchase.kind == "credits":
            _take_back_credits(purchase)
        else:
            _revoke_pack(purchase)
    # SECURITY.md 22: a refund writes an audit row, in the same transaction
    # (tests/services/test_fulfilment.py::test_a_refund_revokes_access_and_reverses_the_reward).
    audit.record(
        "purchase.refund",
        actor=None,
        target_type="purchase",
        target_id=purchase.id,
        before={"status": before},
        after={"status": "refunded", "amount_refunded": refunded, "charge": charge.get("id")},
    )
    log.info("purchase %s refunded (%s, charge %s)", purchase.id, purchase.kind, charge.get("id"))
    return Applied(purchase, True, cancel=cancel)


def _stop_billing(purchase: Purchase) -> list[uuid.UUID]:
    """Mark the subscription behind a refunded payment (its original purchase's) to be canceled.

    SECURITY.md 5: access revoked by a refund is not billed again
    (tests/services/test_subscriptions.py::test_a_refund_cancels_the_subscription)."""
    renewal_of = as_uuid((purchase.meta or {}).get("renewal_of"))
    original = (lock_purchase(Purchase.id == renewal_of) if renewal_of else None) or purchase
    return [original.id] if mark_for_cancel(original, "refunded") else []


def _revoke_pack(purchase: Purchase) -> None:
    ent = entitlement_for(purchase)
    if ent is not None and ent.revoked_at is None and ent.source in ("purchase", "subscription"):
        ent.revoked_at = utcnow()
    rewards = db.session.scalars(
        sa.select(CreatorTokenTransaction).where(
            CreatorTokenTransaction.purchase_id == purchase.id,
            CreatorTokenTransaction.transaction_type == "reward",
        )
    ).all()
    for row in rewards:
        reversal = creator_tokens.reverse(
            row.creator_id,
            row.amount,
            idempotency_key=f"reversal:{purchase.id}",
            purchase_id=purchase.id,
            metadata={"reward_id": str(row.id), "reason": "refund"},
        )
        if reversal is None or reversal.amount != -row.amount:
            purchase.meta = {
                **(purchase.meta or {}),
                "reward_shortfall": row.amount + (reversal.amount if reversal else 0),
            }


def _take_back_credits(purchase: Purchase) -> None:
    """The bundle's credits come back off the balance, as many as are left (spent ones stay spent)."""
    bundle = int((purchase.meta or {}).get("bundle") or 0)
    balance = db.session.scalar(sa.select(User.credit_balance).where(User.id == purchase.user_id).with_for_update())
    taken = min(bundle, balance or 0)
    if taken > 0:
        credits.consume(
            purchase.user_id,
            taken,
            idempotency_key=f"purchase-refund:{purchase.id}",
            metadata={"reason": "refund", "purchase_id": str(purchase.id), "bundle": bundle},
            commit=False,
        )
    if taken < bundle:
        purchase.meta = {**(purchase.meta or {}), "credits_shortfall": bundle - taken}
        log.warning("purchase %s refunded: %d of %d credits were already spent", purchase.id, bundle - taken, bundle)
