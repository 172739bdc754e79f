"""JSON API: buying packs and credit bundles (Stripe Checkout), the purchase history and canceling a
subscription."""

from __future__ import annotations

import uuid
from typing import Any

from flask import g, jsonify
from werkzeug.wrappers import Response

from app.blueprints.api.routes import PAGE_PARAMS, int_arg, paged_body
from app.blueprints.api.spec import endpoint
from app.models.types import as_utc
from app.services import buyer_subscriptions, checkout, purchases
from app.services.credits import MAX_PAGE
from app.urls import public_base_url

CHECKOUT = {
    "type": "object",
    "properties": {
        "checkout_url": {
            "type": ["string", "null"],
            "description": "where to send the buyer to pay; null when nothing is to pay (a free pack)",
        },
        "entitled": {"type": "boolean", "description": "true when the pack is in the library already (free)"},
        "purchase_id": {"type": ["string", "null"], "format": "uuid"},
    },
}
CREDITS_BODY = {
    "type": "object",
    "required": ["bundle"],
    "additionalProperties": False,
    "properties": {
        "bundle": {"type": "integer", "minimum": 1, "description": "how many credits: one of the bundles on sale"},
    },
}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
PURCHASE = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "kind": {"enum": ["pack", "subscription", "credits"]},
        "status": {"enum": ["pending", "paid", "failed", "refunded", "canceled"]},
        "amount": {"type": "integer", "description": "minor units (cents)"},
        "currency": {"type": "string"},
        "pack": {
            "type": ["object", "null"],
            "properties": {"id": {"type": "string", "format": "uuid"}, "title": {"type": ["string", "null"]}},
        },
        "credits": {"type": ["integer", "null"], "description": "the bundle, for credit purchases"},
        "created_at": {"type": "string", "format": "date-time"},
        "fulfilled_at": NULLABLE_TIME,
    },
}


def _start_json(start: checkout.CheckoutStart) -> dict[str, Any]:
    return {
        "checkout_url": start.checkout_url,
        "entitled": start.entitlement_granted,
        "purchase_id": str(start.purchase_id) if start.purchase_id else None,
    }


def _iso(value: Any) -> str | None:
    value = as_utc(value)
    return value.isoformat() if value else None


def purchase_json(row: purchases.PurchaseRow) -> dict[str, Any]:
    p = row.purchase
    bundle = (p.meta or {}).get("bundle") if p.kind == "credits" else None
    return {
        "id": str(p.id),
        "kind": p.kind,
        "status": p.status,
        "amount": p.amount,
        "currency": p.currency,
        "pack": {"id": str(p.pack_id), "title": row.pack_title} if p.pack_id else None,
        "credits": bundle if isinstance(bundle, int) else None,
        "created_at": _iso(p.created_at),
        "fulfilled_at": _iso(p.fulfilled_at),
    }


@endpoint(
    "/packs/<uuid:pack_id>/checkout",
    "POST",
    summary="Buy a pack: a Checkout URL to pay at, or (a free pack) the pack added to your library",
    response=CHECKOUT,
    status=201,
    errors=(404, 409, 503),
    tag="payments",
)
def pack_checkout(pack_id: uuid.UUID) -> tuple[Response, int]:
    start = checkout.start_pack(g.api_user_id, pack_id, base_url=public_base_url())
    return jsonify(_start_json(start)), 201


@endpoint(
    "/credits/checkout",
    "POST",
    summary="Buy a credit bundle: a Checkout URL to pay at",
    body=CREDITS_BODY,
    response=CHECKOUT,
    status=201,
    errors=(503,),
    tag="payments",
)
def credits_checkout(data: dict[str, Any]) -> tuple[Response, int]:
    start = checkout.start_credits(g.api_user_id, data["bundle"], base_url=public_base_url())
    return jsonify(_start_json(start)), 201


@endpoint(
    "/me/purchases",
    "GET",
    summary="Your purchases, newest first",
    query=PAGE_PARAMS,
    response={
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": PURCHASE},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
            "pages": {"type": "integer"},
        },
    },
    errors=(422,),
    tag="account",
)
def my_purchases() -> Response:
    page = int_arg("page", 1, maximum=MAX_PAGE)
    per_page = int_arg("per_page", 20, maximum=100)
    result = purchases.list_for(g.api_user.id, page=page, per_page=per_page)
    return jsonify(paged_body(result, purchase_json))


@endpoint(
    "/me/subscriptions/<uuid:purchase_id>/cancel",
    "POST",
    summary="Cancel your subscription at the end of the period paid for; access lasts until `ends_at`",
    response={
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid", "description": "the subscription's purchase"},
            "status": {"enum": ["pending", "paid", "failed", "refunded", "canceled"]},
            "cancel_at_period_end": {"type": "boolean"},
            "ends_at": {**NULLABLE_TIME, "description": "when access ends (the end of the period paid for)"},
        },
    },
    errors=(404, 409, 503),
    tag="account",
)
def cancel_my_subscription(purchase_id: uuid.UUID) -> Response:
    purchase = buyer_subscriptions.cancel_by_buyer(g.api_user.id, purchase_id)
    return jsonify(
        id=str(purchase.id),
        status=purchase.status,
        cancel_at_period_end=bool((purchase.meta or {}).get("cancel_at_period_end")),
        ends_at=_iso(buyer_subscriptions.access_until(purchase)),
    )
