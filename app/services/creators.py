"""Becoming a creator (the terms, the role, a profile) and the profile buyers see: name, bio, avatar."""

from __future__ import annotations

import logging
import uuid
from typing import IO

import sqlalchemy as sa

from app.extensions import db
from app.models import CreatorProfile, RitualPack, User
from app.models.types import utcnow
from app.services import NotFound, ServiceError, accounts, audit, catalog, studio_images
from app.services.studio_fields import InvalidFields, clean_block, clean_line

log = logging.getLogger(__name__)

MAX_DISPLAY_NAME = 80
MAX_BIO = 600
AVATAR_FOLDER = "avatars"


def profile(user_id: uuid.UUID) -> CreatorProfile | None:
    return db.session.get(CreatorProfile, user_id)


def accepted_terms(user_id: uuid.UUID) -> bool:
    row = profile(user_id)
    return row is not None and row.terms_accepted_at is not None


def default_display_name(email: str) -> str:
    """The email's local part, tidied: "maya.rivers+x@…" → "Maya Rivers"."""
    local = email.split("@", 1)[0].split("+", 1)[0]
    words = " ".join(local.replace(".", " ").replace("_", " ").replace("-", " ").split())
    return (words.title() or "Creator")[:MAX_DISPLAY_NAME]


def become_creator(user: User, *, display_name: str | None = None) -> User:
    """Accept the creator terms: the creator role and a profile, in one transaction, audited as "role.grant"."""
    name = clean_line(display_name) if display_name is not None else ""
    if len(name) > MAX_DISPLAY_NAME:
        raise ServiceError(f"Keep the display name under {MAX_DISPLAY_NAME + 1} characters.", field="display_name")
    user = db.session.scalar(sa.select(User).where(User.id == user.id).with_for_update())
    if user is None:
        raise NotFound("No such account.")
    existing = profile(user.id)
    if user.has_role("creator") and existing is not None and existing.terms_accepted_at is not None:
        db.session.rollback()
        return user
    now = utcnow()
    before = list(user.roles or [])
    if existing is None:
        display = name or default_display_name(user.email)
        db.session.add(CreatorProfile(user_id=user.id, display_name=display, terms_accepted_at=now))
    else:
        existing.terms_accepted_at = existing.terms_accepted_at or now
        existing.display_name = name or existing.display_name
    if not user.has_role("creator"):
        user.roles = [role for role in ("user", "creator", "admin") if role in {*before, "user", "creator"}]
    # SECURITY.md 22: tests/services/test_creators.py::test_becoming_a_creator_grants_the_role_and_is_audited
    audit.record(
        "role.grant",
        actor=user,
        target_type="user",
        target_id=user.id,
        before={"roles": before},
        after={"roles": list(user.roles), "role": "creator", "terms_accepted_at": now.isoformat()},
    )
    db.session.commit()
    accounts.invalidate_profile(user.id)
    _reindex_published_packs(user.id)  # the creator's name is part of each pack's search entry
    log.info("user %s became a creator", user.id)
    return user


def update_profile(
    user_id: uuid.UUID,
    display_name: str,
    bio: str,
    avatar: IO[bytes] | None,
    *,
    remove_avatar: bool = False,
) -> CreatorProfile:
    """Change the creator's name, bio and avatar; every problem is named and nothing is written then."""
    row = profile(user_id)
    if row is None:
        raise NotFound("Become a creator first to have a profile.")
    errors: dict[str, str] = {}
    name, text = clean_line(display_name), clean_block(bio)
    if not name:
        errors["display_name"] = "Enter the name buyers will see."
    elif len(name) > MAX_DISPLAY_NAME:
        errors["display_name"] = f"Keep the display name under {MAX_DISPLAY_NAME + 1} characters."
    if len(text) > MAX_BIO:
        errors["bio"] = f"Keep the bio under {MAX_BIO + 1} characters (it has {len(text)})."
    image = None
    try:
        image = studio_images.read_upload(avatar, field="avatar", label="avatar")
    except ServiceError as exc:
        errors["avatar"] = exc.message
    if errors:
        raise InvalidFields(errors)
    old_key, old_name = row.avatar_key, row.display_name
    new_key = studio_images.store(AVATAR_FOLDER, user_id, image) if image is not None else None
    row.display_name, row.bio = name, text
    if new_key is not None:
        row.avatar_key = new_key
    elif remove_avatar:
        row.avatar_key = None
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        studio_images.discard(new_key)
        log.exception("could not save the profile of creator %s", user_id)
        raise
    if old_key and old_key != row.avatar_key:
        studio_images.discard(old_key)
    if row.display_name != old_name:
        _reindex_published_packs(user_id)  # buyers search packs by their creator's name
    return row


def _reindex_published_packs(user_id: uuid.UUID) -> None:
    """The creator's published packs, re-indexed after a committed change to an indexed field (the name)."""
    pack_ids = db.session.scalars(
        sa.select(RitualPack.id).where(RitualPack.creator_id == user_id, RitualPack.status == "published")
    ).all()
    for pack_id in pack_ids:
        catalog.pack_changed(pack_id)


def avatar_url(user_id: uuid.UUID) -> str | None:
    """A signed URL for the creator's avatar, or None without one."""
    key = db.session.scalar(sa.select(CreatorProfile.avatar_key).where(CreatorProfile.user_id == user_id))
    return studio_images.signed_url(key)
