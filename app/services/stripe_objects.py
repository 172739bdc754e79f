"""Reading Stripe's objects (plain dicts, as webhooks and the gateway give them) across API versions.

Newer API versions moved some fields (an invoice's subscription under `parent.subscription_details`,
its payment intent under `payments`, a subscription's period under `items`); these helpers read both.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

PAID_STATUSES = ("paid", "no_payment_required")


def obj_id(value: Any) -> str | None:
    """The id of a field that is either an id or an expanded object."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, dict):
        return value.get("id")
    return None


def as_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def when(value: Any) -> datetime | None:
    """A unix timestamp as an aware datetime."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(value, UTC)


def amount(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def is_paid(session: dict[str, Any]) -> bool:
    return session.get("payment_status") in PAID_STATUSES


def session_amounts(session: dict[str, Any]) -> tuple[int, int]:
    """(amount_total, tax) of a Checkout Session."""
    details = session.get("total_details") or {}
    return amount(session.get("amount_total")), amount(details.get("amount_tax"))


def metadata(obj: dict[str, Any]) -> dict[str, Any]:
    value = obj.get("metadata")
    return value if isinstance(value, dict) else {}


def invoice_subscription(invoice: dict[str, Any]) -> str | None:
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    return obj_id(details.get("subscription")) or obj_id(invoice.get("subscription"))


def invoice_metadata(invoice: dict[str, Any]) -> dict[str, Any]:
    """The metadata of the subscription an invoice bills (our purchase id rides there)."""
    details = (invoice.get("parent") or {}).get("subscription_details") or invoice.get("subscription_details") or {}
    value = details.get("metadata")
    return value if isinstance(value, dict) else {}


def invoice_period_end(invoice: dict[str, Any]) -> datetime | None:
    """When the service an invoice pays for ends: the latest end of its lines' periods."""
    ends = _line_periods(invoice, "end")
    return when(max(ends)) if ends else when(invoice.get("period_end"))


def invoice_period_start(invoice: dict[str, Any]) -> datetime | None:
    """When the service an invoice pays for starts: the earliest start of its lines' periods."""
    starts = _line_periods(invoice, "start")
    return when(min(starts)) if starts else when(invoice.get("period_start"))


def _line_periods(invoice: dict[str, Any], edge: str) -> list[int]:
    """The `edge` ("start" or "end", Unix seconds) of each of the invoice's line periods that has one."""
    lines = (invoice.get("lines") or {}).get("data") or []
    values = [(line.get("period") or {}).get(edge) for line in lines if isinstance(line, dict)]
    return [value for value in values if isinstance(value, int)]


def invoice_payment_intent(invoice: dict[str, Any]) -> str | None:
    found = obj_id(invoice.get("payment_intent"))
    if found:
        return found
    for payment in (invoice.get("payments") or {}).get("data") or []:
        found = obj_id(((payment or {}).get("payment") or {}).get("payment_intent"))
        if found:
            return found
    return None


def invoice_tax(invoice: dict[str, Any]) -> int:
    if isinstance(invoice.get("tax"), int):
        return invoice["tax"]
    return sum(amount((t or {}).get("amount")) for t in invoice.get("total_taxes") or [])


def subscription_end(subscription: dict[str, Any]) -> datetime | None:
    """When a deleted subscription's access ends: when it ended, else its period's end."""
    for key in ("ended_at", "cancel_at", "current_period_end"):
        found = when(subscription.get(key))
        if found:
            return found
    ends = [
        item.get("current_period_end")
        for item in ((subscription.get("items") or {}).get("data") or [])
        if isinstance(item, dict)
    ]
    ends = [e for e in ends if isinstance(e, int)]
    return when(max(ends)) if ends else None
