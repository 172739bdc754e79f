"""Marketplace test data: creators with profiles and published packs of ready items, indexed for search."""

from __future__ import annotations

import tempfile
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import soundfile as sf
from flask import Flask

from app.extensions import db
from app.models import ContentItem, CreatorProfile, PackItem, RitualPack
from app.models.types import utcnow
from app.providers.storage import get_storage
from app.services import catalog
from tests.factories import make_user
from tests.library_helpers import make_item


def make_creator(app: Flask, name: str = "Maya Rivers", bio: str = "Teaches breath and rest.") -> uuid.UUID:
    creator = make_user(app, roles=["user", "creator"])
    with app.app_context():
        db.session.add(CreatorProfile(user_id=creator.id, display_name=name, bio=bio))
        db.session.commit()
    return creator.id


def publish_pack(
    app: Flask,
    creator_id: uuid.UUID,
    *,
    title: str = "Deep Sleep Wind-Down",
    description: str = "Three evening practices for letting the day go.",
    tags: tuple[str, ...] = ("sleep", "evening"),
    price_type: str = "free",
    price_amount: int | None = None,
    interval: str | None = None,
    items: tuple[tuple[str, float], ...] = (("guided_meditation", 10), ("affirmation", 5)),
    status: str = "published",
    published_at: datetime | None = None,
    index: bool = True,
) -> uuid.UUID:
    """A pack of fresh ready items (content type, minutes), published and indexed unless told otherwise."""
    item_ids = [
        make_item(app, creator_id, title=f"{title} {n + 1}", content_type=kind, minutes=minutes)
        for n, (kind, minutes) in enumerate(items)
    ]
    with app.app_context():
        pack = RitualPack(
            creator_id=creator_id,
            title=title,
            description=description,
            tags=list(tags),
            price_type=price_type,
            price_amount=price_amount,
            subscription_interval=interval,
            status=status,
            published_at=(published_at or utcnow() - timedelta(days=1)) if status != "draft" else None,
        )
        db.session.add(pack)
        db.session.flush()
        db.session.add_all(
            PackItem(pack_id=pack.id, content_item_id=item_id, position=n) for n, item_id in enumerate(item_ids)
        )
        db.session.commit()
        pack_id = pack.id
        if index:
            catalog.pack_changed(pack_id)
    return pack_id


def store_real_audio(app: Flask, item_id: uuid.UUID, seconds: float = 40.0) -> None:
    """Replace an item's stored object with a real MP3 (a soft tone) so previews can be cut from it."""
    rate = 22050
    t = np.arange(int(seconds * rate)) / rate
    tone = (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    with app.app_context(), tempfile.TemporaryDirectory() as tmp:
        item = db.session.get(ContentItem, item_id)
        path = Path(tmp) / "tone.mp3"
        sf.write(path, tone, rate, format="MP3", subtype="MPEG_LAYER_III")
        get_storage().put_file(item.audio_url, path, "audio/mpeg")
        item.audio_duration = seconds
        db.session.commit()


def pack_item_ids(app: Flask, pack_id: uuid.UUID) -> list[uuid.UUID]:
    with app.app_context():
        rows = db.session.scalars(
            db.select(PackItem.content_item_id).where(PackItem.pack_id == pack_id).order_by(PackItem.position)
        )
        return list(rows)
