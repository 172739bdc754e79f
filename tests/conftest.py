"""Fixtures: `app`, `client`, `db`, `auth`, plus factories.

The suite runs against PostgreSQL and Redis when TEST_DATABASE_URL / TEST_REDIS_URL point at them
(it creates and drops its own database; it never reads DATABASE_URL), else against a SQLite file and
an embedded redis-server in a temporary directory.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator

import flask_migrate
import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import create_app, near_cache
from app.extensions import db as _db
from app.redis_client import EmbeddedRedis
from config import TestConfig
from tests.factories import DEFAULT_PASSWORD, UserRecord, make_user

pytest_plugins = ["tests.live"]  # the live_server fixture

PG_REASON = "needs PostgreSQL (row locks, JSONB, arrays): set TEST_DATABASE_URL to run it"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"postgres: {PG_REASON}")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "waqup-test.sqlite3")
        return
    url = sa.make_url(base)
    name = f"waqup_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        yield url
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    url = server.ensure_running()
    try:
        yield url
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgresql")


def build_app(database_url: str, redis_url: str, instance_path: str, **overrides: object) -> Flask:
    class _Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        REDIS_URL = redis_url
        INSTANCE_PATH = instance_path

    for key, value in overrides.items():
        setattr(_Config, key, value)
    app = create_app(_Config)
    app.test_client_class = IsolatedClient
    return app


class IsolatedClient(FlaskClient):
    """Each request gets a fresh app context, as in a real server, even when a test holds one."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def _schema(database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Migrate the test database to head once per run: the schema under test is the migrations'."""
    app = build_app(database_url, redis_url, str(tmp_path_factory.mktemp("instance")))
    with app.app_context():
        flask_migrate.upgrade()
        _db.engine.dispose()


@pytest.fixture
def app(_schema: None, database_url: str, redis_url: str, tmp_path: os.PathLike) -> Iterator[Flask]:
    app = build_app(database_url, redis_url, str(tmp_path / "instance"))
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def make_app(_schema: None, database_url: str, redis_url: str, tmp_path: os.PathLike) -> Iterator:
    """Build more apps on the test database and Redis, with config overrides; disposed after the test."""
    built: list[Flask] = []

    def _make(**overrides: object) -> Flask:
        extra = build_app(database_url, redis_url, os.path.join(tmp_path, f"app-{len(built)}"), **overrides)
        built.append(extra)
        return extra

    yield _make
    for extra in built:
        with extra.app_context():
            _db.session.remove()
            _db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_slate(request: pytest.FixtureRequest, database_url: str, redis_url: str) -> Iterator[None]:
    """After every test that touched the database (through any app it built): empty tables and Redis."""
    yield
    if "_schema" not in request.fixturenames:
        return
    engine = sa.create_engine(database_url)
    tables = _db.metadata.sorted_tables
    with engine.begin() as conn:
        # DELETE, not TRUNCATE: on a handful of rows it takes about 1 ms where TRUNCATE takes about 45.
        # The audit log refuses DELETE on PostgreSQL (append-only), so it is truncated, when it has rows.
        audit = _db.metadata.tables["audit_log"]
        if engine.dialect.name == "postgresql" and conn.execute(sa.select(sa.exists().select_from(audit))).scalar():
            conn.execute(sa.text("TRUNCATE audit_log"))
        for table in reversed(tables):
            if not (table is audit and engine.dialect.name == "postgresql"):
                conn.execute(table.delete())
    engine.dispose()
    near_cache.clear_all()  # copies and counts of the process, before the flush: no requests run now
    redis.Redis.from_url(redis_url).flushdb()
    near_cache.sync_all()  # the flush's push applied now, not in the middle of the next test


@pytest.fixture
def db(app: Flask) -> Iterator:
    """The Flask-SQLAlchemy object inside an app context (for service-level tests)."""
    with app.app_context():
        yield _db
        _db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def user(app: Flask) -> UserRecord:
    return make_user(app)


def form_token(html: bytes | str) -> str:
    """The CSRF token a rendered form carries."""
    text = html.decode() if isinstance(html, bytes) else html
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', text
    )
    assert match, "no CSRF token in the page"
    return match.group(1)


class AuthActions:
    """Browser-style login/logout through the real forms (with their CSRF tokens)."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, email: str, password: str = DEFAULT_PASSWORD, next: str | None = None):  # type: ignore[no-untyped-def]
        page = self.client.get("/login")
        data = {"email": email, "password": password, "csrf_token": form_token(page.data)}
        if next is not None:
            data["next"] = next
        return self.client.post("/login", data=data)

    def register(self, email: str, password: str = DEFAULT_PASSWORD, confirm: str | None = None):  # type: ignore[no-untyped-def]
        page = self.client.get("/register")
        data = {
            "email": email,
            "password": password,
            "confirm": password if confirm is None else confirm,
            "csrf_token": form_token(page.data),
        }
        return self.client.post("/register", data=data)

    def logout(self):  # type: ignore[no-untyped-def]
        page = self.client.get("/")
        return self.client.post("/logout", data={"csrf_token": form_token(page.data)})


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


def bearer(client: FlaskClient, email: str, password: str = DEFAULT_PASSWORD) -> dict[str, str]:
    """Authorization header for an API token obtained the way clients do."""
    response = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['access_token']}"}


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("postgres") and not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip(PG_REASON)
