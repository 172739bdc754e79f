"""The creator token ledger: rewards, reversals and payouts chain like the credit ledger."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from app.extensions import db as db_ext
from app.models import CreatorTokenTransaction
from app.services import ServiceError, creator_tokens
from tests.payments_helpers import make_creator


def _sum(db, creator_id) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(CreatorTokenTransaction.amount), 0)).where(
            CreatorTokenTransaction.creator_id == creator_id
        )
    )


def test_reward_reverse_and_payout_chain(app, db):
    creator = make_creator(app)
    first = creator_tokens.reward(creator, 700, idempotency_key="reward:a", purchase_id=None)
    creator_tokens.reward(creator, 300, idempotency_key="reward:b", purchase_id=None)
    db.session.commit()
    assert (first.entry_no, first.balance_after) == (1, 700)
    again = creator_tokens.reward(creator, 700, idempotency_key="reward:a", purchase_id=None)
    assert again.id == first.id  # the same key applies once (SECURITY.md 4)
    reversal = creator_tokens.reverse(creator, 300, idempotency_key="reversal:b", purchase_id=None)
    db.session.commit()
    assert reversal.amount == -300 and reversal.balance_after == 700
    payout = creator_tokens.payout(creator, 500, idempotency_key="payout:1")
    assert payout.balance_after == 200
    with pytest.raises(ServiceError, match="balance is 200"):
        creator_tokens.payout(creator, 201, idempotency_key="payout:2")
    assert creator_tokens.balance(creator) == 200 == _sum(db, creator)
    assert creator_tokens.ledger_problems(creator) == []


def test_a_reversal_takes_back_no_more_than_the_balance(app, db):
    creator = make_creator(app)
    creator_tokens.reward(creator, 700, idempotency_key="reward:x", purchase_id=None)
    db.session.commit()
    creator_tokens.payout(creator, 600, idempotency_key="payout:x")
    reversal = creator_tokens.reverse(creator, 700, idempotency_key="reversal:x", purchase_id=None)
    db.session.commit()
    assert reversal.amount == -100 and reversal.balance_after == 0
    assert reversal.meta["shortfall"] == 600
    assert creator_tokens.reverse(creator, 5, idempotency_key="reversal:y", purchase_id=None) is None
    assert creator_tokens.ledger_problems(creator) == []


def test_bad_amounts_are_refused(app, db):
    creator = make_creator(app)
    for call in (creator_tokens.reward, creator_tokens.reverse):
        with pytest.raises(ServiceError):
            call(creator, 0, idempotency_key="k", purchase_id=None)
    with pytest.raises(ServiceError):
        creator_tokens.payout(creator, -1, idempotency_key="k")
    assert creator_tokens.reward_amount(999, 70) == 699
    assert creator_tokens.reward_amount(-5, 70) == 0


@pytest.mark.postgres
def test_concurrent_rewards_chain_one_after_another(app, db):
    creator = make_creator(app)
    errors: list[Exception] = []

    def worker(i: int) -> None:
        with app.app_context():
            try:
                creator_tokens.reward(creator, 10 + i, idempotency_key=f"reward:c{i % 15}", purchase_id=None)
                db_ext.session.commit()
            except Exception as exc:  # collected and asserted on below
                errors.append(exc)
            finally:
                db_ext.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    # Two threads share each key: the second finds the first's row under the creator's lock.
    assert errors == []
    rows = db.session.scalars(
        sa.select(CreatorTokenTransaction).where(CreatorTokenTransaction.creator_id == creator)
    ).all()
    assert len(rows) == 15
    assert creator_tokens.ledger_problems(creator) == []
    assert creator_tokens.balance(creator) == _sum(db, creator)
