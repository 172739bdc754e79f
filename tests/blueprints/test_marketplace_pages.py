"""The marketplace pages: browse and search as anyone, open a pack with previews, get a free pack."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import ContentItem, Entitlement, RitualPack
from tests.conftest import form_token
from tests.factories import make_user
from tests.library_helpers import entitle
from tests.marketplace_helpers import make_creator, pack_item_ids, publish_pack, store_real_audio

HTMX = {"HX-Request": "true"}


@pytest.fixture
def catalog(app):
    creator = make_creator(app, "Maya Rivers", "Teaches breath and rest.")
    return {
        "creator": creator,
        "sleep": publish_pack(app, creator, title="Deep Sleep Wind-Down", tags=("sleep", "evening")),
        "focus": publish_pack(
            app, creator, title="Focus Sprints", tags=("focus",), price_type="one_time", price_amount=499,
            items=(("ritual", 3),), description="Short rituals before deep work.",
        ),
    }


def test_anyone_can_browse_the_catalog(client, catalog):
    page = client.get("/marketplace")
    html = page.data.decode()
    assert page.status_code == 200
    assert "Deep Sleep Wind-Down" in html and "Focus Sprints" in html
    assert "by Maya Rivers" in html and "$4.99" in html and "Free" in html
    assert "2 packs" in html


def test_search_is_a_plain_get_page_and_an_htmx_fragment(client, catalog):
    full = client.get("/marketplace?q=sleep").data.decode()
    assert "<html" in full and "Deep Sleep Wind-Down" in full and "Focus Sprints" not in full
    assert 'value="sleep"' in full  # the box keeps what was typed
    fragment = client.get("/marketplace?q=sleep", headers=HTMX)
    assert "<html" not in fragment.data.decode() and "Deep Sleep Wind-Down" in fragment.data.decode()
    assert "HX-Request" in fragment.headers.get("Vary", "")


def test_a_misspelt_search_still_finds_and_suggests(client, catalog):
    html = client.get("/marketplace?q=slep").data.decode()
    assert "Deep Sleep Wind-Down" in html
    assert "Did you mean" in html and "sleep" in html


def test_bad_filters_get_a_clear_message(client, catalog):
    page = client.get("/marketplace?type=podcast")
    assert page.status_code == 400
    assert "Kind must be one of" in page.data.decode()


def test_nothing_found_says_so(client, catalog):
    html = client.get("/marketplace?q=zebra+crossing").data.decode()
    assert "No packs found" in html


def test_a_pack_page_lists_its_practices_with_thirty_second_previews(app, client, catalog):
    first = pack_item_ids(app, catalog["sleep"])[0]
    store_real_audio(app, first, seconds=45)
    html = client.get(f"/marketplace/packs/{catalog['sleep']}").data.decode()
    assert "Deep Sleep Wind-Down" in html and "Teaches breath and rest." in html
    assert "Focus Sprints" in html  # more from the creator
    assert "30-second preview" in html
    with app.app_context():
        item = db.session.get(ContentItem, first)
        key = item.meta["preview_key"]
        assert key == item.audio_url.replace(".mp3", "-preview.mp3")
        assert 29 <= item.meta["preview_seconds"] <= 30.5
    src = html.split('<audio controls preload="none" src="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    clip = client.get(src)
    head = clip.data[:3]
    clip.close()
    assert clip.status_code == 200 and (head == b"ID3" or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"))


def test_an_unplayable_object_shows_no_preview_and_no_error(client, catalog):
    page = client.get(f"/marketplace/packs/{catalog['sleep']}")  # the stored objects are not real audio
    assert page.status_code == 200 and "30-second preview" not in page.data.decode()


def test_draft_and_unknown_packs_are_not_found(app, client, catalog):
    draft = publish_pack(app, catalog["creator"], title="Unfinished", status="draft", index=False)
    assert client.get(f"/marketplace/packs/{draft}").status_code == 404
    assert client.get("/marketplace/packs/00000000-0000-0000-0000-000000000000").status_code == 404


def test_an_archived_pack_stays_visible_to_who_holds_it(app, client, auth, catalog):
    holder = make_user(app)
    entitle(app, holder.id, catalog["focus"], source="purchase")
    with app.app_context():
        db.session.get(RitualPack, catalog["focus"]).status = "archived"
        db.session.commit()
    assert client.get(f"/marketplace/packs/{catalog['focus']}").status_code == 404
    auth.login(holder.email)
    html = client.get(f"/marketplace/packs/{catalog['focus']}").data.decode()
    assert "In your library" in html


def test_getting_a_free_pack_puts_it_in_the_library(app, client, auth, catalog):
    buyer = make_user(app)
    auth.login(buyer.email)
    page = client.get(f"/marketplace/packs/{catalog['sleep']}")
    assert "Get it free" in page.data.decode()
    answer = client.post(f"/marketplace/packs/{catalog['sleep']}/get", data={"csrf_token": form_token(page.data)})
    assert answer.status_code == 303 and answer.headers["Location"].startswith("/library")
    with app.app_context():
        rows = db.session.scalars(db.select(Entitlement).where(Entitlement.user_id == buyer.id)).all()
        assert [(row.pack_id, row.source) for row in rows] == [(catalog["sleep"], "free")]
    library = client.get("/library?source=pack").data.decode()
    assert "Deep Sleep Wind-Down 1" in library
    again = client.get(f"/marketplace/packs/{catalog['sleep']}").data.decode()
    assert "In your library" in again and "Get it free" not in again
    assert "In your library" in client.get("/marketplace").data.decode()


def test_buying_a_paid_pack_goes_to_checkout(app, client, auth, catalog):
    buyer = make_user(app)
    auth.login(buyer.email)
    page = client.get(f"/marketplace/packs/{catalog['focus']}")
    assert "Buy for $4.99" in page.data.decode()
    answer = client.post(f"/marketplace/packs/{catalog['focus']}/get", data={"csrf_token": form_token(page.data)})
    assert answer.status_code == 303 and "/checkout/" in answer.headers["Location"]


def test_getting_needs_a_login_and_the_form_token(app, client, auth, catalog):
    url = f"/marketplace/packs/{catalog['sleep']}/get"
    assert client.post(url).status_code in (302, 400)
    anonymous = client.get(f"/marketplace/packs/{catalog['sleep']}").data.decode()
    assert "Log in to get it" in anonymous
    buyer = make_user(app)
    auth.login(buyer.email)
    assert client.post(url).status_code == 400  # SECURITY.md 15: no CSRF token, nothing granted
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Entitlement)) == 0


def test_a_creator_cannot_buy_their_own_pack(app, client, auth, catalog):
    with app.app_context():
        from app.models import User

        email = db.session.get(User, catalog["creator"]).email
    auth.login(email)
    html = client.get(f"/marketplace/packs/{catalog['sleep']}").data.decode()
    assert "This is your pack." in html and "Get it free" not in html


@pytest.mark.parametrize("title", ["<script>alert(1)</script>", "<div hx-get=/admin>x</div>"])
def test_pack_text_is_inert(app, client, title):
    """SECURITY.md 18."""
    creator = make_creator(app, name=title, bio=title)
    pack_id = publish_pack(app, creator, title=title, description=title, tags=("sleep",))
    pages = [
        client.get("/marketplace").data,
        client.get("/marketplace?q=sleep", headers=HTMX).data,
        client.get(f"/marketplace/packs/{pack_id}").data,
    ]
    for html in pages:
        text = html.decode()
        assert title not in text and "&lt;" in text


def test_results_come_in_pages_of_twelve_with_plain_links(app, client):
    creator = make_creator(app)
    for n in range(13):
        publish_pack(app, creator, title=f"Morning Practice {n}", tags=("morning",), items=(("ritual", 2),))
    first = client.get("/marketplace?tag=morning").data.decode()
    assert first.count('class="pack-card card"') == 12 and "Page 1 of 2" in first
    assert 'href="/marketplace?page=2&amp;tag=morning"' in first
    second = client.get("/marketplace?page=2&tag=morning", headers=HTMX).data.decode()
    assert second.count('class="pack-card card"') == 1 and "Previous" in second and "Next" not in second
