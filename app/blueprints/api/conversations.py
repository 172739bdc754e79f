"""JSON API: the builder conversation, turn by turn, ending in a practice being made."""

from __future__ import annotations

import uuid
from typing import Any

from flask import g, jsonify
from werkzeug.wrappers import Response

from app.blueprints.api.rituals import STATUS, status_body
from app.blueprints.api.spec import endpoint
from app.extensions import limiter
from app.rate_limits import actor_key, setting
from app.services import builder, conversations
from app.services.conversations import Turn

MESSAGE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["text"],
    # Longer than the builder accepts, so an over-long message gets its friendly reply, not an error;
    # anything beyond this is refused outright.
    "properties": {"text": {"type": "string", "maxLength": 10 * builder.MAX_MESSAGE}},
}
CONVERSATION = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "state": {"enum": list(builder.STATES)},
        "reply": {"type": "string"},
        "suggestions": {"type": "array", "items": {"type": "string"}},
        "controls": {"type": "array", "items": {"type": "string"}},
        "spec": {"type": "object", "description": "what has been decided so far, in words"},
        "messages": {"type": "array", "items": {"type": "object"}},
        "ritual": {"type": ["object", "null"], "description": "the practice being made, once confirmed"},
    },
}


def turn_json(turn: Turn, *, with_messages: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(turn.row.id),
        "state": turn.conv.state,
        "reply": turn.reply.text,
        "suggestions": list(turn.reply.suggestions),
        "controls": list(turn.reply.controls),
        "spec": turn.card,
        "ritual": None,
    }
    if turn.job is not None:
        body["ritual"] = status_body(turn.job)
    if with_messages:
        body["messages"] = turn.conv.messages
    return body


@endpoint(
    "/conversations",
    "POST",
    summary="Start a conversation with the builder: its greeting and first suggestions",
    response=CONVERSATION,
    status=201,
    errors=(429,),
    tag="builder",
)
@limiter.limit(setting("RATELIMIT_BUILDER"), key_func=actor_key)  # SECURITY.md 12
def start_conversation() -> tuple[Response, int]:
    return jsonify(turn_json(conversations.start(g.api_user), with_messages=True)), 201


@endpoint(
    "/conversations/<uuid:conversation_id>/messages",
    "POST",
    summary="Say something to the builder; its reply, the state and the spec so far",
    body=MESSAGE,
    response=CONVERSATION,
    errors=(402, 404, 429),
    tag="builder",
)
@limiter.limit(setting("RATELIMIT_BUILDER"), key_func=actor_key)  # SECURITY.md 12
def send_message(conversation_id: uuid.UUID, data: dict[str, Any]) -> Response:
    return jsonify(turn_json(conversations.send(g.api_user, conversation_id, data["text"])))


@endpoint(
    "/conversations/<uuid:conversation_id>/confirm",
    "POST",
    summary="Make the practice the conversation describes (one credit); the generation's 202 body",
    response=STATUS,
    status=202,
    errors=(402, 404, 422),
    tag="builder",
)
def confirm_conversation(conversation_id: uuid.UUID) -> tuple[Response, int]:
    turn = conversations.confirm(g.api_user, conversation_id)
    return jsonify(status_body(turn.job)), 202


@endpoint(
    "/conversations/<uuid:conversation_id>",
    "GET",
    summary="A conversation with its transcript, state, spec and practice",
    response=CONVERSATION,
    errors=(404,),
    tag="builder",
)
def get_conversation(conversation_id: uuid.UUID) -> Response:
    return jsonify(turn_json(conversations.show(g.api_user, conversation_id), with_messages=True))
