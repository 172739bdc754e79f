"""The payments port: Stripe Checkout Sessions and Customers, in Stripe's own wire shapes (plain dicts)."""

from __future__ import annotations

import calendar
import hashlib
import hmac
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

# What a subscription interval of a pack is called on Stripe's side.
STRIPE_INTERVALS = {"monthly": "month", "annual": "year"}


class PaymentGatewayError(Exception):
    """The payment provider could not be reached or refused the request."""


@dataclass(frozen=True)
class CheckoutRequest:
    """Everything a Checkout Session is made from; `purchase_id` is also its idempotency key."""

    purchase_id: uuid.UUID
    user_id: uuid.UUID
    mode: Literal["payment", "subscription"]
    product_name: str
    unit_amount: int  # minor units
    currency: str
    success_url: str
    cancel_url: str
    metadata: dict[str, str] = field(default_factory=dict)
    interval: Literal["month", "year"] | None = None
    customer_id: str | None = None
    customer_email: str | None = None


class PaymentGateway(Protocol):
    name: str

    def create_customer(self, user_id: uuid.UUID, email: str) -> str | None:
        """A Customer for this user (None when the backend keeps none); idempotent per user."""
        ...

    def create_checkout_session(self, request: CheckoutRequest) -> dict[str, Any]:
        """A new Checkout Session (idempotent per purchase) with its `url`."""
        ...

    def retrieve_checkout_session(self, session_id: str) -> dict[str, Any] | None:
        """The session as the provider has it now, or None when it does not exist."""
        ...

    def list_checkout_sessions(self, created_since: datetime) -> list[dict[str, Any]]:
        """Every session created at or after `created_since`."""
        ...

    def expire_checkout_session(self, session_id: str) -> dict[str, Any] | None:
        """Expire an open session so it can no longer be paid; the session now (None when it does not exist)."""
        ...

    def cancel_subscription(self, subscription_id: str, idempotency_key: str) -> dict[str, Any]:
        """Cancel a subscription at once, so it bills no more; the subscription as it is now."""
        ...

    def cancel_at_period_end(self, subscription_id: str, idempotency_key: str) -> dict[str, Any]:
        """Let a subscription run to the end of the period paid for and bill no more after it (the
        provider then ends it and sends `customer.subscription.deleted`); the subscription as it is now."""
        ...


def signature_header(payload: str, secret: str, timestamp: int | None = None) -> str:
    """A `Stripe-Signature` header value: t=…,v1=HMAC-SHA256(secret, "t.payload"), as Stripe signs."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def add_interval(start: int, interval: str) -> int:
    """The end of a billing period that starts at `start` (unix seconds): one calendar month or year later."""
    moment = datetime.fromtimestamp(start, UTC)
    months = 12 if interval == "year" else 1
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp())
