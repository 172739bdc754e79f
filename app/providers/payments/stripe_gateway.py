"""Stripe Checkout through the official SDK (`stripe.StripeClient`); STRIPE_API_BASE may point elsewhere."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import stripe

from app.providers.payments.base import CheckoutRequest, PaymentGatewayError

log = logging.getLogger(__name__)


class StripeGateway:
    name = "stripe"

    def __init__(self, secret_key: str, *, api_base: str | None = None, max_network_retries: int = 2) -> None:
        addresses = {"api": api_base.rstrip("/")} if api_base else None
        self.client = stripe.StripeClient(secret_key, base_addresses=addresses, max_network_retries=max_network_retries)

    def create_customer(self, user_id: uuid.UUID, email: str) -> str | None:
        params = {"email": email, "metadata": {"user_id": str(user_id)}}
        try:
            customer = self.client.v1.customers.create(params, options={"idempotency_key": f"customer:{user_id}"})
        except stripe.StripeError as exc:
            log.error("stripe: creating the customer of user %s failed: %s", user_id, exc)
            raise PaymentGatewayError(str(exc)) from exc
        return customer.id

    def create_checkout_session(self, request: CheckoutRequest) -> dict[str, Any]:
        price_data: dict[str, Any] = {
            "currency": request.currency,
            "unit_amount": request.unit_amount,
            "product_data": {"name": request.product_name},
        }
        if request.interval:
            price_data["recurring"] = {"interval": request.interval}
        params: dict[str, Any] = {
            "mode": request.mode,
            "line_items": [{"quantity": 1, "price_data": price_data}],
            "client_reference_id": str(request.purchase_id),
            "metadata": request.metadata,
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
        }
        # The metadata rides on the subscription (renewal invoices, cancellation) or the payment intent too.
        if request.mode == "subscription":
            params["subscription_data"] = {"metadata": request.metadata}
        else:
            params["payment_intent_data"] = {"metadata": request.metadata}
        if request.customer_id:
            params["customer"] = request.customer_id
        elif request.customer_email:
            params["customer_email"] = request.customer_email
        try:
            session = self.client.v1.checkout.sessions.create(
                params, options={"idempotency_key": f"checkout:{request.purchase_id}"}
            )
        except stripe.StripeError as exc:
            log.error("stripe: creating the checkout of purchase %s failed: %s", request.purchase_id, exc)
            raise PaymentGatewayError(str(exc)) from exc
        return session.to_dict()

    def retrieve_checkout_session(self, session_id: str) -> dict[str, Any] | None:
        return self._session_or_none("retrieving", session_id, self.client.v1.checkout.sessions.retrieve)

    def list_checkout_sessions(self, created_since: datetime) -> list[dict[str, Any]]:
        params = {"created": {"gte": int(created_since.timestamp())}, "limit": 100}
        try:
            page = self.client.v1.checkout.sessions.list(params)
            return [session.to_dict() for session in page.auto_paging_iter()]
        except stripe.StripeError as exc:
            log.error("stripe: listing checkout sessions since %s failed: %s", created_since, exc)
            raise PaymentGatewayError(str(exc)) from exc

    def expire_checkout_session(self, session_id: str) -> dict[str, Any] | None:
        return self._session_or_none("expiring", session_id, self.client.v1.checkout.sessions.expire)

    @staticmethod
    def _session_or_none(verb: str, session_id: str, call: Callable[[str], Any]) -> dict[str, Any] | None:
        """`call(session_id)` as a dict; None when Stripe has no such session; any other failure logged and raised."""
        try:
            session = call(session_id)
        except stripe.StripeError as exc:
            missing = isinstance(exc, stripe.InvalidRequestError) and (
                exc.code == "resource_missing" or exc.http_status == 404
            )
            if missing:
                return None
            log.error("stripe: %s checkout session %s failed: %s", verb, session_id, exc)
            raise PaymentGatewayError(str(exc)) from exc
        return session.to_dict()

    def cancel_subscription(self, subscription_id: str, idempotency_key: str) -> dict[str, Any]:
        try:
            subscription = self.client.v1.subscriptions.cancel(
                subscription_id, options={"idempotency_key": idempotency_key}
            )
        except stripe.StripeError as exc:
            log.error("stripe: canceling subscription %s failed: %s", subscription_id, exc)
            raise PaymentGatewayError(str(exc)) from exc
        return subscription.to_dict()

    def cancel_at_period_end(self, subscription_id: str, idempotency_key: str) -> dict[str, Any]:
        try:
            subscription = self.client.v1.subscriptions.update(
                subscription_id, {"cancel_at_period_end": True}, options={"idempotency_key": idempotency_key}
            )
        except stripe.StripeError as exc:
            log.error("stripe: canceling subscription %s at the period end failed: %s", subscription_id, exc)
            raise PaymentGatewayError(str(exc)) from exc
        return subscription.to_dict()
