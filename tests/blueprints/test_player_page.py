"""The player page (`/library/<id>`) and its play endpoint (`/library/<id>/play`)."""

from __future__ import annotations

import html
import re
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import ContentItem, GenerationJob
from app.providers.storage import audio_key, get_storage
from app.services import library_state, playback
from app.services.beds import BEDS
from tests.api.helpers import assert_error
from tests.factories import make_user
from tests.library_helpers import entitle, make_item, make_pack

XSS_TITLE = "<script>alert(1)</script>"
XSS_TEXT = '<div hx-get="/admin">Breathe</div>'


def _login(app, auth, user=None):
    user = user or make_user(app)
    auth.login(user.email)
    return user


def _media(client, url: str):
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def test_the_owner_gets_the_player(app, client, auth):
    me = _login(app, auth)
    item_id = make_item(app, me.id, title="Evening calm", minutes=10)
    page = client.get(f"/library/{item_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<h1" in text and "Evening calm" in text
    assert 'id="voice"' in text and "controls" in text  # the native player works without the script
    assert 'src="/static/js/player.js"' in text and "/static/css/player.css" in text
    assert "autoplay" not in text
    assert "Settle in and breathe." in text and 'data-start="40.0"' in text  # the transcript with its times
    assert 'data-background="rain"' in text and 'aria-pressed="true">Soft rain' in text
    assert "Keyboard shortcuts" in text and "How do you feel?" in text
    assert page.headers["Cache-Control"] == "no-store"  # it holds a signed URL


def test_a_pack_listener_gets_the_player(app, client, auth):
    creator = make_user(app)
    item_id = make_item(app, creator.id, title="Deep sleep")
    listener = _login(app, auth)
    entitle(app, listener.id, make_pack(app, creator.id, [item_id], title="Sleep well"))
    page = client.get(f"/library/{item_id}")
    assert page.status_code == 200
    assert "Deep sleep" in page.get_data(as_text=True) and "from “Sleep well”" in page.get_data(as_text=True)
    assert client.get(f"/library/{item_id}/play").json["title"] == "Deep sleep"


# SECURITY.md 9
def test_another_users_item_is_not_found_on_both_routes(app, client, auth):
    theirs = make_item(app, make_user(app).id)
    creator = make_user(app)
    revoked = make_item(app, creator.id)
    me = _login(app, auth)
    entitle(app, me.id, make_pack(app, creator.id, [revoked]), revoked_at=datetime(2024, 1, 1))
    for target in (theirs, revoked, uuid.uuid4()):
        page = client.get(f"/library/{target}")
        assert page.status_code == 404 and "<html" in page.get_data(as_text=True).lower()
        assert_error(client.get(f"/library/{target}/play"), 404, code="not_found")


def test_every_background_is_offered_as_ogg_and_as_mp3(app, client, auth):
    me = _login(app, auth)
    item_id = make_item(app, me.id)
    text = client.get(f"/library/{item_id}").get_data(as_text=True)
    assert 'id="bed"' in text and 'id="bed-next"' in text and "autoplay" not in text
    for name in BEDS:
        button = re.search(rf'<button[^>]*data-bed="{name}"[^>]*>', text).group(0)
        sources = dict(re.findall(r'data-src-(ogg|mp3)="([^"]+)"', button))
        assert sources == {"ogg": f"/static/audio/beds/{name}.ogg", "mp3": f"/static/audio/beds/{name}.mp3"}
        for ext, mimetype in (("ogg", "audio/ogg"), ("mp3", "audio/mpeg")):
            served = client.get(sources[ext])
            assert served.status_code == 200 and served.mimetype == mimetype and len(served.data) > 50_000
            served.close()


def test_both_routes_need_a_login(app, client):
    item_id = make_item(app, make_user(app).id)
    for path in (f"/library/{item_id}", f"/library/{item_id}/play"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_play_gives_a_fresh_signed_url_that_works_through_media(app, client, auth):
    me = _login(app, auth)
    item_id = make_item(app, me.id, minutes=10)
    with app.app_context():
        library_state.save_position(me.id, item_id, 252.5)
        db.session.commit()
    first = client.get(f"/library/{item_id}/play")
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    body = first.json
    assert set(body) == {
        "audio_url",
        "expires_at",
        "title",
        "content_type",
        "duration",
        "version",
        "sections",
        "background",
        "resume_position",
    }
    assert body["duration"] == 600 and body["resume_position"] == 252.5 and body["background"] == "rain"
    assert [s["name"] for s in body["sections"]] == ["arrival", "body"]
    assert body["audio_url"].startswith(f"/media/audio/{me.id}/{item_id}/1.mp3?")
    media = _media(client, body["audio_url"])
    assert media.status_code == 200 and media.data.startswith(b"ID3")
    assert _media(client, body["audio_url"][:-2] + "xx").status_code == 403  # tampered
    assert datetime.fromisoformat(body["expires_at"]) > datetime.now(UTC)
    # The page carries its own signed URL for the plain <audio> element, and it works too.
    src = html.unescape(re.search(r'id="voice"[^>]* src="([^"]+)"', client.get(f"/library/{item_id}").text).group(1))
    assert _media(client, src).status_code == 200


# SECURITY.md 18
def test_title_and_script_are_inert(app, client, auth):
    me = _login(app, auth)
    item_id = make_item(app, me.id, title=XSS_TITLE)
    with app.app_context():
        item = db.session.get(ContentItem, item_id)
        sections = [dict(s) for s in item.structure["sections"]]
        sections[0]["segments"] = [{"text": XSS_TEXT, "pause": 1.0}]
        sections[1]["name"] = "<b>body</b>"
        item.structure = {**item.structure, "sections": sections}
        db.session.commit()
        playback.invalidate(item_id)
    text = client.get(f"/library/{item_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<div hx-get" not in text and "&lt;div hx-get=&#34;/admin&#34;&gt;Breathe&lt;/div&gt;" in text
    assert "<b>body</b>" not in text
    assert 'data-title="&lt;script&gt;alert(1)&lt;/script&gt;"' in text  # as data for the lock screen
    body = client.get(f"/library/{item_id}/play").json
    assert body["title"] == XSS_TITLE and body["sections"][0]["text"] == XSS_TEXT  # JSON data, shown with textContent


def test_while_the_first_version_is_made_the_page_shows_progress(app, client, auth):
    me = _login(app, auth)
    item_id = make_item(app, me.id, ready=False)
    page = client.get(f"/library/{item_id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Making your practice" in text and "Recording the voice · 40 %" in text
    assert f'hx-get="/library/{item_id}"' in text and 'hx-trigger="every 2s"' in text
    assert 'id="voice"' not in text and "player.js" not in text
    assert_error(client.get(f"/library/{item_id}/play"), 409, code="not_ready")

    fragment = client.get(f"/library/{item_id}", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and 'id="making"' in fragment.text

    _make_ready(app, item_id, me.id)
    ready = client.get(f"/library/{item_id}", headers={"HX-Request": "true"})
    assert ready.headers.get("HX-Refresh") == "true"  # the polling page reloads into the player
    assert 'id="voice"' in client.get(f"/library/{item_id}").text


def test_a_failed_first_version_stops_polling(app, client, auth):
    me = _login(app, auth)
    item_id = make_item(app, me.id, ready=False)
    with app.app_context():
        job = db.session.scalar(sa.select(GenerationJob).where(GenerationJob.content_item_id == item_id))
        job.status = "failed"
        db.session.commit()
    text = client.get(f"/library/{item_id}").get_data(as_text=True)
    assert "That didn’t work" in text and "credit was returned" in text and "hx-trigger" not in text


def _make_ready(app, item_id, user_id) -> None:
    with app.app_context():
        item = db.session.get(ContentItem, item_id)
        item.audio_url = audio_key(user_id, item_id, 1)
        item.audio_duration = 60.0
        item.meta = {**(item.meta or {}), "version": 1, "background": "ocean"}
        job = db.session.scalar(sa.select(GenerationJob).where(GenerationJob.content_item_id == item_id))
        job.status, job.progress = "ready", 100
        db.session.commit()
        get_storage().put_bytes(item.audio_url, b"ID3" + bytes(100), "audio/mpeg")
        playback.invalidate(item_id)
