"""The play endpoint reads its metadata with the token check's keys (`endpoint(prefetch=...)`): no
round trip and no SQL for a warm play by the owner in a process that holds copies of the keys, one
round trip when it holds none, and nothing read is handed out, nor counted, unless the token passes
every check first (SECURITY.md 13)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from unittest.mock import ANY

import pytest
import sqlalchemy as sa
from redis.connection import AbstractConnection

from app.blueprints.api.spec import endpoint
from app.extensions import db
from app.models import User
from app.models.types import utcnow
from app.redis_client import RoundTrip, near_cache_stats
from app.services import playback, tokens
from tests.api.helpers import API, assert_error, auth_header, claims_for, signed_token
from tests.api.test_jwt_security import _expired, _wrong_audience
from tests.conftest import bearer
from tests.factories import make_user
from tests.library_helpers import make_item


@contextmanager
def round_trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many times a Redis connection sends for this thread: one per command or pipeline of the
    client, one per `RoundTrip` call (which writes on its socket itself). The near cache's own thread
    (its counter flushes) is not the request's."""
    sent: list[int] = []
    client_send, round_trip_send = AbstractConnection.send_packed_command, RoundTrip._send
    caller = threading.current_thread()

    def counted(self, command, check_health=True):  # type: ignore[no-untyped-def]
        if threading.current_thread() is caller:
            sent.append(1)
        return client_send(self, command, check_health)

    def counted_round_trip(self, commands):  # type: ignore[no-untyped-def]
        if threading.current_thread() is caller:
            sent.append(1)
        return round_trip_send(self, commands)

    with monkeypatch.context() as patch:
        patch.setattr(AbstractConnection, "send_packed_command", counted)
        patch.setattr(RoundTrip, "_send", counted_round_trip)
        yield sent


@contextmanager
def statements(app) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
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


def _stats(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        stats = playback.cache_stats()
    return stats["hits"], stats["misses"]


def _settled(app) -> None:  # type: ignore[no-untyped-def]
    """Every invalidation Redis has pushed so far is applied to the process's copies."""
    assert app.extensions["near_cache"].sync()


@pytest.fixture
def warm(app, client, user):  # type: ignore[no-untyped-def]
    """The owner's item, a token, and plays that cached the item, the auth record and the token's
    revocation check in Redis and in the process."""
    item_id = make_item(app, user.id)
    headers = bearer(client, user.email)
    url = f"{API}/rituals/{item_id}/play"
    assert app.extensions["near_cache"].wait_live()
    for _ in range(2):  # the first fills Redis, the second keeps copies of what it reads there
        assert client.get(url, headers=headers).status_code == 200
        _settled(app)
    return item_id, url, headers


def _near_stats(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        stats = near_cache_stats()
    return stats["hits"], stats["misses"]


def test_a_warm_play_makes_no_round_trip_and_no_sql(app, client, warm, monkeypatch):
    _, url, headers = warm
    hits, misses = _near_stats(app)
    with round_trips(monkeypatch) as sent, statements(app) as seen:
        response = client.get(url, headers=headers)
    assert response.status_code == 200 and response.json["audio_url"] and response.json["sections"]
    assert sent == []
    assert seen == []
    assert _near_stats(app) == (hits + 3, misses)  # revocation mark, auth record, entry: all copies


def test_a_warm_play_in_a_process_without_copies_is_one_round_trip(app, client, warm, monkeypatch):
    _, url, headers = warm
    app.extensions["near_cache"].clear()
    with round_trips(monkeypatch) as sent, statements(app) as seen:
        response = client.get(url, headers=headers)
    assert response.status_code == 200 and response.json["sections"]
    assert (len(sent), seen) == (1, [])  # revocation mark, auth record and entry read together
    with round_trips(monkeypatch) as sent:
        assert client.get(url, headers=headers).status_code == 200
    assert sent == []  # kept


def test_an_owners_play_after_a_miss_is_one_query_and_two_round_trips(app, client, warm, monkeypatch):
    item_id, url, headers = warm
    with app.app_context():
        playback.invalidate(item_id)
    with round_trips(monkeypatch) as sent, statements(app) as seen:
        response = client.get(url, headers=headers)
    assert response.status_code == 200 and response.json["sections"]
    assert len(seen) == 1 and "content_items" in seen[0]  # no separate owner query, no ORM reload
    assert len(sent) == 2  # the entry read (the token's keys are held), then written
    assert _stats(app) == (1, 2)  # the warm fixture's miss and hit, and this miss
    _settled(app)
    with round_trips(monkeypatch) as sent, statements(app) as seen:
        assert client.get(url, headers=headers).json == {**response.json, "audio_url": ANY, "expires_at": ANY}
    assert (len(sent), seen, _stats(app)) == (1, [], (2, 2))  # refilled: a hit in Redis, and kept
    with round_trips(monkeypatch) as sent:
        assert client.get(url, headers=headers).status_code == 200
    assert (sent, _stats(app)) == ([], (3, 2))


def test_the_counter_sees_a_miss_then_hits(app, client, user):
    item_id = make_item(app, user.id)
    headers = bearer(client, user.email)
    url = f"{API}/rituals/{item_id}/play"
    assert client.get(url, headers=headers).status_code == 200
    assert _stats(app) == (0, 1)
    assert client.get(url, headers=headers).status_code == 200
    assert client.get(url, headers=headers).status_code == 200
    assert _stats(app) == (2, 1)


def _revoked(app, client, user, headers):  # type: ignore[no-untyped-def]
    assert client.post(f"{API}/auth/revoke", headers=headers).status_code == 204
    return headers


def _suspended(app, client, user, headers):  # type: ignore[no-untyped-def]
    with app.app_context():
        db.session.get(User, user.id).suspended_at = utcnow()
        db.session.commit()
    return headers


def _old_version(app, client, user, headers):  # type: ignore[no-untyped-def]
    with app.app_context():
        db.session.get(User, user.id).token_version += 1
        db.session.commit()
    return headers


REFUSED_AFTER_THE_ROUND_TRIP = {
    "revoked": (_revoked, "revoked"),
    "suspended": (_suspended, "suspended"),
    "token-version-bumped": (_old_version, "revoked"),
}


@pytest.mark.parametrize("case", sorted(REFUSED_AFTER_THE_ROUND_TRIP))
def test_tokens_refused_after_the_round_trip_get_401_and_nothing_is_counted(app, client, user, warm, case):
    _, url, headers = warm
    spoil, why = REFUSED_AFTER_THE_ROUND_TRIP[case]
    before = _stats(app)
    spoil(app, client, user, headers)
    for _ in range(2):  # a refusal leaves nothing behind: the second is refused alike
        response = client.get(url, headers=headers)
        error = assert_error(response, 401, code="unauthorized")
        assert why in error["message"]
        assert "audio_url" not in response.get_data(as_text=True)
    assert _stats(app) == before


@pytest.mark.parametrize("make_token", [_expired, _wrong_audience], ids=["expired", "wrong-audience"])
def test_tokens_refused_before_the_round_trip_never_reach_redis(app, client, user, warm, make_token, monkeypatch):
    _, url, _ = warm
    before = _stats(app)
    with round_trips(monkeypatch) as sent:
        response = client.get(url, headers=auth_header(make_token(app, user.id)))
    assert_error(response, 401, code="unauthorized")
    assert sent == []
    assert _stats(app) == before


@pytest.mark.parametrize("case", ["revoked", "suspended", "token-version-bumped", "expired", "wrong-audience"])
def test_the_prefetched_entry_is_never_handed_out_for_a_refused_token(app, client, user, warm, case):
    item_id, _, headers = warm
    if case in REFUSED_AFTER_THE_ROUND_TRIP:
        token = REFUSED_AFTER_THE_ROUND_TRIP[case][0](app, client, user, headers)["Authorization"].split()[1]
    else:
        token = {"expired": _expired, "wrong-audience": _wrong_audience}[case](app, user.id)
    before = _stats(app)
    with app.test_request_context():
        read = playback.MetadataRead(item_id)
        with pytest.raises(tokens.TokenError):
            tokens.principal(token, read)
        with pytest.raises(RuntimeError):
            read.entry(item_id)
        with pytest.raises(RuntimeError):
            playback.play(user.id, item_id, with_position=False, prefetched=read)
    assert _stats(app) == before


def test_an_accepted_read_serves_only_its_own_item(app, client, user, warm):
    item_id, _, headers = warm
    token = headers["Authorization"].split()[1]
    other = make_item(app, user.id)
    with app.test_request_context():
        read = playback.MetadataRead(item_id)
        assert tokens.principal(token, read)[0] == user.id
        assert read.entry(item_id) is not None
        with pytest.raises(RuntimeError):
            playback.play(user.id, other, with_position=False, prefetched=read)


def test_others_still_get_404_with_the_entry_prefetched(app, client, warm):
    """SECURITY.md 9: the prefetched entry names the owner; anyone else is asked for an entitlement."""
    _, url, _ = warm
    stranger = make_user(app)
    assert_error(client.get(url, headers=bearer(client, stranger.email)), 404)


def test_a_well_formed_token_crafted_here_plays(app, client, user, warm):
    """The control for the refusals above: a token signed with the server's key and claims plays."""
    _, url, _ = warm
    token = signed_token(app, claims_for(app, user.id, exp=int(time.time()) + 600))
    assert client.get(url, headers=auth_header(token)).status_code == 200


def test_prefetch_needs_the_id_token_check():
    with pytest.raises(ValueError, match="prefetch"):
        endpoint("/nowhere", "GET", summary="-", auth=True, prefetch=playback.MetadataRead)
