"""The jobs page: RQ queue lengths, failed generations with their error, retry and delete (audited).

A retry goes through the generation service's own queueing and charges nothing
(SECURITY.md 7, 8: tests/services/test_admin_jobs.py::test_a_retry_charges_nothing_and_makes_one_object).
"""

from __future__ import annotations

import uuid

from flask import flash, redirect, url_for
from werkzeug.wrappers import Response

from app.blueprints.admin import bp
from app.blueprints.admin.routes import actor, admin_required, no_store, page_arg
from app.htmx import render
from app.services import ServiceError, admin_jobs


def _jobs_page(*, status: int = 200, error: ServiceError | None = None) -> Response:
    if error is not None:
        flash(error.message, "error")
    page = page_arg() if error is None else 1
    return no_store(
        render(
            "admin/jobs.html",
            queues=admin_jobs.queue_lengths(),
            failed=admin_jobs.failed_generations(page),
            registry=admin_jobs.registry_entries(),
            status=status,
        )
    )


@bp.get("/jobs")
@admin_required
def jobs() -> Response:
    return _jobs_page()


def _done(message: str) -> Response:
    flash(message, "success")
    return redirect(url_for("admin.jobs"), code=303)


@bp.post("/jobs/<uuid:job_id>/retry")
@admin_required
def retry_job(job_id: uuid.UUID) -> Response:
    try:
        admin_jobs.retry_generation(job_id, actor())
    except ServiceError as exc:
        return _jobs_page(status=exc.status, error=exc)
    return _done("The generation is queued again.")


@bp.post("/jobs/<uuid:job_id>/delete")
@admin_required
def delete_job(job_id: uuid.UUID) -> Response:
    try:
        admin_jobs.delete_generation(job_id, actor())
    except ServiceError as exc:
        return _jobs_page(status=exc.status, error=exc)
    return _done("The failed generation is off the list; its practice and ledger rows are kept.")


@bp.post("/jobs/rq/<queue>/<rq_id>/retry")
@admin_required
def retry_rq_job(queue: str, rq_id: str) -> Response:
    try:
        admin_jobs.retry_entry(queue, rq_id, actor())
    except ServiceError as exc:
        return _jobs_page(status=exc.status, error=exc)
    return _done("The job is queued again.")


@bp.post("/jobs/rq/<queue>/<rq_id>/delete")
@admin_required
def delete_rq_job(queue: str, rq_id: str) -> Response:
    try:
        admin_jobs.delete_entry(queue, rq_id, actor())
    except ServiceError as exc:
        return _jobs_page(status=exc.status, error=exc)
    return _done("The failed job is deleted.")
