"""The builder through the JSON API: from a greeting to a practice being made."""

from __future__ import annotations

import uuid

from tests.conftest import bearer
from tests.factories import make_user
from tests.generation_helpers import drain, seed_voices


def _start(client, headers):
    response = client.post("/api/v1/conversations", headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def test_conversation_to_a_ready_practice(app, client):
    seed_voices(app)
    person = make_user(app)
    headers = bearer(client, person.email)
    started = _start(client, headers)
    assert started["state"] == "IntentDiscovery" and started["reply"] and started["suggestions"]
    assert started["messages"][0]["role"] == "assistant"
    url = f"/api/v1/conversations/{started['id']}/messages"
    for text, state in [
        ("I want to wind down before sleep", "ContextGathering"),
        ("in bed", "PracticeDetails"),
        ("5 minutes", "Personalization"),
        ("sounds good", "Confirm"),
    ]:
        body = client.post(url, json={"text": text}, headers=headers).json
        assert body["state"] == state, body
    assert body["spec"]["duration"] and "5" in str(body["spec"]["duration"])
    assert "Create it (1 credit)" in body["suggestions"]
    confirmed = client.post(f"/api/v1/conversations/{started['id']}/confirm", headers=headers)
    assert confirmed.status_code == 202
    assert confirmed.json["status"] == "queued" and confirmed.json["status_url"].startswith("/api/v1/rituals/")
    drain(app)
    shown = client.get(f"/api/v1/conversations/{started['id']}", headers=headers).json
    assert shown["state"] == "Complete"
    assert shown["ritual"]["status"] == "ready" and shown["ritual"]["id"] == confirmed.json["id"]
    assert [m["role"] for m in shown["messages"]][:3] == ["assistant", "user", "assistant"]


def test_confirming_too_early_is_refused(app, client):
    seed_voices(app)
    headers = bearer(client, make_user(app).email)
    started = _start(client, headers)
    response = client.post(f"/api/v1/conversations/{started['id']}/confirm", headers=headers)
    assert response.status_code == 422
    assert "nothing to confirm" in response.json["error"]["message"]


def test_over_long_messages_get_a_clear_reply_and_change_nothing(app, client):
    seed_voices(app)
    headers = bearer(client, make_user(app).email)
    started = _start(client, headers)
    url = f"/api/v1/conversations/{started['id']}/messages"
    body = client.post(url, json={"text": "calm " * 500}, headers=headers).json
    assert body["state"] == "IntentDiscovery"
    assert "few sentences" in body["reply"]
    assert client.post(url, json={"text": "x" * 25_000}, headers=headers).status_code == 422


def test_conversations_are_private(app, client):
    seed_voices(app)
    owner, other = make_user(app), make_user(app)
    started = _start(client, bearer(client, owner.email))
    headers = bearer(client, other.email)
    for method, path in [
        ("get", f"/api/v1/conversations/{started['id']}"),
        ("post", f"/api/v1/conversations/{started['id']}/confirm"),
        ("get", f"/api/v1/conversations/{uuid.uuid4()}"),
    ]:
        assert getattr(client, method)(path, headers=headers).status_code == 404
    response = client.post(f"/api/v1/conversations/{started['id']}/messages", json={"text": "hello"}, headers=headers)
    assert response.status_code == 404


def test_builder_turns_are_rate_limited(make_app):
    app = make_app(RATELIMIT_BUILDER="3 per minute")
    seed_voices(app)
    client = app.test_client()
    headers = bearer(client, make_user(app).email)
    started = _start(client, headers)
    url = f"/api/v1/conversations/{started['id']}/messages"
    codes = [client.post(url, json={"text": "hello"}, headers=headers).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
