"""JSON API: a pack's reviews, your own review of it, reports, and a creator's analytics."""

from __future__ import annotations

import uuid
from typing import Any

from flask import g, jsonify, request
from werkzeug.wrappers import Response

from app.blueprints.api.routes import int_arg
from app.blueprints.api.spec import ApiValidationError, endpoint
from app.models.marketplace import REPORT_REASONS
from app.models.types import as_utc
from app.services import analytics, reports, reviews

REVIEW = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "rating": {"type": "integer", "minimum": 1, "maximum": 5},
        "body": {"type": "string"},
        "reviewer": {"type": "string", "description": "the reviewer's creator name, else “A listener”"},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
    },
}
REVIEW_PAGE = {
    "type": "object",
    "properties": {
        "average": {"type": ["number", "null"], "description": "of the visible reviews, 1–5"},
        "count": {"type": "integer"},
        "items": {"type": "array", "items": REVIEW},
        "page": {"type": "integer"},
        "per_page": {"type": "integer"},
        "total": {"type": "integer"},
        "pages": {"type": "integer"},
        "has_next": {"type": "boolean"},
    },
}
REVIEW_BODY = {
    "type": "object",
    "required": ["rating"],
    "additionalProperties": False,
    "properties": {
        "rating": {"type": "integer", "minimum": 1, "maximum": 5},
        "body": {"type": "string", "maxLength": reviews.MAX_BODY, "description": "plain text, optional"},
    },
}
MY_REVIEW = {"type": "object", "properties": {**REVIEW["properties"], "hidden": {"type": "boolean"}}}
REPORT_BODY = {
    "type": "object",
    "required": ["reason"],
    "additionalProperties": False,
    "properties": {
        "pack_id": {"type": "string", "format": "uuid", "description": "the pack reported (or review_id)"},
        "review_id": {"type": "string", "format": "uuid", "description": "the review reported (or pack_id)"},
        "reason": {"enum": list(REPORT_REASONS)},
        "note": {"type": "string", "maxLength": reports.MAX_NOTE},
    },
}
REPORT = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "target_type": {"enum": ["pack", "review"]},
        "pack_id": {"type": ["string", "null"], "format": "uuid"},
        "review_id": {"type": ["string", "null"], "format": "uuid"},
        "reason": {"enum": list(REPORT_REASONS)},
        "note": {"type": "string"},
        "status": {"enum": ["open", "dismissed", "actioned"]},
        "created_at": {"type": "string", "format": "date-time"},
    },
}
_TOTALS = {
    "buyers": {"type": "integer", "description": "listeners holding it now"},
    "new_buyers": {"type": "integer", "description": "in the period"},
    "revenue": {"type": "integer", "description": "minor units (cents), refunds deducted, in the period"},
    "plays": {"type": "integer"},
    "completions": {"type": "integer"},
    "completion_rate": {"type": ["number", "null"], "description": "completions / plays, 0–1"},
    "tokens": {"type": "integer", "description": "creator tokens (cents) earned in the period, reversals deducted"},
    "rating": {"type": ["number", "null"]},
    "review_count": {"type": "integer"},
}
ANALYTICS = {
    "type": "object",
    "properties": {
        "days": {"enum": list(analytics.PERIODS)},
        "start": {"type": "string", "format": "date"},
        "end": {"type": "string", "format": "date"},
        "totals": {"type": "object", "properties": _TOTALS},
        "series": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "day": {"type": "string", "format": "date"},
                    "new_buyers": {"type": "integer"},
                    "revenue": {"type": "integer"},
                    "plays": {"type": "integer"},
                    "completions": {"type": "integer"},
                    "tokens": {"type": "integer", "description": "creator tokens earned that UTC day"},
                },
            },
        },
        "packs": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "title": {"type": "string"},
                    "status": {"enum": ["draft", "in_review", "published", "archived"]},
                    **_TOTALS,
                },
            },
        },
        "token_balance": {"type": "integer", "description": "creator tokens (cents)"},
        "payout_available": {"type": "integer", "description": "what a payout request may ask for now"},
    },
}


def _uuid(data: dict[str, Any], name: str) -> uuid.UUID | None:
    value = data.get(name)
    if value is None:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ApiValidationError([{"field": name, "message": "Must be a UUID."}]) from None


def _report_json(report: Any) -> dict[str, Any]:
    return {
        "id": str(report.id),
        "target_type": report.target_type,
        "pack_id": str(report.pack_id) if report.pack_id else None,
        "review_id": str(report.review_id) if report.review_id else None,
        "reason": report.reason,
        "note": report.note,
        "status": report.status,
        "created_at": as_utc(report.created_at).isoformat(),
    }


@endpoint(
    "/packs/<uuid:pack_id>/reviews",
    "GET",
    summary="A published pack's visible reviews, newest first, with their average",
    auth=False,
    query=[
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": reviews.MAX_PAGE}},
        {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
    ],
    response=REVIEW_PAGE,
    errors=(404, 422),
    tag="marketplace",
)
def list_pack_reviews(pack_id: uuid.UUID) -> Response:
    page = int_arg("page", 1, maximum=reviews.MAX_PAGE)
    per_page = int_arg("per_page", 10, maximum=100)
    reviews.visible_pack(pack_id, None)
    found = reviews.for_pack(pack_id, page=page, per_page=per_page)
    return jsonify(
        average=found.average,
        count=found.total,
        items=[review.to_json() for review in found.reviews],
        page=found.page,
        per_page=found.per_page,
        total=found.total,
        pages=found.pages,
        has_next=found.has_next,
    )


@endpoint(
    "/packs/<uuid:pack_id>/reviews/mine",
    "PUT",
    summary="Write or edit your review of a pack you hold and have played",
    body=REVIEW_BODY,
    response=MY_REVIEW,
    status=(200, 201),
    errors=(403, 404),
    tag="marketplace",
)
def put_my_pack_review(pack_id: uuid.UUID, data: dict[str, Any]) -> Response:
    existed = reviews.mine(g.api_user_id, pack_id) is not None
    review = reviews.submit(g.api_user_id, pack_id, data["rating"], data.get("body", ""))
    shown = reviews.view(review.id)
    response = jsonify(**shown.to_json(), hidden=shown.hidden_at is not None)
    response.status_code = 200 if existed else 201
    return response


@endpoint(
    "/reports",
    "POST",
    summary="Report a pack or a review to the moderators (one open report per target)",
    body=REPORT_BODY,
    response=REPORT,
    status=201,
    errors=(404, 409),
    tag="marketplace",
)
def create_report(data: dict[str, Any]) -> Response:
    report = reports.file(
        g.api_user_id,
        pack_id=_uuid(data, "pack_id"),
        review_id=_uuid(data, "review_id"),
        reason=data["reason"],
        note=data.get("note", ""),
    )
    response = jsonify(_report_json(report))
    response.status_code = 201
    return response


@endpoint(
    "/studio/analytics",
    "GET",
    summary="Your packs' buyers, revenue, plays, completion, tokens earned and ratings over 30 or 90 days",
    roles=("creator",),
    query=[{"name": "days", "in": "query", "schema": {"enum": [str(d) for d in analytics.PERIODS], "default": "30"}}],
    response=ANALYTICS,
    errors=(422,),
    tag="studio",
)
def get_studio_analytics() -> Response:
    # SECURITY.md 10: roles=("creator",) above; tests/api/test_reviews_api.py::test_studio_analytics_is_for_creators
    days = analytics.parse_days(request.args.get("days"))
    return jsonify(analytics.creator_overview(g.api_user_id, days).to_json())
