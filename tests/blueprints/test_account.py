"""The account page: credits, ledger history and saved choices."""

from __future__ import annotations

import sqlalchemy as sa

from app.models import User
from tests.conftest import form_token
from tests.factories import make_user, make_voice


def test_ledger_pages_and_out_of_range_pages(app, client, auth):
    person = make_user(app, credits_=3)
    auth.login(person.email)
    page = client.get("/account/?page=1")
    assert page.status_code == 200 and b"Credits added" in page.data
    for odd in ["999999999999999999999999999999", "-4", "abc"]:
        assert client.get(f"/account/?page={odd}").status_code == 200


def test_ledger_pager_answers_htmx_with_the_fragment(app, client, auth):
    person = make_user(app, credits_=3)
    auth.login(person.email)
    fragment = client.get("/account/?page=1", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.data.lstrip().startswith(b'<div id="ledger">')
    assert b"<html" not in fragment.data
    assert "HX-Request" in fragment.headers["Vary"]


def test_saving_choices(app, client, auth, db):
    person = make_user(app)
    voice_id = make_voice(app, name="Joe")
    auth.login(person.email)
    page = client.get("/account/")
    assert b"Joe (calm)" in page.data
    response = client.post(
        "/account/preferences",
        data={"voice": str(voice_id), "pace": "slow", "tone": "warm", "csrf_token": form_token(page.data)},
        follow_redirects=True,
    )
    assert b"Your preferences are saved." in response.data
    prefs = db.session.scalar(sa.select(User.preferences).where(User.id == person.id))
    assert prefs == {"voice": str(voice_id), "pace": "slow", "tone": "warm"}


def test_bad_choices_change_nothing(app, client, auth, db):
    person = make_user(app)
    auth.login(person.email)
    page = client.get("/account/")
    response = client.post(
        "/account/preferences",
        data={"pace": "warp speed", "csrf_token": form_token(page.data)},
        follow_redirects=True,
    )
    assert b"could not be saved" in response.data
    assert db.session.scalar(sa.select(User.preferences).where(User.id == person.id)) == {}
