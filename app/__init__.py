"""The waQup application factory."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask
from flask.logging import default_handler

from app.json_provider import OrjsonProvider
from config import Config, config_from_env


def create_app(config_class: type[Config] | None = None) -> Flask:
    """Build an app from a config class (by default the one WAQUP_ENV names)."""
    config_class = config_class or config_from_env()
    config_class.check()

    app = Flask(__name__, instance_path=config_class.INSTANCE_PATH, instance_relative_config=False)
    app.json = OrjsonProvider(app)
    app.config.from_object(config_class)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "waqup.sqlite3")
    _configure_logging(app)

    from app import extensions, rate_limits, redis_client

    redis_client.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_client.limiter_storage_uri(app.config["REDIS_URL"]))

    from app import models  # noqa: F401  (registers the tables on the metadata)

    extensions.db.init_app(app)
    _configure_sqlite(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(Path(__file__).parent.parent / "migrations"))
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)
    rate_limits.check_only_where_limits_apply(app, extensions.limiter)
    extensions.sock.init_app(app)

    from app import auth_loader, errors, security, templating
    from app.providers import storage

    auth_loader.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    storage.init_app(app)

    from app.blueprints import register_blueprints

    register_blueprints(app)

    from app.cli import register_cli

    register_cli(app)
    return app


def _configure_logging(app: Flask) -> None:
    level = getattr(logging, str(app.config.get("LOG_LEVEL", "INFO")).upper(), logging.INFO)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # One line per record: the root handler prints it, Flask's own handler would print it again.
    app.logger.removeHandler(default_handler)
    app.logger.setLevel(level)
    logging.getLogger("app").setLevel(level)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def _configure_sqlite(app: Flask) -> None:
    """SQLite enforces foreign keys (ON DELETE CASCADE) only when asked, per connection. Write-ahead
    logging lets the web server read while the worker writes, and with synchronous=NORMAL a commit
    does not wait for the disk (a power cut may lose the last commits, never corrupt the file)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event

    from app.extensions import db

    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def _enable_foreign_keys(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
