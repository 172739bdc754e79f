"""A creator's packs in the studio: list, create, edit, cover, delete — only ever their own.

SECURITY.md 9: another creator's pack is NotFound on every path (`owned_pack`), proved by
tests/blueprints/test_studio_pages.py::test_another_creators_pack_is_not_found_on_any_studio_route and
tests/api/test_studio_api.py::test_another_creators_pack_is_not_found_on_any_api_route.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

import sqlalchemy as sa

from app.extensions import db
from app.models import ContentItem, Entitlement, PackItem, RitualPack
from app.models.marketplace import PACK_STATUSES
from app.models.types import as_utc
from app.services import Conflict, NotFound, ServiceError, catalog, studio_images
from app.services.studio_fields import InvalidFields, pack_fields

log = logging.getLogger(__name__)

COVER_FOLDER = "covers"
STATUS_LABELS = {"draft": "Draft", "in_review": "In review", "published": "Published", "archived": "Archived"}
EDITABLE = ("draft", "published", "archived")  # in review: the pack admins are looking at stays as it is


@dataclass(frozen=True)
class PackSummary:
    """A pack as the studio lists it."""

    id: uuid.UUID
    title: str
    status: str
    price_label: str
    item_count: int
    ready_count: int
    moderation_note: str | None
    updated_at: datetime


def owned_pack(creator_id: uuid.UUID, pack_id: uuid.UUID, *, lock: bool = False) -> RitualPack:
    """The creator's own pack (locked for the transaction when asked); anyone else's is NotFound."""
    query = sa.select(RitualPack).where(RitualPack.id == pack_id, RitualPack.creator_id == creator_id)
    pack = db.session.scalar(query.with_for_update() if lock else query)
    if pack is None:
        # SECURITY.md 9: tests/api/test_studio_api.py::test_another_creators_pack_is_not_found_on_any_api_route
        raise NotFound("No such pack.")
    return pack


def price_label(pack: RitualPack) -> str:
    amount = pack.price_amount or 0
    if pack.price_type == "free":
        return "Free"
    label = catalog.money(amount, pack.currency)
    if pack.price_type == "subscription":
        return f"{label} / {catalog.INTERVAL_LABELS.get(pack.subscription_interval or '', 'month')}"
    return label


def packs(creator_id: uuid.UUID) -> list[PackSummary]:
    """Every pack of the creator, most recently changed first, with item counts."""
    counts = (
        sa.select(
            PackItem.pack_id,
            sa.func.count().label("n_items"),
            sa.func.count(ContentItem.audio_url).label("n_ready"),
        )
        .join(ContentItem, ContentItem.id == PackItem.content_item_id)
        .group_by(PackItem.pack_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(RitualPack, counts.c.n_items, counts.c.n_ready)
        .outerjoin(counts, counts.c.pack_id == RitualPack.id)
        .where(RitualPack.creator_id == creator_id)
        .order_by(RitualPack.updated_at.desc(), RitualPack.id)
    )
    return [
        PackSummary(
            id=pack.id,
            title=pack.title,
            status=pack.status,
            price_label=price_label(pack),
            item_count=items or 0,
            ready_count=ready or 0,
            moderation_note=pack.moderation_note,
            updated_at=pack.updated_at,
        )
        for pack, items, ready in rows
    ]


def status_counts(summaries: list[PackSummary]) -> dict[str, int]:
    """How many packs in each status, every status named."""
    found = Counter(summary.status for summary in summaries)
    return {status: found.get(status, 0) for status in PACK_STATUSES}


def _cover(upload: IO[bytes] | None, errors: dict[str, str]) -> studio_images.Image | None:
    try:
        return studio_images.read_upload(upload, field="cover", label="cover image")
    except ServiceError as exc:
        errors["cover"] = exc.message
        return None


def _validated(raw: dict[str, Any], cover: IO[bytes] | None, *, partial: bool, current: dict) -> tuple[dict, Any]:
    """Fields and cover checked together, so one answer names every problem."""
    errors: dict[str, str] = {}
    try:
        values = pack_fields(raw, partial=partial, current=current)
    except InvalidFields as exc:
        values, errors = {}, dict(exc.errors)
    image = _cover(cover, errors)
    if errors:
        raise InvalidFields(errors)
    return values, image


def create_pack(creator_id: uuid.UUID, raw: dict[str, Any], *, cover: IO[bytes] | None = None) -> RitualPack:
    """A new draft pack of the creator's; bad input names every field at fault and writes nothing."""
    values, image = _validated(raw, cover, partial=False, current={})
    pack = RitualPack(id=uuid.uuid4(), creator_id=creator_id, status="draft", **values)
    if image is not None:
        pack.cover_key = studio_images.store(COVER_FOLDER, creator_id, image)
    db.session.add(pack)
    _commit(pack, replaced_cover=None)
    log.info("creator %s created pack %s", creator_id, pack.id)
    return pack


def update_pack(
    creator_id: uuid.UUID,
    pack_id: uuid.UUID,
    raw: dict[str, Any],
    *,
    cover: IO[bytes] | None = None,
    remove_cover: bool = False,
) -> RitualPack:
    """Change a pack's details (title, description, tags, price, cover). A published pack stays
    published and the catalog follows at once; a new price applies to new buyers only, since
    purchases and entitlements keep what was paid (tests/services/test_studio.py::
    test_a_price_change_applies_to_new_buyers_only)."""
    pack = owned_pack(creator_id, pack_id, lock=True)
    if pack.status not in EDITABLE:
        db.session.rollback()
        raise Conflict("This pack is waiting for review; take it back to draft to change it.")
    current = {
        "price_type": pack.price_type,
        "price_amount": pack.price_amount,
        "subscription_interval": pack.subscription_interval,
    }
    try:
        values, image = _validated(raw, cover, partial=True, current=current)
    except ServiceError:
        db.session.rollback()
        raise
    for name, value in values.items():
        setattr(pack, name, value)
    replaced = pack.cover_key
    if image is not None:
        pack.cover_key = studio_images.store(COVER_FOLDER, creator_id, image)
    elif remove_cover:
        pack.cover_key = None
    _commit(pack, replaced_cover=replaced if replaced != pack.cover_key else None)
    if pack.status == "published":
        catalog.pack_changed(pack.id)
    return pack


def _commit(pack: RitualPack, *, replaced_cover: str | None) -> None:
    """Commit the pack; a failed commit removes the cover just stored, a good one the cover it replaced."""
    try:
        db.session.commit()
    except Exception:
        new_cover = pack.cover_key
        db.session.rollback()
        if new_cover and new_cover != replaced_cover:
            studio_images.discard(new_cover)
        log.exception("could not save pack %s", pack.id)
        raise
    studio_images.discard(replaced_cover)


def delete_pack(creator_id: uuid.UUID, pack_id: uuid.UUID) -> None:
    """Delete a draft that was never published (its items stay in the creator's library)."""
    pack = owned_pack(creator_id, pack_id, lock=True)
    if pack.status != "draft":
        db.session.rollback()
        raise Conflict("Only a draft can be deleted; archive a published pack instead.")
    held = db.session.scalar(sa.select(sa.exists().where(Entitlement.pack_id == pack.id)))
    if pack.published_at is not None or held:
        db.session.rollback()
        raise Conflict("This pack was published and listeners hold it, so it stays; it is hidden while a draft.")
    cover = pack.cover_key
    db.session.execute(sa.delete(PackItem).where(PackItem.pack_id == pack.id))
    db.session.delete(pack)
    db.session.commit()
    studio_images.discard(cover)
    log.info("creator %s deleted draft pack %s", creator_id, pack_id)


def iso(value: datetime | None) -> str | None:
    value = as_utc(value)
    return value.isoformat() if value else None


def pack_json(pack: RitualPack, items: list[dict[str, Any]], missing: list[str]) -> dict[str, Any]:
    """The API's view of a pack in the studio."""

    return {
        "id": str(pack.id),
        "title": pack.title,
        "description": pack.description,
        "tags": list(pack.tags or []),
        "status": pack.status,
        "price": {
            "type": pack.price_type,
            "amount": pack.price_amount or 0,
            "currency": pack.currency,
            "interval": pack.subscription_interval,
            "label": price_label(pack),
        },
        "cover_url": studio_images.signed_url(pack.cover_key),
        "moderation_note": pack.moderation_note,
        "submitted_at": iso(pack.submitted_at),
        "published_at": iso(pack.published_at),
        "archived_at": iso(pack.archived_at),
        "created_at": iso(pack.created_at),
        "updated_at": iso(pack.updated_at),
        "items": items,
        "missing_for_review": missing,
    }
