"""Stripe webhook events: stored once (UNIQUE event id), processed once, replayed when they waited.

SECURITY.md 4 and 5: the event row is inserted on its own first (a second delivery hits the UNIQUE
constraint); processing locks that row (`SELECT … FOR UPDATE`) and sets `processed_at` in the same
transaction as the fulfilment, so ten concurrent deliveries apply once. An event that needs a row
not there yet (a refund before its payment, a renewal before its subscription) is kept unprocessed
with `error = "waiting for <key>"` and replayed as soon as that row is committed.
Proved by tests/blueprints/test_webhooks.py::test_the_same_event_ten_times_at_once_applies_once,
…::test_a_refund_racing_its_payment_still_ends_refunded and
tests/services/test_fulfilment.py::test_a_refund_that_arrives_first_is_applied_when_the_payment_is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import StripeEvent
from app.models.types import utcnow
from app.services import NotFound, catalog, fulfilment, refunds, subscriptions
from app.services.fulfilment import Applied, Waiting

log = logging.getLogger(__name__)

Outcome = Literal["processed", "ignored", "duplicate", "waiting"]
WAITING = "waiting for "

HANDLERS: dict[str, Callable[[dict[str, Any]], Applied]] = {
    "checkout.session.completed": fulfilment.on_session_completed,
    "checkout.session.async_payment_succeeded": fulfilment.apply_paid_session,
    "checkout.session.async_payment_failed": fulfilment.apply_failed_session,
    "checkout.session.expired": fulfilment.apply_expired_session,
    "invoice.paid": subscriptions.invoice_paid,
    "customer.subscription.deleted": subscriptions.subscription_deleted,
    "charge.refunded": refunds.charge_refunded,
}


def receive(event: dict[str, Any]) -> Outcome:
    """Store a verified event (a repeat delivery is caught by the UNIQUE id) and process it once."""
    event_id = event["id"]
    db.session.add(StripeEvent(stripe_event_id=event_id, event_type=event["type"], payload=event))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # delivered before: processed already, or being processed, or to retry
    return process(event_id)


def process(event_id: str, *, second_look: bool = True) -> Outcome:
    """Process a stored event unless it was; raises (after recording the error) when processing fails."""
    row = db.session.scalars(
        sa.select(StripeEvent)
        .where(StripeEvent.stripe_event_id == event_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        db.session.rollback()
        raise NotFound("No such event.")
    if row.processed_at is not None:
        db.session.rollback()
        return "duplicate"
    event_type = row.event_type
    handler = HANDLERS.get(event_type)
    applied = Applied(None)
    if handler is not None:
        try:
            applied = handler(_object(row.payload))
        except Waiting as waiting:
            db.session.rollback()
            _note(event_id, str(waiting))
            log.info("stripe event %s (%s) is %s", event_id, event_type, waiting)
            # The row it waits for may have been committed meanwhile, after it was looked for.
            return process(event_id, second_look=False) if second_look else "waiting"
        except Exception as exc:
            db.session.rollback()
            log.exception("stripe event %s (%s) failed", event_id, event_type)
            _note(event_id, f"{type(exc).__name__}: {exc}"[:2000])
            raise
    row.processed_at = utcnow()
    row.error = None
    db.session.commit()
    if applied.changed:
        catalog.holders_changed(applied.purchase)  # a sale, refund or end of access: popularity follows
    if applied.cancel:
        subscriptions.cancel_marked(applied.cancel)  # a failure keeps its mark for reconcile
    if applied.keys:
        resolve_waiting(applied.keys)
    return "processed" if handler is not None else "ignored"


def resolve_waiting(keys: list[str]) -> list[str]:
    """Replay the events waiting for any of these keys, oldest first; the ids of those now processed."""
    notes = [WAITING + key for key in keys]
    rows = db.session.execute(
        sa.select(StripeEvent.stripe_event_id, StripeEvent.payload).where(
            StripeEvent.processed_at.is_(None), StripeEvent.error.in_(notes)
        )
    ).all()
    db.session.rollback()
    done = []
    for event_id, _payload in sorted(rows, key=lambda r: (r.payload or {}).get("created") or 0):
        try:
            if process(event_id, second_look=False) in ("processed", "ignored"):
                done.append(event_id)
        except Exception:
            # Already logged with its context and kept in the row's `error`; reconcile retries it.
            log.error("replaying stripe event %s failed; it stays unprocessed", event_id)
    return done


def unprocessed(since: datetime) -> list[str]:
    """Ids of events stored since `since` and not yet processed (failed or waiting)."""
    ids = db.session.scalars(
        sa.select(StripeEvent.stripe_event_id)
        .where(StripeEvent.processed_at.is_(None), StripeEvent.created_at >= since)
        .order_by(StripeEvent.created_at)
    ).all()
    db.session.rollback()
    return list(ids)


def _object(payload: dict[str, Any]) -> dict[str, Any]:
    obj = (payload.get("data") or {}).get("object")
    if not isinstance(obj, dict):
        raise ValueError("the event has no data.object")
    return obj


def _note(event_id: str, error: str) -> None:
    """Record why an event is not processed, in its own transaction."""
    db.session.execute(
        sa.update(StripeEvent)
        .where(StripeEvent.stripe_event_id == event_id, StripeEvent.processed_at.is_(None))
        .values(error=error)
    )
    db.session.commit()
