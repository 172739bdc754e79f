"""The application factory and its configuration."""

from __future__ import annotations

import pytest

from app import create_app
from config import DEV_SECRET_KEY, ProductionConfig, TestConfig


def test_factory_builds_test_app(app):
    assert app.testing
    assert app.config["ENV_NAME"] == "test"
    assert {"main", "auth", "account", "api"} <= set(app.blueprints)


def test_home_page_explains_the_product(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"How it works" in response.data
    assert b"Make your first practice free" in response.data


def test_health_reports_database_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


@pytest.mark.parametrize(
    "secret",
    [DEV_SECRET_KEY, "", "too-short"],
    ids=["dev-key", "empty", "short"],
)
def test_production_refuses_weak_secret_key(secret):
    class Prod(ProductionConfig):
        SECRET_KEY = secret
        SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://db/waqup"
        REDIS_URL = "redis://127.0.0.1:6379/0"

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Prod)


def test_production_requires_database_and_redis():
    class Prod(ProductionConfig):
        SECRET_KEY = "x" * 48
        SQLALCHEMY_DATABASE_URI = None
        REDIS_URL = None

    with pytest.raises(RuntimeError) as info:
        create_app(Prod)
    assert "DATABASE_URL" in str(info.value) and "REDIS_URL" in str(info.value)


def test_production_cookie_settings():
    assert ProductionConfig.SESSION_COOKIE_NAME.startswith("__Host-")
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.SESSION_COOKIE_HTTPONLY is True
    assert ProductionConfig.SESSION_COOKIE_SAMESITE == "Lax"
    assert TestConfig.SESSION_COOKIE_HTTPONLY is True


class ReadyProduction(ProductionConfig):
    """Production with every unsafe default replaced; each test below takes one of them back."""

    SECRET_KEY = "x" * 48
    SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://db/waqup"
    REDIS_URL = "redis://127.0.0.1:6379/0"
    STRIPE_SECRET_KEY = "sk_live_example"
    STRIPE_WEBHOOK_SECRET = "whsec_example"
    PAYMENTS_SIMULATED = False
    PUBLIC_BASE_URL = "https://waqup.example"


def test_production_refuses_the_simulated_checkout():
    class Prod(ReadyProduction):
        STRIPE_SECRET_KEY = None
        STRIPE_WEBHOOK_SECRET = None
        PAYMENTS_SIMULATED = True

    with pytest.raises(RuntimeError, match="simulated checkout"):
        create_app(Prod)


def test_production_starts_with_stripe_keys():
    ReadyProduction.check()  # no exception: every unsafe default is replaced


@pytest.mark.parametrize("url", [None, "http://waqup.example"], ids=["unset", "not-https"])
def test_production_requires_its_public_https_address(url):
    class Prod(ReadyProduction):
        PUBLIC_BASE_URL = url

    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        create_app(Prod)
