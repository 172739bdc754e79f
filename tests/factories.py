"""Test data factories. Each pushes its own app context and returns plain records, not ORM objects."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field

from flask import Flask

from app.extensions import db
from app.models import Voice
from app.services import accounts, credits

DEFAULT_PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


@dataclass
class UserRecord:
    id: uuid.UUID
    email: str
    password: str = DEFAULT_PASSWORD
    roles: list[str] = field(default_factory=lambda: ["user"])


def make_user(
    app: Flask,
    *,
    email: str | None = None,
    password: str = DEFAULT_PASSWORD,
    roles: list[str] | None = None,
    credits_: int = 1,
) -> UserRecord:
    """A registered user with `credits_` credits (the free one plus granted ones)."""
    email = email or f"person{next(_seq)}-{uuid.uuid4().hex[:6]}@example.com"
    with app.app_context():
        user = accounts.register(email, password, roles=roles)
        if credits_ > 1:
            credits.grant(user.id, credits_ - 1, idempotency_key=f"test-grant:{user.id}")
        elif credits_ == 0:
            credits.consume(user.id, 1, idempotency_key=f"test-spend:{user.id}")
        return UserRecord(user.id, user.email, password, list(user.roles))


def make_voice(app: Flask, **fields: object) -> uuid.UUID:
    values = {
        "provider": "piper",
        "provider_voice_id": f"voice-{next(_seq)}",
        "name": "Joe",
        "language": "en-US",
        "style": "calm",
    }
    values.update(fields)
    with app.app_context():
        voice = Voice(**values)
        db.session.add(voice)
        db.session.commit()
        return voice.id
