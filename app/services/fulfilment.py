"""Fulfilment: a paid Checkout Session becomes a paid purchase, its pack entitlement or its credits,
and the creator's reward — in the caller's one transaction, once.

SECURITY.md 4 and 6: the purchase row is locked (`SELECT … FOR UPDATE`) before anything is
granted and `fulfilled_at` is set with the grant, so whichever of the webhook and the success
redirect comes second finds it fulfilled and does nothing; credits and rewards carry UNIQUE keys.

A session paid for a pack an admin has taken down (and not published again) grants nothing and
rewards no one: the purchase is recorded paid with `meta["needs_refund"]` for an admin to refund,
and a subscription it started is marked to be canceled. A pack its creator archived still fulfils
(the session was opened while it was on sale, and holders keep archived packs).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import Entitlement, Purchase, RitualPack
from app.models.types import as_utc, utcnow
from app.providers.payments import add_interval
from app.services import access, creator_tokens, credits
from app.services.stripe_objects import as_uuid, is_paid, metadata, obj_id, session_amounts, when

log = logging.getLogger(__name__)


class Waiting(Exception):
    """The event needs a row that is not there yet; it is kept and replayed when that row appears."""

    def __init__(self, key: str) -> None:
        super().__init__(f"waiting for {key}")
        self.key = key


@dataclass
class Applied:
    """What an event changed: the purchase, and the Stripe ids that now resolve (for waiting events)."""

    purchase: Purchase | None
    changed: bool = False
    keys: list[str] = field(default_factory=list)
    cancel: list[uuid.UUID] = field(default_factory=list)  # purchases whose subscription to cancel after commit


def owned_pack_ids(user_id: uuid.UUID) -> set[uuid.UUID]:
    """The packs the user holds an active entitlement to."""
    return set(db.session.scalars(sa.select(Entitlement.pack_id).where(access.active_entitlement(user_id))))


def has_pack(user_id: uuid.UUID, pack_id: uuid.UUID) -> bool:
    held = sa.select(Entitlement.id).where(access.active_entitlement(user_id), Entitlement.pack_id == pack_id)
    return bool(db.session.scalar(sa.select(held.exists())))


def lock_purchase(where: sa.ColumnElement[bool]) -> Purchase | None:
    """The purchase matching `where`, locked for this transaction and read fresh."""
    stmt = sa.select(Purchase).where(where).with_for_update().execution_options(populate_existing=True)
    return db.session.scalars(stmt.limit(1)).first()


def purchase_for_session(session: dict[str, Any]) -> Purchase | None:
    """Our purchase behind a Checkout Session (by client_reference_id, then by session id), locked."""
    purchase_id = as_uuid(session.get("client_reference_id")) or as_uuid(metadata(session).get("purchase_id"))
    if purchase_id is not None:
        purchase = lock_purchase(Purchase.id == purchase_id)
    else:
        purchase = lock_purchase(Purchase.stripe_checkout_session_id == session.get("id"))
    if purchase is not None and purchase.stripe_checkout_session_id not in (None, session.get("id")):
        log.error(
            "checkout session %s names purchase %s, which belongs to session %s",
            session.get("id"),
            purchase.id,
            purchase.stripe_checkout_session_id,
        )
        return None
    return purchase


def session_keys(session: dict[str, Any]) -> list[str]:
    """The waiting-event keys a session's ids resolve."""
    keys = [f"session {session.get('id')}"]
    for name, key in (("payment_intent", "payment_intent"), ("subscription", "subscription"), ("invoice", "invoice")):
        value = obj_id(session.get(name))
        if value:
            keys.append(f"{key} {value}")
    return keys


def on_session_completed(session: dict[str, Any]) -> Applied:
    """`checkout.session.completed`: fulfil when paid; an asynchronous payment is awaited."""
    if is_paid(session):
        return apply_paid_session(session)
    purchase = purchase_for_session(session)
    if purchase is None:
        log.warning("checkout session %s completed without a purchase of ours", session.get("id"))
        return Applied(None)
    _record_ids(purchase, session)
    log.info("purchase %s: session %s completed, payment still processing", purchase.id, session.get("id"))
    return Applied(purchase, True, session_keys(session))


def apply_paid_session(session: dict[str, Any]) -> Applied:
    """Fulfil the purchase of a paid session, once; the caller commits."""
    purchase = purchase_for_session(session)
    if purchase is None:
        log.warning("paid checkout session %s has no purchase of ours", session.get("id"))
        return Applied(None)
    if purchase.fulfilled_at is not None:
        # SECURITY.md 6: tests/services/test_fulfilment.py::test_redirect_then_webhook_fulfils_once
        return Applied(purchase)
    if not is_paid(session):
        raise ValueError(f"session {session.get('id')} is not paid ({session.get('payment_status')})")
    _record_ids(purchase, session)
    total, tax = session_amounts(session)
    now = utcnow()
    purchase.fulfilled_at = now
    purchase.meta = {**(purchase.meta or {}), "amount_total": total, "amount_tax": tax}
    if purchase.status == "refunded":
        log.warning("purchase %s was refunded before its payment was recorded: nothing granted", purchase.id)
        cancel = [purchase.id] if mark_for_cancel(purchase, "refunded") else []
        return Applied(purchase, True, session_keys(session), cancel)
    purchase.status = "paid"
    if purchase.kind == "credits":
        bundle = int((purchase.meta or {}).get("bundle") or 0)
        credits.grant(
            purchase.user_id,
            bundle,
            idempotency_key=f"purchase:{session['id']}",
            metadata={"bundle": bundle, "purchase_id": str(purchase.id)},
            commit=False,
        )
    elif taken_down(purchase.pack_id):
        # SECURITY.md 5: a takedown stops sales — the session was opened before it, so nothing is
        # granted or rewarded and the payment is left for an admin to refund
        # (tests/services/test_pack_lifecycle.py::test_a_checkout_paid_after_a_takedown_grants_nothing).
        purchase.meta = {**(purchase.meta or {}), "needs_refund": "the pack was taken down before the payment"}
        log.warning(
            "purchase %s paid for taken-down pack %s: nothing granted, needs a refund", purchase.id, purchase.pack_id
        )
        cancel = [purchase.id] if mark_for_cancel(purchase, "pack taken down") else []
        return Applied(purchase, True, session_keys(session), cancel)
    else:
        _grant_pack(purchase, session, net=total - tax)
    log.info("purchase %s fulfilled (%s, session %s)", purchase.id, purchase.kind, session.get("id"))
    return Applied(purchase, True, session_keys(session))


def apply_failed_session(session: dict[str, Any]) -> Applied:
    """`checkout.session.async_payment_failed`: the purchase failed and nothing is granted."""
    purchase = purchase_for_session(session)
    if purchase is None:
        return Applied(None)
    if purchase.fulfilled_at is not None:
        log.error("purchase %s: payment failure reported after fulfilment; left as %s", purchase.id, purchase.status)
        return Applied(purchase)
    _record_ids(purchase, session)
    purchase.status = "failed"
    purchase.meta = {**(purchase.meta or {}), "failed_at": utcnow().isoformat()}
    log.info("purchase %s: asynchronous payment failed", purchase.id)
    return Applied(purchase, True)


def apply_expired_session(session: dict[str, Any]) -> Applied:
    """`checkout.session.expired`: a pending purchase is canceled."""
    purchase = purchase_for_session(session)
    if purchase is None or purchase.status != "pending" or purchase.fulfilled_at is not None:
        return Applied(purchase)
    purchase.status = "canceled"
    purchase.meta = {**(purchase.meta or {}), "expired_at": utcnow().isoformat()}
    return Applied(purchase, True)


def grant_entitlement(
    user_id: uuid.UUID,
    pack_id: uuid.UUID,
    *,
    source: str,
    purchase_id: uuid.UUID | None = None,
    expires_at: datetime | None = None,
) -> Entitlement:
    """Give (or give back) a pack, in the caller's transaction; a lasting right is never shortened."""
    ent = db.session.scalars(
        sa.select(Entitlement)
        .where(Entitlement.user_id == user_id, Entitlement.pack_id == pack_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if ent is None:
        ent = Entitlement(
            user_id=user_id, pack_id=pack_id, source=source, purchase_id=purchase_id, expires_at=expires_at
        )
        db.session.add(ent)
        db.session.flush()
        return ent
    if ent.revoked_at is None and ent.expires_at is None and expires_at is not None:
        return ent
    ent.source, ent.purchase_id, ent.expires_at, ent.revoked_at = source, purchase_id, expires_at, None
    return ent


def entitlement_for(purchase: Purchase) -> Entitlement | None:
    """The buyer's entitlement row to the purchase's pack, locked — only while it stems from this
    purchase (or, for a renewal, from the purchase it renews). A later purchase of the same pack
    takes the row over, and an old subscription's end, renewal or refund must then leave it alone
    (SECURITY.md 5: tests/services/test_subscriptions.py::test_an_old_subscription_never_touches_a_new_one)."""
    if purchase.pack_id is None:
        return None
    ent = db.session.scalars(
        sa.select(Entitlement)
        .where(Entitlement.user_id == purchase.user_id, Entitlement.pack_id == purchase.pack_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if ent is None or ent.purchase_id in own_purchase_ids(purchase):
        return ent
    log.info(
        "purchase %s: the entitlement to pack %s now belongs to purchase %s",
        purchase.id,
        purchase.pack_id,
        ent.purchase_id,
    )
    return None


def own_purchase_ids(purchase: Purchase) -> set[uuid.UUID]:
    """The purchase and, for a renewal, the original purchase it renews."""
    renewal_of = as_uuid((purchase.meta or {}).get("renewal_of"))
    return {purchase.id, renewal_of} if renewal_of else {purchase.id}


def taken_down(pack_id: uuid.UUID | None) -> bool:
    """Whether an admin took the pack down and it has not been published again."""
    pack = db.session.get(RitualPack, pack_id) if pack_id else None
    return pack is not None and pack.status != "published" and "taken_down" in (pack.meta or {})


def mark_for_cancel(purchase: Purchase, reason: str) -> bool:
    """Mark the subscription a purchase started to be canceled after the commit (`cancel_pending`);
    reconcile retries a mark that stays. False when there is no subscription or it has ended."""
    meta = purchase.meta or {}
    if purchase.kind != "subscription" or not purchase.stripe_subscription_id:
        return False
    if meta.get("ended_at") or meta.get("subscription_canceled_at"):
        return False
    purchase.meta = {**meta, "cancel_pending": reason}
    return True


def reward_creator(purchase: Purchase, *, net: int, key: str, extra: dict[str, Any]) -> None:
    """The pack's creator earns CREATOR_REWARD_PERCENT of the net amount, once per key."""
    pack = db.session.get(RitualPack, purchase.pack_id) if purchase.pack_id else None
    if pack is None:
        log.error("purchase %s: no pack to reward a creator for", purchase.id)
        return
    percent = int(current_app.config["CREATOR_REWARD_PERCENT"])
    tokens = creator_tokens.reward_amount(net, percent)
    if tokens <= 0:
        return
    creator_tokens.reward(
        pack.creator_id,
        tokens,
        idempotency_key=key,
        purchase_id=purchase.id,
        metadata={"pack_id": str(pack.id), "net": net, "percent": percent, **extra},
    )


def _record_ids(purchase: Purchase, session: dict[str, Any]) -> None:
    purchase.stripe_checkout_session_id = purchase.stripe_checkout_session_id or session.get("id")
    purchase.stripe_payment_intent_id = purchase.stripe_payment_intent_id or obj_id(session.get("payment_intent"))
    purchase.stripe_subscription_id = purchase.stripe_subscription_id or obj_id(session.get("subscription"))
    if purchase.kind == "subscription":
        purchase.stripe_invoice_id = purchase.stripe_invoice_id or obj_id(session.get("invoice"))


def _grant_pack(purchase: Purchase, session: dict[str, Any], *, net: int) -> None:
    if purchase.pack_id is None:
        log.error("purchase %s was paid but its pack is gone: nothing to grant", purchase.id)
        return
    if purchase.kind == "subscription":
        interval = (purchase.meta or {}).get("stripe_interval") or "month"
        start = session.get("created") if isinstance(session.get("created"), int) else int(utcnow().timestamp())
        # Until the first invoice tells the period's exact end, access runs one interval from the start.
        expires = max(when(add_interval(start, interval)), utcnow())
        grant_entitlement(
            purchase.user_id, purchase.pack_id, source="subscription", purchase_id=purchase.id, expires_at=expires
        )
    else:
        grant_entitlement(purchase.user_id, purchase.pack_id, source="purchase", purchase_id=purchase.id)
    reward_creator(purchase, net=net, key=f"reward:{purchase.id}", extra={"session_id": session.get("id")})


def extend_entitlement(purchase: Purchase, until: datetime | None) -> None:
    """Carry a subscription's access to `until`, never past when the subscription ended."""
    ent = entitlement_for(purchase)
    if ent is None or until is None or ent.revoked_at is not None or ent.expires_at is None:
        return
    ended = (purchase.meta or {}).get("ended_at")
    if ended:
        until = min(until, datetime.fromisoformat(ended))
    ent.expires_at = max(as_utc(ent.expires_at), until)
