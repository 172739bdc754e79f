"""The credit ledger: grant, consume and refund, each one transaction with its ledger row.

SECURITY.md 1–4: a spend is one conditional UPDATE … RETURNING in the same transaction as its
ledger row; every row carries a UNIQUE idempotency key; rows chain by `entry_no` and `balance_after`.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import CreditTransaction, User
from app.services import Conflict, NotFound, ServiceError

log = logging.getLogger(__name__)


class InsufficientCredits(ServiceError):
    code = "insufficient_credits"
    status = 402

    def __init__(self, needed: int, balance: int) -> None:
        noun = "credit" if needed == 1 else "credits"
        super().__init__(f"Not enough credits: this needs {needed} {noun} and your balance is {balance}.")
        self.needed = needed
        self.balance = balance


def grant(
    user_id: uuid.UUID,
    amount: int,
    *,
    idempotency_key: str,
    metadata: dict[str, Any] | None = None,
    commit: bool = True,
) -> CreditTransaction:
    """Add purchased (or granted) credits; with commit=False, inside the caller's transaction."""
    _require_positive(amount)
    return _apply(user_id, amount, "purchase", idempotency_key, metadata=metadata, commit=commit)


def consume(
    user_id: uuid.UUID,
    amount: int = 1,
    *,
    idempotency_key: str,
    content_item_id: uuid.UUID | None = None,
    content_type: str | None = None,
    metadata: dict[str, Any] | None = None,
    commit: bool = True,
) -> CreditTransaction:
    """Spend credits; raises InsufficientCredits rather than going below zero.

    With commit=False the spend joins the caller's transaction (which then commits or rolls back
    the spend together with its own rows).
    """
    _require_positive(amount)
    return _apply(
        user_id,
        -amount,
        "consumption",
        idempotency_key,
        content_item_id=content_item_id,
        content_type=content_type,
        metadata=metadata,
        commit=commit,
    )


def refund(
    user_id: uuid.UUID,
    amount: int,
    *,
    idempotency_key: str,
    reason: str,
    content_item_id: uuid.UUID | None = None,
    content_type: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> CreditTransaction:
    """Give credits back, with the reason in the row's metadata."""
    _require_positive(amount)
    meta = {**(metadata or {}), "reason": reason}
    return _apply(
        user_id,
        amount,
        "refund",
        idempotency_key,
        content_item_id=content_item_id,
        content_type=content_type,
        metadata=meta,
    )


def _require_positive(amount: int) -> None:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise ServiceError("The amount must be a whole number of credits above zero.", field="amount")


def _existing(idempotency_key: str) -> CreditTransaction | None:
    return db.session.scalar(sa.select(CreditTransaction).where(CreditTransaction.idempotency_key == idempotency_key))


def _replay(row: CreditTransaction, user_id: uuid.UUID, amount: int, transaction_type: str) -> CreditTransaction:
    if row.user_id != user_id or row.amount != amount or row.transaction_type != transaction_type:
        raise Conflict("That idempotency key was already used for a different credit change.")
    return row


def _apply(
    user_id: uuid.UUID,
    amount: int,
    transaction_type: str,
    idempotency_key: str,
    *,
    content_item_id: uuid.UUID | None = None,
    content_type: str | None = None,
    metadata: dict[str, Any] | None = None,
    commit: bool = True,
) -> CreditTransaction:
    if not idempotency_key or len(idempotency_key) > 200:
        raise ServiceError("An idempotency key of 1–200 characters is required.", field="idempotency_key")
    existing = _existing(idempotency_key)
    if existing is not None:
        return _replay(existing, user_id, amount, transaction_type)

    users = User.__table__
    stmt = sa.update(users).where(users.c.id == user_id).values(credit_balance=users.c.credit_balance + amount)
    if amount < 0:
        stmt = stmt.where(users.c.credit_balance >= -amount)
    try:
        new_balance = db.session.execute(stmt.returning(users.c.credit_balance)).scalar_one_or_none()
        if new_balance is None:
            balance = db.session.scalar(sa.select(users.c.credit_balance).where(users.c.id == user_id))
            if commit:
                db.session.rollback()
            if balance is None:
                raise NotFound("No such user.")
            raise InsufficientCredits(-amount, balance)
        # The UPDATE holds the user's row lock until commit, so entry numbers cannot race.
        last = db.session.scalar(
            sa.select(sa.func.max(CreditTransaction.entry_no)).where(CreditTransaction.user_id == user_id)
        )
        row = CreditTransaction(
            user_id=user_id,
            transaction_type=transaction_type,
            amount=amount,
            balance_after=new_balance,
            entry_no=(last or 0) + 1,
            content_item_id=content_item_id,
            content_type=content_type,
            idempotency_key=idempotency_key,
            meta=metadata or {},
        )
        db.session.add(row)
        if not commit:
            db.session.flush()
            return row
        db.session.commit()
    except IntegrityError:
        if not commit:
            raise  # the caller's transaction, the caller's decision
        # Another transaction committed the same idempotency key first: ours is rolled back whole.
        db.session.rollback()
        existing = _existing(idempotency_key)
        if existing is None:
            log.exception("credit change for user %s failed with an integrity error", user_id)
            raise
        return _replay(existing, user_id, amount, transaction_type)
    log.info(
        "credits %s %+d for user %s -> %d (key %s)", transaction_type, amount, user_id, new_balance, idempotency_key
    )
    return row


def opening_entry(user: User, amount: int, *, idempotency_key: str, metadata: dict[str, Any]) -> CreditTransaction:
    """The first ledger row of a new user, matching the balance the user row starts with.

    Added to the caller's transaction (the one inserting the user), not committed here.
    """
    row = CreditTransaction(
        user_id=user.id,
        transaction_type="purchase",
        amount=amount,
        balance_after=amount,
        entry_no=1,
        idempotency_key=idempotency_key,
        meta=metadata,
    )
    db.session.add(row)
    return row


MAX_PAGE = 1_000_000  # keeps the row offset within a 64-bit integer on every database


@dataclass
class LedgerPage:
    rows: list[CreditTransaction]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def ledger_page(user_id: uuid.UUID, page: int = 1, per_page: int = 20) -> LedgerPage:
    """A user's ledger rows, newest first."""
    page = min(max(1, page), MAX_PAGE)
    per_page = min(max(1, per_page), 100)
    base = sa.select(CreditTransaction).where(CreditTransaction.user_id == user_id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery())) or 0
    rows = db.session.scalars(
        base.order_by(CreditTransaction.entry_no.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return LedgerPage(list(rows), page, per_page, total)


def ledger_problems(user_id: uuid.UUID) -> list[str]:
    """Where the ledger breaks its invariant (SECURITY.md 3); an empty list when it holds."""
    balance = db.session.scalar(sa.select(User.credit_balance).where(User.id == user_id))
    rows = db.session.scalars(
        sa.select(CreditTransaction).where(CreditTransaction.user_id == user_id).order_by(CreditTransaction.entry_no)
    ).all()
    problems = []
    running = 0
    for expected_no, row in enumerate(rows, start=1):
        if row.entry_no != expected_no:
            problems.append(f"entry {row.entry_no} found where {expected_no} was expected")
        running += row.amount
        if row.balance_after != running:
            problems.append(f"entry {row.entry_no}: balance_after {row.balance_after}, chain says {running}")
    if balance != running:
        problems.append(f"credit_balance is {balance} but the ledger sums to {running}")
    return problems
