"""Starting a checkout (a pack, a subscription or a credit bundle) and finishing it from the success redirect."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Purchase, RitualPack, User
from app.models.types import utcnow
from app.providers.payments import STRIPE_INTERVALS, CheckoutRequest, PaymentGatewayError, get_gateway
from app.services import Conflict, NotFound, ServiceError, catalog, stripe_events, subscriptions
from app.services.fulfilment import apply_paid_session, grant_entitlement, has_pack, lock_purchase
from app.services.stripe_objects import is_paid

log = logging.getLogger(__name__)

REUSE_WINDOW = timedelta(hours=23)  # an open Checkout Session lasts a day; reuse it rather than open another


class PaymentsUnavailable(ServiceError):
    code = "payments_unavailable"
    status = 503

    def __init__(self) -> None:
        super().__init__("Payments are not available right now. Nothing was charged; please try again shortly.")


@dataclass(frozen=True)
class CheckoutStart:
    checkout_url: str | None
    entitlement_granted: bool
    purchase_id: uuid.UUID | None


def start_pack(
    user_id: uuid.UUID, pack_id: uuid.UUID, *, base_url: str, return_path: str | None = None
) -> CheckoutStart:
    """Claim a free pack at once, or open a Checkout Session for a paid one (`return_path`: where cancel leads)."""
    pack = db.session.get(RitualPack, pack_id)
    if pack is None or pack.status != "published":
        raise NotFound("No such pack.")
    if pack.creator_id == user_id:
        raise Conflict("This is your own pack: it is already yours to play.")
    if has_pack(user_id, pack.id):
        raise Conflict("This pack is already in your library.")
    if pack.price_type == "free":
        try:
            grant_entitlement(user_id, pack.id, source="free")
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # a concurrent claim of the same pack committed first: it is granted
        catalog.pack_changed(pack_id)  # one more holder: the "Most popular" sort follows
        log.info("user %s claimed free pack %s", user_id, pack.id)
        return CheckoutStart(None, True, None)

    kind = "subscription" if pack.price_type == "subscription" else "pack"
    interval = STRIPE_INTERVALS.get(pack.subscription_interval or "") if kind == "subscription" else None
    price = (pack.price_amount or 0, pack.currency, interval)
    reused = _reusable(user_id, kind, price, pack_id=pack.id)
    if reused is not None:
        return reused
    purchase = Purchase(
        user_id=user_id,
        pack_id=pack.id,
        kind=kind,
        status="pending",
        amount=pack.price_amount or 0,
        currency=pack.currency,
        meta=_meta(
            title=pack.title,
            interval=pack.subscription_interval,
            stripe_interval=interval,
            return_path=_same_site(return_path),
        ),
    )
    metadata = {"pack_id": str(pack.id)}
    return _open(purchase, base_url, pack.title, interval, metadata)


def start_credits(user_id: uuid.UUID, credits: int, *, base_url: str, return_path: str | None = None) -> CheckoutStart:
    """Open a Checkout Session for a credit bundle; an unknown bundle is a 422 naming the bundles."""
    bundles: dict[int, int] = current_app.config["CREDIT_BUNDLES"]
    if isinstance(credits, bool) or not isinstance(credits, int) or credits not in bundles:
        names = ", ".join(str(n) for n in sorted(bundles))
        raise ServiceError(f"There is no bundle of that size; the bundles are {names} credits.", field="bundle")
    if db.session.get(User, user_id) is None:
        raise NotFound("No such user.")
    reused = _reusable(user_id, "credits", (bundles[credits], current_app.config["CURRENCY"], None), bundle=credits)
    if reused is not None:
        return reused
    purchase = Purchase(
        user_id=user_id,
        kind="credits",
        status="pending",
        amount=bundles[credits],
        currency=current_app.config["CURRENCY"],
        meta=_meta(title=f"{credits} credits", bundle=credits, return_path=_same_site(return_path)),
    )
    return _open(purchase, base_url, f"{credits} waQup credits", None, {"bundle": str(credits)})


def complete_from_redirect(user_id: uuid.UUID, session_id: str) -> Purchase:
    """The success page: fulfil the buyer's own session if it is paid (once, SECURITY.md 6); else NotFound."""
    purchase = db.session.scalar(sa.select(Purchase).where(Purchase.stripe_checkout_session_id == session_id))
    if purchase is None or purchase.user_id != user_id:
        # SECURITY.md 9: tests/blueprints/test_checkout_pages.py::test_another_users_session_is_not_found
        raise NotFound("No such checkout.")
    if purchase.fulfilled_at is not None:
        return purchase
    purchase_id = purchase.id
    try:
        session = get_gateway().retrieve_checkout_session(session_id)
    except PaymentGatewayError:
        log.error(
            "success page for purchase %s: session %s could not be read; the webhook will finish it",
            purchase_id,
            session_id,
        )
        return purchase
    if session is None:
        raise NotFound("No such checkout.")
    if not is_paid(session):
        db.session.rollback()
        return db.session.get(Purchase, purchase_id)
    applied = apply_paid_session(session)
    db.session.commit()
    if applied.changed:
        catalog.holders_changed(applied.purchase)
    subscriptions.cancel_marked(applied.cancel)
    stripe_events.resolve_waiting(applied.keys)
    return db.session.get(Purchase, purchase_id)


def _meta(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _same_site(path: str | None) -> str | None:
    """Only a path on this site (SECURITY.md 14) may be where a canceled checkout leads back to."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path or len(path) > 500:
        return None
    return path


def _reusable(
    user_id: uuid.UUID,
    kind: str,
    price: tuple[int, str, str | None],
    *,
    pack_id: uuid.UUID | None = None,
    bundle: int | None = None,
) -> CheckoutStart | None:
    """A still-open session of the same pending purchase, so a second click does not open a second
    payment — only while it charges the current `price` (amount, currency, Stripe interval); one at
    an old price is expired and its purchase canceled, so a new session charges the current one."""
    candidates = db.session.scalars(
        sa.select(Purchase)
        .where(
            Purchase.user_id == user_id,
            Purchase.kind == kind,
            Purchase.status == "pending",
            Purchase.pack_id == pack_id if pack_id else Purchase.pack_id.is_(None),
            Purchase.stripe_checkout_session_id.is_not(None),
            Purchase.created_at > utcnow() - REUSE_WINDOW,
        )
        .order_by(Purchase.created_at.desc())
        .limit(3)
    ).all()
    for purchase in candidates:
        if bundle is not None and (purchase.meta or {}).get("bundle") != bundle:
            continue
        if _price_of(purchase) != price:
            # tests/services/test_checkout.py::test_a_session_at_an_old_price_is_expired_not_reused
            _supersede(purchase)
            continue
        try:
            session = get_gateway().retrieve_checkout_session(purchase.stripe_checkout_session_id or "")
        except PaymentGatewayError:
            return None
        if session and session.get("status") == "open" and session.get("url"):
            return CheckoutStart(session["url"], False, purchase.id)
    return None


def _price_of(purchase: Purchase) -> tuple[int, str, str | None]:
    """What a pending purchase's session charges: amount, currency and Stripe interval."""
    interval = (purchase.meta or {}).get("stripe_interval") if purchase.kind == "subscription" else None
    return purchase.amount, purchase.currency, interval


def _supersede(purchase: Purchase) -> None:
    """Expire the open session of a purchase at an old price and cancel the purchase. Should the
    session be paid all the same (it could not be expired), its payment still fulfils it."""
    purchase_id, session_id = purchase.id, purchase.stripe_checkout_session_id or ""
    note = "the price changed"
    try:
        get_gateway().expire_checkout_session(session_id)
    except PaymentGatewayError:
        log.error("purchase %s: checkout session %s at an old price could not be expired", purchase_id, session_id)
        note = "the price changed; the session could not be expired"
    locked = lock_purchase(Purchase.id == purchase_id)
    if locked is not None and locked.status == "pending" and locked.fulfilled_at is None:
        locked.status = "canceled"
        locked.meta = {**(locked.meta or {}), "superseded": note, "superseded_at": utcnow().isoformat()}
    db.session.commit()
    log.info("purchase %s canceled: %s", purchase_id, note)


def _open(
    purchase: Purchase, base_url: str, product: str, interval: str | None, metadata: dict[str, str]
) -> CheckoutStart:
    """Commit the pending purchase, then open its Checkout Session (idempotency key: the purchase id)."""
    db.session.add(purchase)
    db.session.commit()
    base = base_url.rstrip("/")
    user = db.session.get(User, purchase.user_id)
    email = user.email
    gateway = get_gateway()
    try:
        customer_id = _customer(user)
        session = gateway.create_checkout_session(
            CheckoutRequest(
                purchase_id=purchase.id,
                user_id=purchase.user_id,
                mode="subscription" if purchase.kind == "subscription" else "payment",
                product_name=product,
                unit_amount=purchase.amount,
                currency=purchase.currency,
                interval=interval,  # type: ignore[arg-type]
                success_url=f"{base}/checkout/success?session_id={{CHECKOUT_SESSION_ID}}",
                cancel_url=f"{base}/checkout/cancel?purchase={purchase.id}",
                metadata={"purchase_id": str(purchase.id), "user_id": str(purchase.user_id), **metadata},
                customer_id=customer_id,
                customer_email=None if customer_id else email,
            )
        )
    except PaymentGatewayError:
        # The row stays (failed): should the session exist after all, its payment still finds it.
        purchase.status = "failed"
        purchase.meta = {**(purchase.meta or {}), "error": "the checkout could not be opened"}
        db.session.commit()
        raise PaymentsUnavailable() from None
    purchase.stripe_checkout_session_id = session["id"]
    purchase.meta = {**(purchase.meta or {}), "checkout_url": session.get("url")}
    db.session.commit()
    log.info("purchase %s (%s) opened checkout session %s", purchase.id, purchase.kind, session["id"])
    return CheckoutStart(session.get("url"), False, purchase.id)


def _customer(user: User) -> str | None:
    """The user's one Customer, made on first use (idempotency key customer:{user_id}) and stored."""
    if user.stripe_customer_id:
        return user.stripe_customer_id
    customer_id = get_gateway().create_customer(user.id, user.email)
    if customer_id is None:
        return None
    users = User.__table__
    db.session.execute(
        sa.update(users)
        .where(users.c.id == user.id, users.c.stripe_customer_id.is_(None))
        .values(stripe_customer_id=customer_id)
    )
    db.session.commit()
    return db.session.scalar(sa.select(User.stripe_customer_id).where(User.id == user.id))
