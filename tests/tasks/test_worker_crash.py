"""SECURITY.md 7–8: a worker killed mid-job leaves the practice retried, never stuck, never charged twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from app.models import CreditTransaction, GenerationJob
from app.providers.storage import get_storage
from tests.factories import make_user
from tests.generation_helpers import SPEC, drain, request, seed_voices, state

ROOT = Path(__file__).resolve().parents[2]


def _wait_for_status(app, item_id, wanted: set[str], timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job, _ = state(app, item_id)
        if job.status in wanted:
            return job.status
        time.sleep(0.1)
    raise AssertionError(f"job never reached {wanted}; last status {job.status}")


def test_sigkilled_worker_job_is_retried_once_and_charged_once(app, db, database_url, redis_url):
    seed_voices(app)
    app.config["GENERATION_RETRY_DELAYS"] = [0, 0, 0]  # a retried job is queued at once, not scheduled
    person = make_user(app)
    item_id = request(app, person.id, {**SPEC, "duration_minutes": 4})
    env = {
        **os.environ,
        "WAQUP_ENV": "development",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "INSTANCE_PATH": app.instance_path,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "LOG_LEVEL": "WARNING",
    }
    worker = subprocess.Popen([sys.executable, "worker.py"], cwd=ROOT, env=env, start_new_session=True)
    try:
        assert _wait_for_status(app, item_id, {"voicing", "mixing", "ready"}) == "voicing"
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)

    job, _ = state(app, item_id)
    assert job.status == "voicing" and job.attempts == 1  # the row the dead worker left behind

    with app.app_context():
        from app.services import generation

        # An hour later the dead worker's heartbeat has long expired: RQ hands the job back.
        counts = generation.recover_stuck(now=time.time() + 3600)
    assert counts["failed"] == 0
    drain(app)

    job, item = state(app, item_id)
    assert (job.status, job.attempts) == ("ready", 2)
    with app.app_context():
        assert get_storage().list(f"audio/{person.id}/") == [item.audio_url]
    kinds = db.session.scalars(
        sa.select(CreditTransaction.transaction_type).where(CreditTransaction.user_id == person.id)
    ).all()
    assert sorted(kinds) == ["consumption", "purchase"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GenerationJob)) == 1
