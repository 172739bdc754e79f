"""The admin API (SECURITY.md 10, 11, 13, 22, 23): role matrix, moderation, users, audit log, jobs, fuzzing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.models import AuditLog, Entitlement, PackReview, PayoutRequest, Report, RitualPack, User
from tests.admin_helpers import moderation_world
from tests.api.helpers import API, assert_error
from tests.api.test_fuzz import _fuzz_bodies, _fuzz_query, _operations
from tests.conftest import bearer
from tests.factories import make_user

NOBODY = "00000000-0000-4000-8000-000000000000"

# Every admin API route with a body that passes its schema: (method, path, body, the admin's status).
ROUTES = [
    ("GET", "/admin/review-queue", None, 200),
    ("POST", f"/admin/packs/{NOBODY}/approve", None, 404),
    ("POST", f"/admin/packs/{NOBODY}/reject", {"reason": "no"}, 404),
    ("GET", "/admin/reports", None, 200),
    ("POST", f"/admin/reports/{NOBODY}/resolve", {"action": "dismiss"}, 404),
    ("GET", "/admin/payouts", None, 200),
    ("POST", f"/admin/payouts/{NOBODY}/decide", {"decision": "approve"}, 404),
    ("GET", "/admin/users", None, 200),
    ("GET", f"/admin/users/{NOBODY}", None, 404),
    ("POST", f"/admin/users/{NOBODY}/roles", {"role": "creator", "enabled": True}, 404),
    ("POST", f"/admin/users/{NOBODY}/suspend", {"reason": "spam"}, 404),
    ("POST", f"/admin/users/{NOBODY}/unsuspend", {}, 404),
    ("POST", f"/admin/users/{NOBODY}/credits", {"amount": 1, "reason": "x"}, 404),
    ("GET", "/admin/audit", None, 200),
    ("GET", "/admin/jobs", None, 200),
    ("POST", f"/admin/jobs/{NOBODY}/retry", None, 404),
    ("DELETE", f"/admin/jobs/{NOBODY}", None, 404),
]


@pytest.mark.parametrize(("method", "path", "body", "expected"), ROUTES)
@pytest.mark.parametrize("who", ["anonymous", "user", "creator", "admin"])
def test_role_matrix(app, client, who, method, path, body, expected):
    """SECURITY.md 10: no token → 401, a user's or creator's token → 403, an admin's → the view."""
    headers = {}
    if who != "anonymous":
        person = make_user(app, roles=None if who == "user" else [who])
        headers = bearer(client, person.email)
    response = client.open(API + path, method=method, json=body, headers=headers)
    if who == "anonymous":
        assert_error(response, 401)
    elif who in ("user", "creator"):
        assert_error(response, 403, code="forbidden")
    elif expected >= 400:
        assert_error(response, expected)
    else:
        assert response.status_code == expected, response.json


def test_every_admin_route_is_documented(client):
    paths = client.get(f"{API}/openapi.json").json["paths"]
    for method, path, _body, _expected in ROUTES:
        documented = path.replace(NOBODY, "{x}")
        matches = [p for p in paths if p.count("/") == documented.count("/") and _same(p, documented)]
        assert matches, path
        operation = paths[matches[0]][method.lower()]
        assert operation["tags"] == ["admin"] and "403" in operation["responses"]


def _same(template: str, path: str) -> bool:
    return all(
        a == b or (a.startswith("{") and b.startswith("{"))
        for a, b in zip(template.split("/"), path.split("/"), strict=True)
    )


@pytest.fixture
def world(app):
    return moderation_world(app)


@pytest.fixture
def admin(client, world):
    return bearer(client, world["admin"].email)


def test_review_queue_and_decisions(client, admin, world, db):
    queue = client.get(f"{API}/admin/review-queue", headers=admin)
    assert queue.status_code == 200 and queue.headers["Cache-Control"] == "no-store"
    [pack] = queue.json["items"]
    assert pack["id"] == str(world["in_review"]) and pack["status"] == "in_review"
    assert len(pack["items"]) == 2 and pack["items"][0]["audio_url"].startswith("/media/")
    assert pack["items"][0]["script"]

    assert_error(client.post(f"{API}/admin/packs/{world['in_review']}/reject", json={"reason": ""}, headers=admin), 422)
    response = client.post(f"{API}/admin/packs/{world['in_review']}/approve", headers=admin)
    assert response.status_code == 200 and response.json["status"] == "published"
    assert_error(client.post(f"{API}/admin/packs/{world['in_review']}/approve", headers=admin), 409)


def test_reject_returns_the_pack_to_draft_with_the_reason(client, admin, world, db):
    response = client.post(
        f"{API}/admin/packs/{world['in_review']}/reject", json={"reason": "Add a cover"}, headers=admin
    )
    assert response.status_code == 200
    assert (response.json["status"], response.json["moderation_note"]) == ("draft", "Add a cover")


def test_resolving_reports(app, client, admin, world, db):
    reports = client.get(f"{API}/admin/reports", headers=admin).json["items"]
    assert {r["id"] for r in reports} == {str(world["pack_report"]), str(world["review_report"])}

    error = assert_error(
        client.post(
            f"{API}/admin/reports/{world['pack_report']}/resolve",
            json={"action": "hide_review", "reason": "x"},
            headers=admin,
        ),
        422,
    )
    assert "review" in error["message"]
    hidden = client.post(
        f"{API}/admin/reports/{world['review_report']}/resolve",
        json={"action": "hide_review", "reason": "Abusive"},
        headers=admin,
    )
    assert hidden.status_code == 200 and hidden.json["status"] == "actioned"
    assert db.session.get(PackReview, world["review"]).hidden_at is not None

    down = client.post(
        f"{API}/admin/reports/{world['pack_report']}/resolve",
        json={"action": "take_down", "reason": "Stolen", "revoke_access": True},
        headers=admin,
    )
    assert down.status_code == 200 and down.json["resolution"] == "pack_taken_down"
    db.session.expire_all()
    assert db.session.get(RitualPack, world["published"]).status == "archived"
    assert db.session.scalar(sa.select(Entitlement.revoked_at).where(Entitlement.pack_id == world["published"]))
    assert client.get(f"{API}/packs/{world['published']}").status_code == 404
    assert client.get(f"{API}/admin/reports", headers=admin).json["items"] == []


def test_dismiss_resolves_every_report_of_the_target(app, client, admin, world, db):
    from tests.admin_helpers import make_report

    second = make_report(app, world["buyer"].id, pack_id=world["published"], reason="other", note="meh")
    response = client.post(
        f"{API}/admin/reports/{world['pack_report']}/resolve", json={"action": "dismiss"}, headers=admin
    )
    assert response.status_code == 200 and response.json["status"] == "dismissed"
    assert db.session.get(Report, second).status == "dismissed"
    assert db.session.get(Report, world["review_report"]).status == "open"


def test_payout_decisions(client, admin, world, db):
    [pending] = client.get(f"{API}/admin/payouts", headers=admin).json["items"]
    assert pending["amount"] == 1200
    assert_error(
        client.post(f"{API}/admin/payouts/{world['payout']}/decide", json={"decision": "reject"}, headers=admin), 422
    )
    response = client.post(
        f"{API}/admin/payouts/{world['payout']}/decide",
        json={"decision": "reject", "reason": "Tax form missing"},
        headers=admin,
    )
    assert response.status_code == 200 and response.json["decision_reason"] == "Tax form missing"
    assert db.session.get(PayoutRequest, world["payout"]).status == "rejected"


def test_users_search_detail_and_roles(client, admin, world, db):
    found = client.get(f"{API}/admin/users?q=buyer", headers=admin).json
    assert [u["email"] for u in found["items"]] == ["buyer@example.com"] and found["total"] == 1
    assert_error(client.get(f"{API}/admin/users?role=owner", headers=admin), 422)
    assert_error(client.get(f"{API}/admin/users?per_page=0", headers=admin), 422)
    detail = client.get(f"{API}/admin/users/{world['creator']}", headers=admin).json
    assert detail["creator_profile"]["display_name"] == "Maya Rivers" and detail["token_balance"] == 5000
    assert detail["ledger"][0]["metadata"] == {"source": "free_tier"}

    granted = client.post(
        f"{API}/admin/users/{world['buyer'].id}/roles", json={"role": "admin", "enabled": True}, headers=admin
    )
    assert granted.status_code == 200 and granted.json["roles"] == ["user", "admin"]
    own = client.post(
        f"{API}/admin/users/{world['admin'].id}/roles", json={"role": "admin", "enabled": False}, headers=admin
    )
    assert_error(own, 403, code="forbidden")
    assert_error(
        client.post(
            f"{API}/admin/users/{world['buyer'].id}/roles", json={"role": "user", "enabled": True}, headers=admin
        ),
        422,
    )
    actions = db.session.scalars(sa.select(AuditLog.action)).all()
    assert actions == ["role.grant"]


def test_suspension_kills_the_users_token(client, admin, world, db):
    victim = bearer(client, world["buyer"].email)
    assert client.get(f"{API}/me", headers=victim).status_code == 200
    assert_error(client.post(f"{API}/admin/users/{world['buyer'].id}/suspend", json={"reason": ""}, headers=admin), 422)
    response = client.post(f"{API}/admin/users/{world['buyer'].id}/suspend", json={"reason": "fraud"}, headers=admin)
    assert response.status_code == 200 and response.json["suspended_at"]
    assert_error(client.get(f"{API}/me", headers=victim), 401)
    assert_error(
        client.post(f"{API}/admin/users/{world['admin'].id}/suspend", json={"reason": "me"}, headers=admin), 403
    )
    lifted = client.post(f"{API}/admin/users/{world['buyer'].id}/unsuspend", json={}, headers=admin)
    assert lifted.status_code == 200 and lifted.json["suspended_at"] is None
    assert_error(client.get(f"{API}/me", headers=victim), 401)  # the old token stays dead


def test_grant_credits_once_per_key(client, admin, world, db):
    body = {"amount": 3, "reason": "Outage", "idempotency_key": "admin-grant:6f1c8f4e-3b7a-4d7e-9a77-1f2a3b4c5d6e"}
    first = client.post(f"{API}/admin/users/{world['buyer'].id}/credits", json=body, headers=admin)
    again = client.post(f"{API}/admin/users/{world['buyer'].id}/credits", json=body, headers=admin)
    assert first.status_code == again.status_code == 201
    assert first.json["entry"]["id"] == again.json["entry"]["id"] and again.json["credit_balance"] == 4
    assert first.json["entry"]["metadata"]["reason"] == "Outage"
    assert_error(
        client.post(f"{API}/admin/users/{world['buyer'].id}/credits", json={"amount": 0, "reason": "x"}, headers=admin),
        422,
        field="amount",
    )
    assert db.session.get(User, world["buyer"].id).credit_balance == 4


def test_audit_log_filters(client, admin, world, db):
    client.post(
        f"{API}/admin/users/{world['buyer'].id}/roles", json={"role": "creator", "enabled": True}, headers=admin
    )
    client.post(f"{API}/admin/packs/{world['in_review']}/approve", headers=admin)
    every = client.get(f"{API}/admin/audit", headers=admin).json
    assert [r["action"] for r in every["items"]] == ["pack.approve", "role.grant"]
    assert every["items"][1]["before"] == {"roles": ["user"]}
    only = client.get(f"{API}/admin/audit?action=role.&actor=boss", headers=admin).json
    assert [r["action"] for r in only["items"]] == ["role.grant"]
    error = assert_error(client.get(f"{API}/admin/audit?date_from=soon", headers=admin), 422)
    assert error["details"][0]["field"] == "date_from"


def test_jobs(app, client, admin, world, db):
    from app.models import GenerationJob
    from app.services import generation
    from tests.library_helpers import make_item

    item_id = make_item(app, world["buyer"].id, ready=False)
    job = db.session.scalar(sa.select(GenerationJob).where(GenerationJob.content_item_id == item_id))
    generation.fail(job, "boom")
    listed = client.get(f"{API}/admin/jobs", headers=admin).json
    assert [q["name"] for q in listed["queues"]] == ["generation", "default"]
    assert listed["items"][0]["error"] == "boom"
    assert client.delete(f"{API}/admin/jobs/{job.id}", headers=admin).status_code == 204
    assert client.get(f"{API}/admin/jobs", headers=admin).json["items"] == []
    retried = client.post(f"{API}/admin/jobs/{job.id}/retry", headers=admin)
    assert retried.status_code == 202 and retried.json["status"] == "queued"
    assert_error(client.post(f"{API}/admin/jobs/{job.id}/retry", headers=admin), 409)


@pytest.fixture
def admin_fuzz_target(make_app):  # type: ignore[no-untyped-def]
    app = make_app(RATELIMIT_ENABLED=False)
    world = moderation_world(app)
    client = app.test_client()
    doc = client.get(f"{API}/openapi.json").json
    samples = {"email": [world["buyer"].email], "uuid": [str(world["buyer"].id), str(world["pack_report"])]}
    return client, bearer(client, world["admin"].email), doc, samples


def test_random_input_to_admin_routes_never_breaks_them(admin_fuzz_target):
    """SECURITY.md 23: with an admin's token, random bodies and query strings get a documented answer, never a 500."""
    client, headers, doc, samples = admin_fuzz_target
    for path, method in _operations(doc, with_body=True):
        if path.startswith("/admin/"):
            _fuzz_bodies(client, headers, doc, path, method, samples)
    for path, _ in _operations(doc, with_body=False):
        if path.startswith("/admin/"):
            _fuzz_query(client, headers, doc, path)
