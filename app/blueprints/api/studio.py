"""JSON API: a creator's packs in the studio — list, create, read, change, delete, items, submit, archive.

Every operation needs the creator role (403 otherwise, SECURITY.md 10) and finds packs among the
caller's own only, so another creator's pack is 404 (SECURITY.md 9):
tests/api/test_studio_api.py::test_every_studio_api_route_needs_the_creator_role and
tests/api/test_studio_api.py::test_another_creators_pack_is_not_found_on_any_api_route.
"""

from __future__ import annotations

import uuid

from flask import g, jsonify
from werkzeug.wrappers import Response

from app.blueprints.api.spec import ApiValidationError, endpoint
from app.models.content import CONTENT_TYPES
from app.models.marketplace import PACK_STATUSES, PRICE_TYPES, SUBSCRIPTION_INTERVALS
from app.services import pack_lifecycle, studio, studio_items
from app.services.studio_fields import MAX_DESCRIPTION, MAX_PRICE, MAX_TAG, MAX_TAGS, MAX_TITLE, MIN_PRICE

TIME = {"type": ["string", "null"], "format": "date-time"}
ITEM = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "title": {"type": "string"},
        "content_type": {"enum": list(CONTENT_TYPES)},
        "duration": {"type": ["number", "null"], "description": "seconds, once ready"},
        "depth": {"type": ["string", "null"]},
        "position": {"type": "integer"},
        "ready": {"type": "boolean"},
        "generation": {"type": ["object", "null"], "description": "progress while the first version is being made"},
    },
}
PACK = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "status": {"enum": list(PACK_STATUSES)},
        "price": {
            "type": "object",
            "properties": {
                "type": {"enum": list(PRICE_TYPES)},
                "amount": {"type": "integer", "description": "cents; 0 when free"},
                "currency": {"type": "string"},
                "interval": {"enum": [*SUBSCRIPTION_INTERVALS, None]},
                "label": {"type": "string"},
            },
        },
        "cover_url": {"type": ["string", "null"], "description": "signed, short-lived"},
        "moderation_note": {"type": ["string", "null"], "description": "why it was rejected or taken down"},
        "submitted_at": TIME,
        "published_at": TIME,
        "archived_at": TIME,
        "created_at": TIME,
        "updated_at": TIME,
        "items": {"type": "array", "items": ITEM},
        "missing_for_review": {"type": "array", "items": {"type": "string"}, "description": "what submit still needs"},
    },
}
PACK_LIST = {"type": "object", "properties": {"items": {"type": "array", "items": PACK}}}
FIELDS = {
    "title": {"type": "string", "minLength": 1, "maxLength": MAX_TITLE},
    "description": {"type": "string", "maxLength": MAX_DESCRIPTION},
    "tags": {"type": "array", "maxItems": MAX_TAGS, "items": {"type": "string", "maxLength": MAX_TAG}},
    "price_type": {"enum": list(PRICE_TYPES)},
    "price_amount": {
        "type": ["integer", "null"],
        "minimum": MIN_PRICE,
        "maximum": MAX_PRICE,
        "description": "cents, for a paid pack",
    },
    "subscription_interval": {"enum": [*SUBSCRIPTION_INTERVALS, None]},
}
NEW_PACK = {"type": "object", "additionalProperties": False, "required": ["title"], "properties": FIELDS}
CHANGES = {"type": "object", "additionalProperties": False, "minProperties": 1, "properties": FIELDS}
ADD_ITEM = {
    "type": "object",
    "additionalProperties": False,
    "required": ["content_item_id"],
    "properties": {
        "content_item_id": {"type": "string", "format": "uuid", "description": "one of your ready practices"}
    },
}


def _pack_body(pack_id: uuid.UUID) -> dict:
    pack = studio.owned_pack(g.api_user.id, pack_id)
    rows = studio_items.items(g.api_user.id, pack_id)
    missing = pack_lifecycle.missing(pack) if pack.status == "draft" else []
    return studio.pack_json(pack, [row.to_json() for row in rows], missing)


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ApiValidationError([{"field": "content_item_id", "message": "Must be a practice id."}]) from None


@endpoint(
    "/studio/packs",
    "GET",
    summary="Your packs, every status, most recently changed first",
    roles=("creator",),
    response=PACK_LIST,
    tag="studio",
)
def list_studio_packs() -> Response:
    return jsonify(items=[_pack_body(summary.id) for summary in studio.packs(g.api_user.id)])


@endpoint(
    "/studio/packs",
    "POST",
    summary="Create a draft pack",
    roles=("creator",),
    body=NEW_PACK,
    response=PACK,
    status=201,
    tag="studio",
)
def create_studio_pack(data: dict) -> Response:
    pack = studio.create_pack(g.api_user.id, data)
    return jsonify(_pack_body(pack.id)), 201


@endpoint(
    "/studio/packs/<uuid:pack_id>",
    "GET",
    summary="One of your packs with its practices and what it still needs for review",
    roles=("creator",),
    response=PACK,
    errors=(404,),
    tag="studio",
)
def get_studio_pack(pack_id: uuid.UUID) -> Response:
    return jsonify(_pack_body(pack_id))


@endpoint(
    "/studio/packs/<uuid:pack_id>",
    "PATCH",
    summary="Change a pack's details; a published pack changes in the catalog at once, its price for new buyers only",
    roles=("creator",),
    body=CHANGES,
    response=PACK,
    errors=(404, 409),
    tag="studio",
)
def update_studio_pack(pack_id: uuid.UUID, data: dict) -> Response:
    studio.update_pack(g.api_user.id, pack_id, data)
    return jsonify(_pack_body(pack_id))


@endpoint(
    "/studio/packs/<uuid:pack_id>",
    "DELETE",
    summary="Delete a draft that was never published",
    roles=("creator",),
    status=204,
    errors=(404, 409),
    tag="studio",
)
def delete_studio_pack(pack_id: uuid.UUID) -> Response:
    studio.delete_pack(g.api_user.id, pack_id)
    return Response(status=204)


@endpoint(
    "/studio/packs/<uuid:pack_id>/items",
    "POST",
    summary="Add one of your ready practices to the end of the pack",
    roles=("creator",),
    body=ADD_ITEM,
    response=PACK,
    status=201,
    errors=(404, 409),
    tag="studio",
)
def add_studio_pack_item(pack_id: uuid.UUID, data: dict) -> Response:
    studio_items.add_item(g.api_user.id, pack_id, _uuid(data["content_item_id"]))
    return jsonify(_pack_body(pack_id)), 201


@endpoint(
    "/studio/packs/<uuid:pack_id>/items/<uuid:item_id>",
    "DELETE",
    summary="Take a practice out of the pack (a published pack keeps at least two)",
    roles=("creator",),
    response=PACK,
    errors=(404, 409),
    tag="studio",
)
def remove_studio_pack_item(pack_id: uuid.UUID, item_id: uuid.UUID) -> Response:
    studio_items.remove_item(g.api_user.id, pack_id, item_id)
    return jsonify(_pack_body(pack_id))


@endpoint(
    "/studio/packs/<uuid:pack_id>/submit",
    "POST",
    summary="Submit a draft for review; 422 lists what it still needs",
    roles=("creator",),
    response=PACK,
    errors=(404, 409, 422),
    tag="studio",
)
def submit_studio_pack(pack_id: uuid.UUID) -> Response:
    pack_lifecycle.submit(g.api_user.id, pack_id)
    return jsonify(_pack_body(pack_id))


@endpoint(
    "/studio/packs/<uuid:pack_id>/archive",
    "POST",
    summary="Take a published pack off sale; everyone who has it keeps it",
    roles=("creator",),
    response=PACK,
    errors=(404, 409),
    tag="studio",
)
def archive_studio_pack(pack_id: uuid.UUID) -> Response:
    pack_lifecycle.archive(g.api_user.id, pack_id)
    return jsonify(_pack_body(pack_id))


@endpoint(
    "/studio/packs/<uuid:pack_id>/draft",
    "POST",
    summary="Back to draft from review (withdraw) or from archived, to change it and submit again",
    roles=("creator",),
    response=PACK,
    errors=(404, 409),
    tag="studio",
)
def studio_pack_to_draft(pack_id: uuid.UUID) -> Response:
    pack_lifecycle.back_to_draft(g.api_user.id, pack_id)
    return jsonify(_pack_body(pack_id))
