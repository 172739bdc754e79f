"""The builder page over plain forms and htmx: same conversation, same rules as the API."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.models import Conversation
from tests.conftest import form_token
from tests.factories import make_user
from tests.generation_helpers import drain, seed_voices


def _conversation_id(html: bytes) -> str:
    return re.search(rb'name="conversation_id" value="([^"]+)"', html).group(1).decode()


def _say(client, page: bytes, text: str, htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        "/create/messages",
        data={"text": text, "conversation_id": _conversation_id(page), "csrf_token": form_token(page)},
        headers=headers,
    )


def test_create_needs_a_login(client):
    response = client.get("/create")
    assert response.status_code == 302 and response.location.startswith("/login?next=")


def test_chat_without_javascript_from_greeting_to_playable_practice(app, client, auth):
    seed_voices(app)
    person = make_user(app)
    auth.login(person.email)
    page = client.get("/create")
    assert page.status_code == 200
    assert b"What would you like it to help with?" in page.data
    assert b"Wind down before sleep" in page.data  # a chip
    for text in ["Wind down before sleep", "in bed", "5 minutes", "sounds good"]:
        assert _say(client, page.data, text).status_code == 302
        page = client.get("/create")
    assert b"Create it (1 credit)" in page.data
    assert b"5 minutes" in page.data or b"5-minute" in page.data
    assert _say(client, page.data, "Create it (1 credit)").status_code == 302
    page = client.get("/create")
    assert b"Making your practice" in page.data and b'hx-trigger="every 2s"' in page.data
    drain(app)
    page = client.get("/create")
    assert b"is ready" in page.data and b"<audio" in page.data and b"/media/audio/" in page.data


def test_htmx_turn_returns_the_transcript_and_out_of_band_parts(app, client, auth):
    seed_voices(app)
    auth.login(make_user(app).email)
    page = client.get("/create")
    response = _say(client, page.data, "I want to calm my nerves", htmx=True)
    assert response.status_code == 200
    body = response.data.decode()
    assert body.lstrip().startswith('<ol id="transcript"')
    assert '<div id="chips" class="chat-chips" hx-swap-oob="true">' in body
    assert 'id="spec-card"' in body and "<html" not in body
    assert "I want to calm my nerves" in body


def test_no_credit_at_confirm_explains_and_links_to_credits(app, client, auth, db):
    seed_voices(app)
    auth.login(make_user(app, credits_=0).email)
    page = client.get("/create")
    for text in ["Wind down before sleep", "in bed", "5 minutes", "sounds good"]:
        _say(client, page.data, text)
        page = client.get("/create")
    response = _say(client, page.data, "Create it (1 credit)")
    assert response.status_code == 402
    assert b"Not enough credits" in response.data and b"See your credits" in response.data
    htmx = _say(client, page.data, "Create it (1 credit)", htmx=True)
    assert htmx.headers["HX-Retarget"] == "#status-area"
    assert db.session.scalar(sa.select(Conversation.state)) == "Confirm"


def test_user_text_is_shown_as_text_not_markup(app, client, auth):
    seed_voices(app)
    auth.login(make_user(app).email)
    page = client.get("/create")
    _say(client, page.data, '<script>alert(1)</script><div hx-get="/admin">help me sleep</div>')
    html = client.get("/create").data.decode()
    assert "<script>alert(1)</script>" not in html
    assert '<div hx-get="/admin">' not in html


def test_history_lists_only_my_conversations(app, client, auth):
    seed_voices(app)
    mine, theirs = make_user(app), make_user(app)
    auth.login(theirs.email)
    page = client.get("/create")
    _say(client, page.data, "a secret worry about money")
    auth.logout()
    auth.login(mine.email)
    page = client.get("/create")
    _say(client, page.data, "help me focus at work")
    history = client.get("/create/history").data
    assert b"help me focus at work" in history and b"secret worry" not in history


def test_progress_of_someone_elses_practice_is_not_found(app, client, auth):
    import uuid

    seed_voices(app)
    auth.login(make_user(app).email)
    assert client.get(f"/create/progress/{uuid.uuid4()}").status_code == 404
