"""One migration history that builds the schema on SQLite and on PostgreSQL and takes it down again."""

from __future__ import annotations

import os
import uuid

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db
from tests.conftest import build_app

EXPECTED_TABLES = {
    "users",
    "credit_transactions",
    "content_items",
    "ritual_packs",
    "conversations",
    "practice_events",
    "voices",
    "pack_items",
    "purchases",
    "entitlements",
    "stripe_events",
    "creator_token_transactions",
    "audit_log",
    "generation_jobs",
    "library_entries",
    "creator_profiles",
    "pack_reviews",
    "reports",
    "payout_requests",
    "notifications",
}


def _tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def _up_down_up(url: str, redis_url: str, instance: str) -> sa.Engine:
    app = build_app(url, redis_url, instance)
    with app.app_context():
        flask_migrate.upgrade()
        assert _tables(db.engine) == EXPECTED_TABLES
        flask_migrate.downgrade(revision="base")
        assert _tables(db.engine) == set()
        flask_migrate.upgrade()
        assert _tables(db.engine) == EXPECTED_TABLES
        with db.engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diffs == [], f"models and migrations differ: {diffs}"
        db.engine.dispose()
    return sa.create_engine(url)


def test_migrations_up_and_down_on_an_empty_sqlite_file(tmp_path, redis_url):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    engine = _up_down_up(url, redis_url, str(tmp_path / "instance"))
    columns = {c["name"] for c in sa.inspect(engine).get_columns("users")}
    assert {"id", "email", "preferences", "practice_history_summary", "credit_balance", "roles"} <= columns
    engine.dispose()


@pytest.fixture
def empty_postgres_url():
    base = sa.make_url(os.environ["TEST_DATABASE_URL"])
    name = f"waqup_mig_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.postgres
def test_migrations_up_and_down_on_an_empty_postgres_database(empty_postgres_url, redis_url, tmp_path):
    engine = _up_down_up(empty_postgres_url, redis_url, str(tmp_path / "instance"))
    with engine.connect() as conn:
        types = dict(
            conn.execute(
                sa.text(
                    "SELECT table_name || '.' || column_name, udt_name FROM information_schema.columns "
                    "WHERE table_schema = 'public'"
                )
            ).all()
        )
        checks = set(conn.execute(sa.text("SELECT conname FROM pg_constraint WHERE contype = 'c'")).scalars().all())
    assert types["users.id"] == "uuid"
    assert types["users.preferences"] == "jsonb"
    assert types["content_items.structure"] == "jsonb"
    assert types["content_items.tags"] == "_text"  # TEXT[]
    assert types["ritual_packs.tags"] == "_text"
    assert {
        "ck_users_credit_balance_non_negative",
        "ck_users_roles_valid",
        "ck_content_items_content_type_valid",
    } <= checks
    engine.dispose()
