"""Turning a spec into a practice: credit check, content item, job row, queued work.

The request side lives here; the work itself is `app.tasks.generation.run`.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from typing import Any

import sqlalchemy as sa
from flask import current_app
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import ContentItem, Conversation, GenerationJob, User, Voice
from app.models.types import as_utc, utcnow
from app.redis_client import delete_cached
from app.services import Conflict, NotFound, ServiceError, credits, voices
from app.services.cache_keys import ritual_metadata_key
from app.services.practice_spec import PracticeSpec
from app.services.profile import get_profile
from app.tasks import QUEUE_GENERATION, queue_connection

log = logging.getLogger(__name__)

ACTIVE_STATUSES = ("queued", "writing", "voicing", "mixing")
STEP_LABELS = {
    "queued": "Waiting for a free voice studio",
    "writing": "Writing your script",
    "voicing": "Recording the voice",
    "mixing": "Mixing and levelling",
    "ready": "Ready to play",
    "failed": "Something went wrong",
}


def resolve_spec(user: User, raw: dict[str, Any]) -> tuple[PracticeSpec, Voice]:
    """Validate a requested spec, filling voice, pace and tone from the user's saved choices."""
    if not isinstance(raw, dict):
        raise ServiceError("The spec must be an object.")
    profile = get_profile(user.id) or {}
    prefs = profile.get("preferences") or {}
    data = dict(raw)
    for name in ("pace", "tone"):
        if data.get(name) is None and prefs.get(name):
            data[name] = prefs[name]
    if data.get("voice_id") is None and prefs.get("voice"):
        data["voice_id"] = prefs["voice"]
    spec = PracticeSpec.from_dict(data)
    voice = _voice(spec.voice_id)
    return PracticeSpec(**{**spec.to_dict(), "voice_id": str(voice.id)}), voice


def _voice(voice_id: str | None) -> Voice:
    if voice_id is None:
        return voices.default_voice()
    try:
        voice = db.session.get(Voice, uuid.UUID(str(voice_id)))
    except ValueError:
        voice = None
    if voice is None or not voice.is_active:
        raise ServiceError("That voice is not available; pick one from the voices list.", field="voice_id")
    return voice


def request_generation(
    user: User, raw_spec: dict[str, Any], *, conversation_id: uuid.UUID | None = None, source: str = "api"
) -> GenerationJob:
    """Charge one credit and queue the work, in one transaction; InsufficientCredits says no."""
    spec, voice = resolve_spec(user, raw_spec)
    item = ContentItem(
        id=uuid.uuid4(),
        user_id=user.id,
        content_type=spec.content_type,
        title=_working_title(spec),
        content_text="",
        voice_id=voice.id,
        context=spec.context,
        meta={"source": source, "spec": spec.to_dict()},
    )
    job = GenerationJob(
        id=uuid.uuid4(),
        user_id=user.id,
        content_item_id=item.id,
        version=1,
        rq_job_id=rq_job_id(item.id, 1),
        status="queued",
        progress=0,
        step_label=STEP_LABELS["queued"],
        spec={**spec.to_dict(), "conversation_id": str(conversation_id) if conversation_id else None},
    )
    _charge_and_enqueue(user, item, job, [item, job])
    return job


def request_regeneration(
    user: User, item: ContentItem, *, voice_id: str | None = None, pace: str | None = None
) -> GenerationJob:
    """A new version of the user's item with another voice and/or pace, for one credit.

    The script is kept (the job finds it stored); the current version stays playable until the
    new one is ready, and a failed one is refunded under its own key and leaves the old in place.
    """
    latest = latest_job(item.id)
    if latest is not None and latest.status in ACTIVE_STATUSES:
        raise Conflict("A version of this practice is already being made; wait until it is ready.")
    base = (item.meta or {}).get("spec") or (latest.spec if latest is not None else {})
    changes = {name: value for name, value in (("voice_id", voice_id), ("pace", pace)) if value is not None}
    spec = PracticeSpec.from_dict({k: v for k, v in {**base, **changes}.items() if k != "conversation_id"})
    voice = _voice(spec.voice_id)
    version = (latest.version if latest is not None else 0) + 1
    job = GenerationJob(
        id=uuid.uuid4(),
        user_id=user.id,
        content_item_id=item.id,
        version=version,
        rq_job_id=rq_job_id(item.id, version),
        status="queued",
        progress=0,
        step_label=STEP_LABELS["queued"],
        spec={**spec.to_dict(), "voice_id": str(voice.id), "conversation_id": None},
    )
    try:
        _charge_and_enqueue(user, item, job, [job])
    except IntegrityError:  # the same version requested twice at once: the other request won
        raise Conflict("A version of this practice is already being made; wait until it is ready.") from None
    return job


def _charge_and_enqueue(user: User, item: ContentItem, job: GenerationJob, rows: list[Any]) -> None:
    """Insert the rows and spend the version's credit in one transaction, then queue the job."""
    db.session.add_all(rows)
    try:
        db.session.flush()
        credits.consume(
            user.id,
            1,
            idempotency_key=consumption_key(item.id, job.version),
            content_item_id=item.id,
            content_type=item.content_type,
            metadata={"generation_job_id": str(job.id)},
            commit=False,
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    enqueue(job)
    log.info("generation %s queued for user %s (item %s)", job.rq_job_id, user.id, item.id)


def rq_job_id(item_id: uuid.UUID, version: int) -> str:
    """Deterministic: the same item version is always the same queued job."""
    return f"generate-{item_id}-v{version}"


def consumption_key(item_id: uuid.UUID, version: int) -> str:
    return f"consume:{item_id}:v{version}"


def refund_key(item_id: uuid.UUID, version: int) -> str:
    return f"refund:{item_id}:v{version}"


def _working_title(spec: PracticeSpec) -> str:
    label = {"guided_meditation": "Meditation", "affirmation": "Affirmations", "ritual": "Ritual"}[spec.content_type]
    return f"{label}: {spec.intent}"[:200]


def generation_queue() -> Queue:
    return Queue(QUEUE_GENERATION, connection=queue_connection(current_app))


def enqueue(job: GenerationJob) -> None:
    cfg = current_app.config
    retries = int(cfg["GENERATION_RETRIES"])
    generation_queue().enqueue(
        "app.tasks.generation.run",
        str(job.id),
        job_id=job.rq_job_id,
        retry=Retry(max=retries, interval=cfg["GENERATION_RETRY_DELAYS"][:retries]) if retries else None,
        job_timeout=int(cfg["GENERATION_TIMEOUT"]),
        result_ttl=24 * 3600,
        failure_ttl=7 * 24 * 3600,
        description=f"practice {job.content_item_id} v{job.version}",
    )


def latest_job(item_id: uuid.UUID, *, ready: bool = False) -> GenerationJob | None:
    """The item's newest generation job (with ready=True, the one that made the current version)."""
    stmt = sa.select(GenerationJob).where(GenerationJob.content_item_id == item_id)
    if ready:
        stmt = stmt.where(GenerationJob.status == "ready")
    return db.session.scalar(stmt.order_by(GenerationJob.version.desc()).limit(1))


def job_for_item(item_id: uuid.UUID, user_id: uuid.UUID) -> GenerationJob:
    """The newest generation job of the user's item (404 for anyone else's)."""
    job = db.session.scalar(
        sa.select(GenerationJob)
        .where(GenerationJob.content_item_id == item_id, GenerationJob.user_id == user_id)
        .order_by(GenerationJob.version.desc())
        .limit(1)
    )
    if job is None:
        raise NotFound("No such practice.")
    return job


def fail(job: GenerationJob, reason: str) -> None:
    """Mark the job failed and give the credit back (once: the refund has its own key).

    A job already ready is left alone: its practice was made and its credit spent, whatever went wrong
    after it was saved.
    """
    if job.status == "ready":
        log.warning("generation %s is already ready; not marking it failed: %s", job.rq_job_id, reason)
        return
    job.status = "failed"
    job.error = reason[:2000]
    job.step_label = STEP_LABELS["failed"]
    job.finished_at = utcnow()
    db.session.commit()
    credits.refund(
        job.user_id,
        1,
        idempotency_key=refund_key(job.content_item_id, job.version),
        reason="generation failed",
        content_item_id=job.content_item_id,
        metadata={"generation_job_id": str(job.id)},
    )
    delete_cached(ritual_metadata_key(job.content_item_id))
    log.warning("generation %s failed and was refunded: %s", job.rq_job_id, reason)


def link_conversation(job: GenerationJob) -> None:
    conversation_id = (job.spec or {}).get("conversation_id")
    if not conversation_id:
        return
    conversation = db.session.get(Conversation, uuid.UUID(conversation_id))
    if conversation is not None and conversation.user_id == job.user_id:
        conversation.resulting_ritual_id = job.content_item_id
        conversation.completed_at = conversation.completed_at or utcnow()
        conversation.state = "Complete"


def status_json(job: GenerationJob, item: ContentItem | None = None) -> dict[str, Any]:
    """What pages and the API show of a generation."""
    body: dict[str, Any] = {
        "id": str(job.content_item_id),
        "status": job.status,
        "progress": job.progress,
        "step": job.step_label or STEP_LABELS.get(job.status, ""),
        "version": job.version,
    }
    if job.status == "failed":
        body["error"] = (
            "The new version could not be made, and your credit was returned; the previous version is still here."
            if item is not None and item.audio_url
            else "The practice could not be made, and your credit was returned. Please try again."
        )
    if item is not None:
        body["content_type"] = item.content_type
        body["title"] = item.title
        if item.audio_url:  # a version is playable, even while a newer one is being made
            body.update(
                duration=item.audio_duration,
                depth=item.depth,
                tags=list(item.tags or []),
            )
    return body


def recover_stuck(*, now: float | None = None) -> dict[str, int]:
    """Jobs whose worker died: re-queue them while attempts remain, else fail and refund.

    A job is stuck when its row has not moved for GENERATION_STUCK_SECONDS and RQ no longer
    holds it as queued or running. Abandoned RQ entries are first handed back to RQ's own
    clean-up, which retries or fails them.
    """
    cfg = current_app.config
    now = now if now is not None else time.time()
    queue = generation_queue()
    StartedJobRegistry(queue=queue).cleanup(timestamp=now)
    cutoff = now - int(cfg["GENERATION_STUCK_SECONDS"])
    rows = db.session.scalars(sa.select(GenerationJob).where(GenerationJob.status.in_(ACTIVE_STATUSES))).all()
    counts = {"requeued": 0, "failed": 0, "waiting": 0}
    for job in rows:
        if as_utc(job.updated_at).timestamp() > cutoff:
            continue
        try:
            status = Job.fetch(job.rq_job_id, connection=queue.connection).get_status()
        except NoSuchJobError:
            status = None
        if status in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.STARTED):
            counts["waiting"] += 1
            continue
        if job.attempts <= int(cfg["GENERATION_RETRIES"]):
            job.status, job.step_label = "queued", STEP_LABELS["queued"]
            db.session.commit()
            with contextlib.suppress(NoSuchJobError):
                Job.fetch(job.rq_job_id, connection=queue.connection).delete()
            enqueue(job)
            counts["requeued"] += 1
            log.warning("generation %s was stuck; queued again (attempt %d)", job.rq_job_id, job.attempts + 1)
        else:
            fail(job, "The worker stopped during every attempt.")
            counts["failed"] += 1
    return counts
