"""JSON API: the library and its items — list, play, rename, favourite, regenerate, delete."""

from __future__ import annotations

import uuid
from typing import Any

from flask import g, jsonify, request
from werkzeug.wrappers import Response

from app.blueprints.api.rituals import STATUS, status_body
from app.blueprints.api.spec import endpoint
from app.extensions import db, limiter
from app.models import ContentItem
from app.rate_limits import actor_key, setting
from app.services import library, library_actions, playback
from app.services.credits import MAX_PAGE
from app.services.practice_spec import CONTENT_TYPES, PACES

NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
GENERATION = {
    "type": ["object", "null"],
    "description": "the newest generation while it is not ready (your own items only)",
    "properties": {
        "status": {"enum": ["queued", "writing", "voicing", "mixing", "failed"]},
        "progress": {"type": "integer"},
        "step": {"type": "string"},
        "version": {"type": "integer"},
        "error": {"type": "string"},
    },
}
ENTRY = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "title": {"type": "string"},
        "content_type": {"enum": list(CONTENT_TYPES)},
        "duration": {"type": ["number", "null"], "description": "seconds of the playable version"},
        "depth": {"type": ["string", "null"]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "created_at": {"type": "string", "format": "date-time"},
        "source": {"enum": ["mine", "pack"]},
        "pack": {
            "type": ["object", "null"],
            "properties": {"id": {"type": "string", "format": "uuid"}, "title": {"type": "string"}},
        },
        "is_favourite": {"type": "boolean"},
        "play_count": {"type": "integer", "description": "your plays"},
        "last_played_at": NULLABLE_TIME,
        "resume_position": {"type": "number", "description": "seconds"},
        "playable": {"type": "boolean"},
        "generation": GENERATION,
    },
}
LIBRARY = {
    "type": "object",
    "properties": {
        "items": {"type": "array", "items": ENTRY},
        "page": {"type": "integer"},
        "per_page": {"type": "integer"},
        "total": {"type": "integer"},
        "pages": {"type": "integer"},
        "has_next": {"type": "boolean"},
    },
}
LIBRARY_PARAMS = [
    {"name": "type", "in": "query", "schema": {"enum": list(CONTENT_TYPES)}},
    {"name": "tag", "in": "query", "schema": {"type": "string", "maxLength": library.MAX_TAG}},
    {"name": "min_minutes", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    {"name": "max_minutes", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    {"name": "source", "in": "query", "schema": {"enum": list(library.SOURCES)}},
    {"name": "favourites", "in": "query", "schema": {"type": "boolean", "default": False}},
    {
        "name": "q",
        "in": "query",
        "description": "words that must all appear in the title or the script",
        "schema": {"type": "string", "maxLength": library.MAX_QUERY},
    },
    {"name": "sort", "in": "query", "schema": {"enum": list(library.SORTS), "default": "recent"}},
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}},
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": library.MAX_PER_PAGE, "default": 20},
    },
]
CHANGES = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": library_actions.MAX_TITLE},
        "is_favourite": {"type": "boolean"},
    },
}
REGENERATE = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {
        "voice_id": {"type": "string", "format": "uuid", "description": "id of a voice from the voices list"},
        "pace": {"enum": list(PACES)},
    },
}
PLAYBACK = {
    "type": "object",
    "properties": {
        "audio_url": {"type": "string", "description": "signed; fetch a fresh one after expires_at"},
        "expires_at": {"type": "string", "format": "date-time"},
        "title": {"type": "string"},
        "content_type": {"enum": list(CONTENT_TYPES)},
        "duration": {"type": "number", "description": "seconds"},
        "version": {"type": "integer"},
        "sections": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "start": {"type": "number"},
                    "end": {"type": "number"},
                    "text": {"type": "string"},
                },
            },
        },
        "background": {"type": ["string", "null"], "description": "the background bed that suits it"},
    },
}


@endpoint(
    "/library",
    "GET",
    summary="Your practices and those of packs you have, filtered, searched, sorted and paged",
    query=LIBRARY_PARAMS,
    response=LIBRARY,
    errors=(422,),
    tag="library",
)
def get_library() -> Response:
    page = library.library_page(g.api_user.id, library.LibraryFilters.from_args(request.args))
    return jsonify(
        items=[e.to_json() for e in page.entries],
        page=page.page,
        per_page=page.per_page,
        total=page.total,
        pages=page.pages,
        has_next=page.has_next,
    )


@endpoint(
    "/rituals/<uuid:ritual_id>/play",
    "GET",
    summary="Play a practice: a fresh signed audio URL and its sections (where you stopped is in /library)",
    auth="id",  # a hot read: the token checked without loading the user row
    prefetch=lambda ritual_id: playback.MetadataRead(ritual_id),  # in the token check's round trip
    response=PLAYBACK,
    errors=(404, 409),
    tag="library",
)
def play_ritual(ritual_id: uuid.UUID, prefetched: playback.MetadataRead) -> Response:
    track = playback.play(g.api_user_id, ritual_id, with_position=False, prefetched=prefetched)
    return jsonify(track.to_json())


@endpoint(
    "/rituals/<uuid:ritual_id>",
    "PATCH",
    summary="Rename a practice (yours only) or mark it as a favourite",
    body=CHANGES,
    response=ENTRY,
    errors=(403, 404),
    tag="library",
)
def update_ritual(ritual_id: uuid.UUID, data: dict[str, Any]) -> Response:
    library_actions.update(g.api_user.id, ritual_id, title=data.get("title"), is_favourite=data.get("is_favourite"))
    return jsonify(library.entry(g.api_user.id, ritual_id).to_json())


@endpoint(
    "/rituals/<uuid:ritual_id>",
    "DELETE",
    summary="Delete a practice of yours with every stored version",
    status=204,
    errors=(403, 404, 409),
    tag="library",
)
def delete_ritual(ritual_id: uuid.UUID) -> tuple[str, int]:
    library_actions.delete(g.api_user.id, ritual_id)
    return "", 204


@endpoint(
    "/rituals/<uuid:ritual_id>/regenerate",
    "POST",
    summary="Make a new version with another voice or pace (one credit); the current one plays until it is ready",
    body=REGENERATE,
    response=STATUS,
    status=202,
    errors=(402, 403, 404, 409, 429),
    tag="library",
)
@limiter.limit(setting("RATELIMIT_GENERATE"), key_func=actor_key)  # SECURITY.md 12
def regenerate_ritual(ritual_id: uuid.UUID, data: dict[str, Any]) -> tuple[Response, int, dict[str, str]]:
    job = library_actions.regenerate(g.api_user.id, ritual_id, voice_id=data.get("voice_id"), pace=data.get("pace"))
    body = status_body(job, db.session.get(ContentItem, ritual_id))
    return jsonify(body), 202, {"Location": body["status_url"]}
