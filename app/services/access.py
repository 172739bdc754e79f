"""Who may use a content item: its owner, or a holder of an active entitlement to a pack holding it.

SECURITY.md 9: anyone else is told the item does not exist (404), whatever the route. Changing
the item itself (rename, regenerate, delete) is its owner's alone: a listener who has it from a
pack can see it exists, so they get a plain 403 saying so rather than a 404.
"""

from __future__ import annotations

import uuid
from typing import Literal

import sqlalchemy as sa

from app.extensions import db
from app.models import ContentItem, Entitlement, PackItem
from app.models.types import utcnow
from app.services import NotFound, ServiceError

Source = Literal["mine", "pack"]


class Forbidden(ServiceError):
    code = "forbidden"
    status = 403


def active_entitlement(user_id: uuid.UUID) -> sa.ColumnElement[bool]:
    """The condition on `entitlements` rows that still grant this user their pack."""
    return sa.and_(
        Entitlement.user_id == user_id,
        Entitlement.revoked_at.is_(None),
        sa.or_(Entitlement.expires_at.is_(None), Entitlement.expires_at > utcnow()),
    )


def entitled_item_ids(user_id: uuid.UUID) -> sa.Select:
    """The ids of items in packs the user is entitled to (a subquery for IN)."""
    return (
        sa.select(PackItem.content_item_id)
        .join(Entitlement, Entitlement.pack_id == PackItem.pack_id)
        .where(active_entitlement(user_id))
    )


def is_entitled(user_id: uuid.UUID, item_id: uuid.UUID) -> bool:
    held = entitled_item_ids(user_id).where(PackItem.content_item_id == item_id)
    return bool(db.session.scalar(sa.select(held.exists())))


def check_readable(user_id: uuid.UUID, item_id: uuid.UUID) -> Source:
    """How the user has the item ("mine" or "pack"), reading no more than the owner column; else NotFound."""
    owner = db.session.scalar(sa.select(ContentItem.user_id).where(ContentItem.id == item_id))
    if owner is not None:
        if owner == user_id:
            return "mine"
        if is_entitled(user_id, item_id):
            return "pack"
    # SECURITY.md 9: tests/api/test_library_api.py::test_idor_matrix_every_library_route_is_404_for_another_users_item
    raise NotFound("No such practice.")


def readable_item(user_id: uuid.UUID, item_id: uuid.UUID) -> tuple[ContentItem, Source]:
    """The item and how the user has it, or NotFound."""
    source = check_readable(user_id, item_id)
    item = db.session.get(ContentItem, item_id)
    if item is None:  # deleted in between
        raise NotFound("No such practice.")
    return item, source


def owned_item(user_id: uuid.UUID, item_id: uuid.UUID, *, action: str) -> ContentItem:
    """The user's own item, for changing it; 403 for an item they only have from a pack, else 404."""
    item, source = readable_item(user_id, item_id)
    if source != "mine":
        raise Forbidden(f"This practice comes from a pack: only its creator can {action} it.")
    return item
