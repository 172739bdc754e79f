"""A pack's life: draft → in_review → published → archived, and back to draft to change it.

Creators submit, withdraw, archive and reopen their own packs; admins approve, reject and take
down. Each transition locks the pack row, refuses from any other status with a message saying
why, and (when the catalog can change) re-indexes the pack and drops cached searches after the
commit. A draft or a pack in review is never in the catalog.
"""

from __future__ import annotations

import logging
import uuid

import sqlalchemy as sa

from app.extensions import db
from app.models import ContentItem, Entitlement, PackItem, Purchase, RitualPack, User
from app.models.types import utcnow
from app.services import Conflict, NotFound, ServiceError, audit, catalog, notifications, subscriptions
from app.services.access import Forbidden
from app.services.fulfilment import mark_for_cancel
from app.services.studio import STATUS_LABELS, owned_pack
from app.services.studio_fields import MIN_PRICE

log = logging.getLogger(__name__)

MIN_ITEMS = 2
MAX_REASON = 1000


def missing(pack: RitualPack) -> list[str]:
    """What the pack still needs before it can be submitted for review (empty when complete)."""
    needs = []
    ready = (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(PackItem)
            .join(ContentItem, ContentItem.id == PackItem.content_item_id)
            .where(PackItem.pack_id == pack.id, ContentItem.audio_url.is_not(None))
        )
        or 0
    )
    if ready < MIN_ITEMS:
        needs.append(f"At least {MIN_ITEMS} practices that are ready to play (it has {ready}).")
    if not (pack.description or "").strip():
        needs.append("A description that tells listeners what the pack is for.")
    if pack.price_type != "free" and (pack.price_amount or 0) < MIN_PRICE:
        needs.append("A price for a paid pack ($0.50 or more).")
    if pack.price_type == "subscription" and not pack.subscription_interval:
        needs.append("A billing interval (monthly or annual) for the subscription.")
    return needs


class Incomplete(ServiceError):
    """Submitting a pack that is not ready for review: `missing` lists what it needs."""

    def __init__(self, needs: list[str], lead: str = "This pack is not ready for review yet.") -> None:
        super().__init__(f"{lead} It needs: " + " ".join(needs), field="pack")
        self.missing = needs
        self.problems = [{"field": "pack", "message": need} for need in needs]


def _refuse(pack: RitualPack, doing: str, allowed: tuple[str, ...]) -> None:
    """Conflict naming the pack's status when it is not one of `allowed`."""
    if pack.status in allowed:
        return
    db.session.rollback()
    raise Conflict(f"A pack that is {STATUS_LABELS[pack.status].lower()} cannot be {doing}.")


def _admin(actor: User) -> None:
    # SECURITY.md 10: moderation needs the admin role, here as well as in the views.
    if actor is None or not actor.has_role("admin") or not actor.is_active:
        raise Forbidden("Only an admin can moderate packs.")


def _reason(reason: str, what: str) -> str:
    text = " ".join((reason or "").split())
    if not text:
        raise ServiceError(f"Give the creator a reason for the {what}.", field="reason")
    if len(text) > MAX_REASON:
        raise ServiceError(f"Keep the reason under {MAX_REASON + 1} characters.", field="reason")
    return text


def _locked(pack_id: uuid.UUID) -> RitualPack:
    pack = db.session.scalar(sa.select(RitualPack).where(RitualPack.id == pack_id).with_for_update())
    if pack is None:
        raise NotFound("No such pack.")
    return pack


def submit(creator_id: uuid.UUID, pack_id: uuid.UUID) -> RitualPack:
    """Draft → in review, once complete; else 422 listing exactly what is missing."""
    pack = owned_pack(creator_id, pack_id, lock=True)
    _refuse(pack, "submitted for review (only a draft can)", ("draft",))
    needs = missing(pack)
    if needs:
        db.session.rollback()
        raise Incomplete(needs)
    pack.status, pack.submitted_at, pack.moderation_note = "in_review", utcnow(), None
    db.session.commit()
    log.info("pack %s submitted for review by %s", pack.id, creator_id)
    return pack


def back_to_draft(creator_id: uuid.UUID, pack_id: uuid.UUID) -> RitualPack:
    """In review (withdrawn) or archived → draft, to change it and submit again; buyers keep their access."""
    pack = owned_pack(creator_id, pack_id, lock=True)
    _refuse(pack, "taken back to draft (only one in review or archived can)", ("in_review", "archived"))
    pack.status, pack.submitted_at = "draft", None
    db.session.commit()
    catalog.pack_changed(pack.id)
    return pack


def archive(creator_id: uuid.UUID, pack_id: uuid.UUID) -> RitualPack:
    """Published → archived by its creator: gone from the catalog and search at once, while everyone
    who holds it keeps playing it (tests/services/test_pack_lifecycle.py::
    test_archiving_hides_the_pack_at_once_and_buyers_keep_it)."""
    pack = owned_pack(creator_id, pack_id, lock=True)
    _refuse(pack, "archived (only a published one can)", ("published",))
    pack.status, pack.archived_at = "archived", utcnow()
    db.session.commit()
    catalog.pack_changed(pack.id)
    log.info("pack %s archived by its creator", pack.id)
    return pack


def approve(pack_id: uuid.UUID, actor: User) -> RitualPack:
    """In review → published (an admin's decision): the creator is told and the catalog shows it at once."""
    _admin(actor)
    pack = _locked(pack_id)
    _refuse(pack, "approved (only one in review can)", ("in_review",))
    if pack.creator_id == actor.id:
        # SECURITY.md 10: an admin's own pack is reviewed by another admin
        # (tests/services/test_pack_lifecycle.py::test_an_admin_cannot_approve_their_own_pack).
        db.session.rollback()
        raise Forbidden("You cannot approve your own pack: another admin must review it.")
    needs = missing(pack)
    if needs:
        # tests/services/test_pack_lifecycle.py::test_a_pack_no_longer_complete_cannot_be_approved
        db.session.rollback()
        raise Incomplete(needs, "This pack is no longer complete, so it cannot be approved.")
    now = utcnow()
    pack.status, pack.moderation_note, pack.archived_at = "published", None, None
    pack.published_at = pack.published_at or now
    notifications.notify(
        pack.creator_id, "pack_approved", f"Your pack “{pack.title}” was approved and is now on sale.", pack_id=pack.id
    )
    # SECURITY.md 22: tests/services/test_pack_lifecycle.py::test_approval_publishes_notifies_and_audits
    audit.record(
        "pack.approve",
        actor=actor,
        target_type="pack",
        target_id=pack.id,
        before={"status": "in_review"},
        after={"status": "published", "published_at": pack.published_at.isoformat()},
    )
    db.session.commit()
    catalog.pack_changed(pack.id)
    log.info("pack %s approved by %s", pack.id, actor.email)
    return pack


def reject(pack_id: uuid.UUID, actor: User, reason: str) -> RitualPack:
    """In review → draft with the admin's reason, which the creator sees in the studio."""
    _admin(actor)
    text = _reason(reason, "rejection")
    pack = _locked(pack_id)
    _refuse(pack, "rejected (only one in review can)", ("in_review",))
    pack.status, pack.moderation_note, pack.submitted_at = "draft", text, None
    notifications.notify(
        pack.creator_id, "pack_rejected", f"Your pack “{pack.title}” was not approved: {text}", pack_id=pack.id
    )
    audit.record(
        "pack.reject",
        actor=actor,
        target_type="pack",
        target_id=pack.id,
        before={"status": "in_review"},
        after={"status": "draft", "reason": text},
    )
    db.session.commit()
    log.info("pack %s rejected by %s", pack.id, actor.email)
    return pack


def take_down(pack_id: uuid.UUID, actor: User, reason: str, *, revoke_access: bool = False) -> RitualPack:
    """Any pack → archived by an admin, with the reason shown to its creator; listeners keep it unless
    `revoke_access` ends every entitlement too (tests/services/test_pack_lifecycle.py::
    test_a_takedown_keeps_buyers_access_unless_revoked)."""
    _admin(actor)
    text = _reason(reason, "takedown")
    pack = _locked(pack_id)
    before = pack.status
    now = utcnow()
    pack.status, pack.moderation_note, pack.submitted_at = "archived", text, None
    pack.archived_at = pack.archived_at if before == "archived" else now
    pack.meta = {**(pack.meta or {}), "taken_down": {"at": now.isoformat(), "by": str(actor.id), "reason": text}}
    revoked = 0
    to_cancel: list[uuid.UUID] = []
    if revoke_access:
        to_cancel = _mark_subscriptions(pack.id)
        revoked = (
            db.session.execute(
                sa.update(Entitlement)
                .where(Entitlement.pack_id == pack.id, Entitlement.revoked_at.is_(None))
                .values(revoked_at=now)
            ).rowcount
            or 0
        )
    notifications.notify(
        pack.creator_id, "pack_taken_down", f"Your pack “{pack.title}” was taken down: {text}", pack_id=pack.id
    )
    # SECURITY.md 22: tests/services/test_pack_lifecycle.py::test_a_takedown_keeps_buyers_access_unless_revoked
    audit.record(
        "pack.takedown",
        actor=actor,
        target_type="pack",
        target_id=pack.id,
        before={"status": before},
        after={
            "status": "archived",
            "reason": text,
            "revoke_access": revoke_access,
            "revoked_entitlements": revoked,
            "subscriptions_to_cancel": len(to_cancel),
        },
    )
    db.session.commit()
    catalog.pack_changed(pack.id)
    subscriptions.cancel_marked(to_cancel)  # a failure keeps its mark for reconcile
    log.warning("pack %s taken down by %s (access revoked: %s, %d)", pack.id, actor.email, revoke_access, revoked)
    return pack


def _mark_subscriptions(pack_id: uuid.UUID) -> list[uuid.UUID]:
    """Mark every running subscription to the pack to be canceled: access revoked by a takedown is not
    billed again (SECURITY.md 5: tests/services/test_pack_lifecycle.py::
    test_a_takedown_that_revokes_access_cancels_the_subscriptions). Locked before the entitlements,
    in the order the webhook locks a purchase, then its entitlement."""
    running = db.session.scalars(
        sa.select(Purchase)
        .where(
            Purchase.pack_id == pack_id,
            Purchase.kind == "subscription",
            Purchase.status == "paid",
            Purchase.stripe_checkout_session_id.is_not(None),
            Purchase.stripe_subscription_id.is_not(None),
        )
        .order_by(Purchase.id)
        .with_for_update()
    ).all()
    return [p.id for p in running if mark_for_cancel(p, "pack taken down")]


def review_queue() -> list[RitualPack]:
    """Packs waiting for review, the longest waiting first."""
    return list(
        db.session.scalars(
            sa.select(RitualPack)
            .where(RitualPack.status == "in_review")
            .order_by(RitualPack.submitted_at.asc().nulls_first(), RitualPack.created_at)
        )
    )
