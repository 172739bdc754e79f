"""JWT bearer tokens for the API: HS256 with the server secret, `exp`, `aud` (SECURITY.md 13).

A token is honoured while its `jti` is not revoked, its `ver` equals the user's token_version
(bumped by a password change) and the user is not suspended. `principal` checks the last two
against a per-user record cached in Redis; every commit that changes them marks it stale. A token
whose signature and claims have passed is remembered per app (`VerifiedTokens`) until its `exp`, so
the next request skips the parse; the revocation and record checks run on every request all the
same, on the process's copies of those Redis keys, which every write to them invalidates
(app/near_cache.py).
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from collections import OrderedDict
from typing import Protocol

import jwt
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import User
from app.redis_client import cached_get, forget, get_redis
from app.services.cache_keys import AUTH_RECORD_STALE_TTL, AUTH_RECORD_TTL, auth_record_key, revoked_token_key

ALGORITHM = "HS256"
VERIFIED_TOKENS_MAX = 1024  # tokens remembered per process and app, least recently used dropped first


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
    """The claims of a token the server issued and still accepts by its own fields, or TokenError."""
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
    claims, user_id = verified(token)
    user = db.session.get(User, user_id)
    if user is None:
        raise TokenError("The access token has been revoked.")
    revoked = bool(get_redis().exists(revoked_token_key(claims["jti"])))
    _check(claims, revoked, f"{user.token_version}:{int(user.is_active)}")
    return user, claims


class Prefetch(Protocol):
    """Keys a route reads with the token check's own; their values reach it only once the token passes."""

    def keys(self) -> list[str]:
        """The keys to read with the token check's (under `cache_keys.NEAR_CACHED_PREFIXES`)."""

    def accepted(self, values: list[str | None]) -> None:
        """The token passed every check: the values of `keys()`, in order."""


def principal(token: str, prefetch: Prefetch | None = None) -> tuple[uuid.UUID, dict]:
    """The id of the active user a token speaks for, or TokenError: `authenticate`'s checks without SQL.

    The signature and claims are verified as in `authenticate`; the revocation mark and the user's
    auth record (token_version, suspended or not) are read through the process's copies of Redis
    keys (`cached_get`: one round trip for those it does not hold), the record from the database
    when it is not cached (SECURITY.md 11, 13: tests/api/test_token_principal.py). A `prefetch`'s keys
    are read with them, and it gets their values only after every check has passed (SECURITY.md 13:
    tests/api/test_play_prefetch.py)."""
    claims, user_id = verified(token)
    extra = prefetch.keys() if prefetch is not None else []
    revoked, record, *fetched = cached_get(revoked_token_key(claims["jti"]), auth_record_key(user_id), *extra)
    if record is None or record == STALE:
        record = _load_record(user_id, fill=record is None)
    _check(claims, revoked is not None, record)
    if prefetch is not None:
        prefetch.accepted(fetched)
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
        forget(auth_record_key(user_id))  # the copy of its absence goes now, not when the push arrives
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
        forget(*(auth_record_key(user_id) for user_id in changed))


@sa.event.listens_for(Session, "after_rollback")
def _forget_auth_changes(session: Session) -> None:
    session.info.pop(_CHANGED, None)


def revoke(claims: dict) -> None:
    """Deny one token until it would have expired anyway."""
    ttl = max(1, int(claims["exp"]) - int(time.time()))
    key = revoked_token_key(claims["jti"])
    get_redis().set(key, "1", ex=ttl)
    forget(key)


# --- verified tokens: the signature and claims checks, remembered until the token's exp ---


def verified(token: str) -> tuple[dict, uuid.UUID]:
    """`decode`'s claims (a copy) and the subject's id, from this app's memory of tokens that passed
    while the current time is inside their [iat/nbf, exp) window, else decoded and remembered.

    SECURITY.md 13: the memory holds only tokens whose signature and claims passed under this app's
    secret, audience and issuer, keyed by all four; whether a token is revoked, stale or its user
    suspended is checked on every request by the callers (tests/api/test_verified_tokens.py)."""
    cfg = current_app.config
    key = (token, cfg["SECRET_KEY"], cfg["JWT_AUDIENCE"], cfg["JWT_ISSUER"])
    memory = current_app.extensions.get("verified_tokens")
    if memory is None:
        memory = current_app.extensions.setdefault("verified_tokens", VerifiedTokens(VERIFIED_TOKENS_MAX))
    found = memory.get(key, time.time())
    if found is not None:
        return dict(found[0]), found[1]
    claims = decode(token)
    user_id = _subject(claims)
    memory.put(key, claims, user_id)
    return dict(claims), user_id


class VerifiedTokens:
    """A bounded LRU map of verified tokens to (claims, user id), each valid in its own time window."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[str, ...], tuple[dict, uuid.UUID, float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...], now: float) -> tuple[dict, uuid.UUID] | None:
        """The entry while `now` is inside its window (as PyJWT judges iat, nbf and exp); else forgets it."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            claims, user_id, not_before, expires = entry
            if not not_before <= now < expires:  # SECURITY.md 13: an expired token is parsed again and refused
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return claims, user_id

    def put(self, key: tuple[str, ...], claims: dict, user_id: uuid.UUID) -> None:
        """Remember a token that has just passed `decode`, dropping the least recently used beyond `size`."""
        not_before = max(int(claims["iat"]), int(claims.get("nbf", claims["iat"])))
        with self._lock:
            self._entries[key] = (claims, user_id, float(not_before), float(int(claims["exp"])))
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
