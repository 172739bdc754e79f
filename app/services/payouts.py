"""Payout requests: a creator asks for tokens to be paid out; an admin approves or rejects.

A request may ask for at most the balance minus the requests still pending (the creator's user
row is locked while that is checked, so two requests at once cannot both take the same tokens).
Approval debits the token ledger through `creator_tokens.payout` (idempotency key
`payout:{request_id}`, SECURITY.md 4) in the same transaction as the decision, its audit row and
the creator's notification; rejection leaves the balance as it was. The studio's form carries a
one-time key (UNIQUE `idempotency_key`), so a double submit makes one request; an admin cannot
decide on their own request.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import CreatorTokenTransaction, PayoutRequest, User
from app.models.types import utcnow
from app.services import Conflict, NotFound, ServiceError, access, audit, creator_tokens, notifications, reviews
from app.services.catalog import money

log = logging.getLogger(__name__)

MAX_NOTE = 1000
MAX_AMOUNT = 100_000_000  # tokens (cents): a million dollars
MAX_PAGE = 1000
DOLLARS = re.compile(r"([0-9]{1,9})(?:\.([0-9]{1,2}))?|\.([0-9]{1,2})")


@dataclass
class TokenLedgerPage:
    rows: list[CreatorTokenTransaction]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def pending_total(creator_id: uuid.UUID) -> int:
    """Tokens asked for in requests still waiting for a decision."""
    return (
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(PayoutRequest.amount), 0)).where(
                PayoutRequest.creator_id == creator_id, PayoutRequest.status == "pending"
            )
        )
        or 0
    )


def available(creator_id: uuid.UUID) -> int:
    """What a new request may ask for: the balance minus pending requests (never below zero)."""
    return max(0, creator_tokens.balance(creator_id) - pending_total(creator_id))


def parse_dollars(value: object) -> int:
    """An amount typed in dollars and cents ("12", "12.5", "$1,234.56") as tokens (cents); 422 otherwise."""
    text = str(value or "").strip().replace("$", "").replace(",", "").strip()
    match = DOLLARS.fullmatch(text)
    if match is None:
        raise ServiceError("Enter an amount in dollars and cents, like 12.50.", field="amount")
    whole, cents = match.group(1) or "0", (match.group(2) or match.group(3) or "").ljust(2, "0")
    return int(whole) * 100 + int(cents)


def new_request_key() -> str:
    """A fresh one-time key for one payout request (the form carries it, so a double submit asks once)."""
    return f"payout-request:{uuid.uuid4()}"


def _request_key(key: str | None) -> str:
    if key is None or key == "":
        return new_request_key()
    prefix, _, rest = key.partition(":")
    try:
        valid = prefix == "payout-request" and str(uuid.UUID(rest)) == rest.lower()
    except ValueError:
        valid = False
    if not valid:
        raise ServiceError("The form's key is not valid: reload the page and try again.", field="idempotency_key")
    return key


def request(creator_id: uuid.UUID, amount: int, note: str = "", *, idempotency_key: str | None = None) -> PayoutRequest:
    """Ask for `amount` tokens to be paid out; 422 above the balance minus pending requests. The same
    `idempotency_key` again returns the request it made and asks for nothing more."""
    key = _request_key(idempotency_key)
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ServiceError("Ask for an amount above zero.", field="amount")
    if amount > MAX_AMOUNT:
        raise ServiceError("That amount is too large.", field="amount")
    text = reviews.clean_text(note, field="note", limit=MAX_NOTE, label="The note")
    creator = db.session.scalar(sa.select(User).where(User.id == creator_id).with_for_update())
    if creator is None:
        raise NotFound("No such creator.")
    if not creator.is_creator:
        db.session.rollback()
        raise access.Forbidden("Only creators can ask for a payout.")
    # SECURITY.md 4: one request per key, checked under the creator's row lock and kept UNIQUE
    # (tests/services/test_payouts.py::test_a_double_submit_makes_one_request).
    made = db.session.scalar(
        sa.select(PayoutRequest).where(PayoutRequest.creator_id == creator_id, PayoutRequest.idempotency_key == key)
    )
    if made is not None:
        db.session.rollback()
        log.info("payout request %s submitted again with its key: nothing more asked", made.id)
        return made
    balance = creator_tokens.balance(creator_id)
    pending = pending_total(creator_id)
    if amount > balance - pending:
        db.session.rollback()
        # tests/services/test_payouts.py::test_pending_requests_count_against_the_balance
        held = f" ({money(pending)} of it is in requests waiting for a decision)" if pending else ""
        raise ServiceError(
            f"You can ask for at most {money(max(0, balance - pending))}: your balance is {money(balance)}{held}.",
            field="amount",
        )
    row = PayoutRequest(creator_id=creator_id, amount=amount, note=text, idempotency_key=key)
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # the key is another creator's: never theirs to see
        raise ServiceError(
            "The form's key is not valid: reload the page and try again.", field="idempotency_key"
        ) from None
    log.info("payout request %s by %s for %d tokens", row.id, creator_id, amount)
    return row


def pending() -> list[PayoutRequest]:
    """Requests waiting for a decision, oldest first."""
    return list(
        db.session.scalars(
            sa.select(PayoutRequest)
            .where(PayoutRequest.status == "pending")
            .order_by(PayoutRequest.created_at, PayoutRequest.id)
        )
    )


def for_creator(creator_id: uuid.UUID) -> list[PayoutRequest]:
    """A creator's requests, newest first."""
    return list(
        db.session.scalars(
            sa.select(PayoutRequest)
            .where(PayoutRequest.creator_id == creator_id)
            .order_by(PayoutRequest.created_at.desc(), PayoutRequest.id.desc())
        )
    )


def ledger_page(creator_id: uuid.UUID, page: int = 1, per_page: int = 20) -> TokenLedgerPage:
    """A creator's token ledger rows, newest first."""
    page = min(max(1, page), MAX_PAGE)
    per_page = min(max(1, per_page), 100)
    base = sa.select(CreatorTokenTransaction).where(CreatorTokenTransaction.creator_id == creator_id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery())) or 0
    rows = db.session.scalars(
        base.order_by(CreatorTokenTransaction.entry_no.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return TokenLedgerPage(list(rows), page, per_page, total)


def _pending_request(request_id: uuid.UUID) -> PayoutRequest:
    row = db.session.scalar(
        sa.select(PayoutRequest)
        .where(PayoutRequest.id == request_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise NotFound("No such payout request.")
    if row.status != "pending":
        db.session.rollback()
        raise Conflict(f"This request was already {row.status}.")
    return row


def approve(request_id: uuid.UUID, actor: User) -> PayoutRequest:
    """Approve a pending request: the ledger debit, the decision, its audit row and notification in one commit."""
    row = _pending_request(request_id)
    if row.creator_id == actor.id:
        # SECURITY.md 10: an admin's own payout is decided by another admin
        # (tests/services/test_payouts.py::test_an_admin_cannot_approve_their_own_payout).
        db.session.rollback()
        raise access.Forbidden("You cannot approve your own payout request: another admin must decide it.")
    row.status = "approved"
    row.decided_by = actor.id
    row.decided_at = utcnow()
    # SECURITY.md 22: tests/services/test_payouts.py::test_approval_debits_the_ledger_once_and_is_audited
    audit.record(
        "payout.approve",
        actor=actor,
        target_type="payout_request",
        target_id=row.id,
        before={"status": "pending"},
        after={"status": "approved", "amount": row.amount, "creator_id": str(row.creator_id)},
    )
    notifications.notify(row.creator_id, "payout_approved", f"Your payout of {money(row.amount)} was approved.")
    db.session.flush()
    creator_id, amount = row.creator_id, row.amount
    # SECURITY.md 1, 3, 4: the debit locks the creator's row, chains balance_after and commits all of the above.
    try:
        entry = creator_tokens.payout(
            creator_id,
            amount,
            idempotency_key=f"payout:{request_id}",
            metadata={"payout_request_id": str(request_id), "approved_by": str(actor.id)},
        )
    except ServiceError:
        db.session.rollback()
        log.warning("payout request %s: approval refused by the ledger; left pending", request_id)
        raise
    row = db.session.get(PayoutRequest, request_id)
    if row.status != "approved":  # the debit was already in the ledger (a replayed key): record the decision again
        log.error("payout request %s: ledger entry %s existed before its approval was recorded", request_id, entry.id)
        row.status, row.decided_by, row.decided_at = "approved", actor.id, utcnow()
    row.token_transaction_id = entry.id  # the entry is also found by its key should this second commit fail
    db.session.commit()
    log.info("payout request %s approved by %s: %d tokens", request_id, actor.email, amount)
    return row


def reject(request_id: uuid.UUID, actor: User, reason: str) -> PayoutRequest:
    """Reject a pending request with a reason the creator sees; the balance is untouched."""
    text = reviews.clean_text(reason, field="reason", limit=MAX_NOTE, label="The reason")
    if not text:
        raise ServiceError("Give the creator a reason.", field="reason")
    row = _pending_request(request_id)
    row.status = "rejected"
    row.decision_reason = text
    row.decided_by = actor.id
    row.decided_at = utcnow()
    # SECURITY.md 22: tests/services/test_payouts.py::test_rejection_keeps_the_balance_and_is_audited
    audit.record(
        "payout.reject",
        actor=actor,
        target_type="payout_request",
        target_id=row.id,
        before={"status": "pending"},
        after={"status": "rejected", "amount": row.amount, "reason": text},
    )
    notifications.notify(
        row.creator_id, "payout_rejected", f"Your payout request of {money(row.amount)} was not approved: {text}"
    )
    db.session.commit()
    log.info("payout request %s rejected by %s", request_id, actor.email)
    return row
