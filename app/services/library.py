"""The library: every item a user owns or has from a pack, filtered, searched, sorted and paged.

Play counts and "last played" in the library are the listener's own (from their practice
events); favourites and resume points are theirs too (`library_entries`). Pack items appear
once they are playable, marked with the pack they come from; the user's own items appear from
the moment they are requested, with the progress of their newest generation.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import defer

from app.extensions import db
from app.models import ContentItem, Entitlement, GenerationJob, LibraryEntry, PackItem, PracticeEvent, RitualPack
from app.models.content import CONTENT_TYPES
from app.models.types import as_utc
from app.services import NotFound, ServiceError, access, generation
from app.services.credits import MAX_PAGE

SORTS = ("recent", "most_played", "longest", "title", "last_played")
SOURCES = ("mine", "pack")
MAX_PER_PAGE = 50
MAX_QUERY = 100
MAX_TAG = 60
MAX_MINUTES = 24 * 60
TRUE_WORDS, FALSE_WORDS = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


@dataclass(frozen=True)
class LibraryFilters:
    """What the listener asked for; `from_args` reads it from query parameters (API and pages alike)."""

    content_type: str | None = None
    tag: str | None = None
    min_minutes: int | None = None
    max_minutes: int | None = None
    source: str | None = None
    favourites: bool = False
    q: str = ""
    sort: str = "recent"
    page: int = 1
    per_page: int = 20

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> LibraryFilters:
        """Parameters type, tag, min_minutes, max_minutes, source, favourites, q, sort, page, per_page.

        ServiceError (422) names the first parameter at fault."""
        content_type = _choice(args, "type", CONTENT_TYPES)
        source = _choice(args, "source", SOURCES)
        sort = _choice(args, "sort", SORTS) or "recent"
        tag = _text(args, "tag", MAX_TAG).lower() or None
        q = _text(args, "q", MAX_QUERY)
        low = _int(args, "min_minutes", 0, MAX_MINUTES)
        high = _int(args, "max_minutes", 0, MAX_MINUTES)
        if low is not None and high is not None and low > high:
            raise ServiceError("min_minutes must not be above max_minutes.", field="min_minutes")
        flag = args.get("favourites", "").strip().lower()
        if flag not in TRUE_WORDS + FALSE_WORDS:
            raise ServiceError("favourites must be true or false.", field="favourites")
        return cls(
            content_type=content_type,
            tag=tag,
            min_minutes=low,
            max_minutes=high,
            source=source,
            favourites=flag in TRUE_WORDS,
            q=q,
            sort=sort,
            page=_int(args, "page", 1, MAX_PAGE) or 1,
            per_page=_int(args, "per_page", 1, MAX_PER_PAGE) or 20,
        )


@dataclass(frozen=True)
class Entry:
    """One item as the library shows it to one listener."""

    id: uuid.UUID
    title: str
    content_type: str
    duration: float | None  # seconds of the playable version
    depth: str | None
    tags: list[str]
    created_at: datetime
    source: str  # "mine" or "pack"
    pack_id: uuid.UUID | None
    pack_title: str | None
    is_favourite: bool
    play_count: int  # this listener's plays
    last_played_at: datetime | None  # this listener's last play
    resume_position: float
    playable: bool
    generation: dict[str, Any] | None  # the newest generation while it is not ready (own items only)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "title": self.title,
            "content_type": self.content_type,
            "duration": self.duration,
            "depth": self.depth,
            "tags": list(self.tags),
            "created_at": self.created_at.isoformat(),
            "source": self.source,
            "pack": {"id": str(self.pack_id), "title": self.pack_title} if self.pack_id else None,
            "is_favourite": self.is_favourite,
            "play_count": self.play_count,
            "last_played_at": self.last_played_at.isoformat() if self.last_played_at else None,
            "resume_position": self.resume_position,
            "playable": self.playable,
            "generation": self.generation,
        }


@dataclass(frozen=True)
class LibraryPage:
    entries: list[Entry]
    total: int
    page: int
    per_page: int
    filters: LibraryFilters = field(default_factory=LibraryFilters)

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def library_page(user_id: uuid.UUID, filters: LibraryFilters | None = None) -> LibraryPage:
    """One page of the user's library."""
    filters = filters or LibraryFilters()
    plays = _plays(user_id)
    stmt = _filtered(
        _entry_columns(plays),
        user_id,
        filters,
        plays,
    )
    counted = _filtered(sa.select(ContentItem.id), user_id, filters, plays)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(counted.subquery())) or 0
    rows = db.session.execute(
        stmt.options(defer(ContentItem.content_text), defer(ContentItem.structure))
        .order_by(*_order(filters.sort, plays))
        .offset((filters.page - 1) * filters.per_page)
        .limit(filters.per_page)
    ).all()
    return LibraryPage(_entries(user_id, rows), total, filters.page, filters.per_page, filters)


def entry(user_id: uuid.UUID, item_id: uuid.UUID) -> Entry:
    """One item as the user's library shows it (NotFound without access)."""
    access.check_readable(user_id, item_id)
    plays = _plays(user_id)
    stmt = _filtered(
        _entry_columns(plays),
        user_id,
        LibraryFilters(),
        plays,
        any_state=True,
    ).where(ContentItem.id == item_id)
    entries = _entries(user_id, db.session.execute(stmt).all())
    if not entries:  # deleted in between
        raise NotFound("No such practice.")
    return entries[0]


def _entry_columns(plays: sa.Subquery) -> sa.Select:
    """An item with what the listener's own library shows of it: plays, last played, favourite, resume point."""
    return sa.select(
        ContentItem,
        sa.func.coalesce(plays.c.plays, 0),
        plays.c.last_played,
        sa.func.coalesce(LibraryEntry.is_favourite, False),
        sa.func.coalesce(LibraryEntry.resume_position, 0.0),
    )


def _plays(user_id: uuid.UUID) -> sa.Subquery:
    return (
        sa.select(
            PracticeEvent.ritual_id.label("item_id"),
            sa.func.count().label("plays"),
            sa.func.max(PracticeEvent.started_at).label("last_played"),
        )
        .where(PracticeEvent.user_id == user_id)
        .group_by(PracticeEvent.ritual_id)
        .subquery()
    )


def _filtered(
    stmt: sa.Select, user_id: uuid.UUID, f: LibraryFilters, plays: sa.Subquery, *, any_state: bool = False
) -> sa.Select:
    mine = ContentItem.user_id == user_id
    from_pack = sa.and_(ContentItem.user_id != user_id, ContentItem.id.in_(access.entitled_item_ids(user_id)))
    if not any_state:
        from_pack = sa.and_(from_pack, ContentItem.audio_url.is_not(None))
    stmt = (
        stmt.select_from(ContentItem)
        .outerjoin(plays, plays.c.item_id == ContentItem.id)
        .outerjoin(
            LibraryEntry, sa.and_(LibraryEntry.content_item_id == ContentItem.id, LibraryEntry.user_id == user_id)
        )
        .where({"mine": mine, "pack": from_pack}.get(f.source or "", sa.or_(mine, from_pack)))
    )
    if f.content_type:
        stmt = stmt.where(ContentItem.content_type == f.content_type)
    if f.tag:
        stmt = stmt.where(_has_tag(f.tag))
    if f.min_minutes is not None:
        stmt = stmt.where(ContentItem.audio_duration >= (f.min_minutes - 0.5) * 60)  # whole minutes, rounded
    if f.max_minutes is not None:
        stmt = stmt.where(ContentItem.audio_duration < (f.max_minutes + 0.5) * 60)
    if f.favourites:
        stmt = stmt.where(LibraryEntry.is_favourite.is_(True))
    for word in f.q.split()[:8]:
        pattern = "%" + word.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%"
        stmt = stmt.where(
            sa.or_(ContentItem.title.ilike(pattern, escape="!"), ContentItem.content_text.ilike(pattern, escape="!"))
        )
    return stmt


def _has_tag(tag: str) -> sa.ColumnElement[bool]:
    """Tags are TEXT[] on PostgreSQL and a JSON list on SQLite."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.literal(tag) == sa.func.any(ContentItem.tags)
    values = sa.func.json_each(ContentItem.tags).table_valued("value")
    return sa.exists(sa.select(1).select_from(values).where(values.c.value == tag))


def _order(sort: str, plays: sa.Subquery) -> list[Any]:
    newest = [ContentItem.created_at.desc(), ContentItem.id]
    return {
        "recent": newest,
        "most_played": [sa.func.coalesce(plays.c.plays, 0).desc(), *newest],
        "longest": [sa.func.coalesce(ContentItem.audio_duration, 0).desc(), *newest],
        "title": [sa.func.lower(ContentItem.title), *newest],
        "last_played": [plays.c.last_played.is_(None), plays.c.last_played.desc(), *newest],
    }[sort]


def _entries(user_id: uuid.UUID, rows: list[sa.Row]) -> list[Entry]:
    items = [row[0] for row in rows]
    packs = _pack_titles(user_id, [i.id for i in items if i.user_id != user_id])
    jobs = _newest_jobs([i.id for i in items if i.user_id == user_id])
    entries = []
    for item, play_count, last_played, favourite, position in rows:
        pack_id, pack_title = packs.get(item.id, (None, None))
        job = jobs.get(item.id)
        entries.append(
            Entry(
                id=item.id,
                title=item.title,
                content_type=item.content_type,
                duration=item.audio_duration,
                depth=item.depth,
                tags=list(item.tags or []),
                created_at=as_utc(item.created_at),
                source="mine" if item.user_id == user_id else "pack",
                pack_id=pack_id,
                pack_title=pack_title,
                is_favourite=bool(favourite),
                play_count=int(play_count),
                last_played_at=as_utc(last_played),
                resume_position=float(position),
                playable=item.audio_url is not None,
                generation=generation.status_json(job, item) if job is not None and job.status != "ready" else None,
            )
        )
    return entries


def _pack_titles(user_id: uuid.UUID, item_ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[uuid.UUID, str]]:
    """For each item from a pack, the (first by title) entitled pack holding it."""
    if not item_ids:
        return {}
    rows = db.session.execute(
        sa.select(PackItem.content_item_id, RitualPack.id, RitualPack.title)
        .join(RitualPack, RitualPack.id == PackItem.pack_id)
        .join(Entitlement, Entitlement.pack_id == PackItem.pack_id)
        .where(access.active_entitlement(user_id), PackItem.content_item_id.in_(item_ids))
        .order_by(RitualPack.title.desc(), RitualPack.id.desc())
    ).all()
    return {item_id: (pack_id, title) for item_id, pack_id, title in rows}  # the last written wins


def _newest_jobs(item_ids: list[uuid.UUID]) -> dict[uuid.UUID, GenerationJob]:
    if not item_ids:
        return {}
    jobs = db.session.scalars(
        sa.select(GenerationJob).where(GenerationJob.content_item_id.in_(item_ids)).order_by(GenerationJob.version)
    ).all()
    return {job.content_item_id: job for job in jobs}  # the highest version wins


# Parameter parsing ------------------------------------------------------------------------------


def _text(args: Mapping[str, str], name: str, limit: int) -> str:
    raw = args.get(name) or ""
    spaced = " ".join(raw.split())
    value = "".join(ch for ch in spaced if unicodedata.category(ch) not in ("Cc", "Cs")).strip()
    if len(value) > limit:
        raise ServiceError(f"{name} is too long: keep it to {limit} characters.", field=name)
    return value


def _choice(args: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    if value not in allowed:
        raise ServiceError(f"{name} must be one of: {', '.join(allowed)}.", field=name)
    return value


def _int(args: Mapping[str, str], name: str, minimum: int, maximum: int) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10 or not minimum <= int(raw) <= maximum:
        raise ServiceError(f"{name} must be a whole number from {minimum} to {maximum}.", field=name)
    return int(raw)
