"""What the studio's pack pages share: the details form's values and the pack's workspace page."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from flask import current_app, request, url_for
from flask_login import current_user
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from app.htmx import render
from app.services import pack_lifecycle, studio, studio_images, studio_items, voices
from app.services.practice_spec import CONTENT_TYPES, PACES
from app.services.studio_fields import INTERVAL_LABELS, PRICE_LABELS, price_text

log = logging.getLogger(__name__)

FIELDS = ("title", "description", "tags", "price_type", "price_amount", "subscription_interval")


def analytics_url(endpoint: str = "studio.analytics", **args: Any) -> str | None:
    """A link to the analytics pages once they exist (None before, or when the arguments do not fit)."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **args)
    except BuildError:
        log.warning("analytics link %s could not be built with %s", endpoint, sorted(args))
        return None


def form_values(pack: Any = None, *, posted: bool = False) -> dict[str, Any]:
    """What the details form shows: the pack's values, or what was just typed."""
    if posted:
        return {name: request.form.get(name, "") for name in FIELDS}
    if pack is None:
        return {"price_type": "free"}
    return {
        "title": pack.title,
        "description": pack.description,
        "tags": ", ".join(pack.tags or []),
        "price_type": pack.price_type,
        "price_amount": price_text(pack.price_amount),
        "subscription_interval": pack.subscription_interval or "",
    }


def form_context() -> dict[str, Any]:
    return {"price_labels": PRICE_LABELS, "interval_labels": INTERVAL_LABELS}


def raw_fields() -> dict[str, Any]:
    """The details as posted (the interval only counts for a subscription)."""
    raw = {name: request.form.get(name, "") for name in FIELDS}
    if raw["price_type"] != "subscription":
        raw.pop("subscription_interval")
    return raw


def workspace(pack_id: uuid.UUID, *, status: int = 200, errors: dict | None = None, **extra: Any) -> Response:
    """The pack's page in the studio: its status and next step, details, practices and new practices."""
    pack = studio.owned_pack(current_user.id, pack_id)
    context = {
        "pack": pack,
        "items": studio_items.items(current_user.id, pack_id),
        "addable": studio_items.addable(current_user.id, pack_id),
        "missing": pack_lifecycle.missing(pack) if pack.status == "draft" else [],
        "labels": studio.STATUS_LABELS,
        "price_label": studio.price_label(pack),
        "cover_url": studio_images.signed_url(pack.cover_key),
        "values": form_values(pack, posted=bool(errors)),
        "errors": errors or {},
        "voices": voices.active_voices(),
        "content_types": CONTENT_TYPES,
        "paces": PACES,
        "editable": pack.status in studio.EDITABLE,
        "items_editable": pack.status in studio_items.ITEM_STATUSES,
        "analytics": analytics_url("studio.pack_analytics", pack_id=pack.id) if pack.published_at else None,
        "taken_down": (pack.meta or {}).get("taken_down"),
        **form_context(),
    }
    context.update(extra)
    return render("studio/pack.html", status=status, **context)
