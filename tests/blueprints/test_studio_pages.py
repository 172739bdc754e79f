"""The studio pages and the become-a-creator form: the role matrix (SECURITY.md 10), another creator's
pack → 404 (SECURITY.md 9), CSRF on every form (SECURITY.md 15), inert text (SECURITY.md 18), and
the flows a creator walks through."""

from __future__ import annotations

import io
import re
import uuid

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditLog, ContentItem, GenerationJob, Notification, PackItem, RitualPack, User
from app.services import notifications
from tests.conftest import AuthActions, form_token
from tests.factories import make_user
from tests.generation_helpers import seed_voices
from tests.library_helpers import make_item
from tests.marketplace_helpers import make_creator, pack_item_ids, publish_pack

HTMX = {"HX-Request": "true"}
NASTY = ["<script>alert(1)</script>", "<div hx-get=/admin>x</div>"]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(120)

# (method, path, form data): every studio route; {pack}, {item}, {spare} and {note} are filled per test.
ROUTES = [
    ("GET", "/studio", None),
    ("GET", "/studio/packs/new", None),
    ("POST", "/studio/packs/new", {"title": "Fresh", "price_type": "free"}),
    ("GET", "/studio/packs/{pack}", None),
    ("POST", "/studio/packs/{pack}", {"title": "Renamed", "price_type": "free"}),
    ("POST", "/studio/packs/{pack}/submit", {}),
    ("POST", "/studio/packs/{pack}/archive", {}),
    ("POST", "/studio/packs/{pack}/draft", {}),
    ("GET", "/studio/packs/{pack}/delete", None),
    ("POST", "/studio/packs/{pack}/delete", {}),
    ("GET", "/studio/packs/{pack}/preview", None),
    ("POST", "/studio/packs/{pack}/items", {"content_item_id": "{spare}"}),
    ("POST", "/studio/packs/{pack}/items/{item}/remove", {}),
    ("POST", "/studio/packs/{pack}/items/{item}/move", {"direction": "down"}),
    ("POST", "/studio/packs/{pack}/items/order", {"order": ["{item}"]}),
    (
        "POST",
        "/studio/packs/{pack}/generate",
        {"content_type": "affirmation", "intent": "a calm start", "duration_minutes": "2"},
    ),
    ("GET", "/studio/packs/{pack}/items/{item}/progress", None),
    ("POST", "/studio/notifications/{note}/read", {}),
    ("POST", "/studio/notifications/read", {}),
    ("GET", "/studio/profile", None),
    ("POST", "/studio/profile", {"display_name": "Maya", "bio": "Hello."}),
]
PACK_ROUTES = [route for route in ROUTES if "{pack}" in route[1] or "{note}" in route[1]]
POST_ROUTES = [route for route in ROUTES if route[0] == "POST"]


@pytest.fixture
def world(app):
    """An owner with a draft pack of two ready items, a spare item and a notification; another creator; a user."""
    seed_voices(app)
    owner = make_creator(app, "Maya Rivers")
    pack = publish_pack(app, owner, status="draft", index=False, title="Owner Pack")
    with app.app_context():
        note = notifications.notify(owner, "pack_approved", "Your pack was approved.")
        db.session.commit()
        note_id = note.id
    return {
        "owner": _email(app, owner),
        "other": _email(app, make_creator(app, "Theo Other")),
        "user": make_user(app).email,
        "pack": pack,
        "item": pack_item_ids(app, pack)[0],
        "spare": make_item(app, owner, title="Spare practice"),
        "note": note_id,
        "owner_id": owner,
    }


def _email(app, user_id: uuid.UUID) -> str:
    with app.app_context():
        return db.session.get(User, user_id).email


def _fill(text: str, world: dict) -> str:
    return text.format(**{k: v for k, v in world.items() if k in ("pack", "item", "spare", "note")})


def _as(app, email: str | None):
    client = app.test_client()
    if email:
        AuthActions(client).login(email)
    return client


def _call(client, method: str, path: str, data: dict | None, world: dict, *, token: bool = True, htmx: bool = False):
    path = _fill(path, world)
    headers = HTMX if htmx else {}
    if method == "GET":
        return client.get(path, headers=headers)
    body = {
        k: ([_fill(x, world) for x in v] if isinstance(v, list) else _fill(v, world)) for k, v in (data or {}).items()
    }
    if token:
        page = client.get("/login") if not _logged_in(client) else client.get("/account/")
        body["csrf_token"] = form_token(page.data)
    return client.post(path, data=body, headers=headers)


def _logged_in(client) -> bool:
    return client.get("/account/").status_code == 200


@pytest.mark.parametrize("method,path,data", ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_every_studio_route_needs_the_creator_role(app, world, method, path, data):
    """SECURITY.md 10: anonymous → the login page, a listener → 403, the creator → the page."""
    anonymous = _call(_as(app, None), method, path, data, world)
    assert anonymous.status_code == 302 and anonymous.location.startswith("/login?next="), anonymous.status_code
    assert _call(_as(app, world["user"]), method, path, data, world).status_code == 403
    owner = _call(_as(app, world["owner"]), method, path, data, world)
    assert owner.status_code in (200, 204, 302, 303, 409, 422), (owner.status_code, owner.data[:300])


@pytest.mark.parametrize("method,path,data", PACK_ROUTES, ids=[f"{m} {p}" for m, p, _ in PACK_ROUTES])
def test_another_creators_pack_is_not_found_on_any_studio_route(app, world, method, path, data):
    """SECURITY.md 9: another creator's pack (or notification) is 404, and nothing about it changes."""
    response = _call(_as(app, world["other"]), method, path, data, world)
    assert response.status_code == 404
    with app.app_context():
        pack = db.session.get(RitualPack, world["pack"])
        assert (pack.title, pack.status) == ("Owner Pack", "draft")
        assert db.session.scalar(sa.select(sa.func.count()).where(PackItem.pack_id == pack.id)) == 2
        assert db.session.get(Notification, world["note"]).read_at is None


@pytest.mark.parametrize("method,path,data", POST_ROUTES, ids=[f"{m} {p}" for m, p, _ in POST_ROUTES])
def test_every_studio_form_needs_the_csrf_token(app, world, method, path, data):
    """SECURITY.md 15: a post without the form's token is refused and changes nothing."""
    response = _call(_as(app, world["owner"]), method, path, data, world, token=False)
    assert response.status_code == 400
    with app.app_context():
        pack = db.session.get(RitualPack, world["pack"])
        assert (pack.title, pack.status) == ("Owner Pack", "draft")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RitualPack)) == 1
        assert db.session.get(Notification, world["note"]).read_at is None


def test_pack_text_and_bio_are_inert_in_the_studio_and_the_marketplace(app):
    """SECURITY.md 18: markup in a title, description, tags and bio is shown as text everywhere."""
    owner = make_creator(app, NASTY[1], bio=f"{NASTY[0]} {NASTY[1]}")
    pack = publish_pack(
        app, owner, title=NASTY[0], description=f"{NASTY[1]}\n{NASTY[0]}", tags=tuple(t.lower() for t in NASTY)
    )
    with app.app_context():
        notifications.notify(owner, "pack_rejected", f"Your pack “{NASTY[0]}” was not approved: {NASTY[1]}")
        db.session.commit()
    client = _as(app, _email(app, owner))
    pages = [
        "/studio",
        f"/studio/packs/{pack}",
        f"/studio/packs/{pack}/preview",
        "/studio/profile",
        f"/marketplace/packs/{pack}",
    ]
    for path in pages:
        response = client.get(path)
        html = response.data.decode()
        assert response.status_code == 200, path
        assert "<script>alert(1)" not in html and "<div hx-get=/admin" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
    anonymous = _as(app, None).get(f"/marketplace/packs/{pack}").data.decode()
    assert "<script>alert(1)" not in anonymous and "<div hx-get=/admin" not in anonymous
    assert "&lt;div hx-get=/admin&gt;x&lt;/div&gt;" in anonymous


def test_becoming_a_creator_from_the_account_page(app):
    person = make_user(app, email="lena.moss@example.com")
    client = _as(app, person.email)
    account = client.get("/account/").data.decode()
    assert "Become a creator" in account and "The creator terms" in account and 'value="Lena Moss"' in account
    assert client.get("/studio").status_code == 403
    token = form_token(account)
    no_token = client.post("/account/creator", data={"display_name": "Lena", "accept_terms": "yes"})
    assert no_token.status_code == 400  # SECURITY.md 15
    refused = client.post("/account/creator", data={"csrf_token": token, "display_name": "Lena"})
    assert refused.status_code == 422 and "I accept the creator terms" in refused.data.decode()
    with app.app_context():
        assert db.session.get(User, person.id).roles == ["user"]
    done = client.post("/account/creator", data={"csrf_token": token, "display_name": "Lena M.", "accept_terms": "yes"})
    assert done.status_code == 303 and done.location == "/studio"
    studio = client.get("/studio").data.decode()
    assert "Lena M." in studio and "Welcome to the studio" in studio
    assert 'href="/studio"' in studio  # the navigation shows the studio now
    with app.app_context():
        assert db.session.scalar(sa.select(AuditLog.action).where(AuditLog.target_id == str(person.id))) == "role.grant"
    assert client.get("/account/creator").location == "/studio"


def test_creating_and_editing_a_pack_through_the_forms(app):
    owner = make_creator(app)
    client = _as(app, _email(app, owner))
    token = form_token(client.get("/studio/packs/new").data)
    bad = client.post(
        "/studio/packs/new",
        data={"csrf_token": token, "title": "", "price_type": "one_time", "price_amount": "lots", "tags": "ok"},
    )
    html = bad.data.decode()
    assert bad.status_code == 422
    assert "Give the pack a title." in html and "Enter the price in dollars and cents" in html
    assert 'value="lots"' in html and 'value="ok"' in html  # what was typed stays
    cover = (io.BytesIO(PNG), "cover.png")
    made = client.post(
        "/studio/packs/new",
        data={
            "csrf_token": token,
            "title": "Night Tide",
            "price_type": "one_time",
            "price_amount": "4.99",
            "cover": cover,
        },
        content_type="multipart/form-data",
    )
    assert made.status_code == 303
    pack_id = uuid.UUID(re.search(r"/studio/packs/([0-9a-f-]{36})", made.location).group(1))
    page = client.get(made.location).data.decode()
    assert "Night Tide" in page and "$4.99" in page and "Draft" in page and "/media/covers/" in page
    assert "At least 2 practices that are ready to play (it has 0)." in page
    fake = (io.BytesIO(b"<html>not an image</html>"), "cover.png")
    refused = client.post(
        f"/studio/packs/{pack_id}",
        data={"csrf_token": token, "title": "Changed", "price_type": "free", "cover": fake},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422 and "must be a PNG, JPEG or WebP image" in refused.data.decode()
    saved = client.post(
        f"/studio/packs/{pack_id}",
        data={
            "csrf_token": token,
            "title": "Night Tide",
            "price_type": "subscription",
            "price_amount": "2.50",
            "subscription_interval": "annual",
        },
    )
    assert saved.status_code == 303
    with app.app_context():
        pack = db.session.get(RitualPack, pack_id)
        assert (pack.price_type, pack.price_amount, pack.subscription_interval) == ("subscription", 250, "annual")
        assert pack.cover_key is not None


def test_submitting_shows_what_is_missing_then_goes_to_review(app):
    owner = make_creator(app)
    client = _as(app, _email(app, owner))
    pack = publish_pack(app, owner, status="draft", index=False, description="", items=(("ritual", 2),))
    token = form_token(client.get(f"/studio/packs/{pack}").data)
    refused = client.post(f"/studio/packs/{pack}/submit", data={"csrf_token": token})
    html = refused.data.decode()
    assert refused.status_code == 422 and "not ready for review yet" in html
    assert "(it has 1)" in html and "A description that tells listeners" in html
    client.post(f"/studio/packs/{pack}", data={"csrf_token": token, "title": "T", "description": "For sleep."})
    spare = make_item(app, owner, title="Second")
    client.post(f"/studio/packs/{pack}/items", data={"csrf_token": token, "content_item_id": str(spare)})
    sent = client.post(f"/studio/packs/{pack}/submit", data={"csrf_token": token})
    assert sent.status_code == 303
    page = client.get(f"/studio/packs/{pack}").data.decode()
    assert "Waiting for review since" in page and "Submitted for review" in page
    again = client.post(f"/studio/packs/{pack}/submit", data={"csrf_token": token})
    assert again.status_code == 409 and "cannot be submitted" in again.data.decode()
    assert _as(app, None).get(f"/marketplace/packs/{pack}").status_code == 404


def test_practices_are_added_moved_and_removed_with_plain_forms_and_htmx(app):
    owner = make_creator(app)
    client = _as(app, _email(app, owner))
    pack = publish_pack(app, owner, status="draft", index=False, items=(("ritual", 2),) * 2)
    a, b = pack_item_ids(app, pack)
    c = make_item(app, owner, title="Third one")
    token = form_token(client.get(f"/studio/packs/{pack}").data)
    assert (
        client.post(f"/studio/packs/{pack}/items", data={"csrf_token": token, "content_item_id": str(c)}).status_code
        == 303
    )
    assert pack_item_ids(app, pack) == [a, b, c]
    moved = client.post(f"/studio/packs/{pack}/items/{c}/move", data={"csrf_token": token, "direction": "up"})
    assert moved.status_code == 303 and moved.location.endswith("#practices")
    assert pack_item_ids(app, pack) == [a, c, b]
    swapped = client.post(
        f"/studio/packs/{pack}/items/{a}/move",
        data={"csrf_token": token, "direction": "down"},
        headers=HTMX,
        follow_redirects=True,
    )
    assert swapped.status_code == 200 and 'id="practice-list"' in swapped.data.decode()
    assert pack_item_ids(app, pack) == [c, a, b]
    bad = client.post(f"/studio/packs/{pack}/items", data={"csrf_token": token, "content_item_id": "nope"})
    assert bad.status_code == 422 and "Choose a practice" in bad.data.decode()
    theirs = make_item(app, make_user(app).id)
    assert (
        client.post(
            f"/studio/packs/{pack}/items", data={"csrf_token": token, "content_item_id": str(theirs)}
        ).status_code
        == 404
    )
    assert client.post(f"/studio/packs/{pack}/items/{b}/remove", data={"csrf_token": token}).status_code == 303
    assert pack_item_ids(app, pack) == [c, a]


def test_a_published_pack_refuses_to_drop_below_two_practices(app):
    owner = make_creator(app)
    client = _as(app, _email(app, owner))
    pack = publish_pack(app, owner)
    first = pack_item_ids(app, pack)[0]
    token = form_token(client.get(f"/studio/packs/{pack}").data)
    refused = client.post(f"/studio/packs/{pack}/items/{first}/remove", data={"csrf_token": token})
    assert refused.status_code == 409 and "at least 2 practices" in refused.data.decode()
    assert len(pack_item_ids(app, pack)) == 2


def test_preview_shows_the_buyers_page_with_a_banner(app):
    owner = make_creator(app, "Maya Rivers", bio="Teaches rest.")
    client = _as(app, _email(app, owner))
    pack = publish_pack(app, owner, status="draft", index=False, title="Dawn", price_type="one_time", price_amount=350)
    html = client.get(f"/studio/packs/{pack}/preview").data.decode()
    assert "Preview" in html and "only you can see it" in html
    assert "Dawn" in html and "Buy for $3.50" in html and "Teaches rest." in html and "by Maya Rivers" in html
    assert "This is your pack" not in html
    assert _as(app, None).get(f"/marketplace/packs/{pack}").status_code == 404


def test_archiving_and_back_to_draft_from_the_pack_page(app):
    owner = make_creator(app)
    client = _as(app, _email(app, owner))
    pack = publish_pack(app, owner, title="Moonlit")
    token = form_token(client.get(f"/studio/packs/{pack}").data)
    assert client.post(f"/studio/packs/{pack}/archive", data={"csrf_token": token}).status_code == 303
    assert "Moonlit" not in _as(app, None).get("/marketplace?q=moonlit").data.decode()
    assert client.post(f"/studio/packs/{pack}/draft", data={"csrf_token": token}).status_code == 303
    with app.app_context():
        assert db.session.get(RitualPack, pack).status == "draft"


def test_deleting_a_draft_asks_first(app):
    owner = make_creator(app)
    client = _as(app, _email(app, owner))
    pack = publish_pack(app, owner, status="draft", index=False, title="Scratch")
    confirm = client.get(f"/studio/packs/{pack}/delete").data.decode()
    assert "Delete the draft “Scratch”?" in confirm
    gone = client.post(f"/studio/packs/{pack}/delete", data={"csrf_token": form_token(confirm)})
    assert gone.status_code == 303 and gone.location == "/studio"
    with app.app_context():
        assert db.session.get(RitualPack, pack) is None


def test_generating_into_a_pack_from_its_page(app):
    seed_voices(app)
    owner = make_creator(app)
    client = _as(app, _email(app, owner))
    pack = publish_pack(app, owner, status="draft", index=False, items=())
    token = form_token(client.get(f"/studio/packs/{pack}").data)
    form = {"csrf_token": token, "content_type": "ritual", "intent": "closing the laptop", "duration_minutes": "3"}
    bad = client.post(f"/studio/packs/{pack}/generate", data={**form, "duration_minutes": "ten"})
    assert bad.status_code == 422 and "Duration must be a whole number" in bad.data.decode()
    made = client.post(f"/studio/packs/{pack}/generate", data=form)
    assert made.status_code == 303
    (item,) = pack_item_ids(app, pack)
    page = client.get(f"/studio/packs/{pack}").data.decode()
    assert "Being made" in page and f"/studio/packs/{pack}/items/{item}/progress" in page
    progress = client.get(f"/studio/packs/{pack}/items/{item}/progress", headers=HTMX).data.decode()
    assert progress.startswith('<div class="entry-progress"') and "Waiting for a free voice studio" in progress
    with app.app_context():  # the worker finishes it
        made_item = db.session.get(ContentItem, item)
        made_item.audio_url, made_item.audio_duration = f"audio/{owner}/{item}/1.mp3", 180.0
        db.session.execute(sa.update(GenerationJob).values(status="ready", progress=100))
        db.session.commit()
    done = client.get(f"/studio/packs/{pack}/items/{item}/progress", headers=HTMX)
    assert done.headers["HX-Retarget"] == f"#practice-{item}" and done.headers["HX-Reswap"] == "outerHTML"
    row = done.data.decode()
    assert row.startswith(f'<li class="practice-row" id="practice-{item}"') and "3 min" in row and "<html" not in row
    broke = client.post(f"/studio/packs/{pack}/generate", data=form)
    assert (
        broke.status_code == 402
        and "Not enough credits" in broke.data.decode()
        and "Buy credits" in broke.data.decode()
    )
    assert pack_item_ids(app, pack) == [item]


def test_the_profile_refuses_a_fake_image_and_shows_a_real_one(app):
    owner = make_creator(app, "Maya Rivers")
    client = _as(app, _email(app, owner))
    pack = publish_pack(app, owner)
    token = form_token(client.get("/studio/profile").data)
    fake = client.post(
        "/studio/profile",
        data={
            "csrf_token": token,
            "display_name": "Maya",
            "bio": "Hi",
            "avatar": (io.BytesIO(b"MZ\x90\x00"), "me.png"),
        },
        content_type="multipart/form-data",
    )
    assert fake.status_code == 422 and "must be a PNG, JPEG or WebP image" in fake.data.decode()
    long_bio = client.post("/studio/profile", data={"csrf_token": token, "display_name": "", "bio": "b" * 601})
    assert long_bio.status_code == 422
    assert "Enter the name buyers will see." in long_bio.data.decode() and "under 601" in long_bio.data.decode()
    saved = client.post(
        "/studio/profile",
        data={"csrf_token": token, "display_name": "Maya R.", "bio": "Breath.", "avatar": (io.BytesIO(PNG), "x.png")},
        content_type="multipart/form-data",
    )
    assert saved.status_code == 303
    studio = client.get("/studio").data.decode()
    assert "Maya R." in studio and "/media/avatars/" in studio
    market = _as(app, None).get(f"/marketplace/packs/{pack}").data.decode()
    assert "by Maya R." in market and 'class="creator-avatar" src="/media/avatars/' in market


def test_the_dashboard_shows_packs_by_status_notifications_and_tokens(app):
    owner = make_creator(app)
    client = _as(app, _email(app, owner))
    publish_pack(app, owner, title="Live One")
    draft = publish_pack(app, owner, status="draft", index=False, title="Work In Progress")
    with app.app_context():
        db.session.get(RitualPack, draft).moderation_note = "Needs a clearer description."
        notifications.notify(
            owner, "pack_rejected", "Your pack “Work In Progress” was not approved: unclear.", pack_id=draft
        )
        db.session.commit()
    html = client.get("/studio").data.decode()
    assert "Live One" in html and "Work In Progress" in html
    assert "Not approved:</strong> Needs a clearer description." in html
    assert "1 unread" in html and "was not approved: unclear." in html
    assert "tokens ($0.00)" in html
    token = form_token(html)
    note = re.search(r"/studio/notifications/([0-9a-f-]{36})/read", html).group(1)
    fragment = client.post(f"/studio/notifications/{note}/read", data={"csrf_token": token}, headers=HTMX)
    assert fragment.status_code == 200 and "All caught up." in fragment.data.decode()
    assert "<html" not in fragment.data.decode()


def test_polling_a_ready_practice_does_not_touch_the_search(app):
    from app.redis_client import get_redis
    from app.services.cache_keys import SEARCH_GENERATION_KEY

    owner = make_creator(app)
    client = _as(app, _email(app, owner))
    pack = publish_pack(app, owner)
    item = pack_item_ids(app, pack)[0]
    with app.app_context():
        before = get_redis().get(SEARCH_GENERATION_KEY)
    done = client.get(f"/studio/packs/{pack}/items/{item}/progress", headers=HTMX)
    assert done.status_code == 200 and done.headers["HX-Retarget"] == f"#practice-{item}"
    with app.app_context():
        assert get_redis().get(SEARCH_GENERATION_KEY) == before


def test_editing_a_published_pack_is_saved_while_the_search_index_is_down(app, monkeypatch, caplog):
    from app.providers.search import get_search

    owner = make_creator(app)
    client = _as(app, _email(app, owner))
    pack = publish_pack(app, owner, title="Night Tide")

    def outage(documents):
        raise ConnectionError("search index unavailable")

    with app.app_context():
        monkeypatch.setattr(get_search(), "index", outage)
    token = form_token(client.get(f"/studio/packs/{pack}").data)
    with caplog.at_level("ERROR", logger="app.services.catalog"):
        saved = client.post(
            f"/studio/packs/{pack}", data={"csrf_token": token, "title": "Night Tide Renewed", "price_type": "free"}
        )
    assert saved.status_code == 303
    with app.app_context():
        assert db.session.get(RitualPack, pack).title == "Night Tide Renewed"
    assert any("flask search reindex" in r.getMessage() for r in caplog.records if r.name == "app.services.catalog")
