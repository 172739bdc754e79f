"""The RQ worker: the app is built once and every job runs inside its own app context.

It runs jobs in its own process (no fork per job), so the voice model loads once per worker
process and stays loaded; a worker that dies is recovered by `generation.recover_stuck`.
"""

from __future__ import annotations

import logging

from flask import Flask
from rq import Queue, SimpleWorker

from app.tasks import QUEUES, queue_connection

log = logging.getLogger(__name__)


class AppWorker(SimpleWorker):
    flask_app: Flask

    def perform_job(self, job, queue, *args, **kwargs):  # type: ignore[no-untyped-def]
        log.info("job %s (%s) starting", job.id, job.func_name)
        with self.flask_app.app_context():
            return super().perform_job(job, queue, *args, **kwargs)

    def run_maintenance_tasks(self):  # type: ignore[no-untyped-def]
        super().run_maintenance_tasks()
        from app.services.generation import recover_stuck

        with self.flask_app.app_context():
            try:
                counts = recover_stuck()
            except Exception:
                log.exception("recovering stuck generations failed")
            else:
                if counts["requeued"] or counts["failed"]:
                    log.warning("recovered stuck generations: %s", counts)


def build_worker(app: Flask, *, queues: list[str] | None = None) -> AppWorker:
    connection = queue_connection(app)
    worker = AppWorker([Queue(name, connection=connection) for name in queues or QUEUES], connection=connection)
    worker.flask_app = app
    return worker


def run_worker(app: Flask, *, burst: bool = False) -> bool:
    worker = build_worker(app)
    log.info("worker listening on %s", ", ".join(QUEUES))
    return worker.work(burst=burst, with_scheduler=True)
