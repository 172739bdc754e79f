"""A user's purchases, for their account and the API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.models import Purchase, RitualPack
from app.services.credits import MAX_PAGE


@dataclass
class PurchaseRow:
    purchase: Purchase
    pack_title: str | None


@dataclass
class PurchasePage:
    rows: list[PurchaseRow]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_for(user_id: uuid.UUID, page: int = 1, per_page: int = 20) -> PurchasePage:
    """The user's purchases, newest first, with their pack's title."""
    page = min(max(1, page), MAX_PAGE)
    per_page = min(max(1, per_page), 100)
    total = db.session.scalar(sa.select(sa.func.count()).where(Purchase.user_id == user_id)) or 0
    rows = db.session.execute(
        sa.select(Purchase, RitualPack.title)
        .outerjoin(RitualPack, RitualPack.id == Purchase.pack_id)
        .where(Purchase.user_id == user_id)
        .order_by(Purchase.created_at.desc(), Purchase.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return PurchasePage([PurchaseRow(p, title) for p, title in rows], page, per_page, total)


def get_for(user_id: uuid.UUID, purchase_id: uuid.UUID) -> Purchase | None:
    """The user's own purchase, or None (another user's is never shown)."""
    purchase = db.session.get(Purchase, purchase_id)
    return purchase if purchase is not None and purchase.user_id == user_id else None
