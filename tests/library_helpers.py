"""Library test data: ready items without running the pipeline, packs and entitlements as plain rows."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timedelta

from flask import Flask

from app.extensions import db
from app.models import ContentItem, Entitlement, GenerationJob, PackItem, RitualPack
from app.models.types import utcnow
from app.providers.storage import audio_key, get_storage
from app.services.generation import rq_job_id

_clock = itertools.count(1)
SECTIONS = [
    {"name": "arrival", "segments": [{"text": "Settle in and breathe.", "pause": 2.0}], "start": 1.5, "end": 40.0},
    {"name": "body", "segments": [{"text": "Let the shoulders soften.", "pause": 3.0}], "start": 40.0, "end": 90.0},
]


def make_item(
    app: Flask,
    user_id: uuid.UUID,
    *,
    title: str = "Evening calm",
    text: str = "Settle in and breathe. Let the shoulders soften.",
    content_type: str = "guided_meditation",
    minutes: float = 10,
    tags: tuple[str, ...] = ("evening", "stress"),
    ready: bool = True,
    created_at: datetime | None = None,
) -> uuid.UUID:
    """An item with a ready (or voicing) version-1 job and, when ready, a small stored MP3 object."""
    with app.app_context():
        item_id = uuid.uuid4()
        key = audio_key(user_id, item_id, 1)
        item = ContentItem(
            id=item_id,
            user_id=user_id,
            content_type=content_type,
            title=title,
            content_text=text,
            depth="medium",
            tags=list(tags),
            structure={"sections": SECTIONS, "closing_silence": 20.0},
            audio_url=key if ready else None,
            audio_duration=minutes * 60 if ready else None,
            meta={
                "spec": {"content_type": content_type, "intent": title, "duration_minutes": max(1, round(minutes))},
                **({"version": 1, "background": "rain"} if ready else {}),
            },
            # Distinct creation times, newest last, so "recent" order is well defined.
            created_at=created_at or utcnow() - timedelta(hours=1000 - next(_clock)),
        )
        job = GenerationJob(
            user_id=user_id,
            content_item_id=item_id,
            version=1,
            rq_job_id=rq_job_id(item_id, 1),
            status="ready" if ready else "voicing",
            progress=100 if ready else 40,
            step_label="Ready to play" if ready else "Recording the voice",
        )
        db.session.add_all([item, job])
        db.session.commit()
        if ready:
            get_storage().put_bytes(key, b"ID3" + bytes(500), "audio/mpeg")
        return item_id


def make_pack(
    app: Flask,
    creator_id: uuid.UUID,
    item_ids: list[uuid.UUID],
    *,
    title: str = "Sleep well",
    status: str = "published",
) -> uuid.UUID:
    with app.app_context():
        pack = RitualPack(creator_id=creator_id, title=title, price_type="free", status=status)
        db.session.add(pack)
        db.session.flush()
        db.session.add_all(
            PackItem(pack_id=pack.id, content_item_id=item_id, position=n) for n, item_id in enumerate(item_ids)
        )
        db.session.commit()
        return pack.id


def entitle(app: Flask, user_id: uuid.UUID, pack_id: uuid.UUID, **fields: object) -> uuid.UUID:
    """An entitlement row (free claim unless `source` says otherwise); `revoked_at`/`expires_at` may be given."""
    with app.app_context():
        row = Entitlement(user_id=user_id, pack_id=pack_id, source=fields.pop("source", "free"), **fields)
        db.session.add(row)
        db.session.commit()
        return row.id
