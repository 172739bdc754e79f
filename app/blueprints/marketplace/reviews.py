"""Reviews and reports on the pack page: the reviews section, writing or editing your review,
reporting a pack or a review. Every form is a plain POST with its CSRF token (SECURITY.md 15:
tests/blueprints/test_reviews_pages.py::test_every_form_needs_the_csrf_token)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.blueprints.marketplace import bp
from app.extensions import db
from app.htmx import is_htmx_request, render
from app.models import PackReview
from app.services import Conflict, ServiceError, pack_pages, reports, reviews

log = logging.getLogger(__name__)

PER_PAGE = 10
REPORT_REASONS = list(reports.REASON_LABELS.items())


@dataclass
class ReviewsSection:
    """What the reviews part of a pack page shows to this viewer."""

    pack_id: uuid.UUID
    page: reviews.ReviewPage
    count: int
    signed_in: bool
    can_review: bool
    refusal: str | None
    mine: PackReview | None
    form: dict[str, Any]
    errors: dict[str, str]
    report: dict[str, Any]
    reasons: list[tuple[str, str]] = field(default_factory=lambda: REPORT_REASONS)
    viewer_id: uuid.UUID | None = None


def _viewer_id() -> uuid.UUID | None:
    return current_user.id if current_user.is_authenticated else None


def _page_arg() -> int:
    return max(1, min(request.args.get("reviews_page", 1, type=int) or 1, reviews.MAX_PAGE))


@bp.app_template_global()
def reviews_section(pack_id: uuid.UUID, standing: str) -> ReviewsSection:
    """The reviews section of a pack page; a failed form post leaves what was typed on `g`."""
    viewer = _viewer_id()
    page = reviews.for_pack(pack_id, page=_page_arg(), per_page=PER_PAGE)
    mine = reviews.mine(viewer, pack_id) if viewer else None
    refusal = reviews.refusal(viewer, pack_id) if viewer and standing != "creator" else None
    form = g.get("review_form") or (
        {"rating": str(mine.rating), "body": mine.body} if mine else {"rating": "", "body": ""}
    )
    return ReviewsSection(
        pack_id=pack_id,
        page=page,
        count=page.total,
        signed_in=viewer is not None,
        can_review=viewer is not None and standing != "creator" and refusal is None,
        refusal=refusal,
        mine=mine,
        form=form,
        errors=g.get("review_errors") or {},
        report=g.get("report_form") or {},
        viewer_id=viewer,
    )


def _pack_page(pack_id: uuid.UUID, status: int = 200) -> Response:
    view = pack_pages.pack_page(pack_id, _viewer_id())
    return render("marketplace/pack.html", view=view, status=status)


def _back(pack_id: uuid.UUID, anchor: str) -> Response:
    return redirect(url_for("marketplace.pack", pack_id=pack_id, _anchor=anchor), code=303)


@bp.get("/packs/<uuid:pack_id>/reviews")
def pack_reviews(pack_id: uuid.UUID) -> Response:
    """A page of reviews: the list alone for htmx, else the whole pack page at that page of reviews."""
    view = pack_pages.pack_page(pack_id, _viewer_id(), with_previews=not is_htmx_request())
    section = reviews_section(pack_id, view.standing)
    return render("marketplace/pack.html", "marketplace/_review_list.html", view=view, section=section)


@bp.post("/packs/<uuid:pack_id>/review")
def review_pack(pack_id: uuid.UUID) -> Response:
    """Write or edit the viewer's review; a refusal or bad input shows the pack page again with the message."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=url_for("marketplace.pack", pack_id=pack_id)))
    rating, body = request.form.get("rating", ""), request.form.get("body", "")
    had_review = reviews.mine(current_user.id, pack_id) is not None
    try:
        reviews.submit(current_user.id, pack_id, rating, body)
    except ServiceError as exc:
        db.session.rollback()
        if exc.status == 404:
            raise
        log.info("review of pack %s by %s refused: %s", pack_id, current_user.id, exc.message)
        g.review_form = {"rating": rating, "body": body}
        g.review_errors = {exc.field or "form": exc.message}
        return _pack_page(pack_id, status=exc.status)
    flash("Your review is updated. Thank you." if had_review else "Thank you for your review.", "success")
    return _back(pack_id, "reviews")


def _report(
    page_pack: uuid.UUID, target: str, *, pack_id: uuid.UUID | None = None, review_id: uuid.UUID | None = None
) -> Response:
    """File a report from the form; a repeat says thank you, bad input shows the form again."""
    reason, note = request.form.get("reason", ""), request.form.get("note", "")
    try:
        reports.file(current_user.id, pack_id=pack_id, review_id=review_id, reason=reason, note=note)
    except Conflict as exc:
        flash(exc.message, "info")
        return _back(page_pack, "reviews")
    except ServiceError as exc:
        db.session.rollback()
        if exc.status == 404:
            raise
        g.report_form = {"target": target, "reason": reason, "note": note, "error": exc.message}
        return _pack_page(page_pack, status=exc.status)
    flash("Thank you for telling us. A moderator will look at it.", "success")
    return _back(page_pack, "reviews")


@bp.post("/packs/<uuid:pack_id>/report")
def report_pack(pack_id: uuid.UUID) -> Response:
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=url_for("marketplace.pack", pack_id=pack_id)))
    return _report(pack_id, "pack", pack_id=pack_id)


@bp.post("/reviews/<uuid:review_id>/report")
def report_review(review_id: uuid.UUID) -> Response:
    review = db.session.get(PackReview, review_id)
    if review is None or review.hidden_at is not None:
        abort(404)
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=url_for("marketplace.pack", pack_id=review.pack_id)))
    return _report(review.pack_id, str(review_id), review_id=review_id)
