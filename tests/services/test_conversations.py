"""Builder conversations: Redis session state, mirrored to the database, resumable, private."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.extensions import db as db_ext
from app.models import Conversation, User
from app.redis_client import get_redis
from app.services import NotFound, conversations
from app.services.cache_keys import SESSION_TTL, session_key
from app.services.credits import InsufficientCredits
from tests.factories import make_user
from tests.generation_helpers import drain, seed_voices

TO_CONFIRM = ["I want to wind down before sleep", "in bed", "5 minutes", "sounds good"]


@pytest.fixture
def person(app):
    seed_voices(app)
    return make_user(app)


def _user(db, person) -> User:
    return db.session.get(User, person.id)


def test_start_writes_redis_state_with_ttl_and_a_row(app, db, person):
    turn = conversations.start(_user(db, person))
    key = session_key(turn.row.session_id)
    stored = json.loads(get_redis().get(key))
    assert set(stored) == {"state", "context", "user_id"}
    assert stored["state"] == "IntentDiscovery" and stored["user_id"] == str(person.id)
    assert SESSION_TTL - 5 <= get_redis().ttl(key) <= SESSION_TTL
    row = db.session.get(Conversation, turn.row.id)
    assert row.messages[0]["role"] == "assistant" and row.state == "IntentDiscovery"


def test_each_turn_refreshes_the_ttl_and_is_mirrored(app, db, person):
    turn = conversations.start(_user(db, person))
    key = session_key(turn.row.session_id)
    get_redis().expire(key, 30)
    turn = conversations.send(_user(db, person), turn.row.id, "I want to wind down before sleep")
    assert get_redis().ttl(key) > SESSION_TTL - 5
    assert turn.conv.state == "ContextGathering"
    db.session.expire_all()
    row = db.session.get(Conversation, turn.row.id)
    assert row.state == "ContextGathering"
    assert [m["role"] for m in row.messages] == ["assistant", "user", "assistant"]
    assert row.messages[1]["text"] == "I want to wind down before sleep"


def test_reload_resumes_from_redis_then_from_the_database(app, db, person):
    first = conversations.start(_user(db, person))
    for text in TO_CONFIRM[:2]:
        conversations.send(_user(db, person), first.row.id, text)
    again = conversations.resume(_user(db, person))
    assert again.row.id == first.row.id and again.resumed_from == "redis"
    assert again.conv.state == "PracticeDetails"
    get_redis().delete(session_key(first.row.session_id))  # Redis restarted and lost everything
    rebuilt = conversations.resume(_user(db, person))
    assert rebuilt.row.id == first.row.id and rebuilt.resumed_from == "database"
    assert rebuilt.conv.state == "PracticeDetails"
    assert rebuilt.card["intent"] and rebuilt.card["duration"] is None
    turn = conversations.send(_user(db, person), first.row.id, "5 minutes")
    assert turn.conv.state == "Personalization"


def test_an_idle_conversation_expires_into_a_fresh_start(app, db, person):
    old = conversations.start(_user(db, person))
    conversations.send(_user(db, person), old.row.id, "help me focus")
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=2), tick=False):
        get_redis().delete(session_key(old.row.session_id))
        fresh = conversations.resume(_user(db, person))
    assert fresh.row.id != old.row.id
    assert "start afresh" in fresh.notice
    assert db.session.get(Conversation, old.row.id).completed_at is not None


def test_other_peoples_conversations_are_not_found(app, db, person):
    turn = conversations.start(_user(db, person))
    stranger = db.session.get(User, make_user(app).id)
    with pytest.raises(NotFound):
        conversations.send(stranger, turn.row.id, "hello")
    with pytest.raises(NotFound):
        conversations.show(stranger, turn.row.id)


def test_confirm_starts_the_practice_and_completion_is_linked(app, db, person):
    turn = conversations.start(_user(db, person))
    for text in TO_CONFIRM:
        turn = conversations.send(_user(db, person), turn.row.id, text)
    assert turn.conv.state == "Confirm"
    turn = conversations.send(_user(db, person), turn.row.id, "Create it (1 credit)")
    assert turn.conv.state == "Generating" and turn.job is not None
    assert turn.job.spec["duration_minutes"] == 5 and turn.job.spec["conversation_id"] == str(turn.row.id)
    again = conversations.confirm(_user(db, person), turn.row.id)  # a second click changes nothing
    assert again.job.id == turn.job.id
    drain(app)
    db.session.expire_all()
    row = db.session.get(Conversation, turn.row.id)
    assert row.resulting_ritual_id == turn.job.content_item_id
    assert row.completed_at is not None and row.state == "Complete"
    shown = conversations.show(_user(db, person), row.id)
    assert shown.conv.state == "Complete" and shown.job.status == "ready"
    history = conversations.history(_user(db, person))
    assert history[0][0].id == row.id and history[0][1].id == turn.job.content_item_id


def test_confirm_without_credit_changes_nothing(app, db, person):
    from app.services import credits

    credits.consume(person.id, 1, idempotency_key="spent-elsewhere")
    turn = conversations.start(_user(db, person))
    for text in TO_CONFIRM:
        turn = conversations.send(_user(db, person), turn.row.id, text)
    with pytest.raises(InsufficientCredits):
        conversations.confirm(_user(db, person), turn.row.id)
    db_ext.session.rollback()
    assert conversations.show(_user(db, person), turn.row.id).conv.state == "Confirm"


def test_saving_choices_updates_preferences(app, db, person):
    turn = conversations.start(_user(db, person))
    for text in TO_CONFIRM[:3]:
        turn = conversations.send(_user(db, person), turn.row.id, text)
    conversations.send(_user(db, person), turn.row.id, "slower please")
    conversations.send(_user(db, person), turn.row.id, "save these as my usual")
    db.session.expire_all()
    prefs = db.session.scalar(sa.select(User.preferences).where(User.id == person.id))
    assert prefs["pace"] == "slow" and prefs["voice"]
