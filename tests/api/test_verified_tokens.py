"""The per-process memory of verified tokens (`tokens.verified`): it skips only the signature and
claims parse, and only inside the token's own time window; revocation, token_version and suspension
are checked on every request all the same (SECURITY.md 11, 13)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import User
from app.models.types import utcnow
from app.services import accounts, tokens
from tests.api.helpers import API, assert_error, auth_header, claims_for, signed_token
from tests.conftest import bearer
from tests.factories import DEFAULT_PASSWORD
from tests.library_helpers import make_item

ME = f"{API}/me"


def _memory(app) -> tokens.VerifiedTokens:  # type: ignore[no-untyped-def]
    return app.extensions["verified_tokens"]


def _remembered(app, token: str) -> bool:  # type: ignore[no-untyped-def]
    cfg = app.config
    key = (token, cfg["SECRET_KEY"], cfg["JWT_AUDIENCE"], cfg["JWT_ISSUER"])
    return _memory(app).get(key, time.time()) is not None


@pytest.fixture
def played(app, client, user):  # type: ignore[no-untyped-def]
    """A token remembered after one play of the user's item."""
    item_id = make_item(app, user.id)
    headers = bearer(client, user.email)
    url = f"{API}/rituals/{item_id}/play"
    assert client.get(url, headers=headers).status_code == 200
    token = headers["Authorization"].split()[1]
    assert _remembered(app, token)
    return url, headers, token


def test_a_remembered_token_is_not_parsed_again(app, client, played, monkeypatch):
    url, headers, _ = played
    calls: list[str] = []
    decode = tokens.decode
    monkeypatch.setattr(tokens, "decode", lambda token: calls.append(token) or decode(token))
    assert client.get(url, headers=headers).status_code == 200
    assert client.get(ME, headers=headers).status_code == 200  # every route shares the memory
    assert calls == []


def test_a_remembered_token_is_refused_once_it_expires(app, client, user, time_machine):
    time_machine.move_to(datetime.now(UTC), tick=False)
    item_id = make_item(app, user.id)
    token = signed_token(app, claims_for(app, user.id, exp=int(time.time()) + 120))
    url = f"{API}/rituals/{item_id}/play"
    assert client.get(url, headers=auth_header(token)).status_code == 200
    assert _remembered(app, token)

    time_machine.shift(timedelta(seconds=119))
    assert client.get(url, headers=auth_header(token)).status_code == 200
    time_machine.shift(timedelta(seconds=1))  # now == exp: PyJWT refuses it from this second on
    for route in (url, ME):
        assert "expired" in assert_error(client.get(route, headers=auth_header(token)), 401)["message"]
    assert not _remembered(app, token)


def test_a_remembered_token_is_refused_before_its_iat_if_the_clock_goes_back(app, client, user, time_machine):
    time_machine.move_to(datetime.now(UTC), tick=False)
    token = signed_token(app, claims_for(app, user.id))
    assert client.get(ME, headers=auth_header(token)).status_code == 200
    time_machine.shift(timedelta(seconds=-30))
    assert_error(client.get(ME, headers=auth_header(token)), 401, code="unauthorized")


def test_a_revoked_token_is_refused_while_remembered(app, client, played):
    url, headers, token = played
    assert client.post(f"{API}/auth/revoke", headers=headers).status_code == 204
    assert _remembered(app, token)
    for route in (url, ME):
        assert "revoked" in assert_error(client.get(route, headers=headers), 401)["message"]


def test_a_token_version_bump_is_refused_while_remembered(app, client, user, played):
    url, headers, token = played
    with app.app_context():
        accounts.change_password(db.session.get(User, user.id), DEFAULT_PASSWORD, "a brand new passphrase 42")
    assert _remembered(app, token)
    for _ in range(2):  # the record read from the database while it is marked stale, then cached
        assert "revoked" in assert_error(client.get(url, headers=headers), 401)["message"]
        assert_error(client.get(ME, headers=headers), 401)


def test_a_suspension_is_refused_while_remembered(app, client, user, played):
    url, headers, token = played
    with app.app_context():
        db.session.get(User, user.id).suspended_at = utcnow()
        db.session.commit()
    assert _remembered(app, token)
    assert "suspended" in assert_error(client.get(url, headers=headers), 401)["message"]


def test_apps_with_other_jwt_settings_do_not_share_the_memory(app, client, user, played, make_app):
    url, headers, token = played
    for overrides, why in (
        ({"JWT_AUDIENCE": "another-api"}, "not meant for this API"),
        ({"JWT_ISSUER": "someone-else"}, "not valid"),
        ({"SECRET_KEY": "an-entirely-different-secret-key-0123456789"}, "not valid"),
    ):
        other = make_app(**overrides)
        assert why in assert_error(other.test_client().get(url, headers=headers), 401)["message"]
        assert "verified_tokens" not in other.extensions or not _remembered(other, token)
    app.config["JWT_AUDIENCE"] = "changed-in-place"  # the same app with new settings: parsed again
    assert "not meant for this API" in assert_error(client.get(url, headers=headers), 401)["message"]


def test_the_memory_holds_copies_and_drops_the_least_recently_used():
    memory = tokens.VerifiedTokens(2)
    now = time.time()
    user_id = uuid.uuid4()

    def claims(n: int) -> dict:
        return {"sub": str(user_id), "jti": str(n), "iat": int(now) - 1, "exp": int(now) + 60}

    for n in range(3):
        memory.put((f"t{n}",), claims(n), user_id)
        if n == 1:
            assert memory.get(("t0",), now) is not None  # t0 used: t1 is now the oldest
    assert len(memory) == 2
    assert memory.get(("t1",), now) is None
    assert memory.get(("t0",), now) is not None and memory.get(("t2",), now) is not None
    assert memory.get(("t2",), now + 61) is None and len(memory) == 1  # expired: forgotten


def test_claims_handed_out_are_copies(app, user):
    token = signed_token(app, claims_for(app, user.id))
    with app.app_context():
        first, _ = tokens.verified(token)
        first["jti"] = "changed"
        second, user_id = tokens.verified(token)
    assert second["jti"] != "changed" and user_id == user.id
