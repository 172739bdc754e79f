"""The catalog API: search published packs and read one, without an account."""

from __future__ import annotations

from tests.marketplace_helpers import make_creator, pack_item_ids, publish_pack, store_real_audio


def _catalog(app):
    creator = make_creator(app, "Maya Rivers")
    sleep = publish_pack(app, creator, title="Deep Sleep Wind-Down", tags=("sleep",))
    focus = publish_pack(
        app, creator, title="Focus Sprints", tags=("focus",), price_type="subscription", price_amount=399,
        interval="monthly", items=(("ritual", 3),),
    )
    return creator, sleep, focus


def test_packs_are_searchable_without_a_token(app, client):
    _, sleep, focus = _catalog(app)
    body = client.get("/api/v1/packs?q=sleep").json
    assert [item["id"] for item in body["items"]] == [str(sleep)]
    assert body["total"] == 1 and body["page"] == 1 and body["has_next"] is False
    every = client.get("/api/v1/packs?sort=price").json
    assert [item["id"] for item in every["items"]] == [str(sleep), str(focus)]
    focus_json = every["items"][1]
    assert focus_json["price"] == {
        "type": "subscription", "amount": 399, "currency": "usd", "interval": "monthly", "label": "$3.99 / month",
    }
    assert focus_json["creator"]["name"] == "Maya Rivers" and focus_json["item_count"] == 1
    assert focus_json["total_duration"] == 180 and focus_json["content_types"] == ["ritual"]


def test_filters_and_paging(app, client):
    _, _, focus = _catalog(app)
    assert [i["id"] for i in client.get("/api/v1/packs?price=subscription").json["items"]] == [str(focus)]
    page = client.get("/api/v1/packs?per_page=1&page=2&sort=newest").json
    assert page["total"] == 2 and page["pages"] == 2 and len(page["items"]) == 1


def test_a_misspelt_word_gets_a_suggestion(app, client):
    _catalog(app)
    body = client.get("/api/v1/packs?q=slep").json
    assert body["total"] >= 1 and body["suggestion"] == "sleep"


def test_bad_arguments_are_422_with_the_field(app, client):
    answer = client.get("/api/v1/packs?sort=random")
    assert answer.status_code == 422
    assert answer.json["error"]["message"].startswith("Sort must be one of")


def test_a_pack_with_its_items_and_previews(app, client):
    _, sleep, _ = _catalog(app)
    first = pack_item_ids(app, sleep)[0]
    store_real_audio(app, first)
    body = client.get(f"/api/v1/packs/{sleep}").json
    assert body["title"] == "Deep Sleep Wind-Down" and len(body["items"]) == 2
    assert body["items"][0]["preview_url"] and body["items"][1]["preview_url"] is None


def test_unknown_and_unpublished_packs_are_404(app, client):
    creator, _, _ = _catalog(app)
    draft = publish_pack(app, creator, title="Draft", status="draft", index=False)
    assert client.get(f"/api/v1/packs/{draft}").status_code == 404
    assert client.get("/api/v1/packs/00000000-0000-0000-0000-000000000000").status_code == 404
