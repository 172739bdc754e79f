"""Checkout pages: Stripe's success and cancel redirects, and the development-only simulated checkout."""

from __future__ import annotations

import logging
import uuid

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.blueprints.checkout import bp
from app.blueprints.checkout.forms import SimulatedCheckoutForm
from app.extensions import db
from app.htmx import render
from app.models import RitualPack
from app.permissions import login_required
from app.providers.payments import PaymentGatewayError, get_gateway
from app.providers.payments.simulated import SimulatedGateway
from app.providers.payments.simulated_events import deliver, paid_events
from app.services import checkout, purchases
from app.urls import public_base_url

log = logging.getLogger(__name__)


@bp.get("/success")
@login_required
def success() -> Response:
    session_id = request.args.get("session_id", "")
    if not session_id or len(session_id) > 255:
        abort(404)
    purchase = checkout.complete_from_redirect(current_user.id, session_id)
    pack = db.session.get(RitualPack, purchase.pack_id) if purchase.pack_id else None
    return render("checkout/success.html", purchase=purchase, pack=pack)


@bp.get("/cancel")
@login_required
def cancel() -> Response:
    try:
        purchase_id = uuid.UUID(request.args.get("purchase", ""))
    except ValueError:
        purchase_id = None
    purchase = purchases.get_for(current_user.id, purchase_id) if purchase_id else None
    back = (purchase.meta or {}).get("return_path") if purchase else None
    if back is None:
        back = url_for("account.index") if purchase is not None and purchase.kind == "credits" else url_for("main.home")
    return render("checkout/cancel.html", purchase=purchase, back=back)


def _simulated() -> SimulatedGateway:
    """The simulated gateway; 404 when payments go to Stripe."""
    gateway = get_gateway()
    if not isinstance(gateway, SimulatedGateway):
        abort(404)
    return gateway


def _simulated_order(session_id: str) -> tuple[dict, dict]:
    """The simulated session and its order; 404 unless simulated checkout is on and this is the buyer's."""
    found = _simulated().order(session_id)
    # SECURITY.md 9: tests/blueprints/test_checkout_pages.py::test_another_users_simulated_checkout_is_not_found
    if found is None or found[1].get("user_id") != str(current_user.id):
        abort(404)
    return found


@bp.get("/simulated/<session_id>")
@login_required
def simulated(session_id: str) -> Response:
    session, order = _simulated_order(session_id)
    return render("checkout/simulated.html", session=session, order=order, form=SimulatedCheckoutForm())


@bp.post("/simulated/<session_id>/pay")
@login_required
def simulated_pay(session_id: str) -> Response:
    """Pay: mark the session paid, then post the signed events Stripe would send to our own webhook.

    SECURITY.md 15: CSRFProtect refuses the post without the form's token, before this runs
    (tests/blueprints/test_checkout_pages.py::test_simulated_pay_needs_the_csrf_token)."""
    _simulated_order(session_id)
    try:
        session, order = _simulated().pay(session_id)
    except PaymentGatewayError as exc:
        flash(str(exc), "error")
        return redirect(url_for("checkout.simulated", session_id=session_id))
    webhook = public_base_url().rstrip("/") + url_for("webhooks.stripe_webhook")
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    for event in paid_events(session, order):
        try:
            status = deliver(event, webhook, secret)
        except PaymentGatewayError:
            status = None
        if status != 200:
            # The success page reads the (paid) session and fulfils it all the same.
            log.error("simulated checkout %s: webhook %s answered %s", session_id, event["type"], status)
    return redirect(session["success_url"])


@bp.post("/simulated/<session_id>/cancel")
@login_required
def simulated_cancel(session_id: str) -> Response:
    session, _order = _simulated_order(session_id)
    return redirect(session["cancel_url"])
