"""Payments test data and tools: priced packs, Stripe-shaped events, signed webhook posts, the fake Stripe."""

from __future__ import annotations

import json
import secrets
import time
import uuid
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import (
    AuditLog,
    CreatorTokenTransaction,
    CreditTransaction,
    Entitlement,
    Purchase,
    RitualPack,
    StripeEvent,
)
from app.providers.payments import get_gateway, signature_header
from tests.factories import make_user

MONEY_TABLES = (Purchase, Entitlement, StripeEvent, CreatorTokenTransaction, AuditLog)


def make_priced_pack(
    app: Flask,
    creator_id: uuid.UUID,
    *,
    price: int = 999,
    price_type: str = "one_time",
    interval: str | None = None,
    status: str = "published",
    title: str = "Morning light",
) -> uuid.UUID:
    """A pack with a price (one_time, subscription with an interval, or free)."""
    if price_type == "subscription" and interval is None:
        interval = "monthly"
    with app.app_context():
        pack = RitualPack(
            creator_id=creator_id,
            title=title,
            price_type=price_type,
            price_amount=None if price_type == "free" else price,
            subscription_interval=interval,
            status=status,
        )
        db.session.add(pack)
        db.session.commit()
        return pack.id


def make_creator(app: Flask) -> uuid.UUID:
    return make_user(app, roles=["user", "creator"]).id


def event(event_type: str, obj: dict[str, Any], *, event_id: str | None = None, created: int | None = None) -> dict:
    return {
        "id": event_id or f"evt_test_{secrets.token_hex(10)}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": created or int(time.time()),
        "livemode": False,
        "type": event_type,
        "data": {"object": obj},
    }


def invoice(
    session: dict[str, Any],
    *,
    invoice_id: str | None = None,
    reason: str = "subscription_cycle",
    start: int,
    end: int,
    amount: int | None = None,
    payment_intent: str | None = None,
    tax: int = 0,
) -> dict[str, Any]:
    """A paid invoice of the subscription a session started (the newest API shape)."""
    paid = session["amount_total"] if amount is None else amount
    return {
        "id": invoice_id or f"in_test_{secrets.token_hex(8)}",
        "object": "invoice",
        "billing_reason": reason,
        "status": "paid",
        "currency": session["currency"],
        "amount_paid": paid,
        "total_taxes": [{"amount": tax}] if tax else [],
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"subscription": session["subscription"], "metadata": session["metadata"]},
        },
        "lines": {"object": "list", "data": [{"period": {"start": start, "end": end}}]},
        "payments": {
            "object": "list",
            "data": [
                {
                    "payment": {
                        "type": "payment_intent",
                        "payment_intent": payment_intent or f"pi_{secrets.token_hex(8)}",
                    }
                }
            ],
        },
    }


def refunded_charge(payment_intent: str, amount: int, *, full: bool = True) -> dict[str, Any]:
    return {
        "id": f"ch_test_{secrets.token_hex(8)}",
        "object": "charge",
        "payment_intent": payment_intent,
        "amount": amount,
        "amount_refunded": amount if full else amount // 2,
        "refunded": full,
    }


def signed(evt: dict[str, Any], secret: str, *, timestamp: int | None = None) -> tuple[str, dict[str, str]]:
    """The body and headers Stripe would send for `evt`."""
    payload = json.dumps(evt)
    return payload, {
        "Stripe-Signature": signature_header(payload, secret, timestamp),
        "Content-Type": "application/json",
    }


def post_event(client: FlaskClient, evt: dict[str, Any], secret: str | None = None):  # type: ignore[no-untyped-def]
    secret = secret or client.application.config["STRIPE_WEBHOOK_SECRET"]
    payload, headers = signed(evt, secret)
    return client.post("/webhooks/stripe", data=payload, headers=headers)


def paid_simulated_session(app: Flask, session_id: str) -> dict[str, Any]:
    """Pay a simulated session (as its Pay button does, without posting events); the paid session."""
    with app.app_context():
        session, _order = get_gateway().pay(session_id)  # type: ignore[attr-defined]
        return session


def counts(app: Flask) -> dict[str, int]:
    """Rows in each payments table."""
    with app.app_context():
        return {
            m.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) or 0 for m in MONEY_TABLES
        }


def credit_rows(app: Flask, user_id: uuid.UUID) -> list[CreditTransaction]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(CreditTransaction)
            .where(CreditTransaction.user_id == user_id)
            .order_by(CreditTransaction.entry_no)
        ).all()
        db.session.expunge_all()
        return list(rows)
