"""The moderation queue as admins see it: packs in review with their items (a signed URL to listen,
the script to read), open reports grouped by what they report, and pending payout requests.

The decisions themselves belong to `pack_lifecycle`, `reports` and `payouts`; this module gathers
what an admin needs to make them and applies a decision to every open report of the same target.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import ContentItem, CreatorProfile, PackItem, PackReview, PayoutRequest, Report, RitualPack, User
from app.providers.storage import get_storage
from app.services import Conflict, NotFound, ServiceError, creator_tokens, pack_lifecycle, payouts
from app.services import reports as reports_service
from app.services.catalog import INTERVAL_LABELS, money

log = logging.getLogger(__name__)

MAX_REASON = 1000


def price_label(pack: RitualPack) -> str:
    """ "Free", "$4.99" or "$3.99 / month", as buyers would see it (or "No price set")."""
    if pack.price_type == "free":
        return "Free"
    if not pack.price_amount:
        return "No price set"
    label = money(pack.price_amount, pack.currency)
    if pack.price_type == "subscription":
        return f"{label} / {INTERVAL_LABELS.get(pack.subscription_interval or '', 'month')}"
    return label


@dataclass
class ItemForReview:
    item: ContentItem
    audio_url: str | None  # signed, expiring: the whole track, for admins only


@dataclass
class PackForReview:
    pack: RitualPack
    creator_email: str
    creator_name: str | None
    price: str
    items: list[ItemForReview]


@dataclass
class ReportGroup:
    """Every open report about one pack or one review, oldest first."""

    target_type: str
    reports: list[Report]
    reporters: dict[uuid.UUID, str]
    pack: RitualPack | None = None
    pack_creator: str | None = None
    review: PackReview | None = None
    review_author: str | None = None
    review_pack_title: str | None = None

    @property
    def first_id(self) -> uuid.UUID:
        return self.reports[0].id

    @property
    def key(self) -> str:
        target = self.review.id if self.review is not None else (self.pack.id if self.pack is not None else "")
        return f"{self.target_type}-{target}"


@dataclass
class PendingPayout:
    request: PayoutRequest
    creator_email: str
    creator_name: str | None
    balance: int


@dataclass
class ModerationQueue:
    packs: list[PackForReview] = field(default_factory=list)
    reports: list[ReportGroup] = field(default_factory=list)
    payouts: list[PendingPayout] = field(default_factory=list)


def _creators(user_ids: set[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str | None]]:
    """Each user's email and creator display name (if any)."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        sa.select(User.id, User.email, CreatorProfile.display_name)
        .outerjoin(CreatorProfile, CreatorProfile.user_id == User.id)
        .where(User.id.in_(user_ids))
    ).all()
    return {row.id: (row.email, row.display_name) for row in rows}


def _items(pack_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[ItemForReview]]:
    found: dict[uuid.UUID, list[ItemForReview]] = {pack_id: [] for pack_id in pack_ids}
    if not pack_ids:
        return found
    rows = db.session.execute(
        sa.select(PackItem.pack_id, ContentItem)
        .join(ContentItem, ContentItem.id == PackItem.content_item_id)
        .where(PackItem.pack_id.in_(pack_ids))
        .order_by(PackItem.pack_id, PackItem.position, PackItem.created_at)
    ).all()
    storage = get_storage()
    seconds = int(current_app.config["SIGNED_URL_SECONDS"])
    for pack_id, item in rows:
        url = storage.signed_url(item.audio_url, seconds).url if item.audio_url else None
        found[pack_id].append(ItemForReview(item, url))
    return found


def packs_for_review() -> list[PackForReview]:
    """Packs waiting for a decision, oldest submission first, each with what an admin checks."""
    packs = pack_lifecycle.review_queue()
    people = _creators({p.creator_id for p in packs})
    items = _items([p.id for p in packs])
    return [
        PackForReview(
            pack=p,
            creator_email=people.get(p.creator_id, ("", None))[0],
            creator_name=people.get(p.creator_id, ("", None))[1],
            price=price_label(p),
            items=items.get(p.id, []),
        )
        for p in packs
    ]


def report_groups() -> list[ReportGroup]:
    """Open reports grouped by their pack or review, the group with the oldest report first."""
    open_reports = reports_service.open_reports()
    review_ids = {r.review_id for r in open_reports if r.target_type == "review" and r.review_id}
    reviews = (
        {r.id: r for r in db.session.scalars(sa.select(PackReview).where(PackReview.id.in_(review_ids)))}
        if review_ids
        else {}
    )
    pack_ids = {r.pack_id for r in open_reports if r.target_type == "pack" and r.pack_id}
    pack_ids |= {review.pack_id for review in reviews.values()}
    packs = (
        {p.id: p for p in db.session.scalars(sa.select(RitualPack).where(RitualPack.id.in_(pack_ids)))}
        if pack_ids
        else {}
    )
    people = _creators(
        {r.reporter_id for r in open_reports}
        | {p.creator_id for p in packs.values()}
        | {review.user_id for review in reviews.values()}
    )
    groups: dict[tuple[str, uuid.UUID | None], ReportGroup] = {}
    for report in open_reports:
        target = report.review_id if report.target_type == "review" else report.pack_id
        group = groups.get((report.target_type, target))
        if group is None:
            group = ReportGroup(target_type=report.target_type, reports=[], reporters={})
            if report.target_type == "review":
                group.review = reviews.get(report.review_id)
                if group.review is not None:
                    group.review_author = people.get(group.review.user_id, ("", None))[0]
                    pack = packs.get(group.review.pack_id)
                    group.review_pack_title = pack.title if pack is not None else None
            else:
                group.pack = packs.get(report.pack_id)
                if group.pack is not None:
                    owner = people.get(group.pack.creator_id, ("", None))
                    group.pack_creator = owner[1] or owner[0]
            groups[(report.target_type, target)] = group
        group.reports.append(report)
        group.reporters[report.id] = people.get(report.reporter_id, ("", None))[0]
    return list(groups.values())


def pending_payouts() -> list[PendingPayout]:
    """Payout requests waiting for a decision, with each creator's token balance."""
    requests = payouts.pending()
    people = _creators({r.creator_id for r in requests})
    return [
        PendingPayout(
            request=r,
            creator_email=people.get(r.creator_id, ("", None))[0],
            creator_name=people.get(r.creator_id, ("", None))[1],
            balance=creator_tokens.balance(r.creator_id),
        )
        for r in requests
    ]


def queue() -> ModerationQueue:
    """Everything waiting for an admin."""
    return ModerationQueue(packs=packs_for_review(), reports=report_groups(), payouts=pending_payouts())


def reason_text(reason: str | None, *, what: str) -> str:
    """A required reason, trimmed, of at most MAX_REASON characters; else ServiceError naming `reason`."""
    text = (reason or "").strip()
    if not text:
        raise ServiceError(f"Give a reason for {what}; the creator sees it.", field="reason")
    if len(text) > MAX_REASON:
        raise ServiceError(f"Keep the reason under {MAX_REASON} characters.", field="reason")
    if "\x00" in text:
        raise ServiceError("The reason holds a character that cannot be stored.", field="reason")
    return text


def _open_report(report_id: uuid.UUID) -> Report:
    report = db.session.get(Report, report_id)
    if report is None:
        raise NotFound("No such report.")
    if report.status != "open":
        raise Conflict("This report was already resolved.")
    return report


def _same_target(report: Report) -> list[uuid.UUID]:
    """Ids of the open reports about the same pack or review, oldest first."""
    target = (
        Report.review_id == report.review_id if report.target_type == "review" else Report.pack_id == report.pack_id
    )
    return list(
        db.session.scalars(
            sa.select(Report.id)
            .where(Report.status == "open", Report.target_type == report.target_type, target)
            .order_by(Report.created_at, Report.id)
        )
    )


def dismiss(report_id: uuid.UUID, actor: User) -> int:
    """Dismiss the report and every other open report about the same target; how many were dismissed."""
    ids = _same_target(_open_report(report_id))
    for rid in ids:
        reports_service.dismiss(rid, actor)
    return len(ids)


def hide_review(report_id: uuid.UUID, actor: User, reason: str) -> Report:
    """Hide the reported review; every open report about it is actioned with it (by `reports.hide_review`)."""
    report = _open_report(report_id)
    if report.target_type != "review":
        raise ServiceError("Only a reported review can be hidden.", field="action")
    return reports_service.hide_review(report.id, actor, reason_text(reason, what="hiding the review"))


def take_down(report_id: uuid.UUID, actor: User, reason: str, *, revoke_access: bool = False) -> Report:
    """Take the reported pack down (every open report of that pack is actioned by `reports.take_down`)."""
    report = _open_report(report_id)
    if report.target_type != "pack":
        raise ServiceError("Only a reported pack can be taken down.", field="action")
    reason = reason_text(reason, what="the takedown")
    return reports_service.take_down(report.id, actor, reason, revoke_access=revoke_access)
