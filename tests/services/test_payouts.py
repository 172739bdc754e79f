"""Payout requests: limited to the balance minus pending requests; approval debits the token ledger
once (sum of amounts == balance, balance_after chains); rejection keeps the balance; both audited."""

from __future__ import annotations

import threading
import uuid

import pytest
import sqlalchemy as sa

from app.extensions import db as db_ext
from app.models import AuditLog, CreatorTokenTransaction, Notification, PayoutRequest, User
from app.services import Conflict, NotFound, ServiceError, access, creator_tokens, payouts
from tests.factories import make_user
from tests.payments_helpers import make_creator


def _tokens(db, creator_id: uuid.UUID, amount: int, key: str = "reward:test") -> None:  # type: ignore[no-untyped-def]
    creator_tokens.reward(creator_id, amount, idempotency_key=key, purchase_id=None)
    db.session.commit()


def _ledger_sum(db, creator_id: uuid.UUID) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(CreatorTokenTransaction.amount), 0)).where(
            CreatorTokenTransaction.creator_id == creator_id
        )
    )


def _audits(db, action: str) -> list[AuditLog]:  # type: ignore[no-untyped-def]
    return list(db.session.scalars(sa.select(AuditLog).where(AuditLog.action == action)))


@pytest.fixture
def people(app):  # type: ignore[no-untyped-def]
    return {"creator": make_creator(app), "admin": make_user(app, roles=["user", "admin"]).id}


def test_an_amount_above_the_balance_is_refused(app, db, people):
    creator = people["creator"]
    _tokens(db, creator, 1000)
    with pytest.raises(ServiceError, match=r"at most \$10.00") as caught:
        payouts.request(creator, 1001, "")
    assert caught.value.status == 422 and caught.value.field == "amount"
    for bad in (0, -5, True, 2.5, "100"):
        with pytest.raises(ServiceError):
            payouts.request(creator, bad, "")  # type: ignore[arg-type]
    assert payouts.for_creator(creator) == []
    assert payouts.request(creator, 1000, "All of it").status == "pending"


def test_pending_requests_count_against_the_balance(app, db, people):
    creator = people["creator"]
    _tokens(db, creator, 1000)
    payouts.request(creator, 600, "first")
    assert (payouts.pending_total(creator), payouts.available(creator)) == (600, 400)
    with pytest.raises(ServiceError, match=r"at most \$4.00.*\$6.00 of it is in requests waiting"):
        payouts.request(creator, 401, "")
    second = payouts.request(creator, 400, "second")
    assert payouts.available(creator) == 0
    payouts.reject(second.id, db.session.get(User, people["admin"]), "Bank details missing")
    assert payouts.available(creator) == 400  # a rejected request frees its tokens


def test_approval_debits_the_ledger_once_and_is_audited(app, db, people):
    creator, admin = people["creator"], db.session.get(User, people["admin"])
    _tokens(db, creator, 700, "reward:a")
    _tokens(db, creator, 300, "reward:b")
    request = payouts.request(creator, 800, "Please pay")
    assert [r.id for r in payouts.pending()] == [request.id]
    approved = payouts.approve(request.id, admin)
    assert (approved.status, approved.decided_by) == ("approved", admin.id)
    entry = db.session.get(CreatorTokenTransaction, approved.token_transaction_id)
    assert (entry.transaction_type, entry.amount, entry.balance_after) == ("payout", -800, 200)
    assert entry.idempotency_key == f"payout:{request.id}"
    assert creator_tokens.balance(creator) == 200 == _ledger_sum(db, creator)
    assert creator_tokens.ledger_problems(creator) == []  # entry numbers and balance_after chain
    [audit] = _audits(db, "payout.approve")
    assert audit.target_id == str(request.id) and audit.actor_email == admin.email and audit.after["amount"] == 800
    [note] = db.session.scalars(sa.select(Notification).where(Notification.user_id == creator)).all()
    assert note.kind == "payout_approved" and "$8.00" in note.message
    # A second approval (or a rejection after it) changes nothing.
    with pytest.raises(Conflict):
        payouts.approve(request.id, admin)
    with pytest.raises(Conflict):
        payouts.reject(request.id, admin, "late")
    assert creator_tokens.balance(creator) == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CreatorTokenTransaction)) == 3
    assert payouts.pending() == []


def test_rejection_keeps_the_balance_and_is_audited(app, db, people):
    creator, admin = people["creator"], db.session.get(User, people["admin"])
    _tokens(db, creator, 500)
    request = payouts.request(creator, 500, "")
    with pytest.raises(ServiceError, match="reason"):
        payouts.reject(request.id, admin, "   ")
    rejected = payouts.reject(request.id, admin, "Tax form missing")
    assert (rejected.status, rejected.decision_reason, rejected.token_transaction_id) == (
        "rejected",
        "Tax form missing",
        None,
    )
    assert creator_tokens.balance(creator) == 500 == _ledger_sum(db, creator)
    [audit] = _audits(db, "payout.reject")
    assert audit.after["reason"] == "Tax form missing" and audit.before == {"status": "pending"}
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == creator))
    assert note.kind == "payout_rejected" and "Tax form missing" in note.message


def test_an_approval_the_balance_no_longer_covers_is_refused_and_left_pending(app, db, people):
    creator, admin = people["creator"], db.session.get(User, people["admin"])
    _tokens(db, creator, 900)
    request = payouts.request(creator, 900, "")
    creator_tokens.reverse(creator, 500, idempotency_key="reversal:refund", purchase_id=None)  # a refund since
    db.session.commit()
    with pytest.raises(ServiceError, match="balance is 400"):
        payouts.approve(request.id, admin)
    db.session.expire_all()
    assert db.session.get(PayoutRequest, request.id).status == "pending"
    assert _audits(db, "payout.approve") == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0
    assert creator_tokens.balance(creator) == 400 == _ledger_sum(db, creator)


def test_only_creators_ask_and_unknown_requests_are_not_found(app, db, people):
    listener = make_user(app).id
    with pytest.raises(access.Forbidden):
        payouts.request(listener, 100, "")
    with pytest.raises(NotFound):
        payouts.approve(uuid.uuid4(), db.session.get(User, people["admin"]))
    with pytest.raises(ServiceError, match="at most 1,000"):
        payouts.request(people["creator"], 100, "n" * 1001)


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("12", 1200), ("12.5", 1250), ("12.05", 1205), ("$1,234.56", 123456), (" 0.99 ", 99), (".5", 50)],
)
def test_dollars_and_cents_are_parsed(typed, cents):
    assert payouts.parse_dollars(typed) == cents


@pytest.mark.parametrize("typed", ["", "abc", "1.234", "-5", "1e3", "12.", "٣", "9999999999"])
def test_unreadable_amounts_are_422(typed):
    with pytest.raises(ServiceError) as caught:
        payouts.parse_dollars(typed)
    assert caught.value.field == "amount"


def test_the_ledger_page_is_newest_first(app, db, people):
    creator = people["creator"]
    for n in range(3):
        _tokens(db, creator, 100 * (n + 1), f"reward:{n}")
    page = payouts.ledger_page(creator, page=1, per_page=2)
    assert [row.entry_no for row in page.rows] == [3, 2] and page.pages == 2 and page.total == 3


@pytest.mark.postgres
def test_concurrent_requests_cannot_both_take_the_same_tokens(app, db, people):
    creator = people["creator"]
    _tokens(db, creator, 1000)
    db.session.remove()
    results: list[str] = []
    barrier = threading.Barrier(4)

    def ask() -> None:
        with app.app_context():
            barrier.wait()
            try:
                payouts.request(creator, 600, "")
                results.append("ok")
            except ServiceError:
                results.append("refused")
            finally:
                db_ext.session.remove()

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["ok", "refused", "refused", "refused"]
    assert payouts.pending_total(creator) == 600


def test_a_double_submit_makes_one_request(app, db, people):
    """SECURITY.md 4: the form's one-time key is UNIQUE; the same key again returns the first request."""
    creator = people["creator"]
    _tokens(db, creator, 1000)
    key = payouts.new_request_key()
    first = payouts.request(creator, 600, "Please pay", idempotency_key=key)
    again = payouts.request(creator, 600, "Please pay", idempotency_key=key)  # 600 > the 400 still available
    assert again.id == first.id and first.idempotency_key == key
    assert [r.id for r in payouts.for_creator(creator)] == [first.id] and payouts.pending_total(creator) == 600
    other = make_creator(app)
    _tokens(db, other, 1000, "reward:other")
    with pytest.raises(ServiceError, match="reload the page") as stolen:
        payouts.request(other, 100, "", idempotency_key=key)  # another creator's key: not their request
    assert stolen.value.status == 422 and payouts.for_creator(other) == []
    for bad in ("payout-request:nope", "admin-grant:" + str(uuid.uuid4()), "x" * 80):
        with pytest.raises(ServiceError, match="reload the page"):
            payouts.request(creator, 100, "", idempotency_key=bad)
    assert payouts.request(creator, 100, "").idempotency_key.startswith("payout-request:")  # no key: a fresh one


def test_the_studio_form_carries_its_one_time_key(app, client, auth, db, people):
    import re

    from tests.conftest import form_token

    creator = people["creator"]
    _tokens(db, creator, 1000)
    auth.login(db.session.get(User, creator).email)
    page = client.get("/studio/payouts").data.decode()
    key = re.search(r'name="payout_key" value="([^"]+)"', page).group(1)
    form = {"amount": "6", "note": "", "csrf_token": form_token(page), "payout_key": key}
    assert client.post("/studio/payouts", data=form).status_code == 303
    assert client.post("/studio/payouts", data=form).status_code == 303  # the double submit
    db.session.expire_all()
    assert [(r.amount, r.idempotency_key) for r in payouts.for_creator(creator)] == [(600, key)]
    fresh = re.search(r'name="payout_key" value="([^"]+)"', client.get("/studio/payouts").data.decode()).group(1)
    assert fresh != key


def test_an_admin_cannot_approve_their_own_payout(app, db, people):
    """SECURITY.md 10: a decision on one's own money is another admin's."""
    both = make_user(app, roles=["user", "creator", "admin"])
    _tokens(db, both.id, 500)
    request = payouts.request(both.id, 500, "")
    with pytest.raises(access.Forbidden, match="your own payout") as refused:
        payouts.approve(request.id, db.session.get(User, both.id))
    assert refused.value.status == 403
    db.session.expire_all()
    assert db.session.get(PayoutRequest, request.id).status == "pending"
    assert creator_tokens.balance(both.id) == 500 and _audits(db, "payout.approve") == []
    assert payouts.approve(request.id, db.session.get(User, people["admin"])).status == "approved"
