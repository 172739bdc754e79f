"""Helpers for tests that make practices: seeded voices, a burst worker, a request."""

from __future__ import annotations

import uuid

from flask import Flask

from app.extensions import db
from app.models import ContentItem, GenerationJob, User
from app.services import generation, voices
from app.tasks.worker import build_worker

SPEC = {
    "content_type": "guided_meditation",
    "intent": "letting go of a stressful workday",
    "duration_minutes": 1,
    "context": {"time_of_day": "evening", "place": "at home on the sofa"},
}


def seed_voices(app: Flask) -> None:
    with app.app_context():
        voices.seed(previews=False)


def drain(app: Flask) -> None:
    """Run queued jobs to the end in this process, as a worker would."""
    build_worker(app).work(burst=True, with_scheduler=False)


def request(app: Flask, user_id: uuid.UUID, spec: dict | None = None) -> uuid.UUID:
    with app.app_context():
        user = db.session.get(User, user_id)
        return generation.request_generation(user, spec or SPEC).content_item_id


def state(app: Flask, item_id: uuid.UUID) -> tuple[GenerationJob, ContentItem]:
    with app.app_context():
        job = db.session.scalar(db.select(GenerationJob).where(GenerationJob.content_item_id == item_id))
        item = db.session.get(ContentItem, item_id)
        db.session.expunge_all()
        return job, item
