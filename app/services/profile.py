"""The cached profile a generation personalises from: `user:{user_id}:profile`, 15 minutes."""

from __future__ import annotations

import json
import uuid
from typing import Any

from app.extensions import db
from app.models import User
from app.redis_client import get_redis
from app.services.cache_keys import PROFILE_TTL, profile_key


def get_profile(user_id: uuid.UUID) -> dict[str, Any] | None:
    """Preferences and practice history summary, from Redis or else the database (then cached)."""
    r = get_redis()
    cached = r.get(profile_key(user_id))
    if cached:
        return json.loads(cached)
    user = db.session.get(User, user_id)
    if user is None:
        return None
    profile = {
        "preferences": user.preferences or {},
        "practice_history_summary": user.practice_history_summary or {},
    }
    r.set(profile_key(user_id), json.dumps(profile), ex=PROFILE_TTL)
    return profile
