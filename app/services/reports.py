"""Reports of packs and reviews, and the moderation queue that resolves them.

Anyone logged in may report a pack they can see, or a visible review, with a reason from a fixed
list and an optional note; one open report per person and target. An admin resolves a report by
dismissing it, hiding the review, or taking the pack down; each resolution is audited.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import PackReview, Report, RitualPack, User
from app.models.marketplace import REPORT_REASONS
from app.models.types import as_utc, utcnow
from app.services import Conflict, NotFound, ServiceError, audit, pack_lifecycle, reviews

log = logging.getLogger(__name__)

MAX_NOTE = 1000
REASON_LABELS = {
    "spam": "Spam or advertising",
    "offensive": "Offensive or hateful",
    "misleading": "Misleading or not as described",
    "copyright": "Copyright or stolen content",
    "other": "Something else",
}
ALREADY_REPORTED = "You have already reported this and a moderator will look at it. Thank you."


@dataclass(frozen=True)
class ReportView:
    """A report with what it is about, for the moderation queue."""

    report: Report
    reporter_email: str
    pack_id: uuid.UUID | None
    pack_title: str | None
    pack_status: str | None
    review: reviews.ReviewView | None

    @property
    def reason_label(self) -> str:
        return REASON_LABELS.get(self.report.reason, self.report.reason)

    @property
    def created_at(self) -> datetime:
        return as_utc(self.report.created_at)


def _reason(value: object) -> str:
    if not isinstance(value, str) or value not in REPORT_REASONS:
        raise ServiceError("Choose a reason: " + ", ".join(REPORT_REASONS) + ".", field="reason")
    return value


def _target(
    reporter_id: uuid.UUID, pack_id: uuid.UUID | None, review_id: uuid.UUID | None
) -> tuple[str, uuid.UUID, uuid.UUID | None]:
    """(target type, pack id, review id) of what is reported, checking the reporter may see it."""
    if (pack_id is None) == (review_id is None):
        raise ServiceError("Report either a pack or a review.", field="pack_id")
    if review_id is not None:
        review = db.session.get(PackReview, review_id)
        if review is None or review.hidden_at is not None:
            raise NotFound("No such review.")
        reviews.visible_pack(review.pack_id, reporter_id)
        if review.user_id == reporter_id:
            raise ServiceError("This is your own review: edit it instead.", field="review_id")
        return "review", review.pack_id, review.id
    pack = reviews.visible_pack(pack_id, reporter_id)  # type: ignore[arg-type]
    if pack.creator_id == reporter_id:
        raise ServiceError("This is your own pack.", field="pack_id")
    return "pack", pack.id, None


def file(
    reporter_id: uuid.UUID,
    *,
    pack_id: uuid.UUID | None = None,
    review_id: uuid.UUID | None = None,
    reason: str,
    note: str = "",
) -> Report:
    """Report a pack or a review; 409 while the same person's report of it is still open."""
    reason = _reason(reason)
    text = reviews.clean_text(note, field="note", limit=MAX_NOTE, label="The note")
    # The reporter's row is locked so that two clicks at once still give one open report.
    if db.session.scalar(sa.select(User.id).where(User.id == reporter_id).with_for_update()) is None:
        raise NotFound("No such user.")
    try:
        target_type, target_pack, target_review = _target(reporter_id, pack_id, review_id)
    except ServiceError:
        db.session.rollback()
        raise
    same = sa.select(Report.id).where(
        Report.reporter_id == reporter_id,
        Report.status == "open",
        Report.target_type == target_type,
        Report.review_id == target_review if target_review else Report.pack_id == target_pack,
    )
    if db.session.scalar(sa.select(same.exists())):
        db.session.rollback()
        # tests/services/test_reports.py::test_one_open_report_per_person_and_target
        raise Conflict(ALREADY_REPORTED)
    report = Report(
        reporter_id=reporter_id,
        target_type=target_type,
        pack_id=target_pack,
        review_id=target_review,
        reason=reason,
        note=text,
    )
    db.session.add(report)
    db.session.commit()
    log.info("report %s: %s %s (%s) by %s", report.id, target_type, target_review or target_pack, reason, reporter_id)
    return report


def open_reports() -> list[Report]:
    """Every open report, oldest first."""
    return list(
        db.session.scalars(sa.select(Report).where(Report.status == "open").order_by(Report.created_at, Report.id))
    )


def open_queue() -> list[ReportView]:
    """The open reports with their reporter, pack and review, oldest first (for the moderation page)."""
    found = open_reports()
    emails = dict(
        db.session.execute(sa.select(User.id, User.email).where(User.id.in_({r.reporter_id for r in found}))).all()
    )
    pack_ids = {r.pack_id for r in found if r.pack_id}
    packs = {p.id: p for p in db.session.scalars(sa.select(RitualPack).where(RitualPack.id.in_(pack_ids)))}
    views = []
    for report in found:
        pack = packs.get(report.pack_id) if report.pack_id else None
        views.append(
            ReportView(
                report=report,
                reporter_email=emails.get(report.reporter_id, ""),
                pack_id=report.pack_id,
                pack_title=pack.title if pack else None,
                pack_status=pack.status if pack else None,
                review=reviews.view(report.review_id) if report.review_id else None,
            )
        )
    return views


def _open_report(report_id: uuid.UUID) -> Report:
    report = db.session.scalar(sa.select(Report).where(Report.id == report_id).with_for_update())
    if report is None:
        raise NotFound("No such report.")
    if report.status != "open":
        db.session.rollback()
        raise Conflict("This report was already resolved.")
    return report


def _resolve(report: Report, actor: User, status: str, resolution: str) -> None:
    report.status = status
    report.resolution = resolution
    report.resolved_by = actor.id
    report.resolved_at = utcnow()


def dismiss(report_id: uuid.UUID, actor: User) -> Report:
    """Close a report without action; audited."""
    report = _open_report(report_id)
    _resolve(report, actor, "dismissed", "dismissed")
    # SECURITY.md 22: tests/services/test_reports.py::test_each_resolution_is_audited
    audit.record(
        "report.dismiss",
        actor=actor,
        target_type="report",
        target_id=report.id,
        before={"status": "open"},
        after={
            "status": "dismissed",
            "target_type": report.target_type,
            "target_id": str(report.review_id or report.pack_id),
        },
    )
    db.session.commit()
    return report


def _action_open(where: sa.ColumnElement[bool], actor: User, resolution: str) -> int:
    """Mark every open report matching `where` as actioned; how many."""
    others = db.session.scalars(sa.select(Report).where(where, Report.status == "open").with_for_update()).all()
    for other in others:
        _resolve(other, actor, "actioned", resolution)
    return len(others)


def hide_review(report_id: uuid.UUID, actor: User, reason: str) -> Report:
    """Hide the reported review (audited as "review.hide"); every open report of it is actioned."""
    report = _open_report(report_id)
    if report.target_type != "review" or report.review_id is None:
        db.session.rollback()
        raise ServiceError("This report is about a pack, not a review.", field="report_id")
    try:
        reviews.hide(report.review_id, actor, reason, commit=False)
    except ServiceError:
        db.session.rollback()
        raise
    count = _action_open(Report.review_id == report.review_id, actor, "review_hidden")
    db.session.commit()
    log.info("report %s: review %s hidden (%d reports actioned)", report.id, report.review_id, count)
    return report


def take_down(report_id: uuid.UUID, actor: User, reason: str, *, revoke_access: bool = False) -> Report:
    """Take the reported pack down (audited as "pack.takedown"); every open report of that pack is actioned."""
    report = _open_report(report_id)
    if report.target_type != "pack" or report.pack_id is None:
        db.session.rollback()
        raise ServiceError("This report is about a review: hide the review instead.", field="report_id")
    pack_id = report.pack_id
    count = _action_open(sa.and_(Report.pack_id == pack_id, Report.target_type == "pack"), actor, "pack_taken_down")
    db.session.flush()
    # The take-down commits the reports' resolution with it, or rolls everything back.
    try:
        pack_lifecycle.take_down(pack_id, actor, reason, revoke_access=revoke_access)
    except Exception:
        db.session.rollback()
        log.warning("report %s: taking pack %s down failed; nothing resolved", report_id, pack_id)
        raise
    db.session.commit()
    log.info("report %s: pack %s taken down (%d reports actioned)", report.id, pack_id, count)
    return report
