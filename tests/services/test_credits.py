"""The credit ledger (SECURITY.md 1–4)."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from app.extensions import db as db_ext
from app.models import CreditTransaction, User
from app.services import Conflict, ServiceError, credits
from tests.factories import make_user


def _balance(db, user_id: uuid.UUID) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(User.credit_balance).where(User.id == user_id))


def test_new_user_has_one_credit_and_a_matching_ledger_row(app, db):
    person = make_user(app)
    rows = db.session.scalars(sa.select(CreditTransaction).where(CreditTransaction.user_id == person.id)).all()
    assert _balance(db, person.id) == 1
    assert [(r.transaction_type, r.amount, r.balance_after, r.entry_no) for r in rows] == [("purchase", 1, 1, 1)]
    assert rows[0].meta == {"source": "free_tier"}
    assert credits.ledger_problems(person.id) == []


def test_grant_consume_refund_chain(app, db):
    person = make_user(app)
    credits.grant(person.id, 5, idempotency_key="checkout:cs_1", metadata={"bundle": "5 credits"})
    item_id = uuid.uuid4()
    spend = credits.consume(person.id, 1, idempotency_key=f"consume:{item_id}", content_type="ritual")
    back = credits.refund(person.id, 1, idempotency_key=f"refund:{item_id}", reason="generation failed")
    assert (spend.amount, spend.balance_after) == (-1, 5)
    assert (back.amount, back.balance_after, back.meta["reason"]) == (1, 6, "generation failed")
    assert _balance(db, person.id) == 6
    assert credits.ledger_problems(person.id) == []
    page = credits.ledger_page(person.id, per_page=2)
    assert [r.transaction_type for r in page.rows] == ["refund", "consumption"]
    assert (page.total, page.pages) == (4, 2)


def test_consume_refuses_to_overspend_and_writes_nothing(app, db):
    person = make_user(app)
    with pytest.raises(credits.InsufficientCredits) as info:
        credits.consume(person.id, 2, idempotency_key="too-much")
    assert "Not enough credits" in info.value.message and info.value.status == 402
    assert _balance(db, person.id) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CreditTransaction)) == 1


def test_same_idempotency_key_applies_once(app, db):
    person = make_user(app, credits_=3)
    first = credits.consume(person.id, 1, idempotency_key="consume:item-1")
    again = credits.consume(person.id, 1, idempotency_key="consume:item-1")
    assert first.id == again.id
    assert _balance(db, person.id) == 2


def test_reusing_a_key_for_a_different_change_is_a_conflict(app, db):
    person = make_user(app, credits_=3)
    credits.consume(person.id, 1, idempotency_key="k-1")
    with pytest.raises(Conflict):
        credits.grant(person.id, 1, idempotency_key="k-1")
    assert _balance(db, person.id) == 2


@pytest.mark.parametrize("amount", [0, -1, 1.5, True])
def test_amount_must_be_a_positive_whole_number(app, db, amount):
    person = make_user(app)
    with pytest.raises(ServiceError):
        credits.grant(person.id, amount, idempotency_key=f"bad-{amount}")
    assert _balance(db, person.id) == 1


def test_ledger_problems_spots_a_balance_that_drifted(app, db):
    person = make_user(app)
    db.session.execute(sa.update(User).where(User.id == person.id).values(credit_balance=7))
    db.session.commit()
    assert credits.ledger_problems(person.id) == ["credit_balance is 7 but the ledger sums to 1"]


@dataclass(frozen=True)
class Applied:
    id: uuid.UUID
    balance_after: int


def _run_threads(app, count: int, target) -> list:
    results: list = [None] * count
    barrier = threading.Barrier(count)

    def worker(i: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                row = target(i)
                # Plain values: the ORM row expires when this thread's session goes away.
                results[i] = Applied(row.id, row.balance_after) if isinstance(row, CreditTransaction) else row
            except Exception as exc:  # collected and asserted on below
                results[i] = exc
            finally:
                db_ext.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.postgres
def test_fifty_concurrent_spends_against_five_credits(app, db):
    """SECURITY.md 2: N concurrent spends against balance B → exactly min(N, B) succeed."""
    person = make_user(app, credits_=5)
    results = _run_threads(
        app, 50, lambda i: credits.consume(person.id, 1, idempotency_key=f"concurrent:{person.id}:{i}")
    )
    succeeded = [r for r in results if isinstance(r, Applied)]
    refused = [r for r in results if isinstance(r, credits.InsufficientCredits)]
    assert len(succeeded) == 5
    assert len(refused) == 45, [r for r in results if not isinstance(r, Applied | credits.InsufficientCredits)]
    assert all("Not enough credits" in r.message for r in refused)
    assert _balance(db, person.id) == 0
    assert sorted(r.balance_after for r in succeeded) == [0, 1, 2, 3, 4]
    assert credits.ledger_problems(person.id) == []


@pytest.mark.postgres
def test_concurrent_mixed_changes_keep_the_ledger_chained(app, db):
    person = make_user(app, credits_=10)

    def change(i: int):
        if i % 3 == 0:
            return credits.grant(person.id, 2, idempotency_key=f"mixed-grant:{person.id}:{i}")
        return credits.consume(person.id, 1, idempotency_key=f"mixed-spend:{person.id}:{i}")

    results = _run_threads(app, 30, change)
    assert not [r for r in results if not isinstance(r, Applied | credits.InsufficientCredits)]
    assert credits.ledger_problems(person.id) == []
    ledger_sum = db.session.scalar(
        sa.select(sa.func.sum(CreditTransaction.amount)).where(CreditTransaction.user_id == person.id)
    )
    assert ledger_sum == _balance(db, person.id)


@pytest.mark.postgres
def test_same_key_delivered_concurrently_applies_once(app, db):
    person = make_user(app, credits_=5)
    results = _run_threads(app, 10, lambda i: credits.consume(person.id, 1, idempotency_key="one-item"))
    assert all(isinstance(r, Applied) for r in results), results
    assert len({r.id for r in results}) == 1
    assert _balance(db, person.id) == 4
