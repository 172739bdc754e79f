"""A development-only stand-in for Stripe Checkout: sessions live in Redis, payment is a button.

Paying builds the events Stripe would send (see `simulated_events`), signs them with the webhook
secret and posts them to our own webhook, so the offline flow runs the same fulfilment code.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import redis

from app.providers.payments.base import CheckoutRequest, PaymentGatewayError

SESSION_TTL = 24 * 3600  # Stripe's default: a Checkout Session expires after a day
KEEP_SECONDS = 7 * 24 * 3600  # how long the store keeps a session after it is made
SESSION_KEY = "payments:simulated:session:{id}"
INDEX_KEY = "payments:simulated:sessions"  # sorted set: session id by creation time
IDEMPOTENCY_KEY = "payments:simulated:idempotency:{key}"
PAID_KEY = "payments:simulated:paid:{id}"
CANCELED_KEY = "payments:simulated:canceled:{id}"  # a canceled subscription: when it was canceled
PERIOD_END_KEY = "payments:simulated:cancel_at_period_end:{id}"  # set to end at its period's end: since when


def _new_id(prefix: str) -> str:
    return f"{prefix}_sim_{secrets.token_hex(12)}"


class SimulatedGateway:
    name = "simulated"

    def __init__(self, redis_client: redis.Redis) -> None:
        self.redis = redis_client

    def create_customer(self, user_id: uuid.UUID, email: str) -> str | None:
        return None  # no Customer is kept: a simulated id must never reach a real Stripe account

    def create_checkout_session(self, request: CheckoutRequest) -> dict[str, Any]:
        idempotency = IDEMPOTENCY_KEY.format(key=f"checkout:{request.purchase_id}")
        session_id = _new_id("cs")
        if not self.redis.set(idempotency, session_id, nx=True, ex=KEEP_SECONDS):
            existing = self.redis.get(idempotency)
            record = self._load(existing) if existing else None
            if record is None:
                raise PaymentGatewayError(f"checkout {request.purchase_id} is being created elsewhere")
            return self._current(record["session"])
        now = int(time.time())
        site = urlsplit(request.success_url)
        session = {
            "id": session_id,
            "object": "checkout.session",
            "url": f"{site.scheme}://{site.netloc}/checkout/simulated/{session_id}",
            "mode": request.mode,
            "status": "open",
            "payment_status": "unpaid",
            "amount_subtotal": request.unit_amount,
            "amount_total": request.unit_amount,
            "currency": request.currency,
            "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
            "client_reference_id": str(request.purchase_id),
            "metadata": dict(request.metadata),
            "customer": request.customer_id,
            "customer_email": request.customer_email,
            "payment_intent": None,
            "subscription": None,
            "invoice": None,
            "created": now,
            "expires_at": now + SESSION_TTL,
            "livemode": False,
            "success_url": request.success_url.replace("{CHECKOUT_SESSION_ID}", session_id),
            "cancel_url": request.cancel_url,
        }
        order = {
            "name": request.product_name,
            "amount": request.unit_amount,
            "currency": request.currency,
            "interval": request.interval,
            "user_id": str(request.user_id),
        }
        self._save({"session": session, "order": order})
        self.redis.zadd(INDEX_KEY, {session_id: now})
        return session

    def retrieve_checkout_session(self, session_id: str) -> dict[str, Any] | None:
        record = self._load(session_id)
        return self._current(record["session"]) if record else None

    def list_checkout_sessions(self, created_since: datetime) -> list[dict[str, Any]]:
        ids = self.redis.zrangebyscore(INDEX_KEY, int(created_since.timestamp()), "+inf")
        records = (self._load(session_id) for session_id in ids)
        return [self._current(r["session"]) for r in records if r is not None]

    def expire_checkout_session(self, session_id: str) -> dict[str, Any] | None:
        record = self._load(session_id)
        if record is None:
            return None
        session = self._current(record["session"])
        if session["status"] == "open":
            if self.redis.exists(PAID_KEY.format(id=session_id)):
                raise PaymentGatewayError("This checkout is already paid.")
            session["status"] = "expired"
            record["session"] = session
            self._save(record)
        return session

    def cancel_subscription(self, subscription_id: str, idempotency_key: str) -> dict[str, Any]:
        """Recorded (the first time) so a later look can tell it was canceled; nothing bills in simulation."""
        now = int(time.time())
        self.redis.set(CANCELED_KEY.format(id=subscription_id), now, nx=True, ex=KEEP_SECONDS)
        canceled_at = int(self.redis.get(CANCELED_KEY.format(id=subscription_id)) or now)
        return {"id": subscription_id, "object": "subscription", "status": "canceled", "canceled_at": canceled_at}

    def subscription_canceled(self, subscription_id: str) -> bool:
        return bool(self.redis.exists(CANCELED_KEY.format(id=subscription_id)))

    def cancel_at_period_end(self, subscription_id: str, idempotency_key: str) -> dict[str, Any]:
        """Recorded (the first time); a simulated subscription never renews, so nothing else changes."""
        if self.subscription_canceled(subscription_id):
            raise PaymentGatewayError("This subscription is canceled already.")
        now = int(time.time())
        self.redis.set(PERIOD_END_KEY.format(id=subscription_id), now, nx=True, ex=KEEP_SECONDS)
        return {"id": subscription_id, "object": "subscription", "status": "active", "cancel_at_period_end": True}

    def cancels_at_period_end(self, subscription_id: str) -> bool:
        return bool(self.redis.exists(PERIOD_END_KEY.format(id=subscription_id)))

    def order(self, session_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The session and what it sells (name, amount, currency, interval, buyer), for the checkout page."""
        record = self._load(session_id)
        return (self._current(record["session"]), record["order"]) if record else None

    def pay(self, session_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """Mark an open session paid, once; the session as it is now, and its order."""
        record = self._load(session_id)
        if record is None:
            raise PaymentGatewayError("No such checkout.")
        session = self._current(record["session"])
        if session["status"] != "open":
            raise PaymentGatewayError(f"This checkout is {session['status']}.")
        if not self.redis.set(PAID_KEY.format(id=session_id), "1", nx=True, ex=KEEP_SECONDS):
            raise PaymentGatewayError("This checkout is already paid.")
        session.update(status="complete", payment_status="paid")
        if session["mode"] == "subscription":
            session.update(subscription=_new_id("sub"), invoice=_new_id("in"))
        else:
            session["payment_intent"] = _new_id("pi")
        record["session"] = session
        self._save(record)
        return session, record["order"]

    def _save(self, record: dict[str, Any]) -> None:
        key = SESSION_KEY.format(id=record["session"]["id"])
        self.redis.set(key, json.dumps(record), ex=KEEP_SECONDS)

    def _load(self, session_id: str) -> dict[str, Any] | None:
        if not session_id or len(session_id) > 255:
            return None
        raw = self.redis.get(SESSION_KEY.format(id=session_id))
        return json.loads(raw) if raw else None

    @staticmethod
    def _current(session: dict[str, Any]) -> dict[str, Any]:
        """An open session past its expiry reads as expired, as Stripe's do."""
        if session["status"] == "open" and session["expires_at"] <= time.time():
            return {**session, "status": "expired"}
        return session
