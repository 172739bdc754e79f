"""Payments: Stripe Checkout (STRIPE_SECRET_KEY), or the simulated checkout when PAYMENTS_SIMULATED."""

from __future__ import annotations

from flask import Flask, current_app

from app.providers.payments.base import (
    STRIPE_INTERVALS,
    CheckoutRequest,
    PaymentGateway,
    PaymentGatewayError,
    add_interval,
    signature_header,
)

__all__ = [
    "STRIPE_INTERVALS",
    "CheckoutRequest",
    "PaymentGateway",
    "PaymentGatewayError",
    "add_interval",
    "build_gateway",
    "get_gateway",
    "signature_header",
]


def build_gateway(app: Flask) -> PaymentGateway:
    if app.config.get("PAYMENTS_SIMULATED"):
        from app.providers.payments.simulated import SimulatedGateway
        from app.redis_client import get_redis

        with app.app_context():
            return SimulatedGateway(get_redis())
    from app.providers.payments.stripe_gateway import StripeGateway

    key = app.config.get("STRIPE_SECRET_KEY")
    if not key:
        raise PaymentGatewayError("STRIPE_SECRET_KEY is not set and the simulated checkout is off")
    return StripeGateway(key, api_base=app.config.get("STRIPE_API_BASE"))


def get_gateway() -> PaymentGateway:
    """The current app's gateway, built on first use (so starting the app makes no network call)."""
    app = current_app._get_current_object()
    gateway = app.extensions.get("payments")
    if gateway is None:
        gateway = app.extensions["payments"] = build_gateway(app)
    return gateway

