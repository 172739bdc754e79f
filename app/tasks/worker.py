"""The RQ worker: the app is built once and every job runs inside its app context."""

from __future__ import annotations

import logging

import redis
from flask import Flask
from rq import Queue, Worker

from app.tasks import QUEUES

log = logging.getLogger(__name__)


def queue_connection(app: Flask) -> redis.Redis:
    """A binary-safe connection for RQ (it stores pickled job data)."""
    return redis.Redis.from_url(app.config["REDIS_URL"])


class AppWorker(Worker):
    """Runs each job inside the application context and logs its id."""

    flask_app: Flask

    def perform_job(self, job, queue):  # type: ignore[no-untyped-def]
        log.info("job %s (%s) starting", job.id, job.func_name)
        with self.flask_app.app_context():
            return super().perform_job(job, queue)


def run_worker(app: Flask, *, burst: bool = False) -> bool:
    connection = queue_connection(app)
    queues = [Queue(name, connection=connection) for name in QUEUES]
    worker = AppWorker(queues, connection=connection)
    worker.flask_app = app
    log.info("worker listening on %s", ", ".join(QUEUES))
    return worker.work(burst=burst, with_scheduler=True)
