"""The creator token ledger: rewards for sales, their reversal on refunds, and payouts.

Like the credit ledger (SECURITY.md 1, 3, 4): every change is one row with a UNIQUE idempotency
key, rows chain by `entry_no` and `balance_after`, and the creator's user row is locked
(`SELECT … FOR UPDATE`) while a row is added, so concurrent changes chain one after another.
A token is one cent of a creator's share.
Proved by tests/services/test_creator_tokens.py::test_concurrent_rewards_chain_one_after_another.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import CreatorTokenTransaction, User
from app.services import Conflict, NotFound, ServiceError

log = logging.getLogger(__name__)


def balance(creator_id: uuid.UUID) -> int:
    """The creator's token balance: the `balance_after` of their newest row (0 without rows)."""
    value = db.session.scalar(
        sa.select(CreatorTokenTransaction.balance_after)
        .where(CreatorTokenTransaction.creator_id == creator_id)
        .order_by(CreatorTokenTransaction.entry_no.desc())
        .limit(1)
    )
    return value or 0


def reward_amount(net_amount: int, percent: int) -> int:
    """The creator's share of a net sale, in tokens (cents, rounded down)."""
    return max(0, net_amount) * percent // 100


def reward(
    creator_id: uuid.UUID,
    amount: int,
    *,
    idempotency_key: str,
    purchase_id: uuid.UUID | None,
    metadata: dict[str, Any] | None = None,
) -> CreatorTokenTransaction:
    """Credit a creator for a sale, in the caller's transaction."""
    if amount <= 0:
        raise ServiceError("A reward must be above zero.", field="amount")
    return _add(creator_id, amount, "reward", idempotency_key, purchase_id, metadata)


def reverse(
    creator_id: uuid.UUID,
    amount: int,
    *,
    idempotency_key: str,
    purchase_id: uuid.UUID | None,
    metadata: dict[str, Any] | None = None,
) -> CreatorTokenTransaction | None:
    """Take back up to `amount` tokens (a refunded sale), as far as the balance allows, in the
    caller's transaction; the shortfall, if any, is kept in the row's metadata. None when the
    balance is already zero (a ledger row cannot move nothing)."""
    if amount <= 0:
        raise ServiceError("A reversal must be above zero.", field="amount")
    current = _lock(creator_id)  # first the lock, then the key: a concurrent twin has committed by now
    existing = _existing(idempotency_key)
    if existing is not None:
        return _replay(existing, creator_id, "reversal")
    taken = min(amount, current)
    if taken == 0:
        log.warning("tokens: nothing to reverse for creator %s (key %s), owed %d", creator_id, idempotency_key, amount)
        return None
    meta = {**(metadata or {}), "requested": amount, "shortfall": amount - taken}
    return _add(creator_id, -taken, "reversal", idempotency_key, purchase_id, meta, locked_balance=current)


def payout(
    creator_id: uuid.UUID, amount: int, *, idempotency_key: str, metadata: dict[str, Any] | None = None
) -> CreatorTokenTransaction:
    """Pay tokens out; never more than the balance. Committed here."""
    if amount <= 0:
        raise ServiceError("A payout must be above zero.", field="amount")
    current = _lock(creator_id)
    existing = _existing(idempotency_key)
    if existing is not None:
        db.session.rollback()
        return _replay(existing, creator_id, "payout")
    if amount > current:
        db.session.rollback()
        raise ServiceError(f"The balance is {current} tokens; a payout of {amount} is more than that.", field="amount")
    row = _add(creator_id, -amount, "payout", idempotency_key, None, metadata, locked_balance=current)
    db.session.commit()
    return row


def ledger_problems(creator_id: uuid.UUID) -> list[str]:
    """Where the token ledger breaks its chain; an empty list when it holds."""
    rows = db.session.scalars(
        sa.select(CreatorTokenTransaction)
        .where(CreatorTokenTransaction.creator_id == creator_id)
        .order_by(CreatorTokenTransaction.entry_no)
    ).all()
    problems = []
    running = 0
    for expected_no, row in enumerate(rows, start=1):
        if row.entry_no != expected_no:
            problems.append(f"entry {row.entry_no} found where {expected_no} was expected")
        running += row.amount
        if row.balance_after != running:
            problems.append(f"entry {row.entry_no}: balance_after {row.balance_after}, chain says {running}")
        if running < 0:
            problems.append(f"entry {row.entry_no}: the balance went below zero")
    return problems


def _existing(idempotency_key: str) -> CreatorTokenTransaction | None:
    return db.session.scalar(
        sa.select(CreatorTokenTransaction).where(CreatorTokenTransaction.idempotency_key == idempotency_key)
    )


def _replay(row: CreatorTokenTransaction, creator_id: uuid.UUID, transaction_type: str) -> CreatorTokenTransaction:
    if row.creator_id != creator_id or row.transaction_type != transaction_type:
        raise Conflict("That idempotency key was already used for a different token change.")
    return row


def _lock(creator_id: uuid.UUID) -> int:
    """Lock the creator's user row for this transaction; their current balance."""
    locked = db.session.scalar(sa.select(User.id).where(User.id == creator_id).with_for_update())
    if locked is None:
        raise NotFound("No such creator.")
    return balance(creator_id)


def _add(
    creator_id: uuid.UUID,
    amount: int,
    transaction_type: str,
    idempotency_key: str,
    purchase_id: uuid.UUID | None,
    metadata: dict[str, Any] | None,
    *,
    locked_balance: int | None = None,
) -> CreatorTokenTransaction:
    if not idempotency_key or len(idempotency_key) > 200:
        raise ServiceError("An idempotency key of 1–200 characters is required.", field="idempotency_key")
    if locked_balance is None:
        locked_balance = _lock(creator_id)
        existing = _existing(idempotency_key)
        if existing is not None:
            return _replay(existing, creator_id, transaction_type)
    last = db.session.scalar(
        sa.select(sa.func.max(CreatorTokenTransaction.entry_no)).where(CreatorTokenTransaction.creator_id == creator_id)
    )
    row = CreatorTokenTransaction(
        creator_id=creator_id,
        transaction_type=transaction_type,
        amount=amount,
        balance_after=locked_balance + amount,
        entry_no=(last or 0) + 1,
        purchase_id=purchase_id,
        idempotency_key=idempotency_key,
        meta=metadata or {},
    )
    db.session.add(row)
    db.session.flush()
    log.info(
        "tokens %s %+d for creator %s -> %d (key %s)",
        transaction_type,
        amount,
        creator_id,
        row.balance_after,
        idempotency_key,
    )
    return row
