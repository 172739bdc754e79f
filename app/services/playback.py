"""Playing a practice, as DESIGN.md "Play" lays it out.

`ritual:{id}:metadata` in Redis (1 h; it names the item's owner) → access: the owner is let in
by the cache entry, anyone else by `access` (an entitlement, else 404) → on a miss the database,
which fills the cache → a fresh signed URL for the object, made on every call and never cached.
The entry is read through the process's copy of it when there is one (`cached_get`, kept true by
Redis's invalidation pushes). Lookups and misses are counted for the metrics page, in the process
and added to Redis each second. The API's play reads the entry with its token check's keys
(`MetadataRead`), so a warm play makes no round trip at all, and one when the process holds no copy.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import ContentItem
from app.providers.storage import SignedUrl, get_storage
from app.redis_client import cached_get, count, delete_cached, forget, hit_stats, round_trip
from app.services import Conflict, access, library_state
from app.services.cache_keys import (
    RITUAL_METADATA_LOOKUPS_KEY,
    RITUAL_METADATA_MISSES_KEY,
    RITUAL_METADATA_TTL,
    ritual_metadata_key,
)


class NotReady(Conflict):
    code = "not_ready"


@dataclass(frozen=True)
class Playback:
    """What a player needs: a signed URL valid until `expires_at`, the track's facts, the resume point if asked for."""

    audio_url: str
    expires_at: datetime
    title: str
    content_type: str
    duration: float
    version: int
    sections: list[dict[str, Any]]
    background: str | None
    resume_position: float | None

    def to_json(self) -> dict[str, Any]:
        body = {
            "audio_url": self.audio_url,
            "expires_at": self.expires_at.isoformat(),
            "title": self.title,
            "content_type": self.content_type,
            "duration": self.duration,
            "version": self.version,
            "sections": self.sections,
            "background": self.background,
        }
        if self.resume_position is not None:
            body["resume_position"] = self.resume_position
        return body


class MetadataRead:
    """A play's cache lookup (`ritual:{id}:metadata`), read with the token check's own keys: it hands
    out the entry, and counts the lookup, only once the token has passed."""

    def __init__(self, item_id: uuid.UUID) -> None:
        self.item_id = item_id
        self._entry: str | None = None
        self._accepted = False

    def keys(self) -> list[str]:
        return [ritual_metadata_key(self.item_id)]

    def accepted(self, values: list[str | None]) -> None:
        """The token passed: keep the entry for `play`."""
        self._entry, self._accepted = values[0], True
        count(RITUAL_METADATA_LOOKUPS_KEY)

    def entry(self, item_id: uuid.UUID) -> str | None:
        """The cached entry read with the token check (None on a miss)."""
        # SECURITY.md 13: nothing read before the token passed is handed out (tests/api/test_play_prefetch.py)
        if not self._accepted or item_id != self.item_id:
            raise RuntimeError("the prefetched metadata is for an accepted token and its own item only")
        return self._entry


def play(
    user_id: uuid.UUID, item_id: uuid.UUID, *, with_position: bool = True, prefetched: MetadataRead | None = None
) -> Playback:
    """Everything to start playing: NotFound without access, NotReady while the first version is being made.

    `with_position=False` leaves out the listener's resume point (and its query): the API's play does.
    `prefetched`: the cache lookup already made in the token check's round trip."""
    meta = _readable_metadata(user_id, item_id, "played", prefetched)
    signed = get_storage().signed_url(meta["object_key"], int(current_app.config["SIGNED_URL_SECONDS"]))
    position = min(library_state.resume_position(user_id, item_id), meta["duration"]) if with_position else None
    return Playback(
        audio_url=signed.url,
        expires_at=signed.expires_at,
        title=meta["title"],
        content_type=meta["content_type"],
        duration=meta["duration"],
        version=meta["version"],
        sections=meta["sections"],
        background=meta["background"],
        resume_position=position,
    )


def download(user_id: uuid.UUID, item_id: uuid.UUID) -> SignedUrl:
    """A signed URL that saves the current version as "<title>.mp3" (NotFound without access, NotReady before)."""
    meta = _readable_metadata(user_id, item_id, "downloaded")
    seconds = int(current_app.config["SIGNED_URL_SECONDS"])
    return get_storage().signed_url(meta["object_key"], seconds, download_name=download_name(meta["title"]))


def _readable_metadata(
    user_id: uuid.UUID, item_id: uuid.UUID, verb: str, prefetched: MetadataRead | None = None
) -> dict[str, Any]:
    """The item's cached facts for a user who may read it: the owner on the entry's word (cached or
    just read), anyone else once `access` finds an entitlement (NotFound otherwise); NotReady while
    it has no audio."""
    meta = _cached_metadata(item_id, prefetched)
    if meta is None:
        meta = _load_metadata(item_id)
    if meta is None or meta["user_id"] != str(user_id):
        # SECURITY.md 9: tests/services/test_playback.py::test_others_get_not_found_whether_or_not_it_is_cached
        access.check_readable(user_id, item_id)
    if meta is None:
        raise NotReady(f"This practice is still being made; it can be {verb} once it is ready.")
    return meta


def download_name(title: str) -> str:
    """The title as a plain file name: ASCII letters, digits, spaces, dots, dashes and underscores."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^A-Za-z0-9 ._-]+", " ", ascii_title).split()
    stem = " ".join(words)[:80].strip(" .-_") or "practice"
    return f"{stem}.mp3"


def ritual_metadata(item_id: uuid.UUID) -> dict[str, Any] | None:
    """The cached facts of the item's current version (None when it has no audio yet); no access check."""
    meta = _cached_metadata(item_id)
    return meta if meta is not None else _load_metadata(item_id)


def _cached_metadata(item_id: uuid.UUID, prefetched: MetadataRead | None = None) -> dict[str, Any] | None:
    """The cache entry (None on a miss), counted as a lookup; `prefetched` has read and counted it
    already. `_load_metadata` counts the misses."""
    if prefetched is not None:
        cached = prefetched.entry(item_id)
    else:
        (cached,) = cached_get(ritual_metadata_key(item_id))
        count(RITUAL_METADATA_LOOKUPS_KEY)
    return None if cached is None else orjson.loads(cached)


# What `metadata_of` reads after a miss (about 4 % of plays): one row, by a Core statement built once
# (building an ORM select on every call took about half of the miss's database read).
_CONTENT = ContentItem.__table__
_METADATA_ROW = sa.select(
    _CONTENT.c.user_id,
    _CONTENT.c.title,
    _CONTENT.c.content_type,
    _CONTENT.c.audio_duration,
    _CONTENT.c.audio_url,
    _CONTENT.c.structure,
    _CONTENT.c.metadata.label("meta"),
).where(_CONTENT.c.id == sa.bindparam("item_id"))


def _load_metadata(item_id: uuid.UUID) -> dict[str, Any] | None:
    """After a miss: the facts from the database, cached, and the miss counted; None (and nothing
    cached) while there is no audio."""
    # On a connection of its own in autocommit: the request's session would wrap the one SELECT in a
    # BEGIN and a ROLLBACK, two more round trips to PostgreSQL (about 0.3 ms of the miss).
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        row = conn.execute(_METADATA_ROW, {"item_id": item_id}).first()
    meta = metadata_of(row) if row is not None and row.audio_url else None
    count(RITUAL_METADATA_MISSES_KEY)
    if meta is not None:  # nothing cached without audio: the first ready version invalidates anyway
        key = ritual_metadata_key(item_id)
        round_trip(("SET", key, orjson.dumps(meta), "EX", RITUAL_METADATA_TTL))
        forget(key)  # the copy of its absence goes now, not when the push arrives
    return meta


def metadata_of(item: ContentItem | sa.Row) -> dict[str, Any]:
    """What `ritual:{id}:metadata` holds: owner, title, duration, object key, version, sections with start times."""
    sections = []
    for section in (item.structure or {}).get("sections", []):
        if "start" not in section:
            continue
        text = " ".join(seg["text"] for seg in section.get("segments", []))
        sections.append({"name": section["name"], "start": section["start"], "end": section["end"], "text": text})
    return {
        "user_id": str(item.user_id),  # lets the owner play without a query; never sent to clients
        "title": item.title,
        "content_type": item.content_type,
        "duration": float(item.audio_duration or 0.0),
        "object_key": item.audio_url,
        "version": int((item.meta or {}).get("version", 1)),
        "sections": sections,
        "background": (item.meta or {}).get("background"),
    }


def invalidate(item_id: uuid.UUID) -> None:
    """Drop the cached metadata after a write that makes it stale (rename, new version, delete)."""
    delete_cached(ritual_metadata_key(item_id))


def cache_stats() -> dict[str, Any]:
    """Hits, misses and hit rate of the metadata cache since the counters began (for the metrics page)."""
    return hit_stats(RITUAL_METADATA_LOOKUPS_KEY, RITUAL_METADATA_MISSES_KEY)
