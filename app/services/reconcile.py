"""Reconcile: compare recent Checkout Sessions with our purchases and mend what a lost webhook left,
and cancel the subscriptions still marked to be canceled (a cancel that failed is retried here)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import Purchase
from app.models.types import utcnow
from app.providers.payments import get_gateway
from app.services import catalog, stripe_events, subscriptions
from app.services.fulfilment import apply_expired_session, apply_paid_session
from app.services.stripe_objects import as_uuid, is_paid

log = logging.getLogger(__name__)


@dataclass
class ReconcileReport:
    checked: int = 0
    fulfilled: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    replayed: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    canceled: list[str] = field(default_factory=list)  # purchases whose subscription was canceled


def reconcile(days: int = 3) -> ReconcileReport:
    """Fulfil paid sessions whose purchase is not, cancel expired ones, retry unprocessed events."""
    since = utcnow() - timedelta(days=days)
    report = ReconcileReport()
    for session in get_gateway().list_checkout_sessions(since):
        report.checked += 1
        session_id = session.get("id") or ""
        purchase = _purchase(session)
        db.session.rollback()
        if purchase is None:
            report.unknown.append(session_id)
            continue
        try:
            if is_paid(session) and purchase.fulfilled_at is None:
                applied = apply_paid_session(session)
                db.session.commit()
                if applied.changed:
                    catalog.holders_changed(applied.purchase)
                stripe_events.resolve_waiting(applied.keys)
                if applied.changed:
                    report.fulfilled.append(session_id)
            elif session.get("status") == "expired" and purchase.status == "pending":
                if apply_expired_session(session).changed:
                    report.expired.append(session_id)
                db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("reconcile: session %s (purchase %s) could not be mended", session_id, purchase.id)
            report.failed.append(session_id)
    for event_id in stripe_events.unprocessed(since):
        try:
            outcome = stripe_events.process(event_id, second_look=False)
        except Exception:
            report.failed.append(event_id)  # logged with its context by process()
            continue
        (report.waiting if outcome == "waiting" else report.replayed).append(event_id)
    report.canceled = [str(purchase_id) for purchase_id in subscriptions.cancel_marked()]
    return report


def _purchase(session: dict) -> Purchase | None:
    purchase_id = as_uuid(session.get("client_reference_id"))
    where = Purchase.id == purchase_id if purchase_id else Purchase.stripe_checkout_session_id == session.get("id")
    return db.session.scalars(sa.select(Purchase).where(where)).first()
