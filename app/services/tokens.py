"""JWT bearer tokens for the API: HS256 with the server secret, `exp`, `aud` (SECURITY.md 13).

A token is honoured while its `jti` is not revoked, its `ver` equals the user's token_version
(bumped by a password change) and the user is not suspended. `principal` checks the last two
against a per-user record cached in Redis; every commit that changes them marks it stale.
"""

from __future__ import annotations

import secrets
import time
import uuid

import jwt
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import User
from app.redis_client import get_redis
from app.services.cache_keys import AUTH_RECORD_STALE_TTL, AUTH_RECORD_TTL, auth_record_key

ALGORITHM = "HS256"


class TokenError(Exception):
    """The bearer token cannot be accepted; the message says why, for the 401 body."""


def issue(user: User) -> tuple[str, int]:
    """A signed access token for the user and its lifetime in seconds."""
    cfg = current_app.config
    now = int(time.time())
    lifetime = int(cfg["JWT_EXPIRES_SECONDS"])
    claims = {
        "sub": str(user.id),
        "aud": cfg["JWT_AUDIENCE"],
        "iss": cfg["JWT_ISSUER"],
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
        "jti": secrets.token_urlsafe(16),
        "ver": user.token_version,
    }
    return jwt.encode(claims, cfg["SECRET_KEY"], algorithm=ALGORITHM), lifetime


def decode(token: str) -> dict:
    cfg = current_app.config
    try:
        return jwt.decode(
            token,
            cfg["SECRET_KEY"],
            algorithms=[ALGORITHM],  # never "none", never what the token's header asks for
            audience=cfg["JWT_AUDIENCE"],
            issuer=cfg["JWT_ISSUER"],
            options={"require": ["exp", "aud", "sub", "jti", "iat"]},
        )
    except jwt.ExpiredSignatureError:
        raise TokenError("The access token has expired.") from None
    except jwt.InvalidAudienceError:
        raise TokenError("The access token is not meant for this API.") from None
    except jwt.PyJWTError:
        raise TokenError("The access token is not valid.") from None


def authenticate(token: str) -> tuple[User, dict]:
    """The active user a token speaks for, or TokenError."""
    claims = decode(token)
    user = db.session.get(User, _subject(claims))
    if user is None:
        raise TokenError("The access token has been revoked.")
    revoked = bool(get_redis().exists(_revoked_key(claims["jti"])))
    _check(claims, revoked, f"{user.token_version}:{int(user.is_active)}")
    return user, claims


def principal(token: str) -> tuple[uuid.UUID, dict]:
    """The id of the active user a token speaks for, or TokenError: `authenticate`'s checks without SQL.

    The signature and claims are verified as in `authenticate`; the revoked jti and the user's
    auth record (token_version, suspended or not) come from Redis in one round trip, the record
    from the database when it is not cached (SECURITY.md 11, 13: tests/api/test_token_principal.py)."""
    claims = decode(token)
    user_id = _subject(claims)
    pipe = get_redis().pipeline(transaction=False)
    pipe.exists(_revoked_key(claims["jti"]))
    pipe.get(auth_record_key(user_id))
    revoked, record = pipe.execute()
    if record is None or record == STALE:
        record = _load_record(user_id, fill=record is None)
    _check(claims, bool(revoked), record)
    return user_id, claims


def _subject(claims: dict) -> uuid.UUID:
    try:
        return uuid.UUID(claims["sub"])
    except (ValueError, TypeError, AttributeError):
        raise TokenError("The access token is not valid.") from None


def _check(claims: dict, revoked: bool, record: str) -> None:
    """Refuse a revoked token, one from before the user's last token_version bump, or a suspended user."""
    version, _, active = record.partition(":")
    if record == GONE or revoked or claims.get("ver") != int(version):
        raise TokenError("The access token has been revoked.")
    if active != "1":
        raise TokenError("This account is suspended.")


# --- the auth record: `user:{id}:auth` = "<token_version>:<1 active | 0 suspended>", or GONE ---

GONE = "-"  # no such user (deleted)
STALE = "?"  # just written: read the database, fill nothing
_WATCHED = ("token_version", "suspended_at")
_CHANGED = "auth_records_changed"  # session.info key: ids of users whose record a commit makes stale


def _load_record(user_id: uuid.UUID, *, fill: bool) -> str:
    row = db.session.execute(sa.select(User.token_version, User.suspended_at).where(User.id == user_id)).one_or_none()
    record = GONE if row is None else f"{row.token_version}:{int(row.suspended_at is None)}"
    if fill:  # NX: never over a STALE mark set by a write that committed after our read
        get_redis().set(auth_record_key(user_id), record, ex=AUTH_RECORD_TTL, nx=True)
    return record


@sa.event.listens_for(Session, "after_flush")
def _note_auth_changes(session: Session, _context: object) -> None:
    """Remember users whose token_version or suspension changed, or who were deleted, in this transaction."""
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, User) and (
            obj in session.deleted or any(sa.inspect(obj).attrs[name].history.has_changes() for name in _WATCHED)
        ):
            session.info.setdefault(_CHANGED, set()).add(sa.inspect(obj).identity[0])


@sa.event.listens_for(Session, "after_commit")
def _mark_changed_records(session: Session) -> None:
    """Once committed, mark those records STALE so the next checks read the database
    (SECURITY.md 11: tests/api/test_token_principal.py)."""
    changed = session.info.pop(_CHANGED, None)
    if changed:
        pipe = get_redis().pipeline(transaction=False)
        for user_id in changed:
            pipe.set(auth_record_key(user_id), STALE, ex=AUTH_RECORD_STALE_TTL)
        pipe.execute()


@sa.event.listens_for(Session, "after_rollback")
def _forget_auth_changes(session: Session) -> None:
    session.info.pop(_CHANGED, None)


def revoke(claims: dict) -> None:
    """Deny one token until it would have expired anyway."""
    ttl = max(1, int(claims["exp"]) - int(time.time()))
    get_redis().set(_revoked_key(claims["jti"]), "1", ex=ttl)


def _revoked_key(jti: str) -> str:
    return f"auth:revoked_token:{jti}"
