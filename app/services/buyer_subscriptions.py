"""The buyer's own subscriptions: which still give access, and stopping one at the period's end.

Stripe is asked to cancel it at the period's end; access lasts until the entitlement's `expires_at`,
and the `customer.subscription.deleted` that Stripe sends then ends it (`subscriptions`).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import Entitlement, Purchase, RitualPack, User
from app.models.types import as_utc, utcnow
from app.providers.payments import PaymentGatewayError, get_gateway
from app.services import Conflict, NotFound, ServiceError, audit
from app.services.fulfilment import entitlement_for, lock_purchase

log = logging.getLogger(__name__)

class CancelUnavailable(ServiceError):
    code = "payments_unavailable"
    status = 503

    def __init__(self) -> None:
        super().__init__(
            "Your subscription could not be canceled right now: nothing was changed and it still renews. "
            "Please try again shortly."
        )


@dataclass(frozen=True)
class ActiveSubscription:
    """A subscription the buyer holds now: what it charges, and when it renews or (canceled) ends."""

    purchase: Purchase
    pack_title: str | None
    period_end: datetime | None

    @property
    def interval(self) -> str | None:
        return (self.purchase.meta or {}).get("interval")

    @property
    def canceled(self) -> bool:
        return bool((self.purchase.meta or {}).get("cancel_at_period_end"))


def active_for(user_id: uuid.UUID) -> list[ActiveSubscription]:
    """The user's subscriptions that still give access (those canceled at the period end included),
    soonest to renew or end first."""
    rows = db.session.execute(
        sa.select(Purchase, RitualPack.title, Entitlement.expires_at)
        .join(Entitlement, sa.and_(Entitlement.purchase_id == Purchase.id, Entitlement.user_id == Purchase.user_id))
        .outerjoin(RitualPack, RitualPack.id == Purchase.pack_id)
        .where(
            Purchase.user_id == user_id,
            Purchase.kind == "subscription",
            Purchase.status == "paid",
            Purchase.stripe_subscription_id.is_not(None),
            Entitlement.source == "subscription",
            Entitlement.revoked_at.is_(None),
            sa.or_(Entitlement.expires_at.is_(None), Entitlement.expires_at > utcnow()),
        )
        .order_by(Entitlement.expires_at, Purchase.id)
    ).all()
    return [
        ActiveSubscription(purchase, title or (purchase.meta or {}).get("title"), as_utc(expires))
        for purchase, title, expires in rows
        if not _stopped(purchase)
    ]


def cancel_by_buyer(user_id: uuid.UUID, purchase_id: uuid.UUID) -> Purchase:
    """Cancel the buyer's own subscription at the end of the period paid for: it bills no more and
    access lasts until the entitlement's `expires_at`. Another user's purchase is not found
    (SECURITY.md 9); one that is not an active subscription, or is canceled already, is a Conflict.
    Stripe is asked before anything is recorded, with no row locked; when it fails nothing changes."""
    purchase, _ent = _cancelable(user_id, purchase_id)
    subscription_id = purchase.stripe_subscription_id
    db.session.rollback()  # no row stays locked while Stripe is asked
    try:
        get_gateway().cancel_at_period_end(subscription_id, idempotency_key=f"cancel-at-period-end:{subscription_id}")
    except PaymentGatewayError as exc:
        log.error(
            "user %s could not cancel subscription %s of purchase %s at the period end: %s",
            user_id,
            subscription_id,
            purchase_id,
            exc,
        )
        raise CancelUnavailable() from exc

    # Checked again under the lock: a webhook or a second click may have changed it meanwhile.
    purchase, ent = _cancelable(user_id, purchase_id)
    until = as_utc(ent.expires_at)
    purchase.meta = {**(purchase.meta or {}), "cancel_at_period_end": True, "cancel_requested_at": utcnow().isoformat()}
    audit.record(
        "subscription.cancel",
        actor=db.session.get(User, user_id),
        target_type="purchase",
        target_id=purchase.id,
        before={"cancel_at_period_end": False},
        after={
            "cancel_at_period_end": True,
            "subscription_id": subscription_id,
            "ends_at": until.isoformat() if until else None,
        },
    )
    db.session.commit()
    log.info(
        "user %s canceled subscription %s (purchase %s): access to pack %s until %s",
        user_id,
        subscription_id,
        purchase.id,
        purchase.pack_id,
        until,
    )
    return purchase


def access_until(purchase: Purchase) -> datetime | None:
    """When a subscription purchase's access ends (or renews): its entitlement's `expires_at`."""
    expires = db.session.scalar(
        sa.select(Entitlement.expires_at).where(
            Entitlement.purchase_id == purchase.id, Entitlement.user_id == purchase.user_id
        )
    )
    return as_utc(expires)


def _stopped(purchase: Purchase) -> bool:
    """The subscription ended, or is being (or was) canceled at once."""
    meta = purchase.meta or {}
    return any(meta.get(k) for k in ("ended_at", "cancel_pending", "subscription_canceled_at"))


def _cancelable(user_id: uuid.UUID, purchase_id: uuid.UUID) -> tuple[Purchase, Entitlement]:
    """The buyer's own purchase, locked, and its entitlement, when the buyer may cancel it now."""
    purchase = lock_purchase(sa.and_(Purchase.id == purchase_id, Purchase.user_id == user_id))
    if purchase is None:
        db.session.rollback()
        raise NotFound("No such subscription.")
    try:
        return purchase, _check_cancelable(purchase)
    except Conflict:
        db.session.rollback()
        raise


def _check_cancelable(purchase: Purchase) -> Entitlement:
    meta = purchase.meta or {}
    if purchase.kind != "subscription":
        raise Conflict("This purchase is not a subscription: there is nothing to cancel.")
    if meta.get("renewal_of"):
        raise Conflict("This payment renewed a subscription: cancel the subscription itself.")
    if purchase.status in ("pending", "failed"):
        raise Conflict("This subscription never started: its checkout was not paid.")
    if purchase.status == "refunded" or meta.get("cancel_pending") or meta.get("subscription_canceled_at"):
        raise Conflict("This subscription is canceled already.")
    ent = entitlement_for(purchase)
    ends = as_utc(ent.expires_at) if ent is not None else None
    if meta.get("cancel_at_period_end"):
        when = f" Your access ends on {ends:%d %b %Y}." if ends else ""
        raise Conflict("This subscription is canceled already." + when)
    if (
        purchase.status != "paid"
        or not purchase.stripe_subscription_id
        or meta.get("ended_at")
        or ent is None
        or ent.revoked_at is not None
        or (ends is not None and ends <= utcnow())
    ):
        raise Conflict("This subscription has ended already.")
    return ent
