"""The events Stripe sends when a Checkout Session is paid, built for the simulated checkout and
delivered, signed as Stripe signs them, to our own webhook over HTTP."""

from __future__ import annotations

import json
import logging
import secrets
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from stripe._api_version import _ApiVersion

from app.providers.payments.base import PaymentGatewayError, add_interval, signature_header

log = logging.getLogger(__name__)


def event(event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
    """A v1 snapshot event around `obj`."""
    return {
        "id": f"evt_sim_{secrets.token_hex(12)}",
        "object": "event",
        "api_version": _ApiVersion.CURRENT,
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
        "data": {"object": obj},
    }


def first_invoice(session: dict[str, Any], interval: str, *, payment_intent: str) -> dict[str, Any]:
    """The paid first invoice of the subscription a session started."""
    start = int(time.time())
    end = add_interval(start, interval)
    subscription = session["subscription"]
    return {
        "id": session["invoice"],
        "object": "invoice",
        "billing_reason": "subscription_create",
        "status": "paid",
        "customer": session.get("customer"),
        "currency": session["currency"],
        "amount_due": session["amount_total"],
        "amount_paid": session["amount_total"],
        "total": session["amount_total"],
        "total_taxes": [],
        "created": start,
        "period_start": start,
        "period_end": start,
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"subscription": subscription, "metadata": dict(session["metadata"])},
        },
        "lines": {
            "object": "list",
            "data": [
                {"object": "line_item", "amount": session["amount_total"], "period": {"start": start, "end": end}}
            ],
        },
        "payments": {
            "object": "list",
            "data": [
                {"object": "invoice_payment", "payment": {"type": "payment_intent", "payment_intent": payment_intent}}
            ],
        },
    }


def paid_events(session: dict[str, Any], order: dict[str, Any]) -> list[dict[str, Any]]:
    """What Stripe sends for a paid session: the session completed, and for a subscription its first invoice."""
    events = [event("checkout.session.completed", session)]
    if session["mode"] == "subscription":
        invoice = first_invoice(
            session, order.get("interval") or "month", payment_intent=f"pi_sim_{secrets.token_hex(12)}"
        )
        events.append(event("invoice.paid", invoice))
    return events


def deliver(evt: dict[str, Any], url: str, secret: str, *, timeout: float = 15) -> int:
    """POST one signed event to the webhook at `url`; its HTTP status."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise PaymentGatewayError(f"not a web address: {url}")
    payload = json.dumps(evt)
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url,
        data=payload.encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Stripe-Signature": signature_header(payload, secret)},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        log.error("simulated webhook %s (%s) answered %s", evt["id"], evt["type"], exc.code)
        return exc.code
    except OSError as exc:
        log.error("simulated webhook %s (%s) could not reach %s: %s", evt["id"], evt["type"], url, exc)
        raise PaymentGatewayError(f"the webhook at {url} could not be reached") from exc
