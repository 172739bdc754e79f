"""Admin pages for accounts: search by email, a user's standing, roles, suspension, credit grants.

SECURITY.md 10, 22: admins only, every change audited (tests/blueprints/test_admin_pages.py).
"""

from __future__ import annotations

import uuid

from flask import flash, redirect, request, url_for
from werkzeug.wrappers import Response

from app.blueprints.admin import bp
from app.blueprints.admin.routes import actor, admin_required, form_flag, form_text, no_store, page_arg
from app.htmx import render
from app.models.user import ROLES
from app.services import ServiceError, admin_users


@bp.get("/users")
@admin_required
def users() -> Response:
    query = request.args.get("q", "")
    role = request.args.get("role", "") or None
    try:
        result = admin_users.search(query, page_arg(), role=role)
    except ServiceError as exc:
        return render(
            "admin/users.html",
            "admin/_user_results.html",
            status=exc.status,
            error=exc,
            query=query,
            role=role,
            roles=ROLES,
            result=None,
        )
    return no_store(
        render("admin/users.html", "admin/_user_results.html", query=query, role=role, roles=ROLES, result=result)
    )


def _user_page(user_id: uuid.UUID, *, status: int = 200, error: ServiceError | None = None) -> Response:
    if error is not None:
        flash(error.message, "error")
    detail = admin_users.detail(user_id, ledger_page=page_arg("ledger_page") if error is None else 1)
    return no_store(
        render(
            "admin/user.html",
            detail=detail,
            grant_key=admin_users.new_grant_key(),
            status=status,
            values=request.form if error is not None else {},
            field=error.field if error is not None else None,
        )
    )


@bp.get("/users/<uuid:user_id>")
@admin_required
def user(user_id: uuid.UUID) -> Response:
    return _user_page(user_id)


def _done(user_id: uuid.UUID, message: str) -> Response:
    flash(message, "success")
    return redirect(url_for("admin.user", user_id=user_id), code=303)


@bp.post("/users/<uuid:user_id>/roles")
@admin_required
def set_role(user_id: uuid.UUID) -> Response:
    role = form_text("role")
    enabled = form_flag("enabled")
    try:
        admin_users.set_role(user_id, role, enabled, actor())
    except ServiceError as exc:
        return _user_page(user_id, status=exc.status, error=exc)
    return _done(user_id, f"The {role} role is {'granted' if enabled else 'removed'}.")


@bp.post("/users/<uuid:user_id>/suspend")
@admin_required
def suspend(user_id: uuid.UUID) -> Response:
    try:
        admin_users.suspend(user_id, actor(), form_text("reason"))
    except ServiceError as exc:
        return _user_page(user_id, status=exc.status, error=exc)
    return _done(user_id, "The account is suspended: its sessions and API tokens have ended.")


@bp.post("/users/<uuid:user_id>/unsuspend")
@admin_required
def unsuspend(user_id: uuid.UUID) -> Response:
    try:
        admin_users.unsuspend(user_id, actor(), form_text("reason"))
    except ServiceError as exc:
        return _user_page(user_id, status=exc.status, error=exc)
    return _done(user_id, "The suspension is lifted; the account can log in again.")


@bp.post("/users/<uuid:user_id>/credits")
@admin_required
def grant_credits(user_id: uuid.UUID) -> Response:
    raw = form_text("amount").strip()
    try:
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 6:
            raise ServiceError(f"Grant a whole number of credits from 1 to {admin_users.MAX_GRANT}.", field="amount")
        row = admin_users.grant_credits(
            user_id, int(raw), form_text("reason"), actor(), idempotency_key=form_text("grant_key") or None
        )
    except ServiceError as exc:
        return _user_page(user_id, status=exc.status, error=exc)
    noun = "credit" if row.amount == 1 else "credits"
    return _done(user_id, f"{row.amount} {noun} granted; the balance is now {row.balance_after}.")
