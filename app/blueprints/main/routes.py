from __future__ import annotations

from flask import Response, jsonify
from sqlalchemy import text

from app.blueprints.main import bp
from app.extensions import db
from app.htmx import render
from app.redis_client import get_redis


@bp.get("/")
def home() -> Response:
    return render("main/home.html")


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Liveness and readiness: the database and Redis both answer."""
    checks = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # reported, not raised: this endpoint exists to say what is down
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        get_redis().ping()
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"error: {type(exc).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return jsonify(status="ok" if healthy else "degraded", checks=checks), 200 if healthy else 503
