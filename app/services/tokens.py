"""JWT bearer tokens for the API: HS256 with the server secret, `exp`, `aud` (SECURITY.md 13)."""

from __future__ import annotations

import secrets
import time
import uuid

import jwt
from flask import current_app

from app.extensions import db
from app.models import User
from app.redis_client import get_redis

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
    try:
        user_id = uuid.UUID(claims["sub"])
    except (ValueError, TypeError):
        raise TokenError("The access token is not valid.") from None
    user = db.session.get(User, user_id)
    if user is None or claims.get("ver") != user.token_version or get_redis().exists(_revoked_key(claims["jti"])):
        raise TokenError("The access token has been revoked.")
    if not user.is_active:
        raise TokenError("This account is suspended.")
    return user, claims


def revoke(claims: dict) -> None:
    """Deny one token until it would have expired anyway."""
    ttl = max(1, int(claims["exp"]) - int(time.time()))
    get_redis().set(_revoked_key(claims["jti"]), "1", ex=ttl)


def _revoked_key(jti: str) -> str:
    return f"auth:revoked_token:{jti}"
