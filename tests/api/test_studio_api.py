"""The studio API: roles (SECURITY.md 10), another creator's pack → 404 (SECURITY.md 9), the lifecycle
through JSON, bad bodies → 422 (SECURITY.md 23), and answers that match the published schemas."""

from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from jsonschema import Draft202012Validator

from app.extensions import db
from app.models import PackItem, RitualPack, User
from tests.api.helpers import API, assert_error, fields_named
from tests.api.test_fuzz import _bodies, _check
from tests.conftest import bearer
from tests.factories import make_user
from tests.library_helpers import make_item
from tests.marketplace_helpers import make_creator, pack_item_ids, publish_pack

# (method, path, body): every studio API route; {pack}, {item} and {spare} are filled per test.
ROUTES = [
    ("GET", "/studio/packs", None),
    ("POST", "/studio/packs", {"title": "Fresh"}),
    ("GET", "/studio/packs/{pack}", None),
    ("PATCH", "/studio/packs/{pack}", {"title": "Renamed"}),
    ("DELETE", "/studio/packs/{pack}", None),
    ("POST", "/studio/packs/{pack}/items", {"content_item_id": "{spare}"}),
    ("DELETE", "/studio/packs/{pack}/items/{item}", None),
    ("POST", "/studio/packs/{pack}/submit", None),
    ("POST", "/studio/packs/{pack}/archive", None),
    ("POST", "/studio/packs/{pack}/draft", None),
]
PACK_ROUTES = [route for route in ROUTES if "{pack}" in route[1]]
IDS = [f"{m} {p}" for m, p, _ in ROUTES]


@pytest.fixture
def world(app, client):
    owner = make_creator(app, "Maya Rivers")
    other = make_creator(app, "Theo Other")
    pack = publish_pack(app, owner, status="draft", index=False, title="Owner Pack")
    with app.app_context():
        emails = {name: db.session.get(User, uid).email for name, uid in (("owner", owner), ("other", other))}
    return {
        "owner": bearer(client, emails["owner"]),
        "other": bearer(client, emails["other"]),
        "user": bearer(client, make_user(app).email),
        "owner_id": owner,
        "pack": pack,
        "item": pack_item_ids(app, pack)[0],
        "spare": make_item(app, owner, title="Spare"),
    }


def _fill(value, world):
    if isinstance(value, str):
        return value.format(**{k: world[k] for k in ("pack", "item", "spare")})
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    return value


def _call(client, method, path, body, world, headers):
    return client.open(API + _fill(path, world), method=method, json=_fill(body, world), headers=headers)


def _unchanged(app, world):
    with app.app_context():
        pack = db.session.get(RitualPack, world["pack"])
        assert (pack.title, pack.status) == ("Owner Pack", "draft")
        assert db.session.scalar(sa.select(sa.func.count()).where(PackItem.pack_id == pack.id)) == 2


@pytest.mark.parametrize("method,path,body", ROUTES, ids=IDS)
def test_every_studio_api_route_needs_the_creator_role(app, client, world, method, path, body):
    """SECURITY.md 10: no token → 401, a listener → 403, the creator → the answer."""
    assert_error(_call(client, method, path, body, world, {}), 401)
    assert_error(_call(client, method, path, body, world, world["user"]), 403)
    _unchanged(app, world)
    response = _call(client, method, path, body, world, world["owner"])
    assert response.status_code in (200, 201, 204, 409, 422), response.get_data(as_text=True)[:300]


@pytest.mark.parametrize("method,path,body", PACK_ROUTES, ids=[f"{m} {p}" for m, p, _ in PACK_ROUTES])
def test_another_creators_pack_is_not_found_on_any_api_route(app, client, world, method, path, body):
    """SECURITY.md 9: another creator's pack id is 404 on every route, and nothing changes."""
    assert_error(_call(client, method, path, body, world, world["other"]), 404, code="not_found")
    _unchanged(app, world)


def test_a_pack_from_draft_to_review_and_archive(app, client, world):
    headers = world["owner"]
    made = client.post(
        f"{API}/studio/packs",
        json={"title": "Night Tide", "tags": ["Sleep", "sleep", "Tide"], "price_type": "one_time", "price_amount": 499},
        headers=headers,
    )
    assert made.status_code == 201
    pack = made.json
    assert (pack["status"], pack["tags"], pack["price"]["label"]) == ("draft", ["sleep", "tide"], "$4.99")
    assert pack["missing_for_review"] == [
        "At least 2 practices that are ready to play (it has 0).",
        "A description that tells listeners what the pack is for.",
    ]
    url = f"{API}/studio/packs/{pack['id']}"
    refused = client.post(f"{url}/submit", headers=headers)
    error = assert_error(refused, 422)
    assert [d["message"] for d in error["details"]] == pack["missing_for_review"]
    for n in range(2):
        item = make_item(app, world["owner_id"], title=f"Part {n}")
        added = client.post(f"{url}/items", json={"content_item_id": str(item)}, headers=headers)
        assert added.status_code == 201 and added.json["items"][-1]["id"] == str(item)
    assert client.patch(url, json={"description": "Two evening practices."}, headers=headers).status_code == 200
    submitted = client.post(f"{url}/submit", headers=headers)
    assert submitted.status_code == 200 and submitted.json["status"] == "in_review"
    assert_error(client.patch(url, json={"title": "Changed"}, headers=headers), 409)
    assert_error(client.post(f"{url}/archive", headers=headers), 409)
    back = client.post(f"{url}/draft", headers=headers)
    assert back.status_code == 200 and back.json["status"] == "draft"
    listed = client.get(f"{API}/studio/packs", headers=headers).json["items"]
    assert {p["id"] for p in listed} == {pack["id"], str(world["pack"])}


def test_bad_bodies_are_422_naming_the_field_and_write_nothing(app, client, world):
    headers = world["owner"]
    cases = [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "T", "colour": "red"}, "colour"),
        ({"title": "T", "price_type": "one_time", "price_amount": 10}, "price_amount"),
        ({"title": "T", "price_type": "one_time"}, "price_amount"),
        ({"title": "T", "price_type": "subscription", "price_amount": 300}, "subscription_interval"),
        ({"title": "T", "tags": ["t"] * 9}, "tags"),
        ({"title": "T", "tags": ["x" * 31]}, "tags.0"),
        ({"title": "   "}, "title"),
    ]
    for body, field in cases:
        error = assert_error(client.post(f"{API}/studio/packs", json=body, headers=headers), 422)
        assert field in fields_named(error), (body, error)
    url = f"{API}/studio/packs/{world['pack']}"
    assert_error(client.patch(url, json={}, headers=headers), 422)
    assert "price_amount" in fields_named(
        assert_error(client.patch(url, json={"price_amount": 499}, headers=headers), 422)
    )
    assert_error(client.post(f"{url}/items", json={"content_item_id": "not-an-id"}, headers=headers), 422)
    theirs = make_item(app, make_user(app).id)
    assert_error(client.post(f"{url}/items", json={"content_item_id": str(theirs)}, headers=headers), 404)
    assert_error(client.delete(f"{url}/items/{uuid.uuid4()}", headers=headers), 404)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RitualPack)) == 1
    _unchanged(app, world)


def test_only_drafts_are_deleted(app, client, world):
    headers = world["owner"]
    published = publish_pack(app, world["owner_id"], title="On Sale")
    assert_error(client.delete(f"{API}/studio/packs/{published}", headers=headers), 409)
    gone = client.delete(f"{API}/studio/packs/{world['pack']}", headers=headers)
    assert gone.status_code == 204 and gone.data == b""
    assert_error(client.get(f"{API}/studio/packs/{world['pack']}", headers=headers), 404)
    archived = client.post(f"{API}/studio/packs/{published}/archive", headers=headers)
    assert archived.status_code == 200 and archived.json["archived_at"]


def test_answers_match_the_documented_schemas(client, world):
    doc = client.get(f"{API}/openapi.json").json
    headers = world["owner"]
    for method, path, body in ROUTES:
        response = _call(client, method, path, body, world, headers)
        op = doc["paths"][re.sub(r"\{(\w+)\}", lambda m: "{item_id}" if m.group(1) == "item" else "{pack_id}", path)][
            method.lower()
        ]
        _check(response, op, f"{method} {path}")
        assert str(response.status_code) in op["responses"]
        if response.status_code in (200, 201):
            schema = op["responses"][str(response.status_code)]["content"]["application/json"]["schema"]
            Draft202012Validator(schema).validate(response.json)


def test_random_bodies_never_break_the_studio_api(make_app):
    """SECURITY.md 23: random JSON sent by a creator to every studio operation with a body never causes a 500."""
    app = make_app(RATELIMIT_ENABLED=False)
    owner = make_creator(app)
    pack = publish_pack(app, owner, status="draft", index=False)
    client = app.test_client()
    with app.app_context():
        email = db.session.get(User, owner).email
    headers = bearer(client, email)
    doc = client.get(f"{API}/openapi.json").json
    samples = {"email": [email], "uuid": [str(pack), *map(str, pack_item_ids(app, pack))]}
    operations = (
        ("/studio/packs", "post"),
        ("/studio/packs/{pack_id}", "patch"),
        ("/studio/packs/{pack_id}/items", "post"),
    )
    for path, method in operations:
        _fuzz(client, headers, doc["paths"][path][method], API + path.replace("{pack_id}", str(pack)), method, samples)


def _fuzz(client, headers, op, url, method, samples) -> None:
    @settings(max_examples=40, deadline=None, database=None)
    @given(body=_bodies(op["requestBody"]["content"]["application/json"]["schema"], samples))
    def run(body):
        raw, content_type = body
        response = client.open(url, method=method.upper(), data=raw, content_type=content_type, headers=headers)
        _check(response, op, f"{method.upper()} {url} with {raw[:200]!r}")

    run()
