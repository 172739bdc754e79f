"""JSON API: practice events from players, and the listener's statistics."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify
from werkzeug.wrappers import Response

from app.blueprints.api.spec import endpoint
from app.models.content import CONTENT_TYPES
from app.services import practice, stats
from app.services.practice_spec import TIMES_OF_DAY

SECONDS = {"type": ["number", "null"], "minimum": 0, "maximum": practice.MAX_SECONDS}
REPORT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["event_id", "ritual_id", "kind"],
    "properties": {
        "event_id": {"type": "string", "format": "uuid", "description": "made by the player once per play"},
        "ritual_id": {"type": "string", "format": "uuid"},
        "kind": {"enum": list(practice.KINDS)},
        "position": {**SECONDS, "description": "seconds into the track, for resuming"},
        "listened_seconds": {**SECONDS, "description": "seconds listened in this play so far"},
        "feeling": {"type": ["integer", "null"], "minimum": 1, "maximum": 5, "description": "with a completion"},
        "note": {"type": ["string", "null"], "maxLength": practice.MAX_NOTE, "description": "with a completion"},
    },
}
SUMMARY_FIELDS = {
    "total_practices": {"type": "integer"},
    "total_minutes": {"type": "number"},
    "current_streak": {"type": "integer", "description": "consecutive days up to today or yesterday"},
    "longest_streak": {"type": "integer"},
    "last_practice": {"type": ["string", "null"], "format": "date"},
}
OUTCOME = {
    "type": "object",
    "properties": {
        "event": {
            "type": "object",
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "ritual_id": {"type": "string", "format": "uuid"},
                "started_at": {"type": "string", "format": "date-time"},
                "completed_at": {"type": ["string", "null"], "format": "date-time"},
                "duration": {"type": ["integer", "null"], "description": "seconds listened"},
                "feeling": {"type": ["integer", "null"]},
                "note": {"type": ["string", "null"]},
            },
        },
        "created": {"type": "boolean", "description": "true when this report began the event (201)"},
        "resume_position": {"type": "number"},
        "summary": {"type": "object", "properties": SUMMARY_FIELDS},
    },
}
DAY_FIGURES = {"practices": {"type": "integer"}, "minutes": {"type": "number"}}
STATS = {
    "type": "object",
    "properties": {
        **SUMMARY_FIELDS,
        "minutes_per_day": {
            "type": "array",
            "description": "the last 30 days, oldest first",
            "items": {"type": "object", "properties": {"date": {"type": "string"}, "minutes": {"type": "number"}}},
        },
        "practices_per_week": {
            "type": "array",
            "description": "the last 12 weeks (starting on Mondays), oldest first",
            "items": {"type": "object", "properties": {"week_start": {"type": "string"}, **DAY_FIGURES}},
        },
        "calendar": {
            "type": "array",
            "description": "days of the last year with at least one practice",
            "items": {"type": "object", "properties": {"date": {"type": "string"}, **DAY_FIGURES}},
        },
        "by_content_type": {"type": "object", "properties": {t: {"type": "integer"} for t in CONTENT_TYPES}},
        "by_time_of_day": {"type": "object", "properties": {t: {"type": "integer"} for t in TIMES_OF_DAY}},
        "top_items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "title": {"type": "string"},
                    "content_type": {"type": "string"},
                    "plays": {"type": "integer"},
                    "minutes": {"type": "number"},
                },
            },
        },
    },
}


@endpoint(
    "/practice-events",
    "POST",
    summary="Report a play: start, progress or complete (idempotent by event_id); the updated summary",
    body=REPORT,
    response=OUTCOME,
    status=(200, 201),
    errors=(404, 409),
    tag="practice",
)
def report_practice(data: dict[str, Any]) -> tuple[Response, int]:
    outcome = practice.record(g.api_user.id, practice.Report.parse(data), client="api")
    return jsonify(outcome.to_json()), 201 if outcome.created else 200


@endpoint("/me/stats", "GET", summary="Your practice statistics", response=STATS, tag="practice")
def my_stats() -> Response:
    return jsonify(stats.stats(g.api_user))
