"""Payments fixtures, loaded with `pytest_plugins = ["tests.payments_fixtures"]`: the fake Stripe, an app on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests import stripe_server


@pytest.fixture
def fake_stripe() -> Iterator[stripe_server.FakeStripe]:
    with stripe_server.serving() as fake:
        yield fake


@pytest.fixture
def stripe_app(make_app, fake_stripe) -> Flask:  # type: ignore[no-untyped-def]
    """An app whose gateway is the real Stripe SDK talking to the local fake Stripe."""
    return make_app(
        STRIPE_SECRET_KEY=stripe_server.SECRET_KEY,
        STRIPE_API_BASE=fake_stripe.url,
        STRIPE_WEBHOOK_SECRET=stripe_server.WEBHOOK_SECRET,
        PAYMENTS_SIMULATED=False,
    )
