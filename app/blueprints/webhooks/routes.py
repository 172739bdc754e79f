"""POST /webhooks/stripe: verify the signature on the raw body, then store and process the event once."""

from __future__ import annotations

import logging

import stripe
from flask import current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from app.blueprints.webhooks import bp
from app.services import stripe_events

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # Stripe's events are far smaller
TOLERANCE = 300  # seconds a signature stays valid (Stripe's default)


def _refuse(status: int, message: str) -> Response:
    response = jsonify(error={"code": "bad_request" if status == 400 else "too_large", "message": message})
    response.status_code = status
    return response


@bp.post("/webhooks/stripe")
def stripe_webhook() -> Response:
    if (request.content_length or 0) > MAX_BODY:
        return _refuse(413, "The body is too large for a Stripe event.")
    request.max_content_length = MAX_BODY  # a chunked body without a length is capped as it is read
    try:
        payload = request.get_data(cache=False)
    except RequestEntityTooLarge:
        return _refuse(413, "The body is too large for a Stripe event.")
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    # SECURITY.md 5: tests/blueprints/test_webhooks.py::test_unsigned_or_badly_signed_events_write_nothing
    try:
        event = stripe.Webhook.construct_event(payload, request.headers.get("Stripe-Signature"), secret, TOLERANCE)
    except stripe.SignatureVerificationError as exc:
        log.warning("stripe webhook refused from %s: %s", request.remote_addr, exc.user_message or exc)
        return _refuse(400, "The Stripe-Signature header is missing, invalid or too old.")
    except (ValueError, TypeError, AttributeError):  # valid JSON that is no event object (a list, a string)
        log.warning("stripe webhook from %s: a valid signature on a body that is not an event", request.remote_addr)
        return _refuse(400, "The body is not a Stripe event.")
    data = event.to_dict()
    obj = (data.get("data") or {}).get("object")
    if not isinstance(data.get("id"), str) or not isinstance(data.get("type"), str) or not isinstance(obj, dict):
        return _refuse(400, "The body is not a Stripe event.")
    try:
        outcome = stripe_events.receive(data)
    except Exception:
        # Logged with the event's id and type, and kept in its row; a 500 makes Stripe deliver it again.
        response = jsonify(error={"code": "server_error", "message": "The event could not be processed."})
        response.status_code = 500
        return response
    return jsonify(received=True, outcome=outcome)
