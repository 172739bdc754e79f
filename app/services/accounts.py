"""Accounts: registration, authentication, passwords, roles and preferences."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import User, Voice
from app.models.types import utcnow
from app.models.user import PACES, ROLES, TONES
from app.redis_client import get_redis
from app.services import Conflict, NotFound, ServiceError, audit, auth_sessions, credits, passwords
from app.services.cache_keys import profile_key

log = logging.getLogger(__name__)


def normalize_email(raw: str) -> str:
    """The canonical (lower-case) form of an address, or ServiceError saying what is wrong."""
    raw = (raw or "").strip()
    if not raw:
        raise ServiceError("Enter your email address.", field="email")
    if len(raw) > 254:
        raise ServiceError("That email address is too long.", field="email")
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ServiceError(f"That email address is not valid: {exc}", field="email") from None


def register(email: str, password: str, *, roles: list[str] | None = None) -> User:
    """Create an account with the free-tier credit and its ledger row, in one transaction."""
    email = normalize_email(email)
    problem = passwords.password_problem(password or "")
    if problem:
        raise ServiceError(problem, field="password")
    roles = _validated_roles(roles or ["user"])
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise Conflict("An account with that email already exists.", field="email")
    free = int(current_app.config["FREE_TIER_CREDITS"])
    user = User(id=uuid.uuid4(), email=email, password_hash=passwords.hash_password(password), roles=roles)
    user.credit_balance = free
    db.session.add(user)
    try:
        db.session.flush()
        credits.opening_entry(user, free, idempotency_key=f"signup:{user.id}", metadata={"source": "free_tier"})
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("An account with that email already exists.", field="email") from None
    log.info("registered user %s", user.id)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user whose email and password match, or None (taking the same time either way)."""
    try:
        email = normalize_email(email)
    except ServiceError:
        passwords.dummy_verify(password or "")
        return None
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        passwords.dummy_verify(password or "")
        return None
    if not passwords.verify_password(user.password_hash, password or ""):
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def change_password(user: User, current: str, new: str, *, keep_session: str | None = None) -> None:
    """Set a new password; every other login session and every API token is revoked."""
    if not passwords.verify_password(user.password_hash, current or ""):
        raise ServiceError("Your current password is not right.", field="current_password")
    problem = passwords.password_problem(new or "")
    if problem:
        raise ServiceError(problem, field="new_password")
    if current == new:
        raise ServiceError("The new password must differ from the current one.", field="new_password")
    user.password_hash = passwords.hash_password(new)
    user.token_version += 1
    audit.record("account.password_changed", actor=user, target_type="user", target_id=user.id)
    db.session.commit()
    auth_sessions.revoke_all(user.id, keep=keep_session)


def _validated_roles(roles: list[str]) -> list[str]:
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise ServiceError(f"Unknown role: {', '.join(unknown)}. Roles are {', '.join(ROLES)}.", field="roles")
    ordered = [r for r in ROLES if r in roles]
    return ordered if "user" in ordered else ["user", *ordered]


def set_role(user: User, role: str, enabled: bool, *, actor: User | None) -> User:
    """Grant or revoke a role (audited). Every account keeps the `user` role."""
    if role not in ROLES or role == "user":
        raise ServiceError("Only the creator and admin roles can be granted or revoked.", field="role")
    before = list(user.roles)
    wanted = set(before) | {role} if enabled else set(before) - {role}
    after = _validated_roles(sorted(wanted))
    if after == before:
        return user
    user.roles = after
    audit.record(
        "user.role_granted" if enabled else "user.role_revoked",
        actor=actor,
        target_type="user",
        target_id=user.id,
        before={"roles": before},
        after={"roles": after},
    )
    db.session.commit()
    invalidate_profile(user.id)
    return user


def get_by_email(email: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise NotFound("No account has that email address.")
    return user


def update_preferences(user: User, changes: dict[str, Any]) -> dict[str, Any]:
    """Merge validated voice/pace/tone choices into the user's preferences."""
    prefs = dict(user.preferences or {})
    for field, value in changes.items():
        if field == "voice":
            prefs["voice"] = _validated_voice(value)
        elif field == "pace":
            prefs["pace"] = _validated_choice(field, value, PACES)
        elif field == "tone":
            prefs["tone"] = _validated_choice(field, value, TONES)
        else:
            raise ServiceError(f"Unknown preference {field!r}: use voice, pace or tone.", field=field)
    user.preferences = {k: v for k, v in prefs.items() if v is not None}
    db.session.commit()
    invalidate_profile(user.id)
    return user.preferences


def _validated_choice(field: str, value: Any, allowed: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    if value not in allowed:
        raise ServiceError(f"{field.capitalize()} must be one of: {', '.join(allowed)}.", field=field)
    return value


def _validated_voice(value: Any) -> str | None:
    if value is None:
        return None
    try:
        voice_id = uuid.UUID(str(value))
    except ValueError:
        raise ServiceError("Voice must be the id of one of the available voices.", field="voice") from None
    voice = db.session.get(Voice, voice_id)
    if voice is None or not voice.is_active:
        raise ServiceError("That voice is not available.", field="voice")
    return str(voice.id)


def invalidate_profile(user_id: uuid.UUID) -> None:
    get_redis().delete(profile_key(user_id))
