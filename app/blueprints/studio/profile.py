"""The creator's public profile: the name on their packs, a short bio and an avatar."""

from __future__ import annotations

import uuid

from flask import flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.blueprints.studio import bp
from app.htmx import render
from app.permissions import roles_required
from app.services import creators
from app.services.creators import MAX_BIO, MAX_DISPLAY_NAME
from app.services.studio_fields import InvalidFields


@bp.route("/profile", methods=["GET", "POST"])
@roles_required("creator")
def profile() -> Response:
    """Edit the profile; bad input names every field at fault and changes nothing (422)."""
    row = creators.profile(current_user.id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if row is None:  # a creator made by an admin, before accepting the terms
            return redirect(url_for("account.become_creator"), 303)
        try:
            creators.update_profile(
                current_user.id,
                request.form.get("display_name", ""),
                request.form.get("bio", ""),
                request.files.get("avatar"),
                remove_avatar=request.form.get("remove_avatar") == "on",
            )
        except InvalidFields as exc:
            errors = exc.errors
        else:
            flash("Your profile is saved.", "success")
            return redirect(url_for("studio.profile"), 303)
    values = (
        {"display_name": request.form.get("display_name", ""), "bio": request.form.get("bio", "")}
        if errors
        else {"display_name": row.display_name if row else "", "bio": row.bio if row else ""}
    )
    return render(
        "studio/profile.html",
        status=422 if errors else 200,
        profile=row,
        values=values,
        errors=errors,
        avatar=creators.avatar_url(current_user.id),
        max_name=MAX_DISPLAY_NAME,
        max_bio=MAX_BIO,
    )


@bp.app_template_global("creator_avatar_url")
def creator_avatar_url(user_id: uuid.UUID) -> str | None:
    """A signed URL for a creator's avatar (for pack pages' creator cards), or None."""
    return creators.avatar_url(user_id)


@bp.app_template_global("creator_default_name")
def creator_default_name(email: str) -> str:
    """The display name a new creator starts with (the account page's form)."""
    return creators.default_display_name(email)
