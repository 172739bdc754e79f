"""The library API: listing, playing through signed URLs, changing items, practice events, stats, and
SECURITY.md 9 (another user's id on every route → 404, nothing changed)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
import time_machine
from jsonschema import Draft202012Validator

from app.extensions import db
from app.models import ContentItem, GenerationJob, PracticeEvent, User
from app.providers.storage import get_storage
from tests.api.helpers import API, assert_error
from tests.conftest import bearer
from tests.factories import make_user
from tests.generation_helpers import seed_voices
from tests.library_helpers import entitle, make_item, make_pack


@pytest.fixture
def doc(client):
    return client.get(f"{API}/openapi.json").json


def _schema(doc, path, method, status):
    return doc["paths"][path][method]["responses"][str(status)]["content"]["application/json"]["schema"]


def _media(client, url):
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def _counts(app):
    with app.app_context():
        return tuple(
            db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (ContentItem, GenerationJob, PracticeEvent)
        )


def test_idor_matrix_every_library_route_is_404_for_another_users_item(app, client):
    """SECURITY.md 9."""
    seed_voices(app)
    owner, other = make_user(app, credits_=3), make_user(app, credits_=3)
    item_id = make_item(app, owner.id, title="Owner's own")
    headers = bearer(client, other.email)
    report = {"event_id": str(uuid.uuid4()), "kind": "start"}
    before = _counts(app)
    for target in (item_id, uuid.uuid4()):
        calls = [
            ("GET", f"/rituals/{target}", None),
            ("GET", f"/rituals/{target}/play", None),
            ("PATCH", f"/rituals/{target}", {"title": "Mine now"}),
            ("PATCH", f"/rituals/{target}", {"is_favourite": True}),
            ("DELETE", f"/rituals/{target}", None),
            ("POST", f"/rituals/{target}/regenerate", {"pace": "slow"}),
            ("POST", "/practice-events", {**report, "ritual_id": str(target)}),
        ]
        for method, path, body in calls:
            response = client.open(API + path, method=method, json=body, headers=headers)
            assert_error(response, 404, code="not_found")
    assert _counts(app) == before
    with app.app_context():
        assert db.session.get(ContentItem, item_id).title == "Owner's own"
        assert db.session.get(User, other.id).credit_balance == 3
    listed = client.get(f"{API}/library", headers=headers).json
    assert listed["total"] == 0 and listed["items"] == []


def test_library_lists_filters_and_pages(app, client, doc):
    me, creator = make_user(app), make_user(app)
    make_item(app, me.id, title="Morning affirmations", content_type="affirmation", minutes=3)
    make_item(app, me.id, title="Evening calm", minutes=10, text="Let the workday go.")
    sleep = make_item(app, creator.id, title="Deep sleep", minutes=30)
    pack = make_pack(app, creator.id, [sleep], title="Night pack")
    entitle(app, me.id, pack)
    headers = bearer(client, me.email)

    body = client.get(f"{API}/library", headers=headers).json
    Draft202012Validator(_schema(doc, "/library", "get", 200)).validate(body)
    assert (body["total"], body["page"], body["per_page"], body["pages"], body["has_next"]) == (3, 1, 20, 1, False)
    entry = body["items"][0]
    assert entry["title"] == "Deep sleep" and entry["source"] == "pack"
    assert entry["pack"] == {"id": str(pack), "title": "Night pack"}
    assert entry["duration"] == 1800 and entry["playable"] and entry["generation"] is None

    def titles(**params):
        response = client.get(f"{API}/library", query_string=params, headers=headers)
        assert response.status_code == 200, response.json
        return [i["title"] for i in response.json["items"]]

    assert titles(q="workday") == ["Evening calm"]
    assert titles(source="pack") == ["Deep sleep"]
    assert titles(type="affirmation") == ["Morning affirmations"]
    assert titles(sort="title") == ["Deep sleep", "Evening calm", "Morning affirmations"]
    assert titles(sort="longest", per_page=2) == ["Deep sleep", "Evening calm"]
    assert client.get(f"{API}/library?per_page=2&page=2", headers=headers).json["has_next"] is False
    assert titles(min_minutes=5, max_minutes=15) == ["Evening calm"]

    for params, field in (({"per_page": "51"}, "per_page"), ({"sort": "loudest"}, "sort"), ({"page": "x"}, "page")):
        assert_error(client.get(f"{API}/library", query_string=params, headers=headers), 422, field=field)


def test_play_gives_a_signed_url_that_works_expires_and_resists_tampering(app, client, doc):
    """SECURITY.md 20, through the play endpoint."""
    me = make_user(app)
    item_id = make_item(app, me.id, title="Evening calm")
    headers = bearer(client, me.email)
    now = datetime.now(UTC)
    body = client.get(f"{API}/rituals/{item_id}/play", headers=headers).json
    Draft202012Validator(_schema(doc, "/rituals/{ritual_id}/play", "get", 200)).validate(body)
    assert body["title"] == "Evening calm" and body["duration"] == 600 and body["version"] == 1
    assert body["sections"][0]["start"] == 1.5 and "resume_position" not in body  # that is in /library
    expires = datetime.fromisoformat(body["expires_at"])
    assert now + timedelta(seconds=590) <= expires <= now + timedelta(seconds=app.config["SIGNED_URL_SECONDS"] + 5)

    served = _media(client, body["audio_url"])
    assert served.status_code == 200 and served.data.startswith(b"ID3")
    parts = urlsplit(body["audio_url"])
    query = parse_qs(parts.query)
    assert _media(client, f"{parts.path}?e={query['e'][0]}&s={query['s'][0][:-2]}xx").status_code == 403
    assert _media(client, f"{parts.path}?e={int(query['e'][0]) + 60}&s={query['s'][0]}").status_code == 403
    with time_machine.travel(expires + timedelta(seconds=1), tick=False):
        assert _media(client, body["audio_url"]).status_code == 403

    with time_machine.travel(now + timedelta(seconds=30)):
        again = client.get(f"{API}/rituals/{item_id}/play", headers=headers).json  # from the cache now
    assert again["audio_url"] != body["audio_url"]  # a fresh signature every time, never a cached URL
    assert datetime.fromisoformat(again["expires_at"]) > expires
    not_ready = make_item(app, me.id, ready=False)
    assert_error(client.get(f"{API}/rituals/{not_ready}/play", headers=headers), 409, code="not_ready")


def test_patch_renames_and_favourites(app, client, doc):
    me, creator = make_user(app), make_user(app)
    item_id = make_item(app, me.id, title="Evening calm")
    theirs = make_item(app, creator.id, title="Deep sleep")
    entitle(app, me.id, make_pack(app, creator.id, [theirs]))
    headers = bearer(client, me.email)

    response = client.patch(f"{API}/rituals/{item_id}", json={"title": " Calm\nnight "}, headers=headers)
    assert response.status_code == 200
    Draft202012Validator(_schema(doc, "/rituals/{ritual_id}", "patch", 200)).validate(response.json)
    assert response.json["title"] == "Calm night" and response.json["is_favourite"] is False
    assert client.patch(f"{API}/rituals/{item_id}", json={"is_favourite": True}, headers=headers).json["is_favourite"]

    # A pack item: the favourite is the listener's own, the title is the creator's.
    assert client.patch(f"{API}/rituals/{theirs}", json={"is_favourite": True}, headers=headers).status_code == 200
    assert_error(
        client.patch(f"{API}/rituals/{theirs}", json={"title": "Mine", "is_favourite": False}, headers=headers),
        403,
        code="forbidden",
    )
    favourites = client.get(f"{API}/library?favourites=true", headers=headers).json["items"]
    assert {i["title"] for i in favourites} == {"Calm night", "Deep sleep"}

    for body, field in (
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({}, ""),
        ({"colour": 1}, "colour"),
    ):
        assert_error(client.patch(f"{API}/rituals/{item_id}", json=body, headers=headers), 422, field=field or None)
    with app.app_context():
        assert db.session.get(ContentItem, item_id).title == "Calm night"
        assert db.session.get(ContentItem, theirs).title == "Deep sleep"


def test_delete_is_204_then_gone(app, client):
    me = make_user(app)
    item_id = make_item(app, me.id)
    headers = bearer(client, me.email)
    response = client.delete(f"{API}/rituals/{item_id}", headers=headers)
    assert response.status_code == 204 and response.data == b""
    assert_error(client.get(f"{API}/rituals/{item_id}", headers=headers), 404)
    assert_error(client.delete(f"{API}/rituals/{item_id}", headers=headers), 404)
    with app.app_context():
        assert get_storage().list(f"audio/{me.id}/") == []
    making = make_item(app, me.id, ready=False)
    assert_error(client.delete(f"{API}/rituals/{making}", headers=headers), 409, code="conflict")


def test_regenerate_is_202_then_409_and_402_without_credit(app, client):
    seed_voices(app)
    me = make_user(app, credits_=2)
    first, second = make_item(app, me.id), make_item(app, me.id)
    headers = bearer(client, me.email)
    response = client.post(f"{API}/rituals/{first}/regenerate", json={"pace": "slow"}, headers=headers)
    assert response.status_code == 202, response.json
    assert response.json["status"] == "queued" and response.json["version"] == 2
    assert response.headers["Location"] == f"/api/v1/rituals/{first}"
    status = client.get(f"{API}/rituals/{first}", headers=headers).json
    assert status["status"] == "queued" and status["duration"] == 600  # the old version still plays
    assert_error(client.post(f"{API}/rituals/{first}/regenerate", json={"pace": "fast"}, headers=headers), 409)
    client.post(f"{API}/rituals/{second}/regenerate", json={"pace": "fast"}, headers=headers)
    assert_error(
        client.post(f"{API}/rituals/{second}/regenerate", json={"pace": "slow"}, headers=headers), 409
    )  # the second is being made too
    third = make_item(app, me.id)
    no_credit = client.post(f"{API}/rituals/{third}/regenerate", json={"pace": "slow"}, headers=headers)
    assert_error(no_credit, 402, code="insufficient_credits")
    assert_error(client.post(f"{API}/rituals/{third}/regenerate", json={}, headers=headers), 422)
    bad_voice = {"voice_id": str(uuid.uuid4())}
    assert_error(client.post(f"{API}/rituals/{third}/regenerate", json=bad_voice, headers=headers), 422)


def test_pack_items_show_their_playable_version_and_refuse_changes(app, client):
    seed_voices(app)
    creator, buyer = make_user(app), make_user(app, credits_=2)
    item_id = make_item(app, creator.id, title="Deep sleep")
    entitle(app, buyer.id, make_pack(app, creator.id, [item_id]))
    headers = bearer(client, buyer.email)
    assert client.get(f"{API}/rituals/{item_id}", headers=headers).json["status"] == "ready"
    assert client.get(f"{API}/rituals/{item_id}/play", headers=headers).status_code == 200
    assert_error(client.delete(f"{API}/rituals/{item_id}", headers=headers), 403)
    assert_error(client.post(f"{API}/rituals/{item_id}/regenerate", json={"pace": "slow"}, headers=headers), 403)


def test_practice_events_and_stats(app, client, doc):
    me = make_user(app)
    item_id = make_item(app, me.id, minutes=10)
    headers = bearer(client, me.email)
    event = {"event_id": str(uuid.uuid4()), "ritual_id": str(item_id)}
    started = client.post(f"{API}/practice-events", json={**event, "kind": "start"}, headers=headers)
    assert started.status_code == 201
    Draft202012Validator(_schema(doc, "/practice-events", "post", 201)).validate(started.json)
    assert started.json["created"] is True and started.json["summary"]["total_practices"] == 1
    repeated = client.post(f"{API}/practice-events", json={**event, "kind": "start"}, headers=headers)
    assert repeated.status_code == 200 and repeated.json["summary"]["total_practices"] == 1
    progress = {**event, "kind": "progress", "position": 150, "listened_seconds": 150}
    assert client.post(f"{API}/practice-events", json=progress, headers=headers).json["resume_position"] == 150
    assert client.get(f"{API}/library", headers=headers).json["items"][0]["resume_position"] == 150
    done = {**event, "kind": "complete", "listened_seconds": 600, "position": 600, "feeling": 5, "note": "<b>ok</b>"}
    finished = client.post(f"{API}/practice-events", json=done, headers=headers).json
    assert finished["event"]["feeling"] == 5 and finished["event"]["note"] == "<b>ok</b>"
    assert finished["summary"]["total_minutes"] == 10.0 and finished["resume_position"] == 0
    entry = client.get(f"{API}/library", headers=headers).json["items"][0]
    assert entry["play_count"] == 1 and entry["last_played_at"] is not None

    for change, field in (({"kind": "stop"}, "kind"), ({"feeling": 9, "kind": "complete"}, "feeling")):
        assert_error(client.post(f"{API}/practice-events", json={**event, **change}, headers=headers), 422, field=field)
    bad_id = {**event, "kind": "start", "event_id": "12"}
    assert_error(client.post(f"{API}/practice-events", json=bad_id, headers=headers), 422, field="event_id")

    stats = client.get(f"{API}/me/stats", headers=headers)
    assert stats.status_code == 200
    Draft202012Validator(_schema(doc, "/me/stats", "get", 200)).validate(stats.json)
    assert stats.json["total_practices"] == 1 and stats.json["current_streak"] == 1
    assert stats.json["top_items"][0]["id"] == str(item_id) and len(stats.json["minutes_per_day"]) == 30
