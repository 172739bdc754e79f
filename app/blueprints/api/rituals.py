"""JSON API: voices, and making practices (generation requests and their progress)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app, g, jsonify, url_for
from werkzeug.wrappers import Response

from app.blueprints.api.spec import endpoint
from app.extensions import db, limiter
from app.models import ContentItem
from app.providers.storage import get_storage
from app.rate_limits import actor_key, setting
from app.services import NotFound, access, generation, voices
from app.services.practice_spec import (
    CONTENT_TYPES,
    CONTEXT_FIELDS,
    FOCUSES,
    MAX_CONTEXT_TEXT,
    MAX_INTENT,
    MAX_MINUTES,
    MIN_MINUTES,
    PACES,
    TIMES_OF_DAY,
    TONES,
)

SPEC = {
    "type": "object",
    "additionalProperties": False,
    "required": ["content_type", "intent", "duration_minutes"],
    "properties": {
        "content_type": {"enum": list(CONTENT_TYPES)},
        "intent": {"type": "string", "minLength": 1, "maxLength": MAX_INTENT},
        "duration_minutes": {"type": "integer", "minimum": MIN_MINUTES, "maximum": MAX_MINUTES},
        "voice_id": {"type": ["string", "null"], "format": "uuid"},
        "pace": {"enum": [*PACES, None]},
        "tone": {"enum": [*TONES, None]},
        "focus": {"enum": [*FOCUSES, None]},
        "context": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                name: (
                    {"enum": [*TIMES_OF_DAY, None]}
                    if name == "time_of_day"
                    else {"type": ["string", "null"], "maxLength": MAX_CONTEXT_TEXT}
                )
                for name in CONTEXT_FIELDS
            },
        },
    },
}
STATUS = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "status": {"enum": ["queued", "writing", "voicing", "mixing", "ready", "failed"]},
        "progress": {"type": "integer", "minimum": 0, "maximum": 100},
        "step": {"type": "string"},
        "title": {"type": "string"},
        "content_type": {"type": "string"},
        "duration": {"type": ["number", "null"], "description": "seconds, when ready"},
        "depth": {"type": ["string", "null"]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "status_url": {"type": "string"},
    },
}
VOICE = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "name": {"type": "string"},
        "provider": {"type": "string"},
        "language": {"type": "string"},
        "style": {"type": ["string", "null"]},
        "description": {"type": ["string", "null"]},
        "preview_url": {"type": ["string", "null"]},
        "default": {"type": "boolean"},
    },
}


def status_body(job: Any, item: ContentItem | None = None) -> dict[str, Any]:
    """A generation's status as the API shows it, with the URL to poll."""
    body = generation.status_json(job, item)
    body["status_url"] = url_for("api.ritual_status", ritual_id=job.content_item_id)
    return body


def voice_json(voice: Any, default_id: uuid.UUID | None) -> dict[str, Any]:
    preview = None
    if voice.preview_key:
        preview = get_storage().signed_url(voice.preview_key, current_app.config["SIGNED_URL_SECONDS"]).url
    return {
        "id": str(voice.id),
        "name": voice.name,
        "provider": voice.provider,
        "language": voice.language,
        "style": voice.style,
        "description": voice.description,
        "preview_url": preview,
        "default": voice.id == default_id,
    }


@endpoint(
    "/voices",
    "GET",
    summary="Voices to choose from, each with a short signed preview URL",
    response={"type": "object", "properties": {"items": {"type": "array", "items": VOICE}}},
    tag="generation",
)
def list_voices() -> Response:
    available = voices.active_voices()
    default_id = voices.default_voice().id if available else None
    return jsonify(items=[voice_json(v, default_id) for v in available])


@endpoint(
    "/rituals",
    "POST",
    summary="Make a practice from a spec: costs one credit, returns at once while the work runs",
    body=SPEC,
    response=STATUS,
    status=202,
    errors=(402, 429),
    tag="generation",
)
@limiter.limit(setting("RATELIMIT_GENERATE"), key_func=actor_key)  # SECURITY.md 12
def create_ritual(data: dict[str, Any]) -> tuple[Response, int, dict[str, str]]:
    job = generation.request_generation(g.api_user, data, source="api")
    body = status_body(job, db.session.get(ContentItem, job.content_item_id))
    return jsonify(body), 202, {"Location": body["status_url"]}


@endpoint(
    "/rituals/<uuid:ritual_id>",
    "GET",
    summary="A practice's status: queued, writing, voicing, mixing, ready or failed, with progress",
    response=STATUS,
    errors=(404,),
    tag="generation",
)
def ritual_status(ritual_id: uuid.UUID) -> Response:
    # SECURITY.md 9: another user's id is simply not found; an item from a pack shows its playable version.
    item, source = access.readable_item(g.api_user.id, ritual_id)
    job = generation.latest_job(item.id, ready=source == "pack")
    if job is None:
        raise NotFound("No such practice.")
    return jsonify(status_body(job, item))
