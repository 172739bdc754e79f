"""The player's beacon (`POST /practice/events`): the login session plus the page's CSRF token, sent as a
form field (all `navigator.sendBeacon` can do) or as the X-CSRFToken header with JSON."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from app.extensions import db
from app.models import PracticeEvent
from tests.api.helpers import assert_error
from tests.conftest import form_token
from tests.factories import make_user
from tests.library_helpers import make_item

BEACON = "/practice/events"


def _events(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(PracticeEvent))


def _logged_in(app, client, auth):
    me = make_user(app)
    auth.login(me.email)
    return me, form_token(client.get("/").data)


def _report(item_id, **fields):
    return {"event_id": str(uuid.uuid4()), "ritual_id": str(item_id), "kind": "start", **fields}


def test_a_form_encoded_beacon_with_the_token_is_recorded_once(app, client, auth):
    me, token = _logged_in(app, client, auth)
    item_id = make_item(app, me.id, minutes=10)
    report = _report(item_id, csrf_token=token)
    first = client.post(BEACON, data=report)
    assert first.status_code == 201 and first.mimetype == "application/json"
    assert first.json["summary"]["total_practices"] == 1
    again = client.post(BEACON, data=report)
    assert again.status_code == 200 and again.json["created"] is False
    done = {**report, "kind": "complete", "listened_seconds": "300", "position": "300", "feeling": "4", "note": "ok"}
    finished = client.post(BEACON, data=done).json
    assert finished["event"]["duration"] == 300 and finished["event"]["feeling"] == 4
    assert finished["resume_position"] == 300 and _events(app) == 1


def test_json_with_the_header_token_works_too(app, client, auth):
    me, token = _logged_in(app, client, auth)
    item_id = make_item(app, me.id)
    response = client.post(BEACON, json=_report(item_id, position=12), headers={"X-CSRFToken": token})
    assert response.status_code == 201 and response.json["resume_position"] == 12


def test_without_the_token_nothing_is_recorded(app, client, auth):
    """SECURITY.md 15."""
    me, token = _logged_in(app, client, auth)
    item_id = make_item(app, me.id)
    assert_error(client.post(BEACON, data=_report(item_id)), 400, code="csrf_failed")
    assert_error(client.post(BEACON, data=_report(item_id, csrf_token=token[:-3] + "abc")), 400, code="csrf_failed")
    assert_error(client.post(BEACON, json=_report(item_id)), 400, code="csrf_failed")
    assert _events(app) == 0


def test_it_needs_a_login(app, client):
    owner = make_user(app)
    item_id = make_item(app, owner.id)
    token = form_token(client.get("/login").data)
    assert_error(client.post(BEACON, data=_report(item_id, csrf_token=token)), 401)
    assert _events(app) == 0


def test_another_users_practice_is_not_found(app, client, auth):
    """SECURITY.md 9."""
    _me, token = _logged_in(app, client, auth)
    theirs = make_item(app, make_user(app).id)
    for target in (theirs, uuid.uuid4()):
        assert_error(client.post(BEACON, data=_report(target, csrf_token=token)), 404, code="not_found")
    assert _events(app) == 0


def test_bad_fields_are_422_and_change_nothing(app, client, auth):
    me, token = _logged_in(app, client, auth)
    item_id = make_item(app, me.id)
    for change, field in (
        ({"kind": "pause"}, "kind"),
        ({"position": "-3"}, "position"),
        ({"listened_seconds": "nan"}, "listened_seconds"),
        ({"event_id": "x"}, "event_id"),
        ({"kind": "complete", "feeling": "7"}, "feeling"),
    ):
        assert_error(client.post(BEACON, data=_report(item_id, csrf_token=token, **change)), 422, field=field)
    headers = {"X-CSRFToken": token}
    assert_error(client.post(BEACON, data="[1, 2]", content_type="application/json", headers=headers), 422)
    assert_error(client.post(BEACON, data="{oops", content_type="application/json", headers=headers), 400)
    assert _events(app) == 0
