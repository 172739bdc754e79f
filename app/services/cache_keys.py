"""The Redis keys and TTLs the design fixes (DESIGN.md "Data"), in one place."""

from __future__ import annotations

SESSION_TTL = 60 * 60  # builder state, refreshed each turn
PROFILE_TTL = 15 * 60
RITUAL_METADATA_TTL = 60 * 60
SEARCH_TTL = 5 * 60


def session_key(session_id: str) -> str:
    return f"session:{session_id}"


def profile_key(user_id: object) -> str:
    return f"user:{user_id}:profile"


def ritual_metadata_key(ritual_id: object) -> str:
    return f"ritual:{ritual_id}:metadata"


def search_key(query_hash: str) -> str:
    return f"search:{query_hash}"
