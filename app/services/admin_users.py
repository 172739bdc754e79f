"""Admin work on accounts: find users, see their standing, change roles, suspend, grant credits.

Every change is audited in the same transaction as the change itself (SECURITY.md 22).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import AuditLog, CreatorProfile, CreditTransaction, RitualPack, User
from app.models.types import utcnow
from app.models.user import ROLES
from app.services import NotFound, ServiceError, accounts, audit, auth_sessions, creator_tokens, credits, purchases
from app.services.access import Forbidden
from app.services.credits import MAX_PAGE

log = logging.getLogger(__name__)

GRANTABLE_ROLES = ("creator", "admin")
MAX_REASON = 500
MAX_GRANT = 1000  # credits in one grant
MAX_FRAGMENT = 254
PER_PAGE = 20


@dataclass
class UserPage:
    rows: list[User]
    page: int
    per_page: int
    total: int
    query: str
    role: str | None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass
class UserDetail:
    user: User
    ledger: credits.LedgerPage
    purchases: purchases.PurchasePage
    profile: CreatorProfile | None
    token_balance: int | None
    pack_counts: dict[str, int]
    history: list[AuditLog]


def _escape_like(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def _has_role(role: str) -> sa.ColumnElement[bool]:
    """Roles are TEXT[] on PostgreSQL and a JSON list on SQLite."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.literal(role) == sa.func.any(User.roles)
    values = sa.func.json_each(User.roles).table_valued("value")
    return sa.exists(sa.select(1).select_from(values).where(values.c.value == role))


def search(email_fragment: str = "", page: int = 1, *, role: str | None = None, per_page: int = PER_PAGE) -> UserPage:
    """Accounts whose email contains the fragment (any case), optionally holding a role, by email."""
    fragment = " ".join((email_fragment or "").split()).lower()
    if len(fragment) > MAX_FRAGMENT:
        raise ServiceError(f"Search for at most {MAX_FRAGMENT} characters of an email address.", field="q")
    if role is not None and role not in ROLES:
        raise ServiceError(f"Role must be one of: {', '.join(ROLES)}.", field="role")
    if "\x00" in fragment:
        raise ServiceError("The search holds a character an email address cannot have.", field="q")
    page = min(max(1, page), MAX_PAGE)
    per_page = min(max(1, per_page), 100)
    stmt = sa.select(User)
    if fragment:
        stmt = stmt.where(sa.func.lower(User.email).like(f"%{_escape_like(fragment)}%", escape="!"))
    if role:
        stmt = stmt.where(_has_role(role))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(stmt.order_by(User.email).offset((page - 1) * per_page).limit(per_page)).all()
    return UserPage(list(rows), page, per_page, total, fragment, role)


def get_user(user_id: uuid.UUID) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def detail(user_id: uuid.UUID, *, ledger_page: int = 1) -> UserDetail:
    """A user's roles, credits and recent ledger, purchases, creator profile and the audit rows about them."""
    user = get_user(user_id)
    profile = db.session.get(CreatorProfile, user_id)
    is_creator = user.is_creator or profile is not None
    counts = dict(
        db.session.execute(
            sa.select(RitualPack.status, sa.func.count())
            .where(RitualPack.creator_id == user_id)
            .group_by(RitualPack.status)
        ).all()
    )
    history = db.session.scalars(
        sa.select(AuditLog)
        .where(AuditLog.target_type == "user", AuditLog.target_id == str(user_id))
        .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
        .limit(10)
    ).all()
    return UserDetail(
        user=user,
        ledger=credits.ledger_page(user_id, page=ledger_page, per_page=10),
        purchases=purchases.list_for(user_id, page=1, per_page=10),
        profile=profile,
        token_balance=creator_tokens.balance(user_id) if is_creator else None,
        pack_counts=counts,
        history=list(history),
    )


def _locked(user_id: uuid.UUID) -> User:
    """The user row, locked for this transaction (PostgreSQL), or NotFound."""
    user = db.session.scalar(
        sa.select(User).where(User.id == user_id).with_for_update().execution_options(populate_existing=True)
    )
    if user is None:
        db.session.rollback()
        raise NotFound("No such user.")
    return user


def _reason(reason: str | None, *, required: bool, what: str) -> str:
    text = (reason or "").strip()
    if required and not text:
        raise ServiceError(f"Give a reason for {what}.", field="reason")
    if len(text) > MAX_REASON:
        raise ServiceError(f"Keep the reason under {MAX_REASON} characters.", field="reason")
    if "\x00" in text:
        raise ServiceError("The reason holds a character that cannot be stored.", field="reason")
    return text


def set_role(user_id: uuid.UUID, role: str, enabled: bool, actor: User) -> User:
    """Grant or revoke the creator or admin role (audited "role.grant"/"role.revoke" with before/after).

    Nothing changes, and nothing is written, when the user already is as asked."""
    if role not in GRANTABLE_ROLES:
        raise ServiceError("Only the creator and admin roles can be granted or revoked.", field="role")
    if not enabled and role == "admin" and user_id == actor.id:
        raise Forbidden("You cannot remove your own admin role; ask another admin to do it.")
    user = _locked(user_id)
    before = list(user.roles or [])
    wanted = set(before) | {role} if enabled else set(before) - {role}
    after = [r for r in ROLES if r in wanted or r == "user"]
    if after == before:
        db.session.rollback()
        return user
    user.roles = after
    audit.record(
        "role.grant" if enabled else "role.revoke",
        actor=actor,
        target_type="user",
        target_id=user.id,
        before={"roles": before},
        after={"roles": after, "role": role},
    )
    db.session.commit()
    accounts.invalidate_profile(user.id)
    log.info("role %s %s for user %s by %s", role, "granted" if enabled else "revoked", user.id, actor.id)
    return user


def suspend(user_id: uuid.UUID, actor: User, reason: str) -> User:
    """Suspend an account: no login, every API token and browser session ended at once (audited "user.suspend")."""
    reason = _reason(reason, required=True, what="the suspension")
    if user_id == actor.id:
        raise Forbidden("You cannot suspend your own account.")
    user = _locked(user_id)
    if user.suspended_at is not None:
        db.session.rollback()
        return user
    before = {"suspended_at": None, "token_version": user.token_version}
    user.suspended_at = utcnow()
    # SECURITY.md 11: tests/services/test_admin_users.py::test_suspension_ends_sessions_and_tokens
    user.token_version += 1  # every API token issued so far stops working
    audit.record(
        "user.suspend",
        actor=actor,
        target_type="user",
        target_id=user.id,
        before=before,
        after={"suspended_at": user.suspended_at.isoformat(), "token_version": user.token_version, "reason": reason},
    )
    db.session.commit()
    ended = auth_sessions.revoke_all(user.id)
    accounts.invalidate_profile(user.id)
    log.warning("user %s suspended by %s (%d browser sessions ended)", user.id, actor.id, ended)
    return user


def unsuspend(user_id: uuid.UUID, actor: User, reason: str = "") -> User:
    """Let a suspended account log in again (audited "user.unsuspend"); tokens from before stay revoked."""
    reason = _reason(reason, required=False, what="lifting the suspension")
    user = _locked(user_id)
    if user.suspended_at is None:
        db.session.rollback()
        return user
    before = {"suspended_at": user.suspended_at.isoformat()}
    user.suspended_at = None
    audit.record(
        "user.unsuspend",
        actor=actor,
        target_type="user",
        target_id=user.id,
        before=before,
        after={"suspended_at": None, **({"reason": reason} if reason else {})},
    )
    db.session.commit()
    accounts.invalidate_profile(user.id)
    log.info("user %s unsuspended by %s", user.id, actor.id)
    return user


def new_grant_key() -> str:
    """A fresh idempotency key for one credit grant (a form carries it, so a double submit grants once)."""
    return f"admin-grant:{uuid.uuid4()}"


def _grant_key(key: str | None) -> str:
    if key is None or key == "":
        return new_grant_key()
    prefix, _, rest = key.partition(":")
    try:
        valid = prefix == "admin-grant" and str(uuid.UUID(rest)) == rest.lower()
    except ValueError:
        valid = False
    if not valid:
        raise ServiceError("The grant's key is not valid: reload the page and try again.", field="idempotency_key")
    return key


def grant_credits(
    user_id: uuid.UUID, amount: int, reason: str, actor: User, *, idempotency_key: str | None = None
) -> CreditTransaction:
    """Give a user credits: one ledger row (metadata {reason, granted_by}) and one audit row, in one transaction.

    SECURITY.md 4: the ledger row carries a UNIQUE idempotency key; the same key again grants nothing more
    (tests/services/test_admin_users.py::test_a_grant_with_the_same_key_is_applied_once)."""
    if not isinstance(amount, int) or isinstance(amount, bool) or not 1 <= amount <= MAX_GRANT:
        raise ServiceError(f"Grant a whole number of credits from 1 to {MAX_GRANT}.", field="amount")
    reason = _reason(reason, required=True, what="the grant")
    key = _grant_key(idempotency_key)
    existing = db.session.scalar(sa.select(CreditTransaction).where(CreditTransaction.idempotency_key == key))
    if existing is not None:
        return _replayed(existing, user_id, amount)
    user = get_user(user_id)
    before = user.credit_balance
    try:
        row = credits.grant(
            user_id,
            amount,
            idempotency_key=key,
            metadata={"reason": reason, "granted_by": str(actor.id), "source": "admin"},
            commit=False,
        )
        audit.record(
            "credits.grant",
            actor=actor,
            target_type="user",
            target_id=user_id,
            before={"credit_balance": before},
            after={
                "credit_balance": row.balance_after,
                "amount": amount,
                "reason": reason,
                "ledger_entry": row.entry_no,
            },
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # the same key committed by a concurrent request: that grant stands alone
        existing = db.session.scalar(sa.select(CreditTransaction).where(CreditTransaction.idempotency_key == key))
        if existing is None:
            log.exception("credit grant to %s by %s failed", user_id, actor.id)
            raise
        return _replayed(existing, user_id, amount)
    except Exception:
        db.session.rollback()
        raise
    accounts.invalidate_profile(user_id)
    log.info("granted %d credits to %s by %s (key %s)", amount, user_id, actor.id, key)
    return row


def _replayed(row: CreditTransaction, user_id: uuid.UUID, amount: int) -> CreditTransaction:
    if row.user_id != user_id or row.amount != amount:
        message = "That grant's key was already used for another grant: reload the page."
        raise ServiceError(message, field="idempotency_key")
    return row
