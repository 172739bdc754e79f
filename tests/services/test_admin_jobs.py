"""Jobs for admins (SECURITY.md 7, 8, 22): queue lengths, failed generations, retry without a second
charge, delete without touching the ledger, RQ's failed registry; the dashboard's counts and hit rates."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from rq import Queue

from app.models import AuditLog, ContentItem, CreditTransaction, GenerationJob, User
from app.providers.storage import get_storage
from app.services import Conflict, NotFound, ServiceError, admin_jobs, catalog_search, generation
from app.tasks import QUEUE_DEFAULT, QUEUE_GENERATION, QUEUES, queue_connection
from tests.factories import make_user
from tests.generation_helpers import drain, request, seed_voices


@pytest.fixture
def app(app):
    seed_voices(app)
    app.config["GENERATION_RETRY_DELAYS"] = [0, 0, 0]
    return app


@pytest.fixture
def admin(app, db):
    return db.session.get(User, make_user(app, email="ops@example.com", roles=["admin"]).id)


def _failed_generation(app, db, reason: str = "RuntimeError: the voice engine stopped") -> tuple[User, GenerationJob]:
    """A practice whose generation was charged, then failed and refunded (as the worker does)."""
    person = make_user(app)
    item_id = request(app, person.id)
    job = db.session.scalar(sa.select(GenerationJob).where(GenerationJob.content_item_id == item_id))
    generation.fail(job, reason)
    return db.session.get(User, person.id), job


def _ledger(db, user_id) -> list[tuple[str, int]]:
    db.session.expire_all()
    rows = db.session.scalars(
        sa.select(CreditTransaction).where(CreditTransaction.user_id == user_id).order_by(CreditTransaction.entry_no)
    )
    return [(r.transaction_type, r.amount) for r in rows]


def test_queue_lengths_cover_every_queue(app, db):
    request(app, make_user(app).id)
    stats = {s.name: s for s in admin_jobs.queue_lengths()}
    assert list(stats) == QUEUES
    assert stats[QUEUE_GENERATION].queued == 1 and stats[QUEUE_DEFAULT].queued == 0


def test_failed_generations_are_listed_with_their_error(app, db):
    person, job = _failed_generation(app, db)
    page = admin_jobs.failed_generations()
    assert page.total == 1
    [row] = page.rows
    assert row.job.id == job.id and row.email == person.email and row.is_latest
    assert row.job.error == "RuntimeError: the voice engine stopped"
    assert admin_jobs.dashboard_counts()["failed_jobs"] == 1


def test_a_retry_charges_nothing_and_makes_one_object(app, db, admin):
    """SECURITY.md 7, 8: the same job again (same RQ id, same object key); the failed attempt's
    credit was returned, so the retry charges nothing and a second failure refunds nothing more."""
    person, job = _failed_generation(app, db)
    assert _ledger(db, person.id) == [("purchase", 1), ("consumption", -1), ("refund", 1)]

    retried = admin_jobs.retry_generation(job.id, admin)
    assert (retried.status, retried.error, retried.attempts) == ("queued", None, 0)
    assert retried.rq_job_id == generation.rq_job_id(job.content_item_id, 1)
    with pytest.raises(Conflict):  # already queued again
        admin_jobs.retry_generation(job.id, admin)
    drain(app)

    db.session.expire_all()
    job = db.session.get(GenerationJob, job.id)
    item = db.session.get(ContentItem, job.content_item_id)
    assert job.status == "ready" and item.audio_url == f"audio/{person.id}/{item.id}/1.mp3"
    assert get_storage().list(f"audio/{person.id}/") == [item.audio_url]
    assert _ledger(db, person.id) == [("purchase", 1), ("consumption", -1), ("refund", 1)]
    assert db.session.get(User, person.id).credit_balance == 1
    [row] = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "job.retry")).all()
    assert row.before["status"] == "failed" and row.after["status"] == "queued"
    assert row.actor_email == "ops@example.com" and row.target_id == str(job.id)
    with pytest.raises(Conflict):
        admin_jobs.retry_generation(job.id, admin)


def test_a_retry_that_fails_again_refunds_nothing_more(app, db, admin):
    person, job = _failed_generation(app, db)
    admin_jobs.retry_generation(job.id, admin)
    generation.fail(db.session.get(GenerationJob, job.id), "failed again")
    assert _ledger(db, person.id) == [("purchase", 1), ("consumption", -1), ("refund", 1)]
    assert db.session.get(User, person.id).credit_balance == 1


def test_a_retry_never_replaces_a_newer_version(app, db, admin):
    person, job = _failed_generation(app, db)
    db.session.add(
        GenerationJob(
            user_id=person.id,
            content_item_id=job.content_item_id,
            version=2,
            rq_job_id=generation.rq_job_id(job.content_item_id, 2),
            status="ready",
            progress=100,
        )
    )
    db.session.commit()
    page = admin_jobs.failed_generations()
    assert not page.rows[0].is_latest
    with pytest.raises(Conflict):
        admin_jobs.retry_generation(job.id, admin)
    assert db.session.get(GenerationJob, job.id).status == "failed"


def test_delete_takes_it_off_the_list_and_keeps_every_row(app, db, admin):
    _person, job = _failed_generation(app, db)
    _other_person, other = _failed_generation(app, db, "ValueError: no voice")
    ledger_before = db.session.scalar(sa.select(sa.func.count()).select_from(CreditTransaction))

    admin_jobs.delete_generation(job.id, admin)
    assert [r.job.id for r in admin_jobs.failed_generations().rows] == [other.id]
    assert admin_jobs.dashboard_counts()["failed_jobs"] == 1
    db.session.expire_all()
    assert db.session.get(GenerationJob, job.id).status == "failed"
    assert db.session.get(ContentItem, job.content_item_id) is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CreditTransaction)) == ledger_before
    [row] = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "job.delete")).all()
    assert row.before == {"status": "failed", "error": "RuntimeError: the voice engine stopped"}
    with pytest.raises(NotFound):
        admin_jobs.delete_generation(uuid.uuid4(), admin)
    # A deleted job that an admin retries after all is listed again if it fails again.
    admin_jobs.retry_generation(job.id, admin)
    generation.fail(db.session.get(GenerationJob, job.id), "again")
    assert {r.job.id for r in admin_jobs.failed_generations().rows} == {job.id, other.id}


def test_only_failed_generations_can_be_retried_or_deleted(app, db, admin):
    item_id = request(app, make_user(app).id)
    job = db.session.scalar(sa.select(GenerationJob).where(GenerationJob.content_item_id == item_id))
    with pytest.raises(Conflict):
        admin_jobs.retry_generation(job.id, admin)
    with pytest.raises(Conflict):
        admin_jobs.delete_generation(job.id, admin)


def _broken_job(app, queue_name: str = QUEUE_DEFAULT, job_id: str | None = None) -> str:
    """An RQ job that raises, run to its failure by a burst worker."""
    queue = Queue(queue_name, connection=queue_connection(app))
    job = queue.enqueue("builtins.int", "not a number", job_id=job_id, failure_ttl=3600)
    drain(app)
    return job.id


def test_rq_failed_registry_entries_retry_and_delete(app, db, admin):
    rq_id = _broken_job(app)
    [entry] = admin_jobs.registry_entries()
    assert (entry.queue, entry.rq_id, entry.generation_job_id) == (QUEUE_DEFAULT, rq_id, None)
    assert "ValueError" in entry.error
    stats = {s.name: s for s in admin_jobs.queue_lengths()}
    assert stats[QUEUE_DEFAULT].failed == 1

    admin_jobs.retry_entry(QUEUE_DEFAULT, rq_id, admin)
    assert {s.name: s for s in admin_jobs.queue_lengths()}[QUEUE_DEFAULT].queued == 1
    drain(app)  # fails again
    admin_jobs.delete_entry(QUEUE_DEFAULT, rq_id, admin)
    assert admin_jobs.registry_entries() == []
    actions = db.session.scalars(sa.select(AuditLog.action).where(AuditLog.target_type == "rq_job")).all()
    assert sorted(actions) == ["job.delete", "job.retry"]
    with pytest.raises(NotFound):
        admin_jobs.delete_entry(QUEUE_DEFAULT, rq_id, admin)
    with pytest.raises(ServiceError) as exc:
        admin_jobs.retry_entry("nowhere", rq_id, admin)
    assert exc.value.field == "queue"


def test_a_generation_in_rqs_registry_is_tied_to_its_row(app, db, admin):
    _person, job = _failed_generation(app, db)
    connection = queue_connection(app)
    from rq.job import Job

    Job.fetch(job.rq_job_id, connection=connection).delete()  # the queued run, as if the worker had died
    _broken_job(app, QUEUE_GENERATION, job_id=job.rq_job_id)
    [entry] = admin_jobs.registry_entries()
    assert entry.generation_job_id == job.id
    admin_jobs.delete_generation(job.id, admin)  # drops RQ's entry too
    assert admin_jobs.registry_entries() == []


def test_dashboard_counts_and_hit_rates(app, db):
    assert admin_jobs.dashboard_counts() == {"in_review": 0, "open_reports": 0, "pending_payouts": 0, "failed_jobs": 0}
    assert admin_jobs.search_cache_stats() == {"hits": 0, "misses": 0, "hit_rate": None}
    query = catalog_search.parse_query({"q": "sleep"})
    catalog_search.search(query)
    catalog_search.search(query)
    assert admin_jobs.search_cache_stats() == {"hits": 1, "misses": 1, "hit_rate": 0.5}
    assert set(admin_jobs.cache_rates()) == {"ritual_metadata", "search", "near_cache"}
