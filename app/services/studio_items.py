"""The practices in a creator's pack: add from their own library, make a new one into it, remove, reorder.

Only the creator's own items can join their pack: anyone else's item id is NotFound
(SECURITY.md 9: tests/services/test_studio.py::test_only_the_creators_own_ready_items_can_join).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import ContentItem, GenerationJob, PackItem, User
from app.services import Conflict, NotFound, ServiceError, catalog, generation
from app.services.studio import owned_pack

log = logging.getLogger(__name__)

MAX_ITEMS = 40
MIN_PUBLISHED_ITEMS = 2
ITEM_STATUSES = ("draft", "published")  # whose practices may change; in review and archived ones wait
ORDER_STATUSES = ("draft", "published", "archived")


@dataclass(frozen=True)
class ItemRow:
    """One practice of a pack as the studio shows it."""

    id: uuid.UUID
    title: str
    content_type: str
    duration: float | None
    depth: str | None
    position: int
    ready: bool
    generation: dict[str, Any] | None  # status while a first version is being made (or failed)

    @property
    def minutes(self) -> int:
        return max(1, round((self.duration or 0) / 60))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "title": self.title,
            "content_type": self.content_type,
            "duration": self.duration,
            "depth": self.depth,
            "position": self.position,
            "ready": self.ready,
            "generation": self.generation,
        }


def _rows(pack_id: uuid.UUID, item_id: uuid.UUID | None = None) -> list[ItemRow]:
    query = (
        sa.select(ContentItem, PackItem.position)
        .join(PackItem, PackItem.content_item_id == ContentItem.id)
        .where(PackItem.pack_id == pack_id)
        .order_by(PackItem.position, PackItem.created_at)
    )
    if item_id is not None:
        query = query.where(ContentItem.id == item_id)
    rows = []
    for item, position in db.session.execute(query):
        job = None if item.audio_url else generation.latest_job(item.id)
        rows.append(
            ItemRow(
                id=item.id,
                title=item.title,
                content_type=item.content_type,
                duration=item.audio_duration,
                depth=item.depth,
                position=position,
                ready=item.audio_url is not None,
                generation=generation.status_json(job, item) if job is not None else None,
            )
        )
    return rows


def items(creator_id: uuid.UUID, pack_id: uuid.UUID) -> list[ItemRow]:
    """The pack's practices in order, with the progress of any still being made."""
    owned_pack(creator_id, pack_id)
    return _rows(pack_id)


def item(creator_id: uuid.UUID, pack_id: uuid.UUID, item_id: uuid.UUID) -> ItemRow:
    """One practice of the creator's pack (its progress while being made); else NotFound."""
    owned_pack(creator_id, pack_id)
    found = _rows(pack_id, item_id)
    if not found:
        raise NotFound("No such practice in this pack.")
    return found[0]


def addable(creator_id: uuid.UUID, pack_id: uuid.UUID, *, limit: int = 200) -> list[ContentItem]:
    """The creator's own ready practices that are not in this pack yet, newest first."""
    owned_pack(creator_id, pack_id)
    inside = sa.select(PackItem.content_item_id).where(PackItem.pack_id == pack_id)
    return list(
        db.session.scalars(
            sa.select(ContentItem)
            .where(
                ContentItem.user_id == creator_id,
                ContentItem.audio_url.is_not(None),
                ContentItem.id.not_in(inside),
            )
            .order_by(ContentItem.created_at.desc())
            .limit(limit)
        )
    )


def ready_count(pack_id: uuid.UUID) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(PackItem)
            .join(ContentItem, ContentItem.id == PackItem.content_item_id)
            .where(PackItem.pack_id == pack_id, ContentItem.audio_url.is_not(None))
        )
        or 0
    )


def _changeable(creator_id: uuid.UUID, pack_id: uuid.UUID, allowed: tuple[str, ...] = ITEM_STATUSES) -> Any:
    pack = owned_pack(creator_id, pack_id, lock=True)
    if pack.status not in allowed:
        db.session.rollback()
        if pack.status == "in_review":
            raise Conflict("This pack is waiting for review; take it back to draft to change its practices.")
        raise Conflict("This pack is archived; take it back to draft to change its practices.")
    return pack


def _count(pack_id: uuid.UUID) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(PackItem).where(PackItem.pack_id == pack_id)) or 0


def _next_position(pack_id: uuid.UUID) -> int:
    top = db.session.scalar(sa.select(sa.func.max(PackItem.position)).where(PackItem.pack_id == pack_id))
    return 0 if top is None else top + 1


def add_item(creator_id: uuid.UUID, pack_id: uuid.UUID, item_id: uuid.UUID) -> None:
    """Put one of the creator's own ready practices at the end of their pack."""
    pack = _changeable(creator_id, pack_id)
    content = db.session.get(ContentItem, item_id)
    if content is None or content.user_id != creator_id:
        db.session.rollback()
        # SECURITY.md 9: tests/services/test_studio.py::test_only_the_creators_own_ready_items_can_join
        raise NotFound("No such practice in your library.")
    if content.audio_url is None:
        db.session.rollback()
        raise Conflict("That practice is not ready yet; add it once it can be played.")
    inside = sa.select(PackItem.id).where(PackItem.pack_id == pack_id, PackItem.content_item_id == item_id)
    if db.session.scalar(sa.select(inside.exists())):
        db.session.rollback()
        raise Conflict("That practice is already in this pack.")
    if _count(pack_id) >= MAX_ITEMS:
        db.session.rollback()
        raise Conflict(f"A pack holds at most {MAX_ITEMS} practices.")
    db.session.add(PackItem(pack_id=pack_id, content_item_id=item_id, position=_next_position(pack_id)))
    db.session.commit()
    if pack.status == "published":
        catalog.pack_changed(pack_id)


def remove_item(creator_id: uuid.UUID, pack_id: uuid.UUID, item_id: uuid.UUID) -> None:
    """Take a practice out of the pack (it stays in the creator's library); a published pack keeps two."""
    pack = _changeable(creator_id, pack_id)
    row = db.session.scalar(sa.select(PackItem).where(PackItem.pack_id == pack_id, PackItem.content_item_id == item_id))
    if row is None:
        db.session.rollback()
        raise NotFound("No such practice in this pack.")
    was_ready = db.session.scalar(sa.select(ContentItem.audio_url).where(ContentItem.id == item_id)) is not None
    if pack.status == "published" and was_ready and ready_count(pack_id) - 1 < MIN_PUBLISHED_ITEMS:
        db.session.rollback()
        raise Conflict(
            f"A published pack keeps at least {MIN_PUBLISHED_ITEMS} practices: add another before removing this one."
        )
    db.session.delete(row)
    db.session.flush()
    _renumber(pack_id)
    db.session.commit()
    if pack.status == "published":
        catalog.pack_changed(pack_id)


def _renumber(pack_id: uuid.UUID, order: list[uuid.UUID] | None = None) -> None:
    rows = db.session.scalars(
        sa.select(PackItem).where(PackItem.pack_id == pack_id).order_by(PackItem.position, PackItem.created_at)
    ).all()
    if order is not None:
        rank = {item_id: n for n, item_id in enumerate(order)}
        rows = sorted(rows, key=lambda row: rank[row.content_item_id])
    for position, row in enumerate(rows):
        row.position = position


def move_item(creator_id: uuid.UUID, pack_id: uuid.UUID, item_id: uuid.UUID, direction: str) -> None:
    """Move a practice one place up or down (the first stays first when moved up)."""
    if direction not in ("up", "down"):
        raise ServiceError("Move a practice up or down.", field="direction")
    _changeable(creator_id, pack_id, ORDER_STATUSES)
    order = list(db.session.scalars(_order_query(pack_id)))
    if item_id not in order:
        db.session.rollback()
        raise NotFound("No such practice in this pack.")
    at = order.index(item_id)
    to = at - 1 if direction == "up" else at + 1
    if 0 <= to < len(order):
        order[at], order[to] = order[to], order[at]
    _renumber(pack_id, order)
    db.session.commit()


def reorder(creator_id: uuid.UUID, pack_id: uuid.UUID, order: list[uuid.UUID]) -> None:
    """Put the pack's practices in the given order (every one of them, each once)."""
    _changeable(creator_id, pack_id, ORDER_STATUSES)
    current = list(db.session.scalars(_order_query(pack_id)))
    if len(order) != len(current) or set(order) != set(current):
        db.session.rollback()
        raise ServiceError("Send every practice of the pack once, in the new order.", field="order")
    _renumber(pack_id, order)
    db.session.commit()


def _order_query(pack_id: uuid.UUID) -> sa.Select:
    return (
        sa.select(PackItem.content_item_id)
        .where(PackItem.pack_id == pack_id)
        .order_by(PackItem.position, PackItem.created_at)
    )


def generate_into_pack(creator: User, pack_id: uuid.UUID, spec: dict[str, Any]) -> GenerationJob:
    """Make a new practice for one credit (402 without) and put it in the pack at once; it shows its
    progress there and counts once it is ready."""
    _changeable(creator.id, pack_id)
    if _count(pack_id) >= MAX_ITEMS:
        db.session.rollback()
        raise Conflict(f"A pack holds at most {MAX_ITEMS} practices.")
    db.session.rollback()  # release the pack lock: the request below commits on its own
    job = generation.request_generation(creator, spec, source="studio")
    pack = _changeable(creator.id, pack_id)
    db.session.add(PackItem(pack_id=pack.id, content_item_id=job.content_item_id, position=_next_position(pack_id)))
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("practice %s was made but could not join pack %s", job.content_item_id, pack_id)
        raise
    log.info("creator %s is making practice %s into pack %s", creator.id, job.content_item_id, pack_id)
    return job
