"""The creator studio: the dashboard, a creator's packs from draft to published, and their preview.

Every view needs the creator role (SECURITY.md 10: tests/blueprints/test_studio_pages.py::
test_every_studio_route_needs_the_creator_role); every pack is looked up as the signed-in
creator's own, so another creator's id is a 404 (SECURITY.md 9:
tests/blueprints/test_studio_pages.py::test_another_creators_pack_is_not_found_on_any_studio_route).
Forms carry their CSRF token (SECURITY.md 15: tests/blueprints/test_studio_pages.py::
test_every_studio_form_needs_the_csrf_token).
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from flask import flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.blueprints.studio import bp
from app.blueprints.studio import pack_items as _pack_items  # noqa: F401  (registers the item views)
from app.blueprints.studio.workspace import analytics_url, form_context, form_values, raw_fields, workspace
from app.htmx import is_htmx_request, render
from app.permissions import roles_required
from app.services import ServiceError, creator_tokens, creators, notifications, pack_lifecycle, pack_pages, studio
from app.services.studio_fields import InvalidFields

creator_required = roles_required("creator")


@bp.get("")
@creator_required
def index() -> Response:
    summaries = studio.packs(current_user.id)
    return render(
        "studio/index.html",
        packs=summaries,
        counts=studio.status_counts(summaries),
        labels=studio.STATUS_LABELS,
        notes=notifications.for_user(current_user.id, limit=10),
        unread=notifications.unread_count(current_user.id),
        balance=creator_tokens.balance(current_user.id),
        analytics=analytics_url(),
        profile=creators.profile(current_user.id),
        avatar=creators.avatar_url(current_user.id),
    )


@bp.route("/packs/new", methods=["GET", "POST"])
@creator_required
def new_pack() -> Response:
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            pack = studio.create_pack(current_user.id, raw_fields(), cover=request.files.get("cover"))
        except InvalidFields as exc:
            errors = exc.errors
        else:
            flash("Your draft pack is saved. Now add its practices.", "success")
            return redirect(url_for("studio.pack", pack_id=pack.id) + "#practices", 303)
    return render(
        "studio/pack_new.html",
        status=422 if errors else 200,
        values=form_values(posted=request.method == "POST"),
        errors=errors,
        **form_context(),
    )


@bp.get("/packs/<uuid:pack_id>")
@creator_required
def pack(pack_id: uuid.UUID) -> Response:
    return workspace(pack_id)


@bp.post("/packs/<uuid:pack_id>")
@creator_required
def update_pack(pack_id: uuid.UUID) -> Response:
    try:
        studio.update_pack(
            current_user.id,
            pack_id,
            raw_fields(),
            cover=request.files.get("cover"),
            remove_cover=request.form.get("remove_cover") == "on",
        )
    except InvalidFields as exc:
        return workspace(pack_id, status=422, errors=exc.errors)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
        return redirect(url_for("studio.pack", pack_id=pack_id), 303)
    flash("Saved.", "success")
    return redirect(url_for("studio.pack", pack_id=pack_id) + "#details", 303)


def _transition(pack_id: uuid.UUID, action: Any, done: str) -> Response:
    """Run a lifecycle step; its refusal (what is missing, or why not now) shows on the pack's page."""
    try:
        action(current_user.id, pack_id)
    except pack_lifecycle.Incomplete:
        return workspace(pack_id, status=422, refusal="This pack is not ready for review yet: see below what it needs.")
    except ServiceError as exc:
        if exc.status == 404:
            raise
        return workspace(pack_id, status=exc.status, refusal=exc.message)
    flash(done, "success")
    return redirect(url_for("studio.pack", pack_id=pack_id), 303)


@bp.post("/packs/<uuid:pack_id>/submit")
@creator_required
def submit(pack_id: uuid.UUID) -> Response:
    return _transition(pack_id, pack_lifecycle.submit, "Submitted for review. You will find the decision here.")


@bp.post("/packs/<uuid:pack_id>/archive")
@creator_required
def archive(pack_id: uuid.UUID) -> Response:
    return _transition(
        pack_id, pack_lifecycle.archive, "Archived: it has left the marketplace, and everyone who has it keeps it."
    )


@bp.post("/packs/<uuid:pack_id>/draft")
@creator_required
def back_to_draft(pack_id: uuid.UUID) -> Response:
    return _transition(pack_id, pack_lifecycle.back_to_draft, "Back to draft: change it, then submit it again.")


@bp.route("/packs/<uuid:pack_id>/delete", methods=["GET", "POST"])
@creator_required
def delete_pack(pack_id: uuid.UUID) -> Response:
    """A confirm page, then the deletion of a draft (its practices stay in the library)."""
    pack = studio.owned_pack(current_user.id, pack_id)
    if request.method == "GET":
        return render("studio/pack_delete.html", pack=pack)
    title = pack.title
    try:
        studio.delete_pack(current_user.id, pack_id)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        return workspace(pack_id, status=exc.status, refusal=exc.message)
    flash(f"Deleted the draft “{title}”. Its practices are still in your library.", "success")
    return redirect(url_for("studio.index"), 303)


@bp.get("/packs/<uuid:pack_id>/preview")
@creator_required
def preview(pack_id: uuid.UUID) -> Response:
    """The pack's marketplace page exactly as a buyer would see it, whatever its status."""
    pack = studio.owned_pack(current_user.id, pack_id)
    view = pack_pages.pack_page(pack.id, current_user.id)
    as_buyer = dataclasses.replace(view, standing="buyable", card=dataclasses.replace(view.card, status="published"))
    return render("studio/preview.html", view=as_buyer, pack=pack, labels=studio.STATUS_LABELS)


@bp.post("/notifications/<uuid:notification_id>/read")
@creator_required
def read_notification(notification_id: uuid.UUID) -> Response:
    notifications.mark_read(current_user.id, notification_id)
    return _notifications_answer()


@bp.post("/notifications/read")
@creator_required
def read_all_notifications() -> Response:
    notifications.mark_all_read(current_user.id)
    return _notifications_answer()


def _notifications_answer() -> Response:
    if is_htmx_request():
        return render(
            "studio/_notifications.html",
            notes=notifications.for_user(current_user.id, limit=10),
            unread=notifications.unread_count(current_user.id),
        )
    return redirect(url_for("studio.index") + "#notifications", 303)
