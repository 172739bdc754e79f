"""The practices of a pack in the studio: add from the library, make a new one into it, remove, reorder.

Plain forms that return to the pack's page; up/down also work in place with htmx, and a practice
being made refreshes its own row every 2 s until it is ready.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.blueprints.studio import bp
from app.blueprints.studio.workspace import workspace
from app.extensions import limiter
from app.htmx import is_htmx_request, render
from app.permissions import roles_required
from app.rate_limits import setting, user_key
from app.services import ServiceError, studio, studio_items

creator_required = roles_required("creator")


def _back(pack_id: uuid.UUID) -> Response:
    return redirect(url_for("studio.pack", pack_id=pack_id) + "#practices", 303)


def _refused(pack_id: uuid.UUID, exc: ServiceError, **extra: Any) -> Response:
    """Show the pack's page saying why (another creator's pack or item stays a plain 404)."""
    if exc.status == 404:
        raise exc
    return workspace(pack_id, status=exc.status, **({"items_error": exc.message} | extra))


def _item_id(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@bp.post("/packs/<uuid:pack_id>/items")
@creator_required
def add_item(pack_id: uuid.UUID) -> Response:
    item_id = _item_id(request.form.get("content_item_id"))
    try:
        if item_id is None:
            studio.owned_pack(current_user.id, pack_id)
            raise ServiceError("Choose a practice from your library to add.", field="content_item_id")
        studio_items.add_item(current_user.id, pack_id, item_id)
    except ServiceError as exc:
        return _refused(pack_id, exc)
    flash("Added to the pack.", "success")
    return _back(pack_id)


@bp.post("/packs/<uuid:pack_id>/items/<uuid:item_id>/remove")
@creator_required
def remove_item(pack_id: uuid.UUID, item_id: uuid.UUID) -> Response:
    try:
        studio_items.remove_item(current_user.id, pack_id, item_id)
    except ServiceError as exc:
        return _refused(pack_id, exc)
    flash("Taken out of the pack; it is still in your library.", "success")
    return _back(pack_id)


@bp.post("/packs/<uuid:pack_id>/items/<uuid:item_id>/move")
@creator_required
def move_item(pack_id: uuid.UUID, item_id: uuid.UUID) -> Response:
    """One place up or down; with htmx the list is swapped in place (the page picks it out)."""
    try:
        studio_items.move_item(current_user.id, pack_id, item_id, request.form.get("direction", ""))
    except ServiceError as exc:
        return _refused(pack_id, exc)
    return _back(pack_id)


@bp.post("/packs/<uuid:pack_id>/items/order")
@creator_required
def reorder(pack_id: uuid.UUID) -> Response:
    """The whole order at once (drag and drop): `order` repeated, one practice id each."""
    order = [_item_id(value) for value in request.form.getlist("order")]
    try:
        if None in order:
            studio.owned_pack(current_user.id, pack_id)
            raise ServiceError("The order names a practice that is not in this pack.", field="order")
        studio_items.reorder(current_user.id, pack_id, [item for item in order if item is not None])
    except ServiceError as exc:
        return _refused(pack_id, exc)
    if is_htmx_request():
        return Response(status=204)
    return _back(pack_id)


@bp.post("/packs/<uuid:pack_id>/generate")
@creator_required
@limiter.limit(setting("RATELIMIT_GENERATE"), key_func=user_key)  # SECURITY.md 12
def generate(pack_id: uuid.UUID) -> Response:
    """Make a new practice straight into the pack, for one credit (402 says so and links to credits)."""
    form = request.form
    spec: dict[str, Any] = {
        "content_type": form.get("content_type") or None,
        "intent": form.get("intent", ""),
        "voice_id": form.get("voice_id") or None,
        "pace": form.get("pace") or None,
    }
    try:
        spec["duration_minutes"] = int(form.get("duration_minutes", ""))
    except ValueError:
        spec["duration_minutes"] = None
    try:
        studio_items.generate_into_pack(current_user._get_current_object(), pack_id, spec)
    except ServiceError as exc:
        return _refused(
            pack_id,
            exc,
            items_error=None,
            generate_error=exc.message,
            generate_values=form,
            generate_field=exc.field,
            no_credit=exc.status == 402,
        )
    flash("Your new practice is being made; it joins the pack when it is ready.", "success")
    return _back(pack_id)


@bp.get("/packs/<uuid:pack_id>/items/<uuid:item_id>/progress")
@creator_required
def item_progress(pack_id: uuid.UUID, item_id: uuid.UUID) -> Response:
    """A practice being made: its progress, polled every 2 s; once ready (or failed) its whole row takes its place."""
    row = studio_items.item(current_user.id, pack_id, item_id)
    if not is_htmx_request():
        return _back(pack_id)
    pack = studio.owned_pack(current_user.id, pack_id)
    if not row.ready and row.generation and row.generation["status"] != "failed":
        return render("studio/_item_progress.html", pack=pack, row=row)
    count = len(studio_items.items(current_user.id, pack_id))
    response = render(
        "studio/_pack_item.html",
        pack=pack,
        row=row,
        first=row.position == 0,
        last=row.position >= count - 1,
        items_editable=pack.status in studio_items.ITEM_STATUSES,
    )
    response.headers["HX-Retarget"] = f"#practice-{row.id}"
    response.headers["HX-Reswap"] = "outerHTML"
    return response
