"""What a pack's page shows: its card, its items with previews, the creator, and where the viewer stands."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa

from app.extensions import db
from app.models import ContentItem, CreatorProfile, Entitlement, PackItem
from app.services import NotFound, access, catalog, previews

Standing = Literal["anonymous", "creator", "owned", "buyable"]


@dataclass(frozen=True)
class PackItemView:
    id: uuid.UUID
    title: str
    content_type: str
    duration: float
    depth: str | None
    preview_url: str | None


@dataclass(frozen=True)
class PackPage:
    card: catalog.PackCard
    items: list[PackItemView]
    creator_bio: str
    more_from_creator: list[catalog.PackCard]
    standing: Standing


def _standing(card: catalog.PackCard, viewer_id: uuid.UUID | None) -> Standing:
    if viewer_id is None:
        return "anonymous"
    if viewer_id == card.creator_id:
        return "creator"
    held = sa.select(Entitlement.id).where(access.active_entitlement(viewer_id), Entitlement.pack_id == card.id)
    return "owned" if db.session.scalar(sa.select(held.exists())) else "buyable"


def pack_page(pack_id: uuid.UUID, viewer_id: uuid.UUID | None, *, with_previews: bool = True) -> PackPage:
    """A published pack as the marketplace shows it; a pack taken off sale stays visible to who holds it."""
    card = catalog.card(pack_id, published_only=False)
    if card is None:
        raise NotFound("No such pack.")
    standing = _standing(card, viewer_id)
    if card.status != "published" and standing not in ("owned", "creator"):
        raise NotFound("No such pack.")
    items = db.session.scalars(
        sa.select(ContentItem)
        .join(PackItem, PackItem.content_item_id == ContentItem.id)
        .where(PackItem.pack_id == pack_id, ContentItem.audio_url.is_not(None))
        .order_by(PackItem.position, PackItem.created_at)
    ).all()
    views = [
        PackItemView(
            id=item.id,
            title=item.title,
            content_type=item.content_type,
            duration=item.audio_duration or 0.0,
            depth=item.depth,
            preview_url=previews.preview_url(item) if with_previews else None,
        )
        for item in items
    ]
    bio = db.session.scalar(sa.select(CreatorProfile.bio).where(CreatorProfile.user_id == card.creator_id)) or ""
    return PackPage(
        card=card,
        items=views,
        creator_bio=bio,
        more_from_creator=catalog.creator_packs(card.creator_id, exclude=card.id),
        standing=standing,
    )


def owned_pack_ids(viewer_id: uuid.UUID | None) -> set[uuid.UUID]:
    """The packs this viewer holds now (for "In your library" marks)."""
    if viewer_id is None:
        return set()
    return set(db.session.scalars(sa.select(Entitlement.pack_id).where(access.active_entitlement(viewer_id))))
