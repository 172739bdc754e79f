"""JSON API for admins, moderation: the review queue, reports and payouts (users, the audit log and
jobs are in `admin_ops`). Every route needs the admin role (SECURITY.md 10:
tests/api/test_admin_api.py::test_role_matrix)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import g, jsonify
from werkzeug.wrappers import Response

from app.blueprints.api.admin_schemas import (
    ADMIN,
    ERRORS,
    PACK,
    PAYOUT,
    QUEUE_ITEM,
    REASON,
    REPORT,
    list_of,
    pack_json,
    payout_json,
    report_json,
)
from app.blueprints.api.spec import endpoint
from app.extensions import db
from app.models import Report
from app.services import admin_moderation, pack_lifecycle, payouts, reports


@endpoint(
    "/admin/review-queue",
    "GET",
    summary="Packs in review, oldest submission first, with their practices (signed audio URLs, scripts)",
    roles=ADMIN,
    response=list_of({**PACK, "properties": {**PACK["properties"], "items": {"type": "array", "items": QUEUE_ITEM}}}),
    tag="admin",
)
def admin_review_queue() -> Response:
    entries = admin_moderation.packs_for_review()
    items = []
    for entry in entries:
        body = pack_json(entry.pack)
        body["items"] = [
            {
                "id": str(row.item.id),
                "title": row.item.title,
                "content_type": row.item.content_type,
                "duration": row.item.audio_duration,
                "script": row.item.content_text or "",
                "audio_url": row.audio_url,
            }
            for row in entry.items
        ]
        items.append(body)
    response = jsonify(items=items)
    response.headers["Cache-Control"] = "no-store"  # signed URLs (SECURITY.md 20)
    return response


@endpoint(
    "/admin/packs/<uuid:pack_id>/approve",
    "POST",
    summary="Publish a pack in review",
    roles=ADMIN,
    response=PACK,
    errors=ERRORS,
    tag="admin",
)
def admin_approve_pack(pack_id: uuid.UUID) -> Response:
    return jsonify(pack_json(pack_lifecycle.approve(pack_id, g.api_user)))


@endpoint(
    "/admin/packs/<uuid:pack_id>/reject",
    "POST",
    summary="Send a pack in review back to draft with a reason the creator sees",
    roles=ADMIN,
    body={"type": "object", "required": ["reason"], "additionalProperties": False, "properties": {"reason": REASON}},
    response=PACK,
    errors=ERRORS,
    tag="admin",
)
def admin_reject_pack(pack_id: uuid.UUID, data: dict[str, Any]) -> Response:
    reason = admin_moderation.reason_text(data["reason"], what="the rejection")
    return jsonify(pack_json(pack_lifecycle.reject(pack_id, g.api_user, reason)))


@endpoint(
    "/admin/reports", "GET", summary="Open reports, oldest first", roles=ADMIN, response=list_of(REPORT), tag="admin"
)
def admin_reports() -> Response:
    return jsonify(items=[report_json(r) for r in reports.open_reports()])


@endpoint(
    "/admin/reports/<uuid:report_id>/resolve",
    "POST",
    summary="Resolve a report and every open report about the same pack or review: dismiss, hide the review, "
    "or take the pack down (buyers keep access unless revoke_access)",
    roles=ADMIN,
    body={
        "type": "object",
        "required": ["action"],
        "additionalProperties": False,
        "properties": {
            "action": {"enum": ["dismiss", "hide_review", "take_down"]},
            "reason": {**REASON, "description": "required to hide a review or take a pack down"},
            "revoke_access": {"type": "boolean", "description": "take_down only: also end buyers' access"},
        },
    },
    response=REPORT,
    errors=ERRORS,
    tag="admin",
)
def admin_resolve_report(report_id: uuid.UUID, data: dict[str, Any]) -> Response:
    action = data["action"]
    if action == "dismiss":
        admin_moderation.dismiss(report_id, g.api_user)
    elif action == "hide_review":
        admin_moderation.hide_review(report_id, g.api_user, data.get("reason", ""))
    else:
        admin_moderation.take_down(
            report_id, g.api_user, data.get("reason", ""), revoke_access=bool(data.get("revoke_access", False))
        )
    return jsonify(report_json(db.session.get(Report, report_id, populate_existing=True)))


@endpoint(
    "/admin/payouts",
    "GET",
    summary="Payout requests waiting for a decision",
    roles=ADMIN,
    response=list_of(PAYOUT),
    tag="admin",
)
def admin_payouts() -> Response:
    return jsonify(items=[payout_json(p) for p in payouts.pending()])


@endpoint(
    "/admin/payouts/<uuid:request_id>/decide",
    "POST",
    summary="Approve a payout request (its tokens are debited) or reject it with a reason",
    roles=ADMIN,
    body={
        "type": "object",
        "required": ["decision"],
        "additionalProperties": False,
        "properties": {
            "decision": {"enum": ["approve", "reject"]},
            "reason": {**REASON, "description": "required to reject"},
        },
    },
    response=PAYOUT,
    errors=ERRORS,
    tag="admin",
)
def admin_decide_payout(request_id: uuid.UUID, data: dict[str, Any]) -> Response:
    if data["decision"] == "approve":
        return jsonify(payout_json(payouts.approve(request_id, g.api_user)))
    reason = admin_moderation.reason_text(data.get("reason", ""), what="rejecting the payout")
    return jsonify(payout_json(payouts.reject(request_id, g.api_user, reason)))
