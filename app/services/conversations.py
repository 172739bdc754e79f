"""Builder conversations: the state lives in Redis at `session:{session_id}` (state, context,
user_id; 1 h, refreshed every turn) and every turn is mirrored to the `conversations` table, so a
Redis restart loses nothing. One service behind every door: WebSocket, HTML forms and the JSON API.
"""

from __future__ import annotations

import json
import logging
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import ContentItem, GenerationJob, User
from app.models import Conversation as ConversationRow
from app.models.types import as_utc, utcnow
from app.redis_client import get_redis
from app.services import NotFound, ServiceError, accounts, builder, generation, voices
from app.services.cache_keys import SESSION_TTL, session_key
from app.services.profile import get_profile

log = logging.getLogger(__name__)


@dataclass
class Turn:
    """A conversation as a door shows it after a turn."""

    row: ConversationRow
    conv: builder.Conversation
    reply: builder.Reply
    resumed_from: str | None = None  # "redis" | "database" when an open conversation was picked up
    notice: str | None = None  # an expired conversation was replaced, or a message was refused
    job: GenerationJob | None = None

    @property
    def card(self) -> dict[str, Any]:
        return builder.summary_card(self.conv)


def _voice_options() -> list[dict[str, Any]]:
    available = voices.active_voices()
    default_id = voices.default_voice().id if available else None
    return [{"id": str(v.id), "name": v.name, "default": v.id == default_id} for v in available]


def _store(user: User, row: ConversationRow, conv: builder.Conversation) -> None:
    """Write the turn to the table and to Redis (TTL refreshed), the table first."""
    data = conv.to_dict()
    row.state = data["state"]
    row.messages = data["messages"]
    db.session.commit()
    payload = {"state": data["state"], "context": data["context"], "user_id": str(user.id)}
    get_redis().set(session_key(row.session_id), json.dumps(payload), ex=SESSION_TTL)


def _load(user: User, row: ConversationRow) -> tuple[builder.Conversation, str]:
    """The conversation from Redis, or rebuilt from the table's transcript when the key is gone."""
    raw = get_redis().get(session_key(row.session_id))
    cached = json.loads(raw) if raw else None
    if cached and cached.get("user_id") == str(user.id):
        conv = builder.Conversation.from_dict(
            {"state": cached["state"], "context": cached["context"], "messages": row.messages or []}
        )
        source = "redis"
    else:
        conv, source = _replay(row), "database"
    if row.state == "Complete" and conv.state != "Complete":
        conv = builder.mark_complete(conv)  # the practice became ready while no one was looking
    return conv, source


def _replay(row: ConversationRow) -> builder.Conversation:
    """Run the stored user messages through the machine again to recover what it had learned."""
    options = _voice_options()
    conv, _ = builder.start(profile=None, voices=options)
    for message in row.messages or []:
        if message.get("role") == "user" and conv.state not in ("Generating", "Complete"):
            conv, _ = builder.turn(conv, str(message.get("text", "")), profile=None, voices=options)
    if row.state == "Generating" and row.resulting_ritual_id:
        conv = builder.mark_generating(conv, str(row.resulting_ritual_id))
    return builder.Conversation.from_dict({**conv.to_dict(), "messages": row.messages or []})


def start(user: User, *, notice: str | None = None) -> Turn:
    conv, reply = builder.start(profile=get_profile(user.id), voices=_voice_options())
    row = ConversationRow(user_id=user.id, session_id=secrets.token_urlsafe(24), state=conv.state, messages=[])
    db.session.add(row)
    _store(user, row, conv)
    log.info("conversation %s started for user %s", row.id, user.id)
    return Turn(row, conv, reply, notice=notice)


def get_row(user: User, conversation_id: uuid.UUID | str) -> ConversationRow:
    """The user's own conversation; anyone else's is simply not found (SECURITY.md 9)."""
    try:
        key = uuid.UUID(str(conversation_id))
    except ValueError:
        raise NotFound("No such conversation.") from None
    row = db.session.get(ConversationRow, key)
    if row is None or row.user_id != user.id:
        raise NotFound("No such conversation.")
    return row


def show(user: User, conversation_id: uuid.UUID | str) -> Turn:
    row = get_row(user, conversation_id)
    conv, source = _load(user, row)
    return Turn(row, conv, builder.last_reply(conv), resumed_from=source, job=_job(row))


def resume(user: User) -> Turn:
    """The user's latest conversation: open, or just finished (to show its result); otherwise, or
    once it has been idle for over an hour, a fresh one that says why."""
    row = db.session.scalar(
        sa.select(ConversationRow)
        .where(ConversationRow.user_id == user.id)
        .order_by(ConversationRow.updated_at.desc())
        .limit(1)
    )
    if row is None:
        return start(user)
    idle = (utcnow() - as_utc(row.updated_at)).total_seconds()
    if row.completed_at is not None:
        if row.state == "Complete" and idle <= SESSION_TTL:
            return show(user, row.id)
        return start(user)
    if row.state != "Generating" and idle > SESSION_TTL:
        row.completed_at = utcnow()
        db.session.commit()
        return start(user, notice="Your last conversation had been idle for over an hour, so let's start afresh.")
    turn = show(user, row.id)
    get_redis().expire(session_key(row.session_id), SESSION_TTL)
    return turn


def send(user: User, conversation_id: uuid.UUID | str, text: str) -> Turn:
    """One user message: understood, answered, stored; a confirmation starts the practice."""
    row = get_row(user, conversation_id)
    if row.completed_at is not None:
        raise ServiceError("This conversation is finished: start a new one to make another practice.")
    conv, _ = _load(user, row)
    said = len(conv.messages)
    conv, reply = builder.turn(conv, text, profile=get_profile(user.id), voices=_voice_options())
    if len(conv.messages) == said:  # empty or oversize: refused, nothing stored
        return Turn(row, conv, reply, notice=reply.text, job=_job(row))
    if reply.action == "save_preferences":
        accounts.update_preferences(user, builder.preferences_of(conv))
    _store(user, row, conv)
    if reply.action == "confirm":
        return confirm(user, row.id)
    return Turn(row, conv, reply, job=_job(row))


def confirm(user: User, conversation_id: uuid.UUID | str) -> Turn:
    """Start making the practice (one credit). Without credit, InsufficientCredits and no change."""
    row = get_row(user, conversation_id)
    conv, _ = _load(user, row)
    job = _job(row)
    if job is None:
        if conv.state != "Confirm":
            raise ServiceError("There is nothing to confirm yet: tell me a little more first.")
        job = generation.request_generation(user, builder.spec_of(conv), conversation_id=row.id, source="builder")
        row.resulting_ritual_id = job.content_item_id
        conv = builder.mark_generating(conv, str(job.content_item_id))
        _store(user, row, conv)
    return Turn(row, conv, builder.last_reply(conv), job=job)


def _job(row: ConversationRow) -> GenerationJob | None:
    if row.resulting_ritual_id is None:
        return None
    return generation.job_for_item(row.resulting_ritual_id, row.user_id)


def history(user: User, limit: int = 50) -> list[tuple[ConversationRow, ContentItem | None]]:
    """The user's conversations, newest first, each with the practice it produced."""
    rows = db.session.execute(
        sa.select(ConversationRow, ContentItem)
        .outerjoin(ContentItem, ContentItem.id == ConversationRow.resulting_ritual_id)
        .where(ConversationRow.user_id == user.id)
        .order_by(ConversationRow.created_at.desc())
        .limit(limit)
    ).all()
    return [(conversation, item) for conversation, item in rows]
