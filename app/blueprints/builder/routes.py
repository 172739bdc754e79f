"""The builder chat page: the same conversation service as the API, over HTML forms and htmx.
The same turns also travel over the WebSocket door (`socket.py`) when the page has one open."""

from __future__ import annotations

import uuid

from flask import flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.blueprints.builder import bp
from app.blueprints.builder.present import message_text, player, turn_context
from app.extensions import limiter
from app.htmx import is_htmx_request, render
from app.permissions import login_required
from app.rate_limits import setting, user_key
from app.services import ServiceError, conversations, generation
from app.services.conversations import Turn
from app.services.credits import InsufficientCredits


@bp.get("/create")
@login_required
def create() -> Response:
    return render("builder/create.html", **turn_context(conversations.resume(current_user)))


@bp.post("/create/messages")
@login_required
@limiter.limit(setting("RATELIMIT_BUILDER"), key_func=user_key)  # SECURITY.md 12
def send() -> Response:
    conversation_id = request.form.get("conversation_id", "")
    try:
        turn = conversations.send(current_user, conversation_id, message_text(request.form))
    except InsufficientCredits as exc:
        return _no_credit(conversation_id, exc)
    except ServiceError as exc:
        return _refused(exc.message)
    return _turn(turn)


@bp.post("/create/confirm")
@login_required
def confirm() -> Response:
    conversation_id = request.form.get("conversation_id", "")
    try:
        turn = conversations.confirm(current_user, conversation_id)
    except InsufficientCredits as exc:
        return _no_credit(conversation_id, exc)
    except ServiceError as exc:
        return _refused(exc.message)
    return _turn(turn)


def _turn(turn: Turn) -> Response:
    if is_htmx_request():
        return render("builder/_turn.html", **turn_context(turn))
    if turn.notice:
        flash(turn.notice, "info")
    return redirect(url_for("builder.create"))


def _refused(message: str) -> Response:
    """A message that changed nothing: say why beside the chat (a flash without htmx)."""
    if is_htmx_request():
        response = render("builder/_notice.html", notice=message, oob=True)
        response.headers["HX-Reswap"] = "none"
        return response
    flash(message, "error")
    return redirect(url_for("builder.create"))


def _no_credit(conversation_id: str, exc: InsufficientCredits) -> Response:
    """Explain that a credit is needed; the conversation stays at Confirm."""
    turn = conversations.show(current_user, conversation_id)
    if is_htmx_request():
        response = render("builder/_no_credit.html", error=exc)
        response.headers["HX-Retarget"] = "#status-area"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    return render("builder/create.html", **turn_context(turn), error=exc, status=402)


@bp.post("/create/new")
@login_required
def new() -> Response:
    conversations.start(current_user)
    return redirect(url_for("builder.create"))


@bp.get("/create/progress/<uuid:ritual_id>")
@login_required
def progress(ritual_id: uuid.UUID) -> Response:
    """The generation's progress; the page polls it when no socket pushes it."""
    job = generation.job_for_item(ritual_id, current_user.id)  # someone else's: 404
    return render("builder/_progress.html", "builder/_progress.html", job=job, player=player(job))


@bp.get("/create/history")
@login_required
def history() -> Response:
    return render("builder/history.html", rows=conversations.history(current_user))
