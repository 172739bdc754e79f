"""JSON shapes of the admin API: the schemas its OpenAPI entries document and the functions that fill them."""

from __future__ import annotations

import uuid
from typing import Any

from app.models import AuditLog, GenerationJob, PayoutRequest, Report, RitualPack, User
from app.models.marketplace import REPORT_REASONS
from app.models.types import as_utc
from app.models.user import ROLES

ADMIN = ("admin",)
ERRORS = (404, 409, 422)
UUID = {"type": "string", "format": "uuid"}
TIME = {"type": ["string", "null"], "format": "date-time"}
TEXT = {"type": ["string", "null"]}
REASON = {"type": "string", "minLength": 1, "maxLength": 1000, "description": "shown to the creator where it applies"}

PACK = {
    "type": "object",
    "properties": {
        "id": UUID,
        "title": {"type": "string"},
        "description": {"type": "string"},
        "status": {"enum": ["draft", "in_review", "published", "archived"]},
        "creator_id": UUID,
        "price_type": {"enum": ["free", "one_time", "subscription"]},
        "price_amount": {"type": ["integer", "null"], "description": "minor units (cents)"},
        "currency": {"type": "string"},
        "subscription_interval": TEXT,
        "tags": {"type": "array", "items": {"type": "string"}},
        "moderation_note": TEXT,
        "submitted_at": TIME,
        "published_at": TIME,
        "archived_at": TIME,
    },
}
QUEUE_ITEM = {
    "type": "object",
    "properties": {
        "id": UUID,
        "title": {"type": "string"},
        "content_type": {"type": "string"},
        "duration": {"type": ["number", "null"]},
        "script": {"type": "string"},
        "audio_url": {"type": ["string", "null"], "description": "signed, expiring URL of the whole track"},
    },
}
REPORT = {
    "type": "object",
    "properties": {
        "id": UUID,
        "target_type": {"enum": ["pack", "review"]},
        "pack_id": {"type": ["string", "null"]},
        "review_id": {"type": ["string", "null"]},
        "reason": {"enum": list(REPORT_REASONS)},
        "note": {"type": "string"},
        "status": {"enum": ["open", "dismissed", "actioned"]},
        "resolution": TEXT,
        "created_at": TIME,
        "resolved_at": TIME,
    },
}
PAYOUT = {
    "type": "object",
    "properties": {
        "id": UUID,
        "creator_id": UUID,
        "amount": {"type": "integer", "description": "tokens (cents)"},
        "status": {"enum": ["pending", "approved", "rejected"]},
        "note": {"type": "string"},
        "decision_reason": TEXT,
        "created_at": TIME,
        "decided_at": TIME,
    },
}
USER = {
    "type": "object",
    "properties": {
        "id": UUID,
        "email": {"type": "string"},
        "roles": {"type": "array", "items": {"enum": list(ROLES)}},
        "credit_balance": {"type": "integer"},
        "suspended_at": TIME,
        "last_login_at": TIME,
        "created_at": TIME,
    },
}
AUDIT_ROW = {
    "type": "object",
    "properties": {
        "id": UUID,
        "actor_id": {"type": ["string", "null"]},
        "actor_email": TEXT,
        "action": {"type": "string"},
        "target_type": TEXT,
        "target_id": TEXT,
        "before": {"type": ["object", "null"]},
        "after": {"type": ["object", "null"]},
        "ip": TEXT,
        "created_at": TIME,
    },
}
JOB = {
    "type": "object",
    "properties": {
        "id": UUID,
        "content_item_id": UUID,
        "user_id": UUID,
        "version": {"type": "integer"},
        "status": {"type": "string"},
        "attempts": {"type": "integer"},
        "error": TEXT,
        "finished_at": TIME,
    },
}


def list_of(item: dict[str, Any], *, paged: bool = False) -> dict[str, Any]:
    props: dict[str, Any] = {"items": {"type": "array", "items": item}}
    if paged:
        props |= {name: {"type": "integer"} for name in ("page", "per_page", "total", "pages")}
    return {"type": "object", "properties": props}


def _iso(value: Any) -> str | None:
    value = as_utc(value)
    return value.isoformat() if value else None


def _id(value: uuid.UUID | None) -> str | None:
    return str(value) if value else None


def pack_json(pack: RitualPack) -> dict[str, Any]:
    return {
        "id": str(pack.id),
        "title": pack.title,
        "description": pack.description or "",
        "status": pack.status,
        "creator_id": str(pack.creator_id),
        "price_type": pack.price_type,
        "price_amount": pack.price_amount,
        "currency": pack.currency,
        "subscription_interval": pack.subscription_interval,
        "tags": list(pack.tags or []),
        "moderation_note": pack.moderation_note,
        "submitted_at": _iso(pack.submitted_at),
        "published_at": _iso(pack.published_at),
        "archived_at": _iso(pack.archived_at),
    }


def report_json(report: Report) -> dict[str, Any]:
    return {
        "id": str(report.id),
        "target_type": report.target_type,
        "pack_id": _id(report.pack_id),
        "review_id": _id(report.review_id),
        "reason": report.reason,
        "note": report.note or "",
        "status": report.status,
        "resolution": report.resolution,
        "created_at": _iso(report.created_at),
        "resolved_at": _iso(report.resolved_at),
    }


def payout_json(payout: PayoutRequest) -> dict[str, Any]:
    return {
        "id": str(payout.id),
        "creator_id": str(payout.creator_id),
        "amount": payout.amount,
        "status": payout.status,
        "note": payout.note or "",
        "decision_reason": payout.decision_reason,
        "created_at": _iso(payout.created_at),
        "decided_at": _iso(payout.decided_at),
    }


def admin_user_json(user: User) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "email": user.email,
        "roles": list(user.roles or []),
        "credit_balance": user.credit_balance,
        "suspended_at": _iso(user.suspended_at),
        "last_login_at": _iso(user.last_login_at),
        "created_at": _iso(user.created_at),
    }


def audit_json(row: AuditLog) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "actor_id": _id(row.actor_id),
        "actor_email": row.actor_email,
        "action": row.action,
        "target_type": row.target_type,
        "target_id": row.target_id,
        "before": row.before,
        "after": row.after,
        "ip": row.ip,
        "created_at": _iso(row.created_at),
    }


def job_json(job: GenerationJob) -> dict[str, Any]:
    return {
        "id": str(job.id),
        "content_item_id": str(job.content_item_id),
        "user_id": str(job.user_id),
        "version": job.version,
        "status": job.status,
        "attempts": job.attempts,
        "error": job.error,
        "finished_at": _iso(job.finished_at),
    }
