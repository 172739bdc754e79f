"""The admin pages: role matrix, CSRF, moderation decisions end to end, users, audit log, jobs, inert text
(SECURITY.md 10, 11, 15, 18, 22)."""

from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa

from app.models import AuditLog, CreditTransaction, Entitlement, PackReview, PayoutRequest, Report, RitualPack, User
from app.services import access, catalog_search
from tests.admin_helpers import RAW_MARKUP, XSS, make_admin, moderation_world
from tests.conftest import AuthActions, bearer, form_token
from tests.factories import make_user
from tests.marketplace_helpers import pack_item_ids

NOBODY = "00000000-0000-4000-8000-000000000000"

# Every admin route: (method, path). POSTs name ids nobody has, so an admin gets the service's 404.
ROUTES = [
    ("GET", "/admin/"),
    ("GET", "/admin/moderation"),
    ("GET", "/admin/users"),
    ("GET", f"/admin/users/{NOBODY}"),
    ("GET", "/admin/audit"),
    ("GET", "/admin/jobs"),
    ("POST", f"/admin/moderation/packs/{NOBODY}/approve"),
    ("POST", f"/admin/moderation/packs/{NOBODY}/reject"),
    ("POST", f"/admin/moderation/reports/{NOBODY}/dismiss"),
    ("POST", f"/admin/moderation/reports/{NOBODY}/hide-review"),
    ("POST", f"/admin/moderation/reports/{NOBODY}/take-down"),
    ("POST", f"/admin/moderation/payouts/{NOBODY}/approve"),
    ("POST", f"/admin/moderation/payouts/{NOBODY}/reject"),
    ("POST", f"/admin/users/{NOBODY}/roles"),
    ("POST", f"/admin/users/{NOBODY}/suspend"),
    ("POST", f"/admin/users/{NOBODY}/unsuspend"),
    ("POST", f"/admin/users/{NOBODY}/credits"),
    ("POST", f"/admin/jobs/{NOBODY}/retry"),
    ("POST", f"/admin/jobs/{NOBODY}/delete"),
    ("POST", "/admin/jobs/rq/default/nothing-here/retry"),
    ("POST", "/admin/jobs/rq/default/nothing-here/delete"),
]
POST_DATA = {"reason": "a reason", "role": "creator", "enabled": "1", "amount": "2"}


def _admin_expects(method: str, path: str) -> int:
    if method == "GET":
        return 404 if NOBODY in path else 200
    return 404


def _login(app, email: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    response = AuthActions(client).login(email)
    assert response.status_code == 302, response.data[:300]
    return client


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize("who", ["anonymous", "user", "creator", "admin"])
def test_role_matrix(app, who, method, path):
    """SECURITY.md 10: nobody → the login page, a user or creator → 403, an admin → the view."""
    client = app.test_client()
    if who != "anonymous":
        person = make_user(app, roles=[who] if who != "user" else None)
        client = _login(app, person.email)
    token = form_token(client.get("/login" if who == "anonymous" else "/account/").data)
    response = client.open(path, method=method, data={**POST_DATA, "csrf_token": token} if method == "POST" else None)
    if who == "anonymous":
        assert response.status_code == 302 and response.location.startswith("/login?next=")
    elif who in ("user", "creator"):
        assert response.status_code == 403
    else:
        assert response.status_code == _admin_expects(method, path), response.data[:400]


def test_the_admin_nav_entry_shows_for_admins_only(app):
    admin = _login(app, make_admin(app).email)
    assert b'href="/admin/"' in admin.get("/account/").data
    user = _login(app, make_user(app).email)
    assert b'href="/admin/"' not in user.get("/account/").data


@pytest.fixture
def world(app):
    return moderation_world(app)


@pytest.fixture
def admin(app, world):
    return _login(app, world["admin"].email)


def _page(client, path: str = "/admin/moderation") -> str:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200, response.data[:300]
    return response.data.decode()


def _post(client, path: str, **data: str):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": form_token(client.get("/admin/").data), **data})


def test_forms_need_the_csrf_token(app, admin, world, db):
    """SECURITY.md 15: every admin form posts its token; without it nothing is done."""
    html = _page(admin)
    forms = re.findall(r'<form method="post".*?</form>', html, flags=re.S)
    assert len(forms) >= 7
    assert all('name="csrf_token"' in form for form in forms)
    user_html = _page(admin, f"/admin/users/{world['buyer'].id}")
    assert all('name="csrf_token"' in f for f in re.findall(r'<form method="post".*?</form>', user_html, flags=re.S))
    for path in (
        f"/admin/moderation/packs/{world['in_review']}/approve",
        f"/admin/moderation/reports/{world['pack_report']}/take-down",
        f"/admin/users/{world['buyer'].id}/suspend",
        f"/admin/users/{world['buyer'].id}/credits",
        f"/admin/users/{world['buyer'].id}/roles",
    ):
        response = admin.post(path, data={**POST_DATA})
        assert response.status_code == 400, path
    assert db.session.get(RitualPack, world["in_review"]).status == "in_review"
    assert db.session.get(RitualPack, world["published"]).status == "published"
    assert db.session.get(User, world["buyer"].id).suspended_at is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == 0


def test_the_queue_shows_what_an_admin_needs_to_decide(admin, world, db):
    assert admin.get("/admin/moderation").headers["Cache-Control"] == "no-store"  # signed URLs inside
    html = _page(admin)
    assert "Morning Light" in html and "Maya Rivers" in html and "Free" in html
    assert html.count("<audio") == 2 and "/media/" in html  # the whole tracks, signed
    assert "Read the script" in html and "Settle in and breathe." in html
    assert "Deep Sleep Wind-Down" in html and "Misleading" in html and "Offensive" in html
    assert "reporter@example.com" in html
    assert "Take down…" in html and 'name="revoke_access"' in html
    assert not re.search(r'name="revoke_access"[^>]*checked', html)  # unchecked by default
    assert "$12.00" in html and "$50.00" in html  # the payout and the balance
    dashboard = _page(admin, "/admin/")
    for key, count in (("in-review", 1), ("open-reports", 2), ("pending-payouts", 1), ("failed-jobs", 0)):
        assert f'data-testid="count-{key}">{count}<' in dashboard


def _found_in_search(words: str) -> bool:
    return any(card.title == words for card in catalog_search.search(catalog_search.parse_query({"q": words})).cards)


def test_approve_publishes_into_the_catalog(app, admin, world, db):
    response = _post(admin, f"/admin/moderation/packs/{world['in_review']}/approve")
    assert response.status_code == 303 and response.location.endswith("/admin/moderation#packs")
    db.session.expire_all()
    pack = db.session.get(RitualPack, world["in_review"])
    assert pack.status == "published" and pack.published_at is not None
    assert _found_in_search("Morning Light")
    assert "is published" in _page(admin)
    assert db.session.scalar(sa.select(AuditLog.action).where(AuditLog.target_id == str(pack.id))) == "pack.approve"


def test_reject_needs_a_reason_and_the_creator_sees_it(app, admin, world, db):
    refused = _post(admin, f"/admin/moderation/packs/{world['in_review']}/reject", reason="   ")
    assert refused.status_code == 422 and "Give a reason" in refused.data.decode()
    assert db.session.get(RitualPack, world["in_review"]).status == "in_review"

    response = _post(admin, f"/admin/moderation/packs/{world['in_review']}/reject", reason="The audio of part 2 clips.")
    assert response.status_code == 303
    db.session.expire_all()
    pack = db.session.get(RitualPack, world["in_review"])
    assert (pack.status, pack.moderation_note) == ("draft", "The audio of part 2 clips.")
    creator = db.session.get(User, world["creator"])
    studio = _login(app, creator.email).get("/studio")
    assert studio.status_code == 200 and "The audio of part 2 clips." in studio.data.decode()


def test_takedown_is_two_clicks_gone_at_once_and_buyers_keep_access(app, admin, world, db):
    assert _found_in_search("Deep Sleep Wind-Down")  # the search is cached now
    html = _page(admin)
    form = re.search(
        r'<details class="mod-confirm">\s*<summary class="button button-danger">Take down…</summary>.*?</details>',
        html,
        re.S,
    )
    assert form and "Confirm takedown" in form.group(0)
    response = _post(admin, f"/admin/moderation/reports/{world['pack_report']}/take-down", reason="Misleading claims")
    assert response.status_code == 303
    db.session.expire_all()
    pack = db.session.get(RitualPack, world["published"])
    assert (pack.status, pack.moderation_note) == ("archived", "Misleading claims")
    assert not _found_in_search("Deep Sleep Wind-Down")  # the cached search is not served
    assert db.session.get(Report, world["pack_report"]).status == "actioned"
    item_id = pack_item_ids(app, world["published"])[0]
    assert access.is_entitled(world["buyer"].id, item_id)
    [row] = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "pack.takedown")).all()
    assert row.after["revoke_access"] is False and row.before == {"status": "published"}
    assert "Buyers keep their access." in _page(admin)


def test_takedown_with_revoke_ends_buyers_access(app, admin, world, db):
    response = _post(
        admin, f"/admin/moderation/reports/{world['pack_report']}/take-down", reason="Stolen audio", revoke_access="1"
    )
    assert response.status_code == 303
    db.session.expire_all()
    entitlement = db.session.scalar(sa.select(Entitlement).where(Entitlement.pack_id == world["published"]))
    assert entitlement.revoked_at is not None
    assert not access.is_entitled(world["buyer"].id, pack_item_ids(app, world["published"])[0])


def test_a_takedown_without_a_reason_changes_nothing(admin, world, db):
    response = _post(admin, f"/admin/moderation/reports/{world['pack_report']}/take-down", reason="")
    assert response.status_code == 422
    html = response.data.decode()
    assert f'id="report-{world["pack_report"]}"' in html and '<details class="mod-confirm" open>' in html
    assert db.session.get(RitualPack, world["published"]).status == "published"
    assert db.session.get(Report, world["pack_report"]).status == "open"


def test_dismiss_and_hide_review(admin, world, db):
    assert _post(admin, f"/admin/moderation/reports/{world['pack_report']}/dismiss").status_code == 303
    assert (
        _post(admin, f"/admin/moderation/reports/{world['review_report']}/hide-review", reason="Abusive").status_code
        == 303
    )
    db.session.expire_all()
    assert db.session.get(Report, world["pack_report"]).status == "dismissed"
    assert db.session.get(Report, world["review_report"]).status == "actioned"
    review = db.session.get(PackReview, world["review"])
    assert review.hidden_at is not None and review.hidden_reason == "Abusive"
    assert db.session.get(RitualPack, world["published"]).status == "published"
    assert "No open reports." in _page(admin)
    again = _post(admin, f"/admin/moderation/reports/{world['pack_report']}/dismiss")
    assert again.status_code == 409


def test_payout_decisions(app, admin, world, db):
    refused = _post(admin, f"/admin/moderation/payouts/{world['payout']}/reject", reason="")
    assert refused.status_code == 422
    assert _post(admin, f"/admin/moderation/payouts/{world['payout']}/approve").status_code == 303
    db.session.expire_all()
    payout = db.session.get(PayoutRequest, world["payout"])
    assert payout.status == "approved" and payout.token_transaction_id is not None
    assert _post(admin, f"/admin/moderation/payouts/{world['payout']}/approve").status_code == 409


def test_user_search_and_detail(app, admin, world):
    html = _page(admin, "/admin/users?q=BUYER")
    assert "buyer@example.com" in html and "reporter@example.com" not in html and "1 account" in html
    fragment = admin.get("/admin/users?q=report", headers={"HX-Request": "true"}).data.decode()
    assert "<html" not in fragment and "reporter@example.com" in fragment
    assert admin.get("/admin/users?role=owner").status_code == 422
    assert admin.get("/admin/users?page=zero").status_code == 422
    detail = _page(admin, f"/admin/users/{world['buyer'].id}")
    assert 'data-testid="admin-credit-balance">1<' in detail and "Deep Sleep Wind-Down" not in detail
    creator = _page(admin, f"/admin/users/{world['creator']}")
    assert "Teaches breath and rest." not in creator and "Plain words." in creator and "$50.00" in creator


@pytest.mark.parametrize(
    ("path", "arg"),
    [
        ("/admin/users", "page"),
        ("/admin/audit", "page"),
        ("/admin/jobs", "page"),
        ("/admin/users/{buyer}", "ledger_page"),
    ],
)
def test_a_page_number_that_is_not_ascii_digits_is_refused_not_a_500(admin, world, path, arg):
    path = path.format(buyer=world["buyer"].id)
    for raw in ("²", "٣", "1²"):
        assert admin.get(f"{path}?{arg}={raw}").status_code in (400, 422)


def test_role_change_through_the_page_is_audited(admin, world, db):
    response = _post(admin, f"/admin/users/{world['buyer'].id}/roles", role="creator", enabled="1")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, world["buyer"].id).roles == ["user", "creator"]
    [row] = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "role.grant")).all()
    assert row.before == {"roles": ["user"]} and row.after["roles"] == ["user", "creator"]
    assert row.actor_email == "boss@example.com" and row.ip == "127.0.0.1"


def test_an_admin_cannot_remove_their_own_admin_role(admin, world, db):
    html = _page(admin, f"/admin/users/{world['admin'].id}")
    assert "You cannot remove your own admin role." in html and "Remove the admin role" not in html
    response = _post(admin, f"/admin/users/{world['admin'].id}/roles", role="admin", enabled="0")
    assert response.status_code == 403 and "cannot remove your own admin role" in response.data.decode()
    db.session.expire_all()
    assert db.session.get(User, world["admin"].id).is_admin


def test_suspension_ends_the_session_refuses_login_and_tokens(app, admin, world, db):
    """SECURITY.md 11: suspended → existing browser session ended, login refused, API token refused."""
    victim = make_user(app, email="victim@example.com")
    their_browser = _login(app, victim.email)
    their_token = bearer(app.test_client(), victim.email)
    assert their_browser.get("/account/").status_code == 200

    assert _post(admin, f"/admin/users/{victim.id}/suspend", reason="").status_code == 422
    response = _post(admin, f"/admin/users/{victim.id}/suspend", reason="Chargeback fraud")
    assert response.status_code == 303
    assert "suspended" in _page(admin, f"/admin/users/{victim.id}")

    ended = their_browser.get("/account/")
    assert ended.status_code == 302 and ended.location.startswith("/login")
    api = app.test_client().get("/api/v1/me", headers=their_token)
    assert api.status_code == 401
    login = AuthActions(app.test_client()).login(victim.email)
    assert login.status_code == 401 and b"This account is suspended." in login.data
    assert (
        app.test_client()
        .post("/api/v1/auth/token", json={"email": victim.email, "password": victim.password})
        .status_code
        == 403
    )

    assert _post(admin, f"/admin/users/{victim.id}/unsuspend").status_code == 303
    assert AuthActions(app.test_client()).login(victim.email).status_code == 302
    actions = db.session.scalars(sa.select(AuditLog.action).where(AuditLog.target_id == str(victim.id))).all()
    assert sorted(actions) == ["user.suspend", "user.unsuspend"]


def test_credit_grant_through_the_page(admin, world, db):
    page = _page(admin, f"/admin/users/{world['buyer'].id}")
    key = re.search(r'name="grant_key" value="([^"]+)"', page).group(1)
    for _ in range(2):  # a double submit grants once
        response = _post(admin, f"/admin/users/{world['buyer'].id}/credits", amount="4", reason="Outage", grant_key=key)
        assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, world["buyer"].id).credit_balance == 5
    row = db.session.scalar(sa.select(CreditTransaction).where(CreditTransaction.idempotency_key == key))
    assert row.meta["reason"] == "Outage" and row.meta["granted_by"] == str(world["admin"].id)
    assert len(db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "credits.grant")).all()) == 1
    assert "Outage" in _page(admin, f"/admin/users/{world['buyer'].id}")


@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [
        ("", "why", "whole number"),
        ("abc", "why", "whole number"),
        ("²", "why", "whole number"),  # a digit to str.isdigit, not to int()
        ("5000", "why", "from 1 to 1000"),
        ("3", "", "reason"),
    ],
)
def test_bad_grants_are_422_and_write_nothing(admin, world, db, amount, reason, message):
    response = _post(admin, f"/admin/users/{world['buyer'].id}/credits", amount=amount, reason=reason)
    assert response.status_code == 422 and message in response.data.decode()
    assert db.session.get(User, world["buyer"].id).credit_balance == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == 0


def test_the_audit_log_filters_and_pages(app, admin, world, db):
    _post(admin, f"/admin/users/{world['buyer'].id}/roles", role="creator", enabled="1")
    _post(admin, f"/admin/moderation/packs/{world['in_review']}/approve")
    db.session.add(AuditLog(action="role.revoke", actor_email="gone@example.com", target_type="user", target_id="x"))
    db.session.commit()
    html = _page(admin, "/admin/audit")
    assert "3 rows, newest first" in html and "gone@example.com (account deleted)" in html
    assert "127.0.0.1" in html and "&#34;published&#34;" in html  # before/after as escaped JSON text
    only = _page(admin, "/admin/audit?action=role.")
    assert "2 rows" in only and "pack.approve" not in only.split("results-count")[1]
    by_actor = _page(admin, "/admin/audit?actor=BOSS&target_type=pack")
    assert "1 row," in by_actor
    assert _page(admin, f"/admin/audit?target_id={world['buyer'].id}").count('class="audit-action"') == 1
    assert "0 rows" in _page(admin, "/admin/audit?date_to=2000-01-01")
    bad = admin.get("/admin/audit?date_from=2025-02-30")
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.data.decode()
    for n in range(30):
        db.session.add(
            AuditLog(action="user.suspend", actor_email="boss@example.com", target_type="user", target_id=str(n))
        )
    db.session.commit()
    first = _page(admin, "/admin/audit?action=user.suspend")
    assert "Page 1 of 2" in first and 'href="/admin/audit?page=2&amp;action=user.suspend"' in first
    assert "Page 2 of 2" in _page(admin, "/admin/audit?action=user.suspend&page=2")


def test_jobs_page_lists_failed_generations(app, admin, world, db):
    from app.models import GenerationJob
    from app.services import generation
    from tests.library_helpers import make_item

    item_id = make_item(app, world["buyer"].id, title=XSS, ready=False)
    job = db.session.scalar(sa.select(GenerationJob).where(GenerationJob.content_item_id == item_id))
    generation.fail(job, f"RuntimeError: {XSS}")
    html = _page(admin, "/admin/jobs")
    assert 'data-testid="queue-generation"' in html and "RuntimeError" in html
    for raw in RAW_MARKUP:
        assert raw not in html
    response = _post(admin, f"/admin/jobs/{job.id}/delete")
    assert response.status_code == 303
    assert "No failed generations." in _page(admin, "/admin/jobs")


def test_user_text_is_inert_on_every_admin_page(app):
    """SECURITY.md 18: pack titles and descriptions, review bodies, report notes, creator bios and
    reasons render as text on the admin pages."""
    world = moderation_world(app, text=XSS)
    admin = _login(app, world["admin"].email)
    _post(admin, f"/admin/users/{world['buyer'].id}/credits", amount="1", reason=XSS)
    pages = [
        "/admin/moderation",
        f"/admin/users/{world['creator']}",
        f"/admin/users/{world['buyer'].id}",
        "/admin/users?q=example",
        "/admin/audit",
        "/admin/",
    ]
    for path in pages:
        html = _page(admin, path)
        for raw in RAW_MARKUP:
            assert raw not in html, (path, raw)
    moderation = _page(admin)
    assert moderation.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 5  # titles, description, review, notes
    assert "&lt;script&gt;" in _page(admin, f"/admin/users/{world['creator']}")  # the bio
    assert "&lt;script&gt;" in _page(admin, "/admin/audit")  # the grant's reason in after


def test_unknown_ids_and_users_are_404(admin):
    assert admin.get(f"/admin/users/{uuid.uuid4()}").status_code == 404
    assert admin.get("/admin/users/not-a-uuid").status_code == 404
