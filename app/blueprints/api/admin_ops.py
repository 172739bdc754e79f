"""JSON API for admins, operations: users (roles, suspension, credits), the audit log and failed jobs
(moderation is in `admin`). Every route needs the admin role (SECURITY.md 10:
tests/api/test_admin_api.py::test_role_matrix)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import g, jsonify, request
from werkzeug.wrappers import Response

from app.blueprints.api.admin_schemas import (
    ADMIN,
    AUDIT_ROW,
    ERRORS,
    JOB,
    USER,
    admin_user_json,
    audit_json,
    job_json,
    list_of,
)
from app.blueprints.api.payments import purchase_json
from app.blueprints.api.routes import PAGE_PARAMS, int_arg, ledger_json, paged_body
from app.blueprints.api.spec import endpoint
from app.models.user import ROLES
from app.services import admin_jobs, admin_users, audit_log
from app.services.credits import MAX_PAGE


@endpoint(
    "/admin/users",
    "GET",
    summary="Accounts whose email contains q, optionally with a role, by email",
    roles=ADMIN,
    query=[
        {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 254}},
        {"name": "role", "in": "query", "schema": {"enum": list(ROLES)}},
        *PAGE_PARAMS,
    ],
    response=list_of(USER, paged=True),
    errors=(422,),
    tag="admin",
)
def admin_users_search() -> Response:
    page = int_arg("page", 1, maximum=MAX_PAGE)
    per_page = int_arg("per_page", 20, maximum=100)
    result = admin_users.search(
        request.args.get("q", ""), page, role=request.args.get("role") or None, per_page=per_page
    )
    return jsonify(paged_body(result, admin_user_json))


@endpoint(
    "/admin/users/<uuid:user_id>",
    "GET",
    summary="One account: roles, credits and recent ledger, purchases, creator profile and token balance",
    roles=ADMIN,
    response={
        "type": "object",
        "properties": {
            **USER["properties"],
            "ledger": {"type": "array", "items": {"type": "object"}},
            "purchases": {"type": "array", "items": {"type": "object"}},
            "creator_profile": {"type": ["object", "null"]},
            "token_balance": {"type": ["integer", "null"]},
        },
    },
    errors=(404,),
    tag="admin",
)
def admin_user_detail(user_id: uuid.UUID) -> Response:
    detail = admin_users.detail(user_id)
    profile = detail.profile
    body = admin_user_json(detail.user) | {
        "ledger": [ledger_json(r) for r in detail.ledger.rows],
        "purchases": [purchase_json(r) for r in detail.purchases.rows],
        "creator_profile": {"display_name": profile.display_name, "bio": profile.bio} if profile else None,
        "token_balance": detail.token_balance,
    }
    return jsonify(body)


@endpoint(
    "/admin/users/<uuid:user_id>/roles",
    "POST",
    summary="Grant or revoke the creator or admin role (an admin cannot remove their own admin role)",
    roles=ADMIN,
    body={
        "type": "object",
        "required": ["role", "enabled"],
        "additionalProperties": False,
        "properties": {"role": {"enum": ["creator", "admin"]}, "enabled": {"type": "boolean"}},
    },
    response=USER,
    errors=ERRORS,
    tag="admin",
)
def admin_set_role(user_id: uuid.UUID, data: dict[str, Any]) -> Response:
    return jsonify(admin_user_json(admin_users.set_role(user_id, data["role"], data["enabled"], g.api_user)))


@endpoint(
    "/admin/users/<uuid:user_id>/suspend",
    "POST",
    summary="Suspend an account: no login, its sessions and API tokens end at once",
    roles=ADMIN,
    body={
        "type": "object",
        "required": ["reason"],
        "additionalProperties": False,
        "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 500}},
    },
    response=USER,
    errors=ERRORS,
    tag="admin",
)
def admin_suspend(user_id: uuid.UUID, data: dict[str, Any]) -> Response:
    return jsonify(admin_user_json(admin_users.suspend(user_id, g.api_user, data["reason"])))


@endpoint(
    "/admin/users/<uuid:user_id>/unsuspend",
    "POST",
    summary="Lift a suspension (tokens issued before it stay revoked)",
    roles=ADMIN,
    body={
        "type": "object",
        "additionalProperties": False,
        "properties": {"reason": {"type": "string", "maxLength": 500}},
    },
    response=USER,
    errors=ERRORS,
    tag="admin",
)
def admin_unsuspend(user_id: uuid.UUID, data: dict[str, Any]) -> Response:
    return jsonify(admin_user_json(admin_users.unsuspend(user_id, g.api_user, data.get("reason", ""))))


@endpoint(
    "/admin/users/<uuid:user_id>/credits",
    "POST",
    summary="Grant credits with a reason (a ledger row; the same idempotency_key grants once)",
    roles=ADMIN,
    body={
        "type": "object",
        "required": ["amount", "reason"],
        "additionalProperties": False,
        "properties": {
            "amount": {"type": "integer", "minimum": 1, "maximum": admin_users.MAX_GRANT},
            "reason": {"type": "string", "minLength": 1, "maxLength": 500},
            "idempotency_key": {"type": "string", "description": "admin-grant:<uuid>; one is made when left out"},
        },
    },
    response={"type": "object", "properties": {"credit_balance": {"type": "integer"}, "entry": {"type": "object"}}},
    status=201,
    errors=ERRORS,
    tag="admin",
)
def admin_grant_credits(user_id: uuid.UUID, data: dict[str, Any]) -> tuple[Response, int]:
    row = admin_users.grant_credits(
        user_id, data["amount"], data["reason"], g.api_user, idempotency_key=data.get("idempotency_key")
    )
    return jsonify(credit_balance=admin_users.get_user(user_id).credit_balance, entry=ledger_json(row)), 201


@endpoint(
    "/admin/audit",
    "GET",
    summary="The audit log, newest first; action ending in '.' matches a family",
    roles=ADMIN,
    query=[
        {"name": "action", "in": "query", "schema": {"type": "string"}},
        {"name": "actor", "in": "query", "schema": {"type": "string"}, "description": "part of the actor's email"},
        {"name": "target_type", "in": "query", "schema": {"type": "string"}},
        {"name": "target_id", "in": "query", "schema": {"type": "string"}},
        {"name": "date_from", "in": "query", "schema": {"type": "string", "format": "date"}},
        {"name": "date_to", "in": "query", "schema": {"type": "string", "format": "date"}},
        *PAGE_PARAMS,
    ],
    response=list_of(AUDIT_ROW, paged=True),
    errors=(422,),
    tag="admin",
)
def admin_audit() -> Response:
    page = int_arg("page", 1, maximum=MAX_PAGE)
    per_page = int_arg("per_page", audit_log.PER_PAGE, maximum=audit_log.MAX_PER_PAGE)
    result = audit_log.search(audit_log.parse_filters(request.args), page, per_page)
    return jsonify(paged_body(result, audit_json))


@endpoint(
    "/admin/jobs",
    "GET",
    summary="Queue lengths and failed generation jobs, newest first",
    roles=ADMIN,
    query=PAGE_PARAMS,
    response={
        "type": "object",
        "properties": {
            "queues": {"type": "array", "items": {"type": "object"}},
            **list_of(JOB, paged=True)["properties"],
        },
    },
    errors=(422,),
    tag="admin",
)
def admin_jobs_list() -> Response:
    page = int_arg("page", 1, maximum=MAX_PAGE)
    per_page = int_arg("per_page", 20, maximum=100)
    failed = admin_jobs.failed_generations(page, per_page)
    queues = [q.__dict__ for q in admin_jobs.queue_lengths()]
    return jsonify(queues=queues, **paged_body(failed, lambda row: job_json(row.job)))


@endpoint(
    "/admin/jobs/<uuid:job_id>/retry",
    "POST",
    summary="Queue a failed generation again (no new charge: its credit was returned when it failed)",
    roles=ADMIN,
    response=JOB,
    status=202,
    errors=(404, 409),
    tag="admin",
)
def admin_retry_job(job_id: uuid.UUID) -> tuple[Response, int]:
    return jsonify(job_json(admin_jobs.retry_generation(job_id, g.api_user))), 202


@endpoint(
    "/admin/jobs/<uuid:job_id>",
    "DELETE",
    summary="Take a failed generation off the list and out of RQ's failed registry (rows are kept)",
    roles=ADMIN,
    status=204,
    errors=(404, 409),
    tag="admin",
)
def admin_delete_job(job_id: uuid.UUID) -> tuple[str, int]:
    admin_jobs.delete_generation(job_id, g.api_user)
    return "", 204
