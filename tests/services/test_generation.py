"""Generation: credits, queueing, the job itself, retries, idempotency and recovery."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import soundfile as sf
import sqlalchemy as sa
from rq.job import Job

from app.models import ContentItem, CreditTransaction, GenerationJob, User
from app.providers.llm.composer import EmbeddedComposer
from app.providers.storage import get_storage
from app.providers.tts.piper_engine import JOE_VOICE_ID, PiperEngine
from app.services import ServiceError, audio, generation
from app.services.credits import InsufficientCredits
from app.services.practice_spec import PracticeSpec
from app.tasks import queue_connection
from tests.factories import make_user
from tests.fakes import FakeProvider, Reply
from tests.generation_helpers import SPEC, drain, request, seed_voices, state


@pytest.fixture
def app(app):
    seed_voices(app)
    app.config["GENERATION_RETRY_DELAYS"] = [0, 0, 0]
    return app


def _ledger(db, user_id):
    db.session.expire_all()
    return db.session.scalars(
        sa.select(CreditTransaction).where(CreditTransaction.user_id == user_id).order_by(CreditTransaction.entry_no)
    ).all()


def test_request_charges_one_credit_and_queues_a_deterministic_job(app, db):
    person = make_user(app)
    item_id = request(app, person.id)
    job, item = state(app, item_id)
    assert (job.status, job.progress, job.version) == ("queued", 0, 1)
    assert job.rq_job_id == f"generate-{item_id}-v1"
    assert item.user_id == person.id and item.content_type == "guided_meditation"
    spend = _ledger(db, person.id)[-1]
    assert (spend.transaction_type, spend.amount, spend.balance_after) == ("consumption", -1, 0)
    assert spend.content_item_id == item_id
    assert spend.idempotency_key == f"consume:{item_id}:v1"
    queued = Job.fetch(job.rq_job_id, connection=queue_connection(app))
    assert queued.args == (str(job.id),)


def test_no_credit_means_402_and_nothing_written(app, db):
    person = make_user(app, credits_=0)
    with pytest.raises(InsufficientCredits) as info:
        request(app, person.id)
    assert info.value.status == 402
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ContentItem)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GenerationJob)) == 0
    assert len(_ledger(db, person.id)) == 2  # the free credit and the test's spend, nothing more
    assert generation.generation_queue().count == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 61}, "duration_minutes"),
        ({"content_type": "podcast"}, "content_type"),
        ({"intent": "   "}, "intent"),
        ({"pace": "warp"}, "pace"),
        ({"voice_id": str(uuid.uuid4())}, "voice_id"),
        ({"context": {"weather": "rain"}}, "context"),
    ],
)
def test_bad_specs_are_refused_and_cost_nothing(app, db, change, field):
    person = make_user(app)
    with pytest.raises(ServiceError) as info:
        request(app, person.id, {**SPEC, **change})
    assert info.value.field == field
    assert db.session.get(User, person.id).credit_balance == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ContentItem)) == 0


def test_saved_preferences_fill_the_spec(app, db):
    person = make_user(app)
    with app.app_context():
        from app.services import accounts

        accounts.update_preferences(db.session.get(User, person.id), {"pace": "slow", "tone": "warm"})
    job, _ = state(app, request(app, person.id))
    assert (job.spec["pace"], job.spec["tone"]) == ("slow", "warm")
    job2, _ = state(app, request(app, make_user(app).id, {**SPEC, "pace": "fast"}))
    assert job2.spec["pace"] == "fast"


def test_the_job_makes_a_playable_practice(app, db):
    person = make_user(app)
    item_id = request(app, person.id)
    drain(app)
    job, item = state(app, item_id)
    assert (job.status, job.progress, job.attempts) == ("ready", 100, 1)
    assert item.audio_url == f"audio/{person.id}/{item_id}/1.mp3"
    assert 54 <= item.audio_duration <= 66  # one minute, ±10 %
    assert item.title and item.title != SPEC["intent"]
    assert item.depth == "shallow"
    assert {"guided-meditation", "evening", "stress", "letting-go"} <= set(item.tags)
    sections = item.structure["sections"]
    assert sections[0]["start"] > 0 and all(s["end"] > s["start"] for s in sections)
    assert item.content_text.count(" ") > 30
    metrics = item.meta["audio"]
    assert abs(metrics["integrated_lufs"] + 16) <= 1 and metrics["true_peak_dbfs"] <= -1
    assert 100 <= metrics["speech_wpm"] <= 130  # a calm narrator's pace, counting sentence pauses
    assert metrics["total_silence_seconds"] > 15
    assert item.meta["background"] == "rain"
    with app.app_context():
        storage = get_storage()
        assert storage.list(f"audio/{person.id}/") == [item.audio_url]
        local = storage.path(item.audio_url)
    info = sf.info(str(local))
    assert abs(info.duration - item.audio_duration) < 0.3


# Seeds (as the job derives them from an item id) whose one-minute scripts read slowest (short
# sentences, many commas: under 100 words a minute when every quiet moment in a sentence was
# stretched) and fastest (long sentences, few commas).
PACE_SEEDS = [1709019966, 144955321, 241702226, 2778970094, 2954866908, 437680215]


@pytest.mark.parametrize("seed", PACE_SEEDS)
def test_the_narration_keeps_its_pace_whatever_the_script(tmp_path, seed):
    spec = PracticeSpec.from_dict(SPEC)
    script = EmbeddedComposer().write(spec, seed=seed)  # as the job writes and voices it
    track = audio.render(
        script,
        PiperEngine(),
        tmp_path / "practice.mp3",
        voice_id=JOE_VOICE_ID,
        pace=spec.pace,
        target_seconds=spec.duration_seconds,
        with_bells=True,
    )
    assert 100 <= track.metrics["speech_wpm"] <= 130
    assert abs(track.duration - 60) < 0.5


def test_running_a_finished_job_again_changes_nothing(app, db):
    person = make_user(app, credits_=2)
    item_id = request(app, person.id)
    drain(app)
    job, item = state(app, item_id)
    with app.app_context():
        generation.enqueue(job)  # the same deterministic id, queued again
        before = get_storage().path(item.audio_url).stat().st_mtime_ns
    drain(app)
    again, _ = state(app, item_id)
    assert (again.status, again.attempts) == ("ready", 1)
    with app.app_context():
        assert get_storage().list(f"audio/{person.id}/") == [item.audio_url]
        assert get_storage().path(item.audio_url).stat().st_mtime_ns == before
    spends = [r for r in _ledger(db, person.id) if r.transaction_type == "consumption"]
    assert len(spends) == 1


def _openai_app(app, fake, **config):
    app.config.update(
        SCRIPT_WRITER="openai",
        OPENAI_API_KEY="sk-test",
        OPENAI_BASE_URL=fake.url + "/v1",
        LLM_MAX_RETRIES=0,
        **config,
    )
    return app


def test_provider_failure_after_retries_fails_and_refunds(app, db):
    person = make_user(app)
    with FakeProvider() as fake:
        fake.on("POST", "/v1/chat/completions", Reply(503, {"error": {"message": "down"}}))
        _openai_app(app, fake, GENERATION_RETRIES=2)
        item_id = request(app, person.id)
        drain(app)
        assert len(fake.calls("/v1/chat/completions")) == 3  # first try + two queue retries
    job, _ = state(app, item_id)
    assert job.status == "failed" and "unavailable" in job.error
    assert job.attempts == 3
    rows = _ledger(db, person.id)
    assert [(r.transaction_type, r.amount) for r in rows] == [("purchase", 1), ("consumption", -1), ("refund", 1)]
    assert rows[-1].meta["reason"] == "generation failed"
    assert rows[-1].idempotency_key == f"refund:{item_id}:v1"
    assert db.session.get(User, person.id).credit_balance == 1
    with app.app_context():
        body = generation.status_json(generation.job_for_item(item_id, person.id))
    assert body["status"] == "failed" and "credit was returned" in body["error"]


def test_transient_failure_is_retried_then_succeeds_with_one_charge(app, db):
    import json

    from tests.providers.test_remote_providers import SCRIPT, chat_completion

    person = make_user(app)
    with FakeProvider() as fake:
        fake.on(
            "POST",
            "/v1/chat/completions",
            Reply(500, {"error": {"message": "hiccup"}}),
            Reply(body=chat_completion(json.dumps(SCRIPT))),
        )
        _openai_app(app, fake)
        item_id = request(app, person.id)
        drain(app)
    job, item = state(app, item_id)
    assert (job.status, job.attempts) == ("ready", 2)
    assert item.title == "Letting Go of the Workday"
    assert [r.transaction_type for r in _ledger(db, person.id)] == ["purchase", "consumption"]


def test_a_permanent_failure_is_not_retried(app, db):
    person = make_user(app)
    with FakeProvider() as fake:
        fake.on("POST", "/v1/chat/completions", Reply(401, {"error": {"message": "bad key"}}))
        _openai_app(app, fake)
        item_id = request(app, person.id)
        drain(app)
        assert len(fake.calls("/v1/chat/completions")) == 1
    job, _ = state(app, item_id)
    assert job.status == "failed" and job.attempts == 1
    assert db.session.get(User, person.id).credit_balance == 1


def test_stuck_jobs_are_requeued_then_failed_when_attempts_run_out(app, db):
    person = make_user(app, credits_=2)
    item_id = request(app, person.id)
    with app.app_context():
        generation.generation_queue().empty()  # as if the worker died with the job: RQ no longer has it
        job = generation.job_for_item(item_id, person.id)
        job.status, job.attempts = "voicing", 1
        db.session.commit()
        counts = generation.recover_stuck(now=time.time() + 3600)
    assert counts["requeued"] == 1
    drain(app)
    job, _ = state(app, item_id)
    assert job.status == "ready" and job.attempts == 2

    second = request(app, person.id)
    with app.app_context():
        generation.generation_queue().empty()
        job = generation.job_for_item(second, person.id)
        job.status, job.attempts = "voicing", app.config["GENERATION_RETRIES"] + 1
        db.session.commit()
        counts = generation.recover_stuck(now=time.time() + 3600)
    assert counts["failed"] == 1
    job, _ = state(app, second)
    assert job.status == "failed"
    spends = [r.transaction_type for r in _ledger(db, person.id)]
    assert spends.count("consumption") == 2 and spends.count("refund") == 1


def test_recent_jobs_are_left_alone(app, db):
    person = make_user(app)
    request(app, person.id)
    with app.app_context():
        assert generation.recover_stuck() == {"requeued": 0, "failed": 0, "waiting": 0}


@pytest.mark.postgres
def test_concurrent_requests_never_exceed_the_credits(app, db):
    person = make_user(app, credits_=2)
    results = []
    barrier = threading.Barrier(6)

    def attempt():
        with app.app_context():
            user = db.session.get(User, person.id)
            barrier.wait()
            try:
                generation.request_generation(user, SPEC)
                results.append("ok")
            except InsufficientCredits:
                results.append("402")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == ["402"] * 4 + ["ok"] * 2
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ContentItem)) == 2
    assert db.session.get(User, person.id).credit_balance == 0


def _search_down(app, monkeypatch, error: Exception):
    from app.providers.search import get_search

    def outage(documents):
        raise error

    with app.app_context():
        monkeypatch.setattr(get_search(), "index", outage)


@pytest.mark.parametrize(
    "error", [ConnectionError("search index unavailable"), OSError("search index unwritable")], ids=["down", "disk"]
)
def test_a_search_outage_after_the_practice_is_saved_neither_fails_nor_refunds_it(app, db, monkeypatch, caplog, error):
    from app.models import PackItem, RitualPack
    from app.models.types import utcnow

    person = make_user(app, roles=["user", "creator"])
    item_id = request(app, person.id)
    with app.app_context():  # a published pack already holds the practice (as after a regenerate)
        pack = RitualPack(creator_id=person.id, title="Evening Calm", status="published", published_at=utcnow())
        db.session.add(pack)
        db.session.flush()
        db.session.add(PackItem(pack_id=pack.id, content_item_id=item_id, position=0))
        db.session.commit()
    _search_down(app, monkeypatch, error)
    with caplog.at_level("ERROR", logger="app.services.catalog"):
        drain(app)
    job, item = state(app, item_id)
    assert (job.status, job.error) == ("ready", None) and item.audio_url
    assert [r.transaction_type for r in _ledger(db, person.id)] == ["purchase", "consumption"]
    logged = [r for r in caplog.records if r.name == "app.services.catalog" and r.exc_info]
    assert logged and "flask search reindex" in logged[0].getMessage()


def test_failing_a_job_that_is_already_ready_changes_nothing(app, db):
    person = make_user(app)
    item_id = request(app, person.id)
    drain(app)
    with app.app_context():
        job = generation.job_for_item(item_id, person.id)
        generation.fail(job, "a late error")
    job, _ = state(app, item_id)
    assert (job.status, job.error) == ("ready", None)
    assert [r.transaction_type for r in _ledger(db, person.id)] == ["purchase", "consumption"]
