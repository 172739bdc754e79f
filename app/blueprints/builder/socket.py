"""The builder's WebSocket door, `/builder/ws`: the same conversation service as the forms.

A message is what the htmx ws extension sends for a form (its fields as JSON, plus `HEADERS`);
a reply is HTML whose top-level elements carry ids (transcript, notice, chips, spec card, status,
composer) and are swapped out of band. While a practice is being made the socket pushes its
progress until it is ready. The handshake is refused unless the browser is logged in and the `Origin` is this site
(SECURITY.md 19); turns are rate limited like the HTTP door's, and messages capped (SECURITY.md 12).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import abort, current_app, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from limits import parse_many
from simple_websocket import Server
from simple_websocket.ws import Base
from wtforms import ValidationError

from app.blueprints.builder import bp
from app.blueprints.builder.present import message_text, turn_context
from app.extensions import db, limiter, sock
from app.models import User
from app.services import ServiceError, auth_sessions, conversations
from app.services.conversations import Turn
from app.services.credits import InsufficientCredits

log = logging.getLogger(__name__)

WATCH_SECONDS = 1.0  # how often a running generation's progress is checked while the socket is open
IDLE_SECONDS = 30.0  # how often an idle socket re-checks that its login is still valid
MAX_FRAME = 16 * 1024  # characters; a chat message is at most 2,000, the rest is form fields
POLICY_VIOLATION, MESSAGE_TOO_BIG = 1008, 1009  # WebSocket close codes
CLOSE_WAIT_SECONDS = 2.0


@bp.before_request
def _guard_handshake() -> None:
    """Refuse the upgrade before it happens: anonymous → 401, another site's page → 403."""
    if request.endpoint != "builder.socket":
        return
    if not current_user.is_authenticated:
        log.info("builder socket refused: not logged in (origin %r)", request.headers.get("Origin"))
        abort(401)
    if not same_origin(request.headers.get("Origin"), request.host):
        log.warning("builder socket refused for user %s: origin %r is not %s",
                    current_user.get_id(), request.headers.get("Origin"), request.host)
        abort(403)


def same_origin(origin: str | None, host: str) -> bool:
    """Whether a WebSocket handshake's Origin names this site (flask-sock does not check it)."""
    if not origin:
        return False
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower()


@dataclass
class Connection:
    """One open socket: whose it is, which conversation it shows, and the generation it watches."""

    user_id: uuid.UUID
    sid: str | None
    conversation_id: str
    watching: tuple[str, int] | None = None  # (status, progress) last pushed for a running job

    def user(self) -> User | None:
        """The user, re-read per turn; None once their login has ended (logout, password change)."""
        if not auth_sessions.is_valid(self.sid, str(self.user_id)):
            return None
        user = db.session.get(User, self.user_id)
        return user if user is not None and user.is_active else None


@sock.route("/builder/ws", bp=bp, endpoint="socket")
def socket(ws: Server) -> None:
    conn = Connection(current_user.id, session.get("sid"), request.args.get("conversation_id", ""))
    log.info("builder socket opened for user %s", conn.user_id)
    try:
        _serve(ws, conn)
    finally:
        db.session.remove()
        log.info("builder socket closed for user %s", conn.user_id)


def _serve(ws: Server, conn: Connection) -> None:
    user = conn.user()
    if conn.conversation_id and user is not None:
        _push_progress(ws, conn, user)  # take over from the page's polling at once
    db.session.remove()  # an idle socket holds no database connection
    while True:
        raw = ws.receive(timeout=WATCH_SECONDS if conn.watching else IDLE_SECONDS)
        user = conn.user()
        if user is None:
            _close(ws, POLICY_VIOLATION, "Your session has ended; please log in again.")
            return
        if raw is None:
            if conn.watching:
                _push_progress(ws, conn, user)
        elif len(raw) > MAX_FRAME:
            log.warning("builder socket closed for user %s: a %d-character message", conn.user_id, len(raw))
            _close(ws, MESSAGE_TOO_BIG, "That message is far too long.")
            return
        else:
            ws.send(_answer(conn, user, raw))
        db.session.remove()


def _close(ws: Server, code: int, reason: str) -> None:
    """Send the close frame and wait for the browser's answer before the socket goes: simple-websocket's
    `Server.close` shuts the socket at once, and the reset that follows can swallow the frame."""
    Base.close(ws, code, reason)
    ws.thread.join(timeout=CLOSE_WAIT_SECONDS)


def _answer(conn: Connection, user: User, raw: str | bytes) -> str:
    """The HTML for one incoming message: the next turn, or a notice saying why nothing changed."""
    try:
        data = json.loads(raw)
    except (TypeError, ValueError):
        data = None
    if not isinstance(data, dict):
        return _notice("That message could not be read. Please type it again.")
    try:
        validate_csrf(data.get("csrf_token"))
    except ValidationError:
        return _notice("This page has expired. Please reload it and try again.")
    wait = _rate_limited(user)
    if wait is not None:
        return _notice(f"That's a lot of messages at once. Please wait {wait} seconds and try again.")
    conn.conversation_id = str(data.get("conversation_id") or conn.conversation_id)
    try:
        text = message_text(data)
        turn = (
            conversations.confirm(user, conn.conversation_id)
            if data.get("action") == "confirm"
            else conversations.send(user, conn.conversation_id, text)
        )
    except InsufficientCredits as exc:
        return _render_turn(conversations.show(user, conn.conversation_id), error=exc)
    except ServiceError as exc:
        return _notice(exc.message)
    _watch(conn, turn)
    return _render_turn(turn)


def _rate_limited(user: User) -> int | None:
    """Seconds to wait when this turn is over the builder's limit, else None (and the turn is counted)."""
    items = parse_many(current_app.config["RATELIMIT_BUILDER"])
    key = f"user:{user.id}"
    for item in items:
        if not limiter.limiter.hit(item, "builder-socket", key):
            reset = limiter.limiter.get_window_stats(item, "builder-socket", key).reset_time
            log.info("builder socket turn rate limited for user %s (%s)", user.id, item)
            return max(1, int(reset - time.time()) + 1)
    return None


def _watch(conn: Connection, turn: Turn) -> None:
    job = turn.job
    conn.watching = (job.status, job.progress) if job and job.status not in ("ready", "failed") else None


def _push_progress(ws: Server, conn: Connection, user: User) -> None:
    """Send the generation's progress when it moved; the whole turn once it is ready or failed."""
    try:
        turn = conversations.show(user, conn.conversation_id)
    except ServiceError:
        conn.watching = None
        return
    job = turn.job
    if job is None:
        conn.watching = None
        return
    if job.status in ("ready", "failed"):
        if conn.watching is not None:
            ws.send(_render_turn(turn))
        conn.watching = None
    elif conn.watching != (job.status, job.progress):
        conn.watching = (job.status, job.progress)
        ws.send(render_template("builder/_status.html", turn=turn, pushed=True))


def _render_turn(turn: Turn, *, error: Exception | None = None) -> str:
    return render_template("builder/_turn.html", **turn_context(turn), error=error, pushed=True)


def _notice(text: str) -> str:
    return render_template("builder/_notice.html", notice=text)
