"""The play endpoint's bearer check (`tokens.principal`): the same refusals as every other route,
read from a cached per-user auth record instead of the user row, through the process's copies of
the Redis keys, which writes from this process drop at once and writes from others with their push
(SECURITY.md 11 and 13)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis
import sqlalchemy as sa

from app.extensions import db
from app.models import User
from app.models.types import utcnow
from app.redis_client import get_redis
from app.services import accounts, tokens
from app.services.cache_keys import AUTH_RECORD_STALE_TTL, AUTH_RECORD_TTL, auth_record_key, revoked_token_key
from tests.api.helpers import API, assert_error, auth_header
from tests.api.test_jwt_security import FORGED
from tests.conftest import bearer
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.library_helpers import make_item


@pytest.fixture
def played(app, client, user):  # type: ignore[no-untyped-def]
    """A user's item, a token, and one play that cached both the item and the user's auth record."""
    item_id = make_item(app, user.id)
    headers = bearer(client, user.email)
    url = f"{API}/rituals/{item_id}/play"
    assert client.get(url, headers=headers).status_code == 200
    assert _record(app, user.id) == "0:1"
    return url, headers


def _record(app, user_id):  # type: ignore[no-untyped-def]
    with app.app_context():
        return get_redis().get(auth_record_key(user_id))


@contextmanager
def _statements(app) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def note(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)


def test_a_warm_play_by_the_owner_runs_no_sql(app, client, played):
    url, headers = played
    with _statements(app) as seen:
        response = client.get(url, headers=headers)
    assert response.status_code == 200 and response.json["audio_url"]
    assert seen == []


def test_forged_or_invalid_tokens_are_401_on_the_play_endpoint(app, client, user, played):
    url, _ = played
    for case, make_token in FORGED.items():
        response = client.get(url, headers=auth_header(make_token(app, user.id)))
        assert response.status_code == 401, (case, response.json)
        assert_error(response, 401, code="unauthorized")


def test_password_change_refuses_tokens_with_the_record_cached(app, client, user, played):
    url, headers = played
    with app.app_context():
        accounts.change_password(db.session.get(User, user.id), DEFAULT_PASSWORD, "a brand new passphrase 42")
    assert _record(app, user.id) == tokens.STALE
    error = assert_error(client.get(url, headers=headers), 401, code="unauthorized")
    assert "revoked" in error["message"]
    fresh = bearer(client, user.email, "a brand new passphrase 42")
    assert client.get(url, headers=fresh).status_code == 200
    assert_error(client.get(url, headers=headers), 401)


def test_a_revoked_token_is_refused_with_the_record_cached(client, played):
    url, headers = played
    assert client.post(f"{API}/auth/revoke", headers=headers).status_code == 204
    assert_error(client.get(url, headers=headers), 401, code="unauthorized")


def test_suspension_and_deletion_refuse_tokens_with_the_record_cached(app, client, user, played):
    url, headers = played
    with app.app_context():
        db.session.get(User, user.id).suspended_at = utcnow()
        db.session.commit()
    assert "suspended" in assert_error(client.get(url, headers=headers), 401)["message"]

    person = make_user(app)
    item_id = make_item(app, person.id)
    theirs = bearer(client, person.email)
    assert client.get(f"{API}/rituals/{item_id}/play", headers=theirs).status_code == 200
    with app.app_context():
        db.session.delete(db.session.get(User, person.id))
        db.session.commit()
    assert_error(client.get(f"{API}/rituals/{item_id}/play", headers=theirs), 401, code="unauthorized")


def test_a_stale_mark_is_never_overwritten_by_a_fill(app, user):
    """A check that read the database before a write committed must not cache what it read after."""
    token, _ = _issue(app, user.id)
    assert app.extensions["near_cache"].wait_live()
    with app.app_context():
        r = get_redis()
        r.set(auth_record_key(user.id), tokens.STALE, ex=AUTH_RECORD_STALE_TTL)
        assert tokens.principal(token)[0] == user.id  # decided by the database
        assert r.get(auth_record_key(user.id)) == tokens.STALE
        r.delete(auth_record_key(user.id))  # as another process would: its push drops the copy of STALE
        assert app.extensions["near_cache"].sync()
        tokens.principal(token)
        assert r.get(auth_record_key(user.id)) == "0:1"
        assert 0 < r.ttl(auth_record_key(user.id)) <= AUTH_RECORD_TTL


def test_a_token_revoked_by_another_process_is_refused_once_its_push_arrives(app, client, user, played):
    """SECURITY.md 11, 13: the process's copy of "not revoked" goes with the push of the revocation."""
    url, headers = played
    assert client.get(url, headers=headers).status_code == 200  # the copies are held now
    with app.app_context():
        claims = tokens.verified(headers["Authorization"].split()[1])[0]
        # what tokens.revoke does, from a connection of another process: no forget() in this one
        redis.Redis.from_url(app.config["REDIS_URL"]).set(revoked_token_key(claims["jti"]), "1", ex=600)
    deadline = time.monotonic() + 2
    while client.get(url, headers=headers).status_code == 200:  # at most until the push is applied
        assert time.monotonic() < deadline, "the revocation's push never reached the process"
    assert app.extensions["near_cache"].sync()
    assert_error(client.get(url, headers=headers), 401, code="unauthorized")


def test_a_suspension_by_another_process_is_refused_once_its_push_arrives(app, client, user, played):
    url, headers = played
    assert client.get(url, headers=headers).status_code == 200
    # what a commit elsewhere leaves behind: the record marked STALE, then the suspension in the database
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == user.id).values(suspended_at=utcnow()))
        db.session.commit()
    redis.Redis.from_url(app.config["REDIS_URL"]).set(auth_record_key(user.id), tokens.STALE, ex=60)
    assert app.extensions["near_cache"].sync()
    assert "suspended" in assert_error(client.get(url, headers=headers), 401)["message"]


def test_a_rolled_back_change_leaves_the_record_alone(app, user):
    _issue(app, user.id)
    with app.app_context():
        get_redis().set(auth_record_key(user.id), "0:1")
        db.session.get(User, user.id).token_version += 1
        db.session.flush()
        db.session.rollback()
        db.session.get(User, user.id).preferences = {"pace": "slow"}  # not an auth change
        db.session.commit()
        assert get_redis().get(auth_record_key(user.id)) == "0:1"


def _issue(app, user_id):  # type: ignore[no-untyped-def]
    with app.app_context():
        return tokens.issue(db.session.get(User, user_id))
