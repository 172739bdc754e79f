"""GET /me, PATCH /me/preferences and GET /me/credits."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from app.extensions import db
from app.models import User
from app.redis_client import get_redis
from app.services import credits
from app.services.cache_keys import profile_key
from tests.api.helpers import API, assert_error, fields_named
from tests.conftest import bearer
from tests.factories import make_user, make_voice

ME = f"{API}/me"
PREFS = f"{API}/me/preferences"
CREDITS = f"{API}/me/credits"


@pytest.fixture
def headers(client, user):  # type: ignore[no-untyped-def]
    return bearer(client, user.email)


def _stored_preferences(app, user_id):  # type: ignore[no-untyped-def]
    with app.app_context():
        prefs = dict(db.session.get(User, user_id).preferences or {})
        db.session.remove()
    return prefs


# --- /me ---------------------------------------------------------------------------------------


def test_me_describes_the_account(client, user, headers):
    response = client.get(ME, headers=headers)
    assert response.status_code == 200
    body = response.json
    assert body == {
        "id": str(user.id),
        "email": user.email,
        "roles": ["user"],
        "credit_balance": 1,
        "preferences": {},
        "created_at": body["created_at"],
    }
    assert datetime.fromisoformat(body["created_at"]).utcoffset() is not None


def test_me_shows_roles_and_balance(app, client):
    creator = make_user(app, roles=["creator"], credits_=5)
    body = client.get(ME, headers=bearer(client, creator.email)).json
    assert body["roles"] == ["user", "creator"]
    assert body["credit_balance"] == 5


# --- /me/preferences ---------------------------------------------------------------------------


def test_valid_pace_and_tone_are_saved(app, client, user, headers):
    changes = [
        {"pace": "slow"},
        {"pace": "fast"},
        {"tone": "warm"},
        {"tone": "grounding"},
        {"pace": "normal", "tone": "gentle"},
    ]
    for change in changes:
        client.patch(PREFS, json={"pace": None, "tone": None}, headers=headers)
        response = client.patch(PREFS, json=change, headers=headers)
        assert response.status_code == 200, (change, response.json)
        assert response.json == {"preferences": change}
        assert _stored_preferences(app, user.id) == change
        assert client.get(ME, headers=headers).json["preferences"] == change


def test_voice_is_saved_by_id(app, client, user, headers):
    voice_id = make_voice(app)
    response = client.patch(PREFS, json={"voice": str(voice_id)}, headers=headers)
    assert response.status_code == 200, response.json
    assert response.json["preferences"] == {"voice": str(voice_id)}
    assert _stored_preferences(app, user.id) == {"voice": str(voice_id)}


def test_changes_merge_with_saved_preferences(client, headers):
    client.patch(PREFS, json={"pace": "slow"}, headers=headers)
    response = client.patch(PREFS, json={"tone": "warm"}, headers=headers)
    assert response.json["preferences"] == {"pace": "slow", "tone": "warm"}


def test_null_clears_a_preference(app, client, user, headers):
    voice_id = make_voice(app)
    client.patch(PREFS, json={"pace": "slow", "tone": "warm", "voice": str(voice_id)}, headers=headers)

    response = client.patch(PREFS, json={"pace": None, "voice": None}, headers=headers)
    assert response.status_code == 200, response.json
    assert response.json["preferences"] == {"tone": "warm"}
    assert _stored_preferences(app, user.id) == {"tone": "warm"}


# (id, body, field named, words in the message)
BAD_PREFERENCES = [
    ("unknown-voice-id", {"voice": "00000000-0000-4000-8000-000000000000"}, "voice", "not available"),
    ("voice-not-a-uuid", {"voice": "joe"}, "voice", "id of one of the available voices"),
    ("voice-number", {"voice": 12}, "voice", "type"),
    ("pace-not-allowed", {"pace": "turbo"}, "pace", "slow, normal, fast"),
    ("pace-wrong-case", {"pace": "SLOW"}, "pace", "slow, normal, fast"),
    ("tone-not-allowed", {"tone": "angry"}, "tone", "gentle, warm, energising, grounding"),
    ("tone-number", {"tone": 3}, "tone", "gentle"),
    ("pace-list", {"pace": ["slow"]}, "pace", "slow"),
    ("empty-object", {}, "", "at least one field"),
    ("unknown-field", {"colour": "blue"}, "colour", "Unknown field"),
    ("valid-plus-unknown", {"pace": "slow", "theme": "dark"}, "theme", "Unknown field"),
    ("valid-plus-invalid", {"pace": "slow", "tone": "angry"}, "tone", "gentle"),
    ("not-an-object", ["pace", "slow"], "", "type object"),
]


def test_invalid_preferences_are_422_and_change_nothing(app, client, user, headers):
    client.patch(PREFS, json={"pace": "normal"}, headers=headers)
    for case, body, field, words in BAD_PREFERENCES:
        response = client.patch(PREFS, json=body, headers=headers)
        assert response.status_code == 422, (case, response.json)
        error = assert_error(response, 422, code="invalid")
        assert field in fields_named(error), (case, error)
        assert words in error["message"], (case, error)
    assert _stored_preferences(app, user.id) == {"pace": "normal"}


def test_inactive_voice_is_refused(app, client, user, headers):
    voice_id = make_voice(app, is_active=False)
    error = assert_error(client.patch(PREFS, json={"voice": str(voice_id)}, headers=headers), 422, field="voice")
    assert "not available" in error["message"]
    assert _stored_preferences(app, user.id) == {}


def test_unknown_voice_does_not_save_the_valid_fields_sent_with_it(app, client, user, headers):
    response = client.patch(PREFS, json={"pace": "slow", "voice": str(uuid.uuid4())}, headers=headers)
    assert_error(response, 422, field="voice")
    assert _stored_preferences(app, user.id) == {}


def test_preferences_body_must_be_json(client, headers):
    assert_error(client.patch(PREFS, data="pace=slow", headers=headers), 415, code="unsupported_media_type")
    assert_error(
        client.patch(PREFS, data="{pace", content_type="application/json", headers=headers), 400, code="bad_request"
    )


def test_preference_change_drops_the_cached_profile(app, client, user, headers):
    key = profile_key(user.id)
    assert key == f"user:{user.id}:profile"
    with app.app_context():
        get_redis().set(key, '{"stale": true}', ex=900)
        assert get_redis().exists(key)

    assert client.patch(PREFS, json={"tone": "warm"}, headers=headers).status_code == 200

    with app.app_context():
        assert not get_redis().exists(key)


def test_other_users_profile_cache_is_left_alone(app, client, user, headers):
    other = make_user(app)
    with app.app_context():
        get_redis().set(profile_key(other.id), "cached", ex=900)
    assert client.patch(PREFS, json={"tone": "warm"}, headers=headers).status_code == 200
    with app.app_context():
        assert get_redis().get(profile_key(other.id)) == "cached"


# --- /me/credits -------------------------------------------------------------------------------


@pytest.fixture
def ledger_user(app):  # type: ignore[no-untyped-def]
    """A user with five ledger rows: +1 signup, +4 grant, -1, -2 spends, +1 refund (balance 3)."""
    person = make_user(app)
    with app.app_context():
        credits.grant(person.id, 4, idempotency_key=f"grant:{person.id}", metadata={"source": "test"})
        credits.consume(person.id, 1, idempotency_key=f"spend-1:{person.id}")
        credits.consume(person.id, 2, idempotency_key=f"spend-2:{person.id}")
        credits.refund(person.id, 1, idempotency_key=f"refund:{person.id}", reason="generation failed")
        db.session.remove()
    return person


def test_credits_list_the_ledger_newest_first(client, ledger_user):
    response = client.get(CREDITS, headers=bearer(client, ledger_user.email))
    assert response.status_code == 200, response.json
    body = response.json
    assert body["credit_balance"] == 3
    assert (body["page"], body["per_page"], body["total"], body["pages"]) == (1, 20, 5, 1)
    assert [(r["transaction_type"], r["amount"], r["balance_after"]) for r in body["items"]] == [
        ("refund", 1, 3),
        ("consumption", -2, 2),
        ("consumption", -1, 4),
        ("purchase", 4, 5),
        ("purchase", 1, 1),
    ]
    assert body["items"][0]["metadata"] == {"reason": "generation failed"}
    assert body["items"][-1]["metadata"] == {"source": "free_tier"}
    created = [datetime.fromisoformat(r["created_at"]) for r in body["items"]]
    assert created == sorted(created, reverse=True)
    for row in body["items"]:
        assert set(row) == {
            "id",
            "transaction_type",
            "amount",
            "balance_after",
            "content_item_id",
            "content_type",
            "metadata",
            "created_at",
        }
        uuid.UUID(row["id"])


def test_credits_are_paginated(client, ledger_user):
    headers = bearer(client, ledger_user.email)
    pages = [client.get(CREDITS, query_string={"page": n, "per_page": 2}, headers=headers).json for n in (1, 2, 3)]
    assert [p["page"] for p in pages] == [1, 2, 3]
    assert all((p["per_page"], p["total"], p["pages"]) == (2, 5, 3) for p in pages)
    assert [len(p["items"]) for p in pages] == [2, 2, 1]
    amounts = [r["amount"] for p in pages for r in p["items"]]
    assert amounts == [1, -2, -1, 4, 1]
    assert len({r["id"] for p in pages for r in p["items"]}) == 5

    past_the_end = client.get(CREDITS, query_string={"page": 4, "per_page": 2}, headers=headers).json
    assert past_the_end["items"] == [] and past_the_end["total"] == 5


@pytest.mark.parametrize("per_page", [1, 100])
def test_per_page_bounds_are_accepted(client, ledger_user, per_page):
    body = client.get(CREDITS, query_string={"per_page": per_page}, headers=bearer(client, ledger_user.email)).json
    assert body["per_page"] == per_page
    assert len(body["items"]) == min(per_page, 5)


BAD_PAGING = [
    ({"per_page": 0}, "per_page", "between 1 and 100"),
    ({"per_page": 101}, "per_page", "between 1 and 100"),
    ({"per_page": -5}, "per_page", "between 1 and 100"),
    ({"per_page": "ten"}, "per_page", "whole number"),
    ({"page": 0}, "page", "between 1 and"),
    ({"page": -1}, "page", "between 1 and"),
    ({"page": "abc"}, "page", "whole number"),
    ({"page": "1.5"}, "page", "whole number"),
    ({"page": ""}, "page", "whole number"),
    ({"page": "9" * 30}, "page", "between 1 and"),
    ({"page": "9" * 5000}, "page", "whole number"),
]


def test_bad_paging_is_422_naming_the_parameter(client, user, headers):
    for params, field, words in BAD_PAGING:
        response = client.get(CREDITS, query_string=params, headers=headers)
        assert response.status_code == 422, (params, response.json)
        error = assert_error(response, 422, code="invalid", field=field)
        assert words in error["message"], (params, error)
        assert field in error["message"], (params, error)


def test_credits_show_only_the_callers_rows(app, client, ledger_user, user):
    body = client.get(CREDITS, headers=bearer(client, user.email)).json
    assert body["total"] == 1 and body["credit_balance"] == 1
    assert [r["amount"] for r in body["items"]] == [1]
