"""What a listener can do to an item in their library: rename, favourite, regenerate, delete.

Renaming, regenerating and deleting change the item itself, so they are the owner's alone (403
for an item from a pack, 404 for anything the user cannot see). The favourite mark is the
listener's own, so it works on pack items too. Each write invalidates the caches it makes stale.
"""

from __future__ import annotations

import logging
import unicodedata
import uuid
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    ContentItem,
    Entitlement,
    GenerationJob,
    LibraryEntry,
    PackItem,
    PracticeEvent,
    RitualPack,
    User,
)
from app.models.types import utcnow
from app.providers.storage import get_storage
from app.services import Conflict, ServiceError, access, generation, library_state, playback, practice
from app.services.accounts import invalidate_profile

log = logging.getLogger(__name__)

MAX_TITLE = 200


def clean_title(value: Any) -> str:
    """A title as typed, minus control characters and runs of whitespace (it is data, shown escaped)."""
    if not isinstance(value, str):
        raise ServiceError("The title must be text.", field="title")
    spaced = " ".join(value.split())
    title = "".join(ch for ch in spaced if unicodedata.category(ch) not in ("Cc", "Cs")).strip()
    if not title:
        raise ServiceError("The title cannot be empty.", field="title")
    if len(title) > MAX_TITLE:
        raise ServiceError(f"The title is too long: keep it to {MAX_TITLE} characters.", field="title")
    return title


def update(
    user_id: uuid.UUID, item_id: uuid.UUID, *, title: str | None = None, is_favourite: bool | None = None
) -> None:
    """Rename (owner only) and/or set the favourite mark, all or nothing."""
    item, source = access.readable_item(user_id, item_id)
    new_title = clean_title(title) if title is not None else None
    if is_favourite is not None and not isinstance(is_favourite, bool):
        raise ServiceError("is_favourite must be true or false.", field="is_favourite")
    if new_title is not None and source != "mine":
        raise access.Forbidden("This practice comes from a pack: only its creator can rename it.")
    renamed = new_title is not None and new_title != item.title
    if renamed:
        item.title = new_title
    if is_favourite is not None:
        library_state.set_favourite(user_id, item_id, is_favourite)
    db.session.commit()
    if renamed:
        playback.invalidate(item_id)


def rename(user_id: uuid.UUID, item_id: uuid.UUID, title: str) -> None:
    update(user_id, item_id, title=title)


def set_favourite(user_id: uuid.UUID, item_id: uuid.UUID, value: bool) -> None:
    update(user_id, item_id, is_favourite=value)


def regenerate(
    user_id: uuid.UUID, item_id: uuid.UUID, *, voice_id: str | None = None, pace: str | None = None
) -> GenerationJob:
    """A new version with another voice and/or pace (one credit; 402 without, 409 while one is being made)."""
    if voice_id is None and pace is None:
        raise ServiceError("Choose a new voice or pace for the new version.", field="voice_id")
    item = access.owned_item(user_id, item_id, action="regenerate")
    user = db.session.get(User, user_id)
    return generation.request_regeneration(user, item, voice_id=voice_id, pace=pace)


def delete(user_id: uuid.UUID, item_id: uuid.UUID) -> int:
    """Delete the item, its rows and every stored version; returns how many objects were removed.

    Refused (409) while a version is being made, and while any pack that is not a draft holds the item:
    a published or archived pack's buyers keep its practices, and a pack in review is being checked as is.
    """
    item = access.owned_item(user_id, item_id, action="delete")
    latest = generation.latest_job(item.id)
    if latest is not None and latest.status in generation.ACTIVE_STATUSES:
        raise Conflict("This practice is still being made; delete it once it is ready or has failed.")
    holding = db.session.execute(
        sa.select(RitualPack.title, RitualPack.status)
        .join(PackItem, PackItem.pack_id == RitualPack.id)
        .where(PackItem.content_item_id == item.id, RitualPack.status != "draft")
        .order_by(RitualPack.title)
    ).all()
    by_status = {status: title for title, status in reversed(holding)}
    if "published" in by_status:
        raise Conflict(
            f"This practice is in the published pack “{by_status['published']}”: take it out of the pack first."
        )
    if "archived" in by_status:
        raise Conflict(
            f"This practice is in the archived pack “{by_status['archived']}”: the people who have that pack "
            "keep its practices, so it cannot be deleted."
        )
    if "in_review" in by_status:
        raise Conflict(
            f"This practice is in the pack “{by_status['in_review']}”, which is in review: take the pack back "
            "to draft and the practice out of it first."
        )
    held = db.session.scalar(
        sa.select(RitualPack.title)
        .join(PackItem, PackItem.pack_id == RitualPack.id)
        .join(Entitlement, Entitlement.pack_id == RitualPack.id)
        .where(
            PackItem.content_item_id == item.id,
            Entitlement.revoked_at.is_(None),
            sa.or_(Entitlement.expires_at.is_(None), Entitlement.expires_at > utcnow()),
        )
        .order_by(RitualPack.title)
        .limit(1)
    )
    if held is not None:  # a pack back in draft after sales: its holders keep what they have
        raise Conflict(
            f"People have the pack “{held}” with this practice in it and keep it, so it cannot be deleted."
        )

    prefix = f"audio/{item.user_id}/{item.id}/"
    listeners = set(
        db.session.scalars(sa.select(PracticeEvent.user_id).where(PracticeEvent.ritual_id == item.id).distinct())
    )
    try:
        for model, column in (
            (PracticeEvent, PracticeEvent.ritual_id),
            (LibraryEntry, LibraryEntry.content_item_id),
            (PackItem, PackItem.content_item_id),
            (GenerationJob, GenerationJob.content_item_id),
        ):
            db.session.execute(sa.delete(model).where(column == item.id))
        db.session.execute(sa.delete(ContentItem).where(ContentItem.id == item.id))
        practice.refresh_summaries(listeners)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    removed = get_storage().delete_prefix(prefix)
    playback.invalidate(item_id)
    for listener in listeners:
        invalidate_profile(listener)
    log.info("practice %s deleted by its owner with %d stored version(s)", item_id, removed)
    return removed
