"""JSON API: the marketplace catalog — search published packs and read one."""

from __future__ import annotations

import uuid

from flask import jsonify, request
from werkzeug.wrappers import Response

from app.blueprints.api.spec import endpoint
from app.models.content import CONTENT_TYPES, DEPTHS
from app.models.marketplace import PRICE_TYPES
from app.providers.search import SORTS
from app.services import catalog_search, pack_pages

PRICE = {
    "type": "object",
    "properties": {
        "type": {"enum": list(PRICE_TYPES)},
        "amount": {"type": "integer", "description": "minor units (cents); 0 when free"},
        "currency": {"type": "string"},
        "interval": {"enum": ["monthly", "annual", None]},
        "label": {"type": "string", "description": "e.g. $4.99 / month"},
    },
}
PACK = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "creator": {
            "type": "object",
            "properties": {"id": {"type": "string", "format": "uuid"}, "name": {"type": "string"}},
        },
        "price": PRICE,
        "item_count": {"type": "integer"},
        "total_duration": {"type": "number", "description": "seconds, every item"},
        "content_types": {"type": "array", "items": {"enum": list(CONTENT_TYPES)}},
        "depths": {"type": "array", "items": {"enum": list(DEPTHS)}},
        "popularity": {"type": "integer", "description": "listeners who hold it"},
        "rating": {"type": ["number", "null"], "description": "average of the visible reviews, 1–5; null without any"},
        "review_count": {"type": "integer", "description": "visible reviews"},
        "published_at": {"type": ["string", "null"], "format": "date-time"},
    },
}
PACK_LIST = {
    "type": "object",
    "properties": {
        "items": {"type": "array", "items": PACK},
        "page": {"type": "integer"},
        "per_page": {"type": "integer"},
        "total": {"type": "integer"},
        "pages": {"type": "integer"},
        "has_next": {"type": "boolean"},
        "suggestion": {"type": ["string", "null"], "description": "a corrected query when a word looks misspelt"},
    },
}
PACK_DETAIL = {
    "type": "object",
    "properties": {
        **PACK["properties"],
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "title": {"type": "string"},
                    "content_type": {"enum": list(CONTENT_TYPES)},
                    "duration": {"type": "number"},
                    "depth": {"type": ["string", "null"]},
                    "preview_url": {"type": ["string", "null"], "description": "signed 30-second preview"},
                },
            },
        },
        "creator_bio": {"type": "string"},
    },
}
PACK_PARAMS = [
    {"name": "q", "in": "query", "description": "words to search for", "schema": {"type": "string", "maxLength": 200}},
    {"name": "type", "in": "query", "schema": {"enum": list(CONTENT_TYPES)}},
    {"name": "price", "in": "query", "schema": {"enum": list(PRICE_TYPES)}},
    {"name": "depth", "in": "query", "schema": {"enum": list(DEPTHS)}},
    {"name": "tag", "in": "query", "schema": {"type": "string", "maxLength": 60}},
    {"name": "min_minutes", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 600}},
    {"name": "max_minutes", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 600}},
    {"name": "sort", "in": "query", "schema": {"enum": list(SORTS), "default": "relevance"}},
    {
        "name": "page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": catalog_search.MAX_PAGE, "default": 1},
    },
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": catalog_search.MAX_PER_PAGE, "default": 12},
    },
]


@endpoint(
    "/packs",
    "GET",
    summary="Search the published packs (words, filters, sort, page)",
    auth=False,
    query=PACK_PARAMS,
    response=PACK_LIST,
    errors=(422,),
    tag="marketplace",
)
def list_packs() -> Response:
    page = catalog_search.search(catalog_search.parse_query(request.args))
    return jsonify(
        items=[card.to_json() for card in page.cards],
        page=page.page,
        per_page=page.per_page,
        total=page.total,
        pages=page.pages,
        has_next=page.has_next,
        suggestion=page.suggestion,
    )


@endpoint(
    "/packs/<uuid:pack_id>",
    "GET",
    summary="A published pack with its practices and their previews",
    auth=False,
    response=PACK_DETAIL,
    errors=(404,),
    tag="marketplace",
)
def get_pack(pack_id: uuid.UUID) -> Response:
    view = pack_pages.pack_page(pack_id, None)
    items = [
        {
            "id": str(item.id),
            "title": item.title,
            "content_type": item.content_type,
            "duration": item.duration,
            "depth": item.depth,
            "preview_url": item.preview_url,
        }
        for item in view.items
    ]
    return jsonify(**view.card.to_json(), items=items, creator_bio=view.creator_bio)
