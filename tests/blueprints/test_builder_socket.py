"""The builder's WebSocket door against a live server, with a real WebSocket client (SECURITY.md 12, 18, 19)."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
import sqlalchemy as sa
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from app.extensions import db
from app.models import Conversation, Voice
from tests.conftest import form_token
from tests.factories import make_user
from tests.generation_helpers import drain, seed_voices
from tests.live import LiveServer, serving


@dataclass
class Visitor:
    """A logged-in browser's cookies and the builder page it loaded."""

    server: LiveServer
    http: requests.Session
    conversation_id: str
    csrf_token: str

    @property
    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)

    def socket(self, *, origin: str | None = "same") -> ClientConnection:
        url = self.server.url.replace("http://", "ws://") + f"/builder/ws?conversation_id={self.conversation_id}"
        headers = {"Cookie": self.cookie}
        if origin is not None:
            headers["Origin"] = self.server.url if origin == "same" else origin
        return connect(url, additional_headers=headers, open_timeout=5, close_timeout=2)

    def message(self, text: str | None = None, **fields: object) -> str:
        body = {"conversation_id": self.conversation_id, "csrf_token": self.csrf_token, **fields}
        if text is not None:
            body["text"] = text
        body["HEADERS"] = {"HX-Request": "true"}
        return json.dumps(body)


def _open_builder(server: LiveServer, email: str, password: str) -> Visitor:
    http = requests.Session()
    login_page = http.get(server("/login"), timeout=5)
    response = http.post(
        server("/login"),
        data={"email": email, "password": password, "csrf_token": form_token(login_page.text)},
        timeout=5,
    )
    assert response.ok
    page = http.get(server("/create"), timeout=5)
    assert page.status_code == 200
    conversation_id = re.search(r'name="conversation_id" value="([^"]+)"', page.text)[1]
    return Visitor(server, http, conversation_id, form_token(page.text))


@pytest.fixture
def visitor(live_server: LiveServer) -> Iterator[Visitor]:
    seed_voices(live_server.app)
    with live_server.app.app_context():
        for voice in db.session.scalars(sa.select(Voice)):
            voice.preview_key = f"voices/{voice.id}/preview.mp3"  # a clip to offer; its bytes don't matter here
        db.session.commit()
    person = make_user(live_server.app, credits_=1)
    yield _open_builder(live_server, person.email, person.password)


def _messages(app, conversation_id: str) -> list[dict]:  # type: ignore[no-untyped-def]
    with app.app_context():
        row = db.session.get(Conversation, uuid.UUID(conversation_id))
        return list(row.messages or [])


def test_anonymous_handshake_is_refused(live_server: LiveServer):
    url = live_server.url.replace("http://", "ws://") + "/builder/ws"
    with pytest.raises(InvalidStatus) as refused:
        connect(url, additional_headers={"Origin": live_server.url}, open_timeout=5)
    assert refused.value.response.status_code == 401


@pytest.mark.parametrize("origin", ["http://evil.example", "null", None, "http://127.0.0.1:1"])
def test_handshake_from_another_origin_is_refused(visitor: Visitor, origin):
    with pytest.raises(InvalidStatus) as refused:
        visitor.socket(origin=origin)
    assert refused.value.response.status_code == 403


def test_a_turn_over_the_socket_returns_out_of_band_fragments(visitor: Visitor):
    with visitor.socket() as ws:
        ws.send(visitor.message("I want to wind down before sleep"))
        reply = ws.recv(timeout=5)
    for part in ('id="transcript"', 'id="chips"', 'id="spec-card"', 'id="status-area"', 'id="composer"'):
        assert part in reply
    assert "wind down before sleep" in reply
    messages = _messages(visitor.server.app, visitor.conversation_id)
    assert messages[-2] == {"role": "user", "text": "I want to wind down before sleep"}


def test_duration_slider_and_choice_controls_say_what_was_picked(visitor: Visitor):
    with visitor.socket() as ws:
        for text in ("I want to wind down before sleep", "in bed"):
            ws.send(visitor.message(text))
            reply = ws.recv(timeout=5)
        assert 'type="range"' in reply and 'name="minutes"' in reply  # the slider is offered
        ws.send(visitor.message(minutes="12"))
        reply = ws.recv(timeout=5)
        assert "12 minutes" in reply
        assert 'value="Slow pace"' in reply and 'value="Warm tone"' in reply  # pace and tone choices
        assert 'aria-label="Hear Joe"' in reply and "/media/voices/" in reply  # voice previews, signed
        ws.send(visitor.message(minutes="61"))
        refused = ws.recv(timeout=5)
    assert 'id="chat-notice"' in refused and "between 1 and 60 minutes" in refused
    assert _messages(visitor.server.app, visitor.conversation_id)[-2]["text"] == "12 minutes"


def test_oversize_message_is_refused_with_a_clear_reply_and_changes_nothing(visitor: Visitor):
    before = _messages(visitor.server.app, visitor.conversation_id)
    with visitor.socket() as ws:
        ws.send(visitor.message("a" * 2001))
        reply = ws.recv(timeout=5)
    assert 'id="chat-notice"' in reply and "over 2,000 characters" in reply
    assert _messages(visitor.server.app, visitor.conversation_id) == before


def test_an_oversize_frame_closes_the_socket(visitor: Visitor):
    with visitor.socket() as ws:
        ws.send(visitor.message("a" * 40_000))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009  # message too big


def test_a_message_without_the_page_csrf_token_changes_nothing(visitor: Visitor):
    before = _messages(visitor.server.app, visitor.conversation_id)
    with visitor.socket() as ws:
        ws.send(json.dumps({"conversation_id": visitor.conversation_id, "text": "sleep", "csrf_token": "forged"}))
        reply = ws.recv(timeout=5)
        ws.send("not json")
        unreadable = ws.recv(timeout=5)
    assert "page has expired" in reply and "could not be read" in unreadable
    assert _messages(visitor.server.app, visitor.conversation_id) == before


def test_user_text_comes_back_as_text_not_markup(visitor: Visitor):
    with visitor.socket() as ws:
        ws.send(visitor.message('<script>alert(1)</script><div hx-get="/admin">x</div>'))
        reply = ws.recv(timeout=5)
    assert "<script" not in reply and 'hx-get="/admin"' not in reply
    assert "alert(1)" in reply  # the words stay, as text


def test_someone_elses_conversation_is_not_found(live_server: LiveServer, visitor: Visitor):
    other = make_user(live_server.app)
    theirs = _open_builder(live_server, other.email, other.password).conversation_id
    before = _messages(live_server.app, theirs)
    with visitor.socket() as ws:
        ws.send(visitor.message("sleep", conversation_id=theirs))
        reply = ws.recv(timeout=5)
    assert "No such conversation" in reply
    assert _messages(live_server.app, theirs) == before


def test_turns_are_rate_limited(make_app):
    app = make_app(RATELIMIT_BUILDER="2 per minute")
    seed_voices(app)
    person = make_user(app)
    with serving(app) as server:
        visitor = _open_builder(server, person.email, person.password)
        with visitor.socket() as ws:
            replies = []
            for text in ("sleep", "in bed", "10 minutes"):
                ws.send(visitor.message(text))
                replies.append(ws.recv(timeout=5))
    assert 'id="transcript"' in replies[0] and 'id="transcript"' in replies[1]
    assert 'id="transcript"' not in replies[2] and re.search(r"Please wait \d+ seconds", replies[2])


def test_progress_is_pushed_until_the_practice_plays(visitor: Visitor):
    app = visitor.server.app
    with visitor.socket() as ws:
        for text in ("I want to wind down before sleep", "in bed", "1 minute", "sounds good"):
            ws.send(visitor.message(text))
            ws.recv(timeout=5)
        ws.send(visitor.message("Create it (1 credit)"))
        started = ws.recv(timeout=5)
        assert "Making your practice" in started and "hx-trigger" not in started.split('id="progress"')[1][:200]
        drain(app)  # the worker, here in the test's thread; the socket watches the job meanwhile
        pushed = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not any("is ready" in m for m in pushed):
            pushed.append(ws.recv(timeout=5))
    final = pushed[-1]
    assert "is ready" in final and "<audio" in final and "Make another" in final
    assert _messages(app, visitor.conversation_id)[-1]["role"] == "assistant"


def test_logging_out_ends_the_socket(visitor: Visitor):
    with visitor.socket() as ws:
        page = visitor.http.get(visitor.server("/account/"), timeout=5)
        visitor.http.post(visitor.server("/logout"), data={"csrf_token": form_token(page.text)}, timeout=5)
        ws.send(visitor.message("sleep"))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
