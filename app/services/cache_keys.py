"""The Redis keys and TTLs the design fixes (DESIGN.md "Data"), and the metrics counters, in one place."""

from __future__ import annotations

SESSION_TTL = 60 * 60  # builder state, refreshed each turn
PROFILE_TTL = 15 * 60
RITUAL_METADATA_TTL = 60 * 60
SEARCH_TTL = 5 * 60
AUTH_RECORD_TTL = 15 * 60  # token_version and suspension, for bearer checks without SQL
AUTH_RECORD_STALE_TTL = 60  # after a write: the database decides, and no fill may land meanwhile


def session_key(session_id: str) -> str:
    return f"session:{session_id}"


def profile_key(user_id: object) -> str:
    return f"user:{user_id}:profile"


def auth_record_key(user_id: object) -> str:
    return f"user:{user_id}:auth"


def revoked_token_key(jti: str) -> str:
    return f"auth:revoked_token:{jti}"


def ritual_metadata_key(ritual_id: object) -> str:
    return f"ritual:{ritual_id}:metadata"


def search_key(query_hash: str) -> str:
    return f"search:{query_hash}"


# What the process may keep copies of (app/near_cache.py: Redis pushes every write under these):
# the token check's revocation marks and auth records, and the play's metadata.
NEAR_CACHED_PREFIXES = ("auth:revoked_token:", "user:", "ritual:")

# Counters for the metrics page (not caches: no TTL, never invalidated).
RITUAL_METADATA_LOOKUPS_KEY = "metrics:ritual_metadata:lookups"  # hits are lookups - misses
RITUAL_METADATA_MISSES_KEY = "metrics:ritual_metadata:misses"
NEAR_CACHE_READS_KEY = "metrics:near_cache:reads"  # keys read through the processes' copies
NEAR_CACHE_FETCHED_KEY = "metrics:near_cache:fetched"  # of which fetched from Redis (no copy held)
SEARCH_LOOKUPS_KEY = "metrics:search:lookups"  # cached-search hits are lookups - misses (admin dashboard)
SEARCH_MISSES_KEY = "metrics:search:misses"

# Bumped by every change to a published pack: a cached search made under an older generation is
# never served, even one filled by a search that raced the change.
SEARCH_GENERATION_KEY = "catalog:search_generation"
