"""Marketplace pages. Browsing is open to everyone; getting or buying a pack needs a login.

The search box answers as you type (htmx, debounced) and the same URL is a plain GET page.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from flask import flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.blueprints.marketplace import bp
from app.htmx import is_htmx_request, render
from app.models.content import CONTENT_TYPES, DEPTHS
from app.permissions import login_required
from app.services import ServiceError, catalog_search, checkout, pack_pages
from app.urls import public_base_url

log = logging.getLogger(__name__)

SORT_LABELS = [
    ("relevance", "Best match"),
    ("popular", "Most popular"),
    ("newest", "Newest"),
    ("price", "Price, low to high"),
]
PRICE_LABELS = [("free", "Free"), ("one_time", "One-time"), ("subscription", "Subscription")]
TOPICS = ["sleep", "focus", "anxiety", "morning", "gratitude", "stress", "confidence", "evening"]
FILTER_ARGS = ("q", "type", "price", "depth", "tag", "min_minutes", "max_minutes", "sort")


def _viewer_id() -> uuid.UUID | None:
    return current_user.id if current_user.is_authenticated else None


def _form_context() -> dict[str, Any]:
    return {
        "sorts": SORT_LABELS,
        "prices": PRICE_LABELS,
        "content_types": CONTENT_TYPES,
        "depths": DEPTHS,
        "topics": TOPICS,
        "args": request.args,
        "page_args": _page_args(),
    }


def _page_args() -> dict[str, str]:
    """The search as it was asked, leaving out what is empty or the default."""
    args = {name: request.args[name].strip() for name in FILTER_ARGS if request.args.get(name, "").strip()}
    if args.get("sort") == "relevance":
        del args["sort"]
    return args


@bp.get("")
def index() -> Response:
    context = _form_context()
    try:
        query = catalog_search.parse_query(request.args)
    except ServiceError as exc:
        return render("marketplace/index.html", "marketplace/_results.html", status=400, error=exc, **context)
    page = catalog_search.search(query)
    owned = pack_pages.owned_pack_ids(_viewer_id())
    response = render(
        "marketplace/index.html", "marketplace/_results.html", page=page, query=query, owned_ids=owned, **context
    )
    if is_htmx_request():  # the address bar shows the search without its empty fields
        extra = {"page": query.page} if query.page > 1 else {}
        response.headers["HX-Push-Url"] = url_for("marketplace.index", **context["page_args"], **extra)
    return response


@bp.get("/packs/<uuid:pack_id>")
def pack(pack_id: uuid.UUID) -> Response:
    view = pack_pages.pack_page(pack_id, _viewer_id())
    return render("marketplace/pack.html", view=view)


@bp.post("/packs/<uuid:pack_id>/get")
@login_required
def get_pack(pack_id: uuid.UUID) -> Response:
    """Free: into the library at once. Paid: off to Checkout (or the simulated one, offline)."""
    try:
        started = checkout.start_pack(
            current_user.id,
            pack_id,
            base_url=public_base_url(),
            return_path=url_for("marketplace.pack", pack_id=pack_id),
        )
    except ServiceError as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
        return redirect(url_for("marketplace.pack", pack_id=pack_id))
    if started.checkout_url:
        return redirect(started.checkout_url, code=303)
    flash("It's in your library now.", "success")
    return redirect(url_for("library.index", source="pack"), code=303)


@bp.app_template_filter("object_url")
def object_url(key: str) -> str:
    """A signed, expiring URL for a stored object (an uploaded pack cover)."""
    from flask import current_app

    from app.providers.storage import get_storage

    return get_storage().signed_url(key, current_app.config["SIGNED_URL_SECONDS"]).url
