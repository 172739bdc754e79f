"""Admin work on accounts (SECURITY.md 4, 10, 11, 22): search, detail, roles, suspension, credit grants."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from app.models import AuditLog, CreditTransaction, User
from app.services import NotFound, ServiceError, admin_users, auth_sessions, credits, tokens
from app.services.access import Forbidden
from tests.factories import make_user


@pytest.fixture
def people(app):
    return {
        "admin": make_user(app, email="boss@example.com", roles=["admin"]),
        "ana": make_user(app, email="ana.lopez@example.com"),
        "anton": make_user(app, email="anton@sample.org", roles=["creator"]),
        "zoe": make_user(app, email="zoe_100%@example.com"),
    }


def _user(db, record) -> User:
    return db.session.get(User, record.id)


def _audits(db, action: str) -> list[AuditLog]:
    return list(db.session.scalars(sa.select(AuditLog).where(AuditLog.action == action)))


def test_search_by_email_fragment_any_case_and_role(db, people):
    found = admin_users.search("AN")
    assert [u.email for u in found.rows] == ["ana.lopez@example.com", "anton@sample.org"]
    assert found.total == 2
    assert [u.email for u in admin_users.search("an", role="creator").rows] == ["anton@sample.org"]
    assert admin_users.search("").total == 4
    # LIKE wildcards are searched for literally
    assert [u.email for u in admin_users.search("100%").rows] == ["zoe_100%@example.com"]
    assert admin_users.search("_").total == 1


def test_search_pages(db, app):
    for n in range(23):
        make_user(app, email=f"many{n:02d}@example.com")
    first = admin_users.search("many", 1)
    second = admin_users.search("many", 2)
    assert len(first.rows) == 20 and first.has_next and first.pages == 2
    assert len(second.rows) == 3 and not second.has_next
    assert {u.id for u in first.rows}.isdisjoint({u.id for u in second.rows})


def test_search_refuses_bad_input(db, people):
    with pytest.raises(ServiceError) as exc:
        admin_users.search("x" * 300)
    assert exc.value.field == "q"
    with pytest.raises(ServiceError) as exc:
        admin_users.search("", role="owner")
    assert exc.value.field == "role"


def test_detail_shows_roles_credits_ledger_and_purchases(db, people):
    detail = admin_users.detail(people["anton"].id)
    assert detail.user.email == "anton@sample.org"
    assert detail.ledger.total == 1 and detail.ledger.rows[0].meta == {"source": "free_tier"}
    assert detail.purchases.total == 0
    assert detail.token_balance == 0  # a creator: the token balance is shown
    assert admin_users.detail(people["ana"].id).token_balance is None
    with pytest.raises(NotFound):
        admin_users.detail(uuid.uuid4())


def test_role_change_is_audited_with_before_and_after(db, people):
    admin = _user(db, people["admin"])
    user = admin_users.set_role(people["ana"].id, "creator", True, admin)
    assert user.roles == ["user", "creator"]
    [row] = _audits(db, "role.grant")
    assert (row.actor_id, row.actor_email, row.target_type, row.target_id) == (
        admin.id,
        "boss@example.com",
        "user",
        str(people["ana"].id),
    )
    assert row.before == {"roles": ["user"]}
    assert row.after == {"roles": ["user", "creator"], "role": "creator"}

    admin_users.set_role(people["ana"].id, "creator", False, admin)
    [revoke] = _audits(db, "role.revoke")
    assert revoke.before == {"roles": ["user", "creator"]} and revoke.after["roles"] == ["user"]
    # Asking for what already holds writes nothing.
    admin_users.set_role(people["ana"].id, "creator", False, admin)
    assert len(_audits(db, "role.revoke")) == 1


def test_an_admin_cannot_remove_their_own_admin_role(db, people):
    admin = _user(db, people["admin"])
    with pytest.raises(Forbidden):
        admin_users.set_role(admin.id, "admin", False, admin)
    db.session.expire_all()
    assert _user(db, people["admin"]).roles == ["user", "admin"]
    assert _audits(db, "role.revoke") == []


@pytest.mark.parametrize("role", ["user", "owner", ""])
def test_only_creator_and_admin_can_be_granted(db, people, role):
    with pytest.raises(ServiceError) as exc:
        admin_users.set_role(people["ana"].id, role, True, _user(db, people["admin"]))
    assert exc.value.field == "role"


def test_suspension_ends_sessions_and_tokens(app, db, people):
    """SECURITY.md 11: a suspended account's browser sessions and API tokens die at once."""
    ana = _user(db, people["ana"])
    sid = auth_sessions.create(ana.id)
    token, _ = tokens.issue(ana)
    assert tokens.authenticate(token)[0].id == ana.id
    before_version = ana.token_version

    admin_users.suspend(ana.id, _user(db, people["admin"]), "  Spam from this account  ")
    db.session.expire_all()
    ana = _user(db, people["ana"])
    assert ana.suspended_at is not None and not ana.is_active
    assert ana.token_version == before_version + 1
    assert not auth_sessions.is_valid(sid, str(ana.id))
    with pytest.raises(tokens.TokenError):
        tokens.authenticate(token)
    with pytest.raises(tokens.TokenError):
        tokens.principal(token)
    [row] = _audits(db, "user.suspend")
    assert row.before == {"suspended_at": None, "token_version": before_version}
    assert row.after["reason"] == "Spam from this account" and row.after["token_version"] == before_version + 1

    admin_users.unsuspend(ana.id, _user(db, people["admin"]), "appeal accepted")
    db.session.expire_all()
    assert _user(db, people["ana"]).is_active
    with pytest.raises(tokens.TokenError):  # old tokens stay revoked
        tokens.authenticate(token)
    [lifted] = _audits(db, "user.unsuspend")
    assert lifted.after == {"suspended_at": None, "reason": "appeal accepted"}


def test_suspension_needs_a_reason_and_not_yourself(db, people):
    admin = _user(db, people["admin"])
    with pytest.raises(ServiceError) as exc:
        admin_users.suspend(people["ana"].id, admin, "   ")
    assert exc.value.field == "reason"
    with pytest.raises(Forbidden):
        admin_users.suspend(admin.id, admin, "testing")
    db.session.expire_all()
    assert _user(db, people["ana"]).suspended_at is None
    assert _audits(db, "user.suspend") == []


def test_credit_grant_writes_a_ledger_row_with_the_reason_and_an_audit_row(db, people):
    admin = _user(db, people["admin"])
    row = admin_users.grant_credits(people["ana"].id, 5, "Sorry for the outage", admin)
    assert (row.amount, row.balance_after, row.transaction_type) == (5, 6, "purchase")
    assert row.idempotency_key.startswith("admin-grant:")
    assert row.meta == {"reason": "Sorry for the outage", "granted_by": str(admin.id), "source": "admin"}
    db.session.expire_all()
    assert _user(db, people["ana"]).credit_balance == 6
    assert credits.ledger_problems(people["ana"].id) == []
    [audit] = _audits(db, "credits.grant")
    assert audit.before == {"credit_balance": 1}
    assert audit.after == {"credit_balance": 6, "amount": 5, "reason": "Sorry for the outage", "ledger_entry": 2}


def test_a_grant_with_the_same_key_is_applied_once(db, people):
    """SECURITY.md 4: a resubmitted grant form carries the same key and adds nothing."""
    admin = _user(db, people["admin"])
    key = admin_users.new_grant_key()
    first = admin_users.grant_credits(people["ana"].id, 3, "goodwill", admin, idempotency_key=key)
    again = admin_users.grant_credits(people["ana"].id, 3, "goodwill", admin, idempotency_key=key)
    assert first.id == again.id
    db.session.expire_all()
    assert _user(db, people["ana"]).credit_balance == 4
    assert len(_audits(db, "credits.grant")) == 1
    with pytest.raises(ServiceError):  # the same key for another grant is refused
        admin_users.grant_credits(people["zoe"].id, 3, "goodwill", admin, idempotency_key=key)


@pytest.mark.parametrize(
    ("amount", "reason", "key", "field"),
    [
        (0, "why", None, "amount"),
        (-2, "why", None, "amount"),
        (1001, "why", None, "amount"),
        (True, "why", None, "amount"),
        (2, "", None, "reason"),
        (2, "x" * 501, None, "reason"),
        (2, "why", "stripe:abc", "idempotency_key"),
        (2, "why", "admin-grant:not-a-uuid", "idempotency_key"),
    ],
)
def test_bad_grants_write_nothing(db, people, amount, reason, key, field):
    with pytest.raises(ServiceError) as exc:
        admin_users.grant_credits(people["ana"].id, amount, reason, _user(db, people["admin"]), idempotency_key=key)
    assert exc.value.field == field
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CreditTransaction)) == 4  # the signup rows
    assert _audits(db, "credits.grant") == []
