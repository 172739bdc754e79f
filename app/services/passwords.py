"""Argon2id password hashing (SECURITY.md 11)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    kwargs = {}
    if cfg.get("ARGON2_TIME_COST"):
        kwargs["time_cost"] = cfg["ARGON2_TIME_COST"]
    if cfg.get("ARGON2_MEMORY_COST"):
        kwargs["memory_cost"] = cfg["ARGON2_MEMORY_COST"]
    return PasswordHasher(**kwargs)  # Argon2id is the library's default type


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def password_problem(password: str) -> str | None:
    """Why a new password is unacceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    if password.strip() == "" or len(set(password)) < 4:
        return "Choose a password that is harder to guess."
    return None


# Verified against when an email is unknown, so a login takes as long either way.
_DUMMY_HASH: dict[str, str] = {}


def dummy_verify(password: str) -> None:
    key = repr(current_app.config.get("ARGON2_TIME_COST"))
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = hash_password("not-a-real-password")
    verify_password(_DUMMY_HASH[key], password)
