"""A pack's lifecycle: draft → in review → published → archived, its guards, moderation, and what
buyers, the catalog and search see at each step."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from app.models import AuditLog, Entitlement, Notification, PackItem, RitualPack, User
from app.providers.search import SearchQuery
from app.services import Conflict, NotFound, ServiceError, access, catalog, catalog_search, pack_lifecycle, pack_pages
from app.services.access import Forbidden
from tests.factories import make_user
from tests.library_helpers import entitle, make_item
from tests.marketplace_helpers import make_creator, pack_item_ids, publish_pack


@pytest.fixture
def people(app):
    return {"creator": make_creator(app), "admin": make_user(app, roles=["admin"]).id, "buyer": make_user(app).id}


def _pack(app, creator, status="draft", **fields):
    return publish_pack(app, creator, status=status, index=status == "published", **fields)


def _user(db, user_id):
    return db.session.get(User, user_id)


def _in_search(words: str, pack_id: uuid.UUID) -> bool:
    ids, _total, _suggestion, _cached = catalog_search.search_ids(SearchQuery(text=words))
    return str(pack_id) in ids


def test_submitting_lists_exactly_what_is_missing(app, db, people):
    creator = people["creator"]
    pack_id = _pack(app, creator, description="", items=())
    with pytest.raises(pack_lifecycle.Incomplete) as refused:
        pack_lifecycle.submit(creator, pack_id)
    assert refused.value.status == 422
    assert refused.value.missing == [
        "At least 2 practices that are ready to play (it has 0).",
        "A description that tells listeners what the pack is for.",
    ]
    assert [p["message"] for p in refused.value.problems] == refused.value.missing
    item = make_item(app, creator, title="Only one")
    waiting = make_item(app, creator, title="Still voicing", ready=False)
    db.session.add_all(
        [PackItem(pack_id=pack_id, content_item_id=i, position=n) for n, i in enumerate([item, waiting])]
    )
    db.session.commit()
    with pytest.raises(pack_lifecycle.Incomplete) as again:
        pack_lifecycle.submit(creator, pack_id)
    assert "At least 2 practices that are ready to play (it has 1)." in again.value.missing
    assert db.session.get(RitualPack, pack_id).status == "draft"

    complete = _pack(app, creator)
    pack = pack_lifecycle.submit(creator, complete)
    assert pack.status == "in_review" and pack.submitted_at is not None


def test_every_illegal_transition_is_refused_with_a_clear_message(app, db, people):
    creator, admin = people["creator"], _user(db, people["admin"])
    steps = {
        "submit": (lambda p: pack_lifecycle.submit(creator, p), {"draft"}),
        "archive": (lambda p: pack_lifecycle.archive(creator, p), {"published"}),
        "back_to_draft": (lambda p: pack_lifecycle.back_to_draft(creator, p), {"in_review", "archived"}),
        "approve": (lambda p: pack_lifecycle.approve(p, admin), {"in_review"}),
        "reject": (lambda p: pack_lifecycle.reject(p, admin, "Too short."), {"in_review"}),
    }
    for status in ("draft", "in_review", "published", "archived"):
        for name, (step, allowed) in steps.items():
            pack_id = _pack(app, creator, status=status, title=f"{name} from {status}")
            if status in allowed:
                step(pack_id)
                continue
            with pytest.raises(Conflict) as refused:
                step(pack_id)
            label = {"draft": "draft", "in_review": "in review", "published": "published", "archived": "archived"}
            assert f"A pack that is {label[status]} cannot be" in refused.value.message, (name, status)
            db.session.expire_all()
            assert db.session.get(RitualPack, pack_id).status == status, (name, status)


def test_a_creator_cannot_move_another_creators_pack(app, db, people):
    other = make_creator(app, "Theo")
    for status, step in (
        ("draft", pack_lifecycle.submit),
        ("published", pack_lifecycle.archive),
        ("archived", pack_lifecycle.back_to_draft),
    ):
        pack_id = _pack(app, people["creator"], status=status)
        with pytest.raises(NotFound):
            step(other, pack_id)


def test_approval_publishes_notifies_and_audits(app, db, people):
    creator, admin = people["creator"], _user(db, people["admin"])
    pack_id = _pack(app, creator, status="in_review", title="Harbour Evenings")
    assert not _in_search("harbour", pack_id)
    pack = pack_lifecycle.approve(pack_id, admin)
    assert pack.status == "published" and pack.published_at is not None
    assert catalog.card(pack_id) is not None and _in_search("harbour", pack_id)
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == creator))
    assert note.kind == "pack_approved" and "Harbour Evenings" in note.message and note.pack_id == pack_id
    row = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "pack.approve"))
    assert row.actor_id == admin.id and row.target_id == str(pack_id)
    assert row.before == {"status": "in_review"} and row.after["status"] == "published"


def test_a_pack_published_before_keeps_its_first_publication_date(app, db, people):
    creator, admin = people["creator"], _user(db, people["admin"])
    pack_id = _pack(app, creator, status="published")
    first = db.session.get(RitualPack, pack_id).published_at
    pack_lifecycle.archive(creator, pack_id)
    pack_lifecycle.back_to_draft(creator, pack_id)
    pack_lifecycle.submit(creator, pack_id)
    assert pack_lifecycle.approve(pack_id, admin).published_at == first


def test_rejection_returns_the_pack_to_draft_with_the_reason(app, db, people):
    creator, admin = people["creator"], _user(db, people["admin"])
    pack_id = _pack(app, creator, status="in_review", title="Quick Calm")
    with pytest.raises(ServiceError, match="reason") as no_reason:
        pack_lifecycle.reject(pack_id, admin, "   ")
    assert no_reason.value.status == 422
    db.session.expire_all()
    assert db.session.get(RitualPack, pack_id).status == "in_review"
    pack = pack_lifecycle.reject(pack_id, admin, "The second practice cuts off mid-sentence.")
    assert pack.status == "draft" and pack.moderation_note == "The second practice cuts off mid-sentence."
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == creator))
    assert note.kind == "pack_rejected" and "cuts off mid-sentence" in note.message
    row = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "pack.reject"))
    assert row.before == {"status": "in_review"} and row.after["status"] == "draft"
    # Submitting again clears the note for the next review.
    assert pack_lifecycle.submit(creator, pack_id).moderation_note is None


def test_only_admins_moderate(app, db, people):
    creator = _user(db, people["creator"])
    pack_id = _pack(app, creator.id, status="in_review")
    for step in (
        lambda: pack_lifecycle.approve(pack_id, creator),
        lambda: pack_lifecycle.reject(pack_id, creator, "no"),
        lambda: pack_lifecycle.take_down(pack_id, creator, "no"),
    ):
        with pytest.raises(Forbidden):
            step()
    assert db.session.get(RitualPack, pack_id).status == "in_review"
    with pytest.raises(NotFound):
        pack_lifecycle.approve(uuid.uuid4(), _user(db, people["admin"]))


def test_archiving_hides_the_pack_at_once_and_buyers_keep_it(app, db, people):
    creator, buyer = people["creator"], people["buyer"]
    pack_id = _pack(app, creator, status="published", title="Lantern Sleep")
    entitle(app, buyer, pack_id, source="purchase")
    item = pack_item_ids(app, pack_id)[0]
    assert catalog_search.search(SearchQuery(text="lantern")).total == 1  # now cached
    pack_lifecycle.archive(creator, pack_id)
    assert not _in_search("lantern", pack_id)
    assert catalog_search.search(SearchQuery(text="lantern")).cards == []
    assert catalog.card(pack_id) is None
    assert access.check_readable(buyer, item) == "pack"
    assert pack_pages.pack_page(pack_id, buyer).standing == "owned"
    with pytest.raises(NotFound):
        pack_pages.pack_page(pack_id, None)
    with pytest.raises(NotFound):
        pack_pages.pack_page(pack_id, make_user(app).id)


@pytest.mark.parametrize("revoke", [False, True])
def test_a_takedown_keeps_buyers_access_unless_revoked(app, db, people, revoke):
    creator, admin, buyer = people["creator"], _user(db, people["admin"]), people["buyer"]
    pack_id = _pack(app, creator, status="published", title="Copied Rain")
    entitle(app, buyer, pack_id, source="purchase")
    item = pack_item_ids(app, pack_id)[0]
    assert _in_search("copied rain", pack_id)
    pack = pack_lifecycle.take_down(pack_id, admin, "Copied from another app.", revoke_access=revoke)
    assert pack.status == "archived" and pack.moderation_note == "Copied from another app."
    assert not _in_search("copied rain", pack_id) and catalog.card(pack_id) is None
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == creator))
    assert note.kind == "pack_taken_down"
    assert note.message == "Your pack “Copied Rain” was taken down: Copied from another app."
    row = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "pack.takedown"))
    assert row.actor_id == admin.id and row.target_type == "pack" and row.target_id == str(pack_id)
    assert row.before == {"status": "published"}
    assert row.after["status"] == "archived" and row.after["revoke_access"] is revoke
    assert row.after["revoked_entitlements"] == (1 if revoke else 0)
    ent = db.session.scalar(sa.select(Entitlement).where(Entitlement.user_id == buyer))
    if revoke:
        assert ent.revoked_at is not None
        with pytest.raises(NotFound):
            access.check_readable(buyer, item)
    else:
        assert ent.revoked_at is None and access.check_readable(buyer, item) == "pack"


def test_a_takedown_needs_a_reason(app, db, people):
    pack_id = _pack(app, people["creator"], status="published")
    with pytest.raises(ServiceError, match="reason"):
        pack_lifecycle.take_down(pack_id, _user(db, people["admin"]), "")
    assert db.session.get(RitualPack, pack_id).status == "published"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == 0


def test_drafts_and_packs_in_review_are_never_in_the_catalog(app, db, people):
    creator = people["creator"]
    draft = _pack(app, creator, title="Amber Draft")
    pack_lifecycle.submit(creator, draft)
    catalog.reindex_all()
    assert not _in_search("amber", draft) and catalog.card(draft) is None
    pack_lifecycle.back_to_draft(creator, draft)
    assert not _in_search("amber", draft) and catalog.card(draft) is None


def test_the_review_queue_is_oldest_first(app, db, people):
    creator = people["creator"]
    first, second = _pack(app, creator, title="First"), _pack(app, creator, title="Second")
    pack_lifecycle.submit(creator, first)
    pack_lifecycle.submit(creator, second)
    _pack(app, creator, status="published")
    assert [p.id for p in pack_lifecycle.review_queue()] == [first, second]


def test_an_admin_cannot_approve_their_own_pack(app, db, people):
    """SECURITY.md 10: an admin's own pack is reviewed by another admin."""
    both = make_user(app, roles=["user", "creator", "admin"]).id
    pack_id = _pack(app, both, status="in_review")
    with pytest.raises(Forbidden, match="your own pack") as refused:
        pack_lifecycle.approve(pack_id, _user(db, both))
    assert refused.value.status == 403
    db.session.expire_all()
    assert db.session.get(RitualPack, pack_id).status == "in_review"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == 0
    assert pack_lifecycle.approve(pack_id, _user(db, people["admin"])).status == "published"


def test_a_pack_no_longer_complete_cannot_be_approved(app, db, people):
    creator, admin = people["creator"], _user(db, people["admin"])
    pack_id = _pack(app, creator, status="in_review")
    db.session.get(RitualPack, pack_id).description = "  "
    db.session.execute(sa.delete(PackItem).where(PackItem.pack_id == pack_id, PackItem.position == 1))
    db.session.commit()
    with pytest.raises(pack_lifecycle.Incomplete) as refused:
        pack_lifecycle.approve(pack_id, admin)
    assert refused.value.status == 422 and refused.value.message.startswith("This pack is no longer complete")
    assert refused.value.missing == [
        "At least 2 practices that are ready to play (it has 1).",
        "A description that tells listeners what the pack is for.",
    ]
    db.session.expire_all()
    assert db.session.get(RitualPack, pack_id).status == "in_review" and catalog.card(pack_id) is None


def _subscribed(app, client, pack_id):
    """A buyer whose subscription to the pack is paid (session and first invoice); (buyer, purchase, session)."""
    import time

    from app.services import checkout
    from tests.payments_helpers import event, invoice, paid_simulated_session, post_event

    buyer = make_user(app).id
    with app.app_context():
        start = checkout.start_pack(buyer, pack_id, base_url="http://localhost/")
    session = paid_simulated_session(app, start.checkout_url.rsplit("/", 1)[1])
    now = int(time.time())
    post_event(client, event("checkout.session.completed", session))
    first = invoice(session, invoice_id=session["invoice"], reason="subscription_create", start=now, end=now + 86400)
    post_event(client, event("invoice.paid", first))
    return buyer, start.purchase_id, session


@pytest.mark.parametrize("revoke", [False, True])
def test_a_takedown_that_revokes_access_cancels_the_subscriptions(app, client, db, people, revoke):
    """SECURITY.md 5: access revoked by a takedown is not billed again; a renewal billed all the same
    rewards no one and waits for its refund."""
    import time

    from app.models import CreatorTokenTransaction, Purchase
    from app.providers.payments import get_gateway
    from tests.payments_helpers import event, invoice, make_priced_pack, post_event

    creator, admin = people["creator"], _user(db, people["admin"])
    pack_id = make_priced_pack(app, creator, price=800, price_type="subscription", interval="monthly")
    _buyer, purchase_id, session = _subscribed(app, client, pack_id)
    pack_lifecycle.take_down(pack_id, admin, "Copied from another app.", revoke_access=revoke)
    purchase = db.session.get(Purchase, purchase_id)
    assert get_gateway().subscription_canceled(session["subscription"]) is revoke
    assert ("subscription_canceled_at" in purchase.meta) is revoke and "cancel_pending" not in purchase.meta
    row = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "pack.takedown"))
    assert row.after["subscriptions_to_cancel"] == (1 if revoke else 0)
    start = int(time.time()) + 86400
    post_event(client, event("invoice.paid", invoice(session, invoice_id="in_after", start=start, end=start + 86400)))
    renewal = db.session.scalar(sa.select(Purchase).where(Purchase.stripe_invoice_id == "in_after"))
    rewards = db.session.scalars(
        sa.select(CreatorTokenTransaction.amount).where(CreatorTokenTransaction.creator_id == creator)
    ).all()
    if revoke:
        assert renewal.status == "paid" and renewal.meta["needs_refund"] == "the buyer's access was revoked"
        assert rewards == [560]
    else:
        assert "needs_refund" not in renewal.meta and rewards == [560, 560]


def test_a_checkout_paid_after_a_takedown_grants_nothing(app, client, db, people):
    """A session opened before a takedown and paid after it grants no access and no reward and is left
    to be refunded; one for a pack its creator archived is still fulfilled (holders keep such packs)."""
    from app.models import CreatorTokenTransaction, Purchase
    from app.services import checkout
    from tests.payments_helpers import event, make_priced_pack, paid_simulated_session, post_event

    creator, admin, buyer = people["creator"], _user(db, people["admin"]), people["buyer"]
    removed = make_priced_pack(app, creator, price=999, title="Copied Rain")
    archived = make_priced_pack(app, creator, price=999, title="Old Rain")
    starts = {pack: checkout.start_pack(buyer, pack, base_url="http://localhost/") for pack in (removed, archived)}
    pack_lifecycle.take_down(removed, admin, "Copied from another app.")
    pack_lifecycle.archive(creator, archived)
    for start in starts.values():
        session = paid_simulated_session(app, start.checkout_url.rsplit("/", 1)[1])
        assert post_event(client, event("checkout.session.completed", session)).status_code == 200
    db.session.expire_all()
    lost = db.session.get(Purchase, starts[removed].purchase_id)
    assert lost.status == "paid" and lost.fulfilled_at is not None
    assert lost.meta["needs_refund"] == "the pack was taken down before the payment"
    kept = db.session.get(Purchase, starts[archived].purchase_id)
    assert kept.status == "paid" and "needs_refund" not in kept.meta
    assert set(db.session.scalars(sa.select(Entitlement.pack_id).where(Entitlement.user_id == buyer))) == {archived}
    rewards = db.session.scalars(sa.select(CreatorTokenTransaction.purchase_id)).all()
    assert rewards == [kept.id]
