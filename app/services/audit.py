"""Audit rows for sensitive operations (SECURITY.md 22)."""

from __future__ import annotations

import logging
from typing import Any

from flask import has_request_context, request

from app.extensions import db
from app.models import AuditLog, User

log = logging.getLogger(__name__)


def record(
    action: str,
    *,
    actor: User | None,
    target_type: str | None = None,
    target_id: object = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """Add an audit row to the current transaction; the caller commits it with the change itself."""
    ip = user_agent = None
    if has_request_context():
        ip = request.remote_addr
        user_agent = (request.user_agent.string or "")[:300] or None
    row = AuditLog(
        actor_id=actor.id if actor else None,
        actor_email=actor.email if actor else None,
        action=action,
        target_type=target_type,
        target_id=str(target_id) if target_id is not None else None,
        before=before,
        after=after,
        ip=ip,
        user_agent=user_agent,
    )
    db.session.add(row)
    log.info("audit %s by %s on %s %s", action, actor.email if actor else "system", target_type, target_id)
    return row
