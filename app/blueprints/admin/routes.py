"""Admin dashboard and the moderation queue: packs in review, reports, payout requests.

Every view needs the admin role (SECURITY.md 10: tests/blueprints/test_admin_pages.py::test_role_matrix);
every form carries its CSRF token
(SECURITY.md 15: tests/blueprints/test_admin_pages.py::test_forms_need_the_csrf_token).
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from flask import flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.blueprints.admin import bp
from app.htmx import render
from app.models import User
from app.permissions import roles_required
from app.services import ServiceError, admin_jobs, admin_moderation, pack_lifecycle, payouts

log = logging.getLogger(__name__)

admin_required = roles_required("admin")


@bp.app_template_filter("admin_json")
def admin_json(value: Any) -> str:
    """Audit before/after as indented JSON text, autoescaped like any other text
    (SECURITY.md 18: tests/blueprints/test_admin_pages.py::test_user_text_is_inert_on_every_admin_page)."""
    if value is None:
        return "—"
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


def actor() -> User:
    """The signed-in admin, as the services record them."""
    return current_user._get_current_object()


def no_store(response: Response) -> Response:
    """Pages holding signed URLs or personal data are never kept by caches
    (SECURITY.md 20: tests/blueprints/test_admin_pages.py::test_the_queue_shows_what_an_admin_needs_to_decide)."""
    response.headers["Cache-Control"] = "no-store"
    return response


def form_text(name: str) -> str:
    return request.form.get(name, "")


def form_flag(name: str) -> bool:
    return request.form.get(name) in ("1", "on", "true", "yes")


def page_arg(name: str = "page") -> int:
    """A page number from the query string, or ServiceError (422) naming it."""
    raw = request.args.get(name, "1").strip() or "1"
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 7 or not 1 <= int(raw) <= 1_000_000:
        raise ServiceError("Page must be a whole number from 1.", field=name)
    return int(raw)


@bp.get("/")
@admin_required
def index() -> Response:
    return no_store(
        render(
            "admin/index.html",
            counts=admin_jobs.dashboard_counts(),
            caches=admin_jobs.cache_rates(),
            queues=admin_jobs.queue_lengths(),
        )
    )


def _queue_page(*, status: int = 200, error: ServiceError | None = None, failed: str | None = None) -> Response:
    """The moderation page; after a refused decision, with its message beside the form it came from."""
    if error is not None:
        flash(error.message, "error")
    return no_store(
        render(
            "admin/moderation.html",
            queue=admin_moderation.queue(),
            status=status,
            failed=failed,
            values=request.form if error is not None else {},
        )
    )


@bp.get("/moderation")
@admin_required
def moderation() -> Response:
    return _queue_page()


def _decided(message: str, anchor: str = "") -> Response:
    flash(message, "success")
    return redirect(url_for("admin.moderation") + anchor, code=303)


@bp.post("/moderation/packs/<uuid:pack_id>/approve")
@admin_required
def approve_pack(pack_id: uuid.UUID) -> Response:
    try:
        pack = pack_lifecycle.approve(pack_id, actor())
    except ServiceError as exc:
        return _queue_page(status=exc.status, error=exc, failed=f"pack-{pack_id}")
    return _decided(f"“{pack.title}” is published.", "#packs")


@bp.post("/moderation/packs/<uuid:pack_id>/reject")
@admin_required
def reject_pack(pack_id: uuid.UUID) -> Response:
    try:
        reason = admin_moderation.reason_text(form_text("reason"), what="the rejection")
        pack = pack_lifecycle.reject(pack_id, actor(), reason)
    except ServiceError as exc:
        return _queue_page(status=exc.status, error=exc, failed=f"pack-{pack_id}")
    return _decided(f"“{pack.title}” went back to its creator as a draft, with your reason.", "#packs")


@bp.post("/moderation/reports/<uuid:report_id>/dismiss")
@admin_required
def dismiss_report(report_id: uuid.UUID) -> Response:
    try:
        count = admin_moderation.dismiss(report_id, actor())
    except ServiceError as exc:
        return _queue_page(status=exc.status, error=exc, failed=f"report-{report_id}")
    return _decided("Report dismissed." if count == 1 else f"{count} reports dismissed.", "#reports")


@bp.post("/moderation/reports/<uuid:report_id>/hide-review")
@admin_required
def hide_review(report_id: uuid.UUID) -> Response:
    try:
        admin_moderation.hide_review(report_id, actor(), form_text("reason"))
    except ServiceError as exc:
        return _queue_page(status=exc.status, error=exc, failed=f"report-{report_id}")
    return _decided("The review is hidden.", "#reports")


@bp.post("/moderation/reports/<uuid:report_id>/take-down")
@admin_required
def take_down(report_id: uuid.UUID) -> Response:
    revoke = form_flag("revoke_access")
    try:
        admin_moderation.take_down(report_id, actor(), form_text("reason"), revoke_access=revoke)
    except ServiceError as exc:
        return _queue_page(status=exc.status, error=exc, failed=f"report-{report_id}")
    extra = " Buyers' access was revoked." if revoke else " Buyers keep their access."
    return _decided("The pack is taken down and gone from the catalog." + extra, "#reports")


@bp.post("/moderation/payouts/<uuid:request_id>/approve")
@admin_required
def approve_payout(request_id: uuid.UUID) -> Response:
    try:
        payouts.approve(request_id, actor())
    except ServiceError as exc:
        return _queue_page(status=exc.status, error=exc, failed=f"payout-{request_id}")
    return _decided("Payout approved; the tokens are debited.", "#payouts")


@bp.post("/moderation/payouts/<uuid:request_id>/reject")
@admin_required
def reject_payout(request_id: uuid.UUID) -> Response:
    try:
        reason = admin_moderation.reason_text(form_text("reason"), what="rejecting the payout")
        payouts.reject(request_id, actor(), reason)
    except ServiceError as exc:
        return _queue_page(status=exc.status, error=exc, failed=f"payout-{request_id}")
    return _decided("Payout rejected; the creator sees your reason.", "#payouts")
