"""Making practices through the API, end to end: request → worker → MP3."""

from __future__ import annotations

import uuid

import soundfile as sf

from app.providers.storage import get_storage
from tests.conftest import bearer
from tests.factories import make_user
from tests.generation_helpers import SPEC, drain, seed_voices


def test_voices_are_listed_with_the_default_first(app, client):
    seed_voices(app)
    person = make_user(app)
    response = client.get("/api/v1/voices", headers=bearer(client, person.email))
    assert response.status_code == 200
    items = response.json["items"]
    assert items[0]["name"] == "Joe"
    assert items[0]["default"] is True and sum(v["default"] for v in items) == 1
    assert {v["provider"] for v in items} == {"piper", "espeak"}


def test_request_to_ready_mp3_then_402(app, client):
    seed_voices(app)
    person = make_user(app)
    headers = bearer(client, person.email)
    spec = {**SPEC, "intent": "letting go of a stressful workday"}
    response = client.post("/api/v1/rituals", json=spec, headers=headers)
    assert response.status_code == 202, response.json
    body = response.json
    assert body["status"] == "queued" and body["progress"] == 0
    assert response.headers["Location"] == body["status_url"] == f"/api/v1/rituals/{body['id']}"

    drain(app)
    status = client.get(body["status_url"], headers=headers).json
    assert status["status"] == "ready" and status["progress"] == 100
    assert 54 <= status["duration"] <= 66
    assert status["depth"] in {"shallow", "medium", "deep"} and status["tags"]
    with app.app_context():
        path = get_storage().path(f"audio/{person.id}/{body['id']}/1.mp3")
    data, rate = sf.read(str(path))
    assert abs(len(data) / rate - status["duration"]) < 0.3

    again = client.post("/api/v1/rituals", json=spec, headers=headers)
    assert again.status_code == 402
    assert again.json["error"]["code"] == "insufficient_credits"
    assert "Not enough credits" in again.json["error"]["message"]
    credits = client.get("/api/v1/me/credits", headers=headers).json
    assert credits["credit_balance"] == 0
    assert credits["items"][0]["transaction_type"] == "consumption"
    assert credits["items"][0]["content_item_id"] == body["id"]


def test_bad_spec_is_422_and_free(app, client):
    seed_voices(app)
    person = make_user(app)
    headers = bearer(client, person.email)
    response = client.post("/api/v1/rituals", json={**SPEC, "duration_minutes": 90}, headers=headers)
    assert response.status_code == 422
    assert response.json["error"]["details"][0]["field"] == "duration_minutes"
    assert client.get("/api/v1/me", headers=headers).json["credit_balance"] == 1


def test_another_users_practice_is_not_found(app, client):
    seed_voices(app)
    owner, other = make_user(app), make_user(app)
    created = client.post("/api/v1/rituals", json=SPEC, headers=bearer(client, owner.email)).json
    other_headers = bearer(client, other.email)
    assert client.get(f"/api/v1/rituals/{created['id']}", headers=other_headers).status_code == 404
    assert client.get(f"/api/v1/rituals/{uuid.uuid4()}", headers=other_headers).status_code == 404


def test_generation_requests_are_rate_limited_per_user(make_app):
    app = make_app(RATELIMIT_GENERATE="2 per minute")
    seed_voices(app)
    client = app.test_client()
    first, second = make_user(app, credits_=5), make_user(app, credits_=5)
    h1, h2 = bearer(client, first.email), bearer(client, second.email)
    codes = [client.post("/api/v1/rituals", json=SPEC, headers=h1).status_code for _ in range(3)]
    assert codes == [202, 202, 429]
    limited = client.post("/api/v1/rituals", json=SPEC, headers=h1)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert client.post("/api/v1/rituals", json=SPEC, headers=h2).status_code == 202  # another user's budget
