"""Jobs and health for admins: RQ queue lengths, failed generations with their error, retry and
delete; the moderation counts and cache hit rates of the dashboard.

A retry runs the same generation job again (the same deterministic RQ id and object key, SECURITY.md 7)
and charges nothing: the user's credit was returned when it failed, and a second failure cannot
refund twice (the refund's key is the job's own, SECURITY.md 8). Deleting hides a failed job from
this list and drops RQ's failed entry; the item, its ledger rows and the job row all stay.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.results import Result

from app.extensions import db
from app.models import ContentItem, GenerationJob, PayoutRequest, Report, RitualPack, User
from app.models.types import utcnow
from app.redis_client import delete_cached, get_redis, hit_stats, near_cache_stats
from app.services import Conflict, NotFound, ServiceError, audit, generation, playback
from app.services.cache_keys import SEARCH_LOOKUPS_KEY, SEARCH_MISSES_KEY, ritual_metadata_key
from app.services.credits import MAX_PAGE
from app.tasks import QUEUE_GENERATION, QUEUES, queue_connection

log = logging.getLogger(__name__)

DISMISSED_KEY = "admin:jobs:dismissed"  # sorted set: generation job ids an admin deleted from the list, by time
PER_PAGE = 20
REGISTRY_LIMIT = 50


@dataclass
class QueueStat:
    name: str
    queued: int
    started: int
    failed: int
    scheduled: int
    deferred: int


@dataclass
class FailedGeneration:
    job: GenerationJob
    title: str
    email: str
    is_latest: bool


@dataclass
class FailedPage:
    rows: list[FailedGeneration]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass
class RegistryEntry:
    queue: str
    rq_id: str
    description: str
    error: str
    ended_at: datetime | None
    generation_job_id: uuid.UUID | None


def _queues() -> list[Queue]:
    connection = queue_connection(current_app)
    return [Queue(name, connection=connection) for name in QUEUES]


def queue_lengths() -> list[QueueStat]:
    """Each RQ queue (names from app.tasks) with its waiting, running, failed, scheduled and deferred jobs."""
    stats = []
    for queue in _queues():
        stats.append(
            QueueStat(
                name=queue.name,
                queued=queue.count,
                started=queue.started_job_registry.count,
                failed=queue.failed_job_registry.count,
                scheduled=queue.scheduled_job_registry.count,
                deferred=queue.deferred_job_registry.count,
            )
        )
    return stats


def _dismissed_ids() -> list[uuid.UUID]:
    ids = []
    for raw in get_redis().zrange(DISMISSED_KEY, 0, -1):
        with contextlib.suppress(ValueError):
            ids.append(uuid.UUID(raw))
    return ids


def _failed_condition() -> sa.ColumnElement[bool]:
    dismissed = _dismissed_ids()
    condition = GenerationJob.status == "failed"
    if dismissed:
        condition = sa.and_(condition, GenerationJob.id.not_in(dismissed))
    return condition


def failed_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(GenerationJob).where(_failed_condition())) or 0


def failed_generations(page: int = 1, per_page: int = PER_PAGE) -> FailedPage:
    """Failed generation jobs not deleted from the list, newest first, with their item and owner."""
    page = min(max(1, page), MAX_PAGE)
    per_page = min(max(1, per_page), 100)
    condition = _failed_condition()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(GenerationJob).where(condition)) or 0
    rows = db.session.execute(
        sa.select(GenerationJob, ContentItem.title, User.email)
        .join(ContentItem, ContentItem.id == GenerationJob.content_item_id)
        .join(User, User.id == GenerationJob.user_id)
        .where(condition)
        .order_by(sa.func.coalesce(GenerationJob.finished_at, GenerationJob.updated_at).desc(), GenerationJob.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    item_ids = {job.content_item_id for job, _, _ in rows}
    newest = (
        dict(
            db.session.execute(
                sa.select(GenerationJob.content_item_id, sa.func.max(GenerationJob.version))
                .where(GenerationJob.content_item_id.in_(item_ids))
                .group_by(GenerationJob.content_item_id)
            ).all()
        )
        if item_ids
        else {}
    )
    failed = [
        FailedGeneration(job, title, email, newest.get(job.content_item_id) == job.version)
        for job, title, email in rows
    ]
    return FailedPage(failed, page, per_page, total)


def _error_line(job: Job) -> str:
    """The last line of the job's latest failure (the exception), as RQ stored it."""
    result = job.latest_result()
    text = result.exc_string if result is not None and result.type == Result.Type.FAILED else ""
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1][:500] if lines else "No error was recorded."


def registry_entries(limit: int = REGISTRY_LIMIT) -> list[RegistryEntry]:
    """RQ's failed jobs on every queue (newest first), each tied to its generation row when it is one."""
    entries = []
    for queue in _queues():
        registry = queue.failed_job_registry
        ids = registry.get_job_ids(0, limit - 1, desc=True)
        jobs = Job.fetch_many(ids, connection=queue.connection)
        for rq_id, job in zip(ids, jobs, strict=True):
            if job is None:  # expired data: drop the dangling entry
                log.info("RQ failed entry %s on %s has no job data left; removed", rq_id, queue.name)
                registry.remove(rq_id)
                continue
            entries.append(
                RegistryEntry(
                    queue=queue.name,
                    rq_id=rq_id,
                    description=(job.description or job.func_name or rq_id)[:300],
                    error=_error_line(job),
                    ended_at=job.ended_at,
                    generation_job_id=_generation_id(queue.name, rq_id),
                )
            )
    return entries


def _generation_id(queue_name: str, rq_id: str) -> uuid.UUID | None:
    if queue_name != QUEUE_GENERATION:
        return None
    return db.session.scalar(sa.select(GenerationJob.id).where(GenerationJob.rq_job_id == rq_id))


def _drop_rq_entry(rq_id: str) -> None:
    """Remove a job from RQ entirely (its failed entry and data), if it is still there."""
    connection = queue_connection(current_app)
    with contextlib.suppress(NoSuchJobError):
        job = Job.fetch(rq_id, connection=connection)
        for queue in _queues():
            queue.failed_job_registry.remove(job)
        job.delete()


def retry_generation(job_id: uuid.UUID, actor: User) -> GenerationJob:
    """Queue a failed generation again through the generation service's own path, charging nothing."""
    job = db.session.scalar(
        sa.select(GenerationJob)
        .where(GenerationJob.id == job_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if job is None:
        db.session.rollback()
        raise NotFound("No such generation job.")
    if job.status != "failed":
        db.session.rollback()
        raise Conflict("Only a failed generation can be retried; this one is " + job.status + ".")
    newest = generation.latest_job(job.content_item_id)
    if newest is not None and newest.version != job.version:
        db.session.rollback()
        raise Conflict("A newer version of this practice exists; retrying this one would replace it.")
    before = {"status": job.status, "error": job.error, "attempts": job.attempts}
    job.status = "queued"
    job.progress = 0
    job.error = None
    job.step_label = generation.STEP_LABELS["queued"]
    job.attempts = 0  # a fresh set of attempts for the worker's own retries and the stuck-job recovery
    job.started_at = None
    job.finished_at = None
    audit.record(
        "job.retry",
        actor=actor,
        target_type="generation_job",
        target_id=job.id,
        before=before,
        after={"status": "queued", "rq_job_id": job.rq_job_id, "content_item_id": str(job.content_item_id)},
    )
    db.session.commit()
    get_redis().zrem(DISMISSED_KEY, str(job.id))
    delete_cached(ritual_metadata_key(job.content_item_id))
    _drop_rq_entry(job.rq_job_id)  # the old RQ entry would block the same (deterministic) id
    generation.enqueue(job)
    log.warning("generation %s queued again by admin %s", job.rq_job_id, actor.id)
    return job


def delete_generation(job_id: uuid.UUID, actor: User) -> None:
    """Take a failed generation off the list and out of RQ's failed registry (the rows stay)."""
    job = db.session.get(GenerationJob, job_id)
    if job is None:
        raise NotFound("No such generation job.")
    if job.status != "failed":
        raise Conflict("Only a failed generation can be deleted from the list; this one is " + job.status + ".")
    audit.record(
        "job.delete",
        actor=actor,
        target_type="generation_job",
        target_id=job.id,
        before={"status": job.status, "error": job.error},
        after={"listed": False},
    )
    db.session.commit()
    get_redis().zadd(DISMISSED_KEY, {str(job.id): utcnow().timestamp()})
    _drop_rq_entry(job.rq_job_id)
    log.info("failed generation %s deleted from the list by %s", job.rq_job_id, actor.id)


def _registry_job(queue_name: str, rq_id: str) -> tuple[Queue, Job]:
    queue = next((q for q in _queues() if q.name == queue_name), None)
    if queue is None:
        raise ServiceError(f"Queue must be one of: {', '.join(QUEUES)}.", field="queue")
    if rq_id not in queue.failed_job_registry.get_job_ids():
        raise NotFound("No such failed job.")
    try:
        return queue, Job.fetch(rq_id, connection=queue.connection)
    except NoSuchJobError:
        queue.failed_job_registry.remove(rq_id)
        raise NotFound("No such failed job.") from None


def retry_entry(queue_name: str, rq_id: str, actor: User) -> None:
    """Requeue one of RQ's failed jobs; a generation goes through `retry_generation` instead."""
    queue, job = _registry_job(queue_name, rq_id)
    generation_id = _generation_id(queue.name, rq_id)
    if generation_id is not None:
        row = db.session.get(GenerationJob, generation_id)
        if row is not None and row.status == "failed":
            retry_generation(generation_id, actor)
            return
        raise Conflict("This generation is not marked failed; the worker's own recovery looks after it.")
    audit.record(
        "job.retry",
        actor=actor,
        target_type="rq_job",
        target_id=rq_id,
        before={"queue": queue.name, "status": "failed"},
        after={"status": "queued"},
    )
    db.session.commit()
    queue.failed_job_registry.requeue(job)
    log.warning("RQ job %s on %s requeued by admin %s", rq_id, queue.name, actor.id)


def delete_entry(queue_name: str, rq_id: str, actor: User) -> None:
    """Remove one of RQ's failed jobs (for a generation, the job row stays as it is)."""
    queue, job = _registry_job(queue_name, rq_id)
    audit.record(
        "job.delete",
        actor=actor,
        target_type="rq_job",
        target_id=rq_id,
        before={"queue": queue.name, "error": _error_line(job)},
        after={"listed": False},
    )
    db.session.commit()
    queue.failed_job_registry.remove(job, delete_job=True)
    log.info("RQ job %s on %s deleted by admin %s", rq_id, queue.name, actor.id)


# --- the dashboard ---


def dashboard_counts() -> dict[str, int]:
    """What waits for an admin: packs in review, open reports, pending payouts, failed generations."""
    return {
        "in_review": db.session.scalar(sa.select(sa.func.count()).where(RitualPack.status == "in_review")) or 0,
        "open_reports": db.session.scalar(sa.select(sa.func.count()).where(Report.status == "open")) or 0,
        "pending_payouts": db.session.scalar(sa.select(sa.func.count()).where(PayoutRequest.status == "pending")) or 0,
        "failed_jobs": failed_count(),
    }


def search_cache_stats() -> dict[str, Any]:
    """Hits, misses and hit rate of the cached searches (`search:{hash}`) since the counters began."""
    return hit_stats(SEARCH_LOOKUPS_KEY, SEARCH_MISSES_KEY)


def cache_rates() -> dict[str, dict[str, Any]]:
    """The play-metadata cache's, the search cache's and the web processes' copies' hit rates."""
    return {
        "ritual_metadata": playback.cache_stats(),
        "search": search_cache_stats(),
        "near_cache": near_cache_stats(),
    }
