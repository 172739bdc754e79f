"""The builder chat page: the same conversation service as the API, over HTML forms and htmx."""

from __future__ import annotations

import uuid

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.blueprints.builder import bp
from app.extensions import db, limiter
from app.htmx import is_htmx_request, render
from app.models import ContentItem
from app.permissions import login_required
from app.providers.storage import get_storage
from app.services import ServiceError, conversations, generation
from app.services.conversations import Turn
from app.services.credits import InsufficientCredits


def _builder_limit() -> str:
    return current_app.config["RATELIMIT_BUILDER"]


def _user_key() -> str:
    return f"user:{current_user.get_id()}"


def _page(turn: Turn, *, status: int = 200) -> Response:
    return render("builder/create.html", turn=turn, player=_player(turn), status=status)


def _player(turn: Turn) -> dict | None:
    """A signed URL for the finished practice, when there is one."""
    if turn.job is None or turn.job.status != "ready":
        return None
    item = db.session.get(ContentItem, turn.job.content_item_id)
    if item is None or not item.audio_url:
        return None
    signed = get_storage().signed_url(item.audio_url, current_app.config["SIGNED_URL_SECONDS"])
    return {"item": item, "url": signed.url}


@bp.get("/create")
@login_required
def create() -> Response:
    turn = conversations.resume(current_user)
    if turn.notice:
        flash(turn.notice, "info")
    return _page(turn)


@bp.post("/create/messages")
@login_required
@limiter.limit(_builder_limit, key_func=_user_key)  # SECURITY.md 12
def send() -> Response:
    conversation_id = request.form.get("conversation_id", "")
    text = request.form.get("text", "")
    try:
        turn = conversations.send(current_user, conversation_id, text)
    except InsufficientCredits as exc:
        return _no_credit(conversation_id, exc)
    if is_htmx_request():
        return render("builder/_turn.html", turn=turn, player=_player(turn))
    return redirect(url_for("builder.create"))


@bp.post("/create/confirm")
@login_required
def confirm() -> Response:
    conversation_id = request.form.get("conversation_id", "")
    try:
        turn = conversations.confirm(current_user, conversation_id)
    except InsufficientCredits as exc:
        return _no_credit(conversation_id, exc)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("builder.create"))
    if is_htmx_request():
        return render("builder/_turn.html", turn=turn, player=_player(turn))
    return redirect(url_for("builder.create"))


def _no_credit(conversation_id: str, exc: InsufficientCredits) -> Response:
    """Explain that a credit is needed; the conversation stays at Confirm."""
    turn = conversations.show(current_user, conversation_id)
    if is_htmx_request():
        response = render("builder/_no_credit.html", error=exc)
        response.headers["HX-Retarget"] = "#status-area"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    return render("builder/create.html", turn=turn, player=None, error=exc, status=402)


@bp.post("/create/new")
@login_required
def new() -> Response:
    conversations.start(current_user)
    return redirect(url_for("builder.create"))


@bp.get("/create/progress/<uuid:ritual_id>")
@login_required
def progress(ritual_id: uuid.UUID) -> Response:
    """The generation's progress; htmx polls it until the practice is ready to play."""
    job = generation.job_for_item(ritual_id, current_user.id)  # someone else's: 404
    item = db.session.get(ContentItem, ritual_id)
    player = None
    if job.status == "ready" and item is not None and item.audio_url:
        player = {
            "item": item,
            "url": get_storage().signed_url(item.audio_url, current_app.config["SIGNED_URL_SECONDS"]).url,
        }
    return render("builder/_progress.html", "builder/_progress.html", job=job, player=player)


@bp.get("/create/history")
@login_required
def history() -> Response:
    return render("builder/history.html", rows=conversations.history(current_user))
