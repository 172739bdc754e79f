"""Server-side login sessions in Redis, so logout and deletion really revoke them (SECURITY.md 11)."""

from __future__ import annotations

import secrets
import uuid

from flask import current_app

from app.redis_client import get_redis


def _key(sid: str) -> str:
    return f"auth:session:{sid}"


def _user_key(user_id: uuid.UUID | str) -> str:
    return f"user:{user_id}:auth_sessions"


def _ttl() -> int:
    return int(current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds())


def create(user_id: uuid.UUID) -> str:
    """A new random session id bound to the user."""
    sid = secrets.token_urlsafe(32)
    ttl = _ttl()
    pipe = get_redis().pipeline()
    pipe.set(_key(sid), str(user_id), ex=ttl)
    pipe.sadd(_user_key(user_id), sid)
    pipe.expire(_user_key(user_id), ttl)
    pipe.execute()
    return sid


def is_valid(sid: str | None, user_id: str) -> bool:
    return bool(sid) and get_redis().get(_key(sid)) == str(user_id)


def revoke(sid: str | None) -> None:
    if not sid:
        return
    r = get_redis()
    user_id = r.get(_key(sid))
    pipe = r.pipeline()
    pipe.delete(_key(sid))
    if user_id:
        pipe.srem(_user_key(user_id), sid)
    pipe.execute()


def revoke_all(user_id: uuid.UUID, *, keep: str | None = None) -> int:
    """End every session of the user (but `keep`); returns how many ended."""
    r = get_redis()
    sids = [s for s in r.smembers(_user_key(user_id)) if s != keep]
    if sids:
        pipe = r.pipeline()
        pipe.delete(*[_key(s) for s in sids])
        pipe.srem(_user_key(user_id), *sids)
        pipe.execute()
    return len(sids)
