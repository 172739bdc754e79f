"""JSON API: a pack's reviews, your own review, reports, and a creator's analytics."""

from __future__ import annotations

import sqlalchemy as sa
from jsonschema import Draft202012Validator

from app.extensions import db
from app.models import PackReview, Purchase, Report, User
from app.services import creator_tokens, reviews
from tests.api.helpers import API, assert_error
from tests.conftest import bearer
from tests.factories import make_user
from tests.library_helpers import entitle
from tests.marketplace_helpers import make_creator, publish_pack
from tests.services.test_reviews import listener_who_played


def _email(app, user_id) -> str:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.get(User, user_id).email


def _schema(client, path: str, method: str, status: int) -> Draft202012Validator:  # type: ignore[no-untyped-def]
    doc = client.get(f"{API}/openapi.json").json
    return Draft202012Validator(
        doc["paths"][path][method]["responses"][str(status)]["content"]["application/json"]["schema"]
    )


def test_anyone_reads_a_published_packs_reviews(app, client):
    creator = make_creator(app)
    pack_id = publish_pack(app, creator)
    for rating in (4, 5):
        listener = listener_who_played(app, pack_id)
        with app.app_context():
            reviews.submit(listener, pack_id, rating, f"{rating} stars")
    answer = client.get(f"{API}/packs/{pack_id}/reviews?per_page=1")
    assert answer.status_code == 200
    _schema(client, "/packs/{pack_id}/reviews", "get", 200).validate(answer.json)
    body = answer.json
    assert (body["average"], body["count"], body["pages"], body["has_next"]) == (4.5, 2, 2, True)
    assert body["items"][0]["body"] == "5 stars" and body["items"][0]["reviewer"] == "A listener"
    listed = client.get(f"{API}/packs").json["items"][0]
    assert (listed["rating"], listed["review_count"]) == (4.5, 2)
    draft = publish_pack(app, creator, status="draft", index=False)
    assert_error(client.get(f"{API}/packs/{draft}/reviews"), 404)
    assert_error(client.get(f"{API}/packs/{pack_id}/reviews?page=0"), 422)


def test_putting_my_review_creates_then_edits_it(app, client):
    creator = make_creator(app)
    pack_id = publish_pack(app, creator)
    listener = listener_who_played(app, pack_id)
    headers = bearer(client, _email(app, listener))
    url = f"{API}/packs/{pack_id}/reviews/mine"
    created = client.put(url, json={"rating": 4, "body": "Calm <b>and</b> kind"}, headers=headers)
    assert created.status_code == 201
    _schema(client, "/packs/{pack_id}/reviews/mine", "put", 201).validate(created.json)
    assert created.json["body"] == "Calm <b>and</b> kind" and created.json["hidden"] is False  # stored as text
    edited = client.put(url, json={"rating": 2}, headers=headers)
    assert edited.status_code == 200 and edited.json["id"] == created.json["id"] and edited.json["body"] == ""
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PackReview)) == 1


def test_my_review_is_refused_with_clear_errors(app, client):
    creator = make_creator(app)
    pack_id = publish_pack(app, creator)
    holder = make_user(app)
    entitle(app, holder.id, pack_id)
    url = f"{API}/packs/{pack_id}/reviews/mine"
    headers = bearer(client, holder.email)
    error = assert_error(client.put(url, json={"rating": 5}, headers=headers), 403, code="forbidden")
    assert "Play one of this pack" in error["message"]
    assert_error(client.put(url, json={"rating": 5}, headers=bearer(client, _email(app, creator))), 403)
    assert_error(client.put(url, json={"rating": 5}), 401)
    listener = listener_who_played(app, pack_id)
    headers = bearer(client, _email(app, listener))
    assert_error(client.put(url, json={"rating": 0}, headers=headers), 422, field="rating")
    assert_error(client.put(url, json={"rating": 4.5}, headers=headers), 422, field="rating")
    assert_error(client.put(url, json={"rating": 3, "body": "x" * 2001}, headers=headers), 422, field="body")
    assert_error(client.put(url, json={"rating": 3, "stars": 3}, headers=headers), 422, field="stars")
    missing = f"{API}/packs/00000000-0000-4000-8000-000000000000/reviews/mine"
    assert_error(client.put(missing, json={"rating": 3}, headers=headers), 404)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PackReview)) == 0


def test_reports_one_open_per_target(app, client):
    creator = make_creator(app)
    pack_id = publish_pack(app, creator)
    writer = listener_who_played(app, pack_id)
    with app.app_context():
        review_id = reviews.submit(writer, pack_id, 1, "rude").id
    reporter = make_user(app)
    headers = bearer(client, reporter.email)
    created = client.post(
        f"{API}/reports", json={"pack_id": str(pack_id), "reason": "spam", "note": "ads"}, headers=headers
    )
    assert created.status_code == 201
    _schema(client, "/reports", "post", 201).validate(created.json)
    assert (created.json["target_type"], created.json["status"], created.json["note"]) == ("pack", "open", "ads")
    again = client.post(f"{API}/reports", json={"pack_id": str(pack_id), "reason": "other"}, headers=headers)
    assert "already reported" in assert_error(again, 409, code="conflict")["message"]
    on_review = client.post(
        f"{API}/reports", json={"review_id": str(review_id), "reason": "offensive"}, headers=headers
    )
    assert on_review.status_code == 201 and on_review.json["review_id"] == str(review_id)
    both = {"pack_id": str(pack_id), "review_id": str(review_id), "reason": "spam"}
    assert_error(client.post(f"{API}/reports", json=both, headers=headers), 422, field="pack_id")
    assert_error(client.post(f"{API}/reports", json={"reason": "spam"}, headers=headers), 422, field="pack_id")
    assert_error(client.post(f"{API}/reports", json={"pack_id": "nope", "reason": "spam"}, headers=headers), 422)
    assert_error(client.post(f"{API}/reports", json={"pack_id": str(pack_id), "reason": "meh"}, headers=headers), 422)
    unknown = {"pack_id": "00000000-0000-4000-8000-000000000000", "reason": "spam"}
    assert_error(client.post(f"{API}/reports", json=unknown, headers=headers), 404)
    assert_error(client.post(f"{API}/reports", json={"pack_id": str(pack_id), "reason": "spam"}), 401)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 2


def test_studio_analytics_is_for_creators(app, client):
    """SECURITY.md 10."""
    creator = make_creator(app)
    publish_pack(app, creator, title="Evening")
    url = f"{API}/studio/analytics"
    assert_error(client.get(url), 401)
    assert_error(client.get(url, headers=bearer(client, make_user(app).email)), 403)
    headers = bearer(client, _email(app, creator))
    answer = client.get(f"{url}?days=90", headers=headers)
    assert answer.status_code == 200
    _schema(client, "/studio/analytics", "get", 200).validate(answer.json)
    assert answer.json["days"] == 90 and len(answer.json["series"]) == 90
    assert [p["title"] for p in answer.json["packs"]] == ["Evening"]
    assert_error(client.get(f"{url}?days=45", headers=headers), 422, code="invalid")


def test_studio_analytics_carries_the_tokens_earned(app, client):
    creator = make_creator(app)
    pack = publish_pack(app, creator, title="Evening")
    with app.app_context():
        sale = Purchase(user_id=make_user(app).id, pack_id=pack, kind="pack", status="paid", amount=999)
        db.session.add(sale)
        db.session.flush()
        creator_tokens.reward(creator, 699, idempotency_key="reward:api", purchase_id=sale.id)
        creator_tokens.reverse(creator, 99, idempotency_key="reversal:api", purchase_id=sale.id)
        db.session.commit()
    answer = client.get(f"{API}/studio/analytics", headers=bearer(client, _email(app, creator)))
    assert answer.status_code == 200
    validator = _schema(client, "/studio/analytics", "get", 200)
    validator.validate(answer.json)
    schema = validator.schema
    assert schema["properties"]["series"]["items"]["properties"]["tokens"] == {
        "type": "integer",
        "description": "creator tokens earned that UTC day",
    }
    assert schema["properties"]["totals"]["properties"]["tokens"]["type"] == "integer"
    body = answer.json
    assert body["series"][-1]["tokens"] == 600 and sum(point["tokens"] for point in body["series"]) == 600
    assert body["totals"]["tokens"] == 600 and body["packs"][0]["tokens"] == 600
