"""The studio's pack services: details checked all at once, covers by their bytes, items from the
creator's own library only, order, deletion, generating into a pack, and price changes."""

from __future__ import annotations

import io
import uuid

import pytest
import sqlalchemy as sa

from app.models import ContentItem, CreditTransaction, Entitlement, GenerationJob, PackItem, Purchase, RitualPack, User
from app.providers.payments import get_gateway
from app.providers.search import SearchQuery
from app.providers.storage import get_storage
from app.services import (
    Conflict,
    NotFound,
    ServiceError,
    access,
    catalog,
    catalog_search,
    checkout,
    studio,
    studio_items,
)
from app.services.credits import InsufficientCredits
from app.services.studio_fields import InvalidFields, parse_price, parse_tags
from tests.factories import make_user
from tests.generation_helpers import seed_voices
from tests.library_helpers import make_item
from tests.marketplace_helpers import make_creator, pack_item_ids, publish_pack

PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)
JPEG = b"\xff\xd8\xff\xe0" + bytes(200)
WEBP = b"RIFF\x00\x01\x00\x00WEBPVP8 " + bytes(200)
BASE = "http://shop.test/"


def _count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_details_are_checked_all_at_once_and_nothing_is_written(app, db):
    creator = make_creator(app)
    raw = {
        "title": "  ",
        "description": "x" * 5001,
        "tags": ",".join(f"tag{n}" for n in range(9)),
        "price_type": "one_time",
        "price_amount": "four dollars",
    }
    with pytest.raises(InvalidFields) as refused:
        studio.create_pack(creator, raw, cover=io.BytesIO(b"<html>not an image</html>"))
    assert set(refused.value.errors) == {"title", "description", "tags", "price_amount", "cover"}
    assert refused.value.status == 422
    assert _count(db, RitualPack) == 0
    assert get_storage().list(f"covers/{creator}") == []
    for fields, field, message in [
        ({"title": "x" * 201}, "title", "under 201"),
        ({"title": "T", "tags": "a" * 31}, "tags", "under 31"),
        ({"title": "T", "price_type": "one_time"}, "price_amount", "Set a price"),
        ({"title": "T", "price_type": "one_time", "price_amount": "0.10"}, "price_amount", "$0.50 to $999.99"),
        ({"title": "T", "price_type": "subscription", "price_amount": "3"}, "subscription_interval", "monthly"),
        ({"title": "T", "price_type": "barter"}, "price_type", "free, one-time or subscription"),
    ]:
        with pytest.raises(InvalidFields) as bad:
            studio.create_pack(creator, fields)
        assert message in bad.value.errors[field], fields
    assert _count(db, RitualPack) == 0


def test_tags_and_prices_are_read_as_people_type_them():
    assert parse_tags(" Sleep, EVENING ,sleep,, deep rest ") == ["sleep", "evening", "deep rest"]
    assert parse_tags(["Calm", "calm"]) == ["calm"]
    assert [parse_price(p) for p in ("4.99", "$5", "4,5", "12.05", "0.5")] == [499, 500, 450, 1205, 50]
    for bad in ("", "4.999", "-3", "1e3", "$", "four"):
        with pytest.raises(ServiceError):
            parse_price(bad)


def test_a_new_pack_is_a_draft_with_its_typed_values(app, db):
    creator = make_creator(app)
    pack = studio.create_pack(
        creator,
        {
            "title": "  Morning   Light ",
            "description": "Wake gently.\r\nThen begin.",
            "tags": "Morning, energy",
            "price_type": "subscription",
            "price_amount": "3.99",
            "subscription_interval": "monthly",
        },
    )
    assert (pack.title, pack.status, pack.tags) == ("Morning Light", "draft", ["morning", "energy"])
    assert pack.description == "Wake gently.\nThen begin."
    assert (pack.price_type, pack.price_amount, pack.subscription_interval) == ("subscription", 399, "monthly")
    assert studio.price_label(pack) == "$3.99 / month"


@pytest.mark.parametrize("data,ext", [(PNG, "png"), (JPEG, "jpg"), (WEBP, "webp")])
def test_a_cover_is_checked_by_its_bytes_and_replacing_it_deletes_the_old_one(app, db, data, ext):
    creator = make_creator(app)
    pack = studio.create_pack(creator, {"title": "Covered"}, cover=io.BytesIO(data))
    first = pack.cover_key
    assert first.startswith(f"covers/{creator}/") and first.endswith(f".{ext}")
    assert get_storage().read_bytes(first) == data
    studio.update_pack(creator, pack.id, {}, cover=io.BytesIO(PNG))
    second = db.session.get(RitualPack, pack.id).cover_key
    assert second != first and not get_storage().exists(first) and get_storage().exists(second)
    studio.update_pack(creator, pack.id, {}, remove_cover=True)
    assert db.session.get(RitualPack, pack.id).cover_key is None and not get_storage().exists(second)


def test_a_cover_that_is_not_an_image_or_too_large_is_refused(app, db):
    creator = make_creator(app)
    pack = studio.create_pack(creator, {"title": "Plain"})
    for upload, message in [
        (b"GIF89a" + bytes(50), "PNG, JPEG or WebP"),
        (b"<svg onload=alert(1)>", "PNG, JPEG or WebP"),
        (PNG + bytes(2 * 1024 * 1024), "under 2 MB"),
    ]:
        with pytest.raises(InvalidFields) as refused:
            studio.update_pack(creator, pack.id, {"title": "Changed"}, cover=io.BytesIO(upload))
        assert message in refused.value.errors["cover"]
        db.session.expire_all()
        assert db.session.get(RitualPack, pack.id).title == "Plain"
    assert get_storage().list(f"covers/{creator}") == []


def test_a_price_change_applies_to_new_buyers_only(app, db):
    creator = make_creator(app)
    pack_id = publish_pack(app, creator, title="Tidal Focus", price_type="one_time", price_amount=999)
    first, later = make_user(app), make_user(app)
    start = checkout.start_pack(first.id, pack_id, base_url=BASE)
    session_id = db.session.get(Purchase, start.purchase_id).stripe_checkout_session_id
    get_gateway().pay(session_id)
    bought = checkout.complete_from_redirect(first.id, session_id)
    assert bought.status == "paid" and bought.amount == 999

    studio.update_pack(creator, pack_id, {"price_amount": 499})

    db.session.expire_all()
    assert db.session.get(Purchase, bought.id).amount == 999
    ent = db.session.scalar(sa.select(Entitlement).where(Entitlement.user_id == first.id))
    assert ent.revoked_at is None and ent.purchase_id == bought.id
    assert access.check_readable(first.id, pack_item_ids(app, pack_id)[0]) == "pack"
    assert catalog.card(pack_id).price_amount == 499
    fresh = checkout.start_pack(later.id, pack_id, base_url=BASE)
    assert db.session.get(Purchase, fresh.purchase_id).amount == 499


def test_editing_a_published_pack_shows_in_the_catalog_and_search_at_once(app, db):
    creator = make_creator(app)
    pack_id = publish_pack(app, creator, title="Quiet Harbour")
    assert catalog_search.search(SearchQuery(text="harbour")).total == 1
    studio.update_pack(creator, pack_id, {"title": "Silver Lake", "tags": ["lake"]})
    assert catalog_search.search(SearchQuery(text="harbour")).total == 0
    found = catalog_search.search(SearchQuery(text="silver lake"))
    assert [card.id for card in found.cards] == [pack_id] and found.cards[0].tags == ["lake"]
    assert db.session.get(RitualPack, pack_id).status == "published"


def test_a_pack_in_review_stays_as_it_was_submitted(app, db):
    creator = make_creator(app)
    pack_id = publish_pack(app, creator, status="in_review", index=False)
    extra = make_item(app, creator)
    item = pack_item_ids(app, pack_id)[0]
    for step in (
        lambda: studio.update_pack(creator, pack_id, {"title": "Changed"}),
        lambda: studio_items.add_item(creator, pack_id, extra),
        lambda: studio_items.remove_item(creator, pack_id, item),
        lambda: studio_items.move_item(creator, pack_id, item, "down"),
    ):
        with pytest.raises(Conflict, match="waiting for review"):
            step()


def test_only_the_creators_own_ready_items_can_join(app, db):
    creator, stranger = make_creator(app), make_user(app).id
    pack = studio.create_pack(creator, {"title": "Mine"})
    theirs = make_item(app, stranger)
    with pytest.raises(NotFound):
        studio_items.add_item(creator, pack.id, theirs)
    with pytest.raises(NotFound):
        studio_items.add_item(creator, pack.id, uuid.uuid4())
    waiting = make_item(app, creator, ready=False)
    with pytest.raises(Conflict, match="not ready"):
        studio_items.add_item(creator, pack.id, waiting)
    first, second = make_item(app, creator, title="One"), make_item(app, creator, title="Two")
    assert [i.id for i in studio_items.addable(creator, pack.id)] == [second, first]
    studio_items.add_item(creator, pack.id, first)
    studio_items.add_item(creator, pack.id, second)
    with pytest.raises(Conflict, match="already in this pack"):
        studio_items.add_item(creator, pack.id, first)
    assert [row.id for row in studio_items.items(creator, pack.id)] == [first, second]
    assert studio_items.addable(creator, pack.id) == []
    assert _count(db, PackItem) == 2


def test_a_published_pack_keeps_two_practices_and_the_catalog_follows(app, db):
    creator = make_creator(app)
    pack_id = publish_pack(app, creator)
    one, two = pack_item_ids(app, pack_id)
    with pytest.raises(Conflict, match="at least 2"):
        studio_items.remove_item(creator, pack_id, one)
    third = make_item(app, creator, title="Third", minutes=4)
    studio_items.add_item(creator, pack_id, third)
    assert catalog.card(pack_id).item_count == 3
    studio_items.remove_item(creator, pack_id, one)
    assert [(r.id, r.position) for r in studio_items.items(creator, pack_id)] == [(two, 0), (third, 1)]
    assert catalog.card(pack_id).item_count == 2
    assert db.session.get(ContentItem, one) is not None  # still in the creator's library


def test_moving_and_reordering_practices(app, db):
    creator = make_creator(app)
    pack_id = publish_pack(app, creator, status="draft", index=False, items=(("ritual", 2),) * 3)
    a, b, c = pack_item_ids(app, pack_id)
    studio_items.move_item(creator, pack_id, a, "up")  # the first stays first
    assert pack_item_ids(app, pack_id) == [a, b, c]
    studio_items.move_item(creator, pack_id, a, "down")
    assert pack_item_ids(app, pack_id) == [b, a, c]
    studio_items.move_item(creator, pack_id, c, "up")
    assert pack_item_ids(app, pack_id) == [b, c, a]
    studio_items.reorder(creator, pack_id, [c, a, b])
    assert pack_item_ids(app, pack_id) == [c, a, b]
    for order in ([a, b], [a, b, b], [a, b, uuid.uuid4()]):
        with pytest.raises(ServiceError, match="every practice"):
            studio_items.reorder(creator, pack_id, order)
    with pytest.raises(ServiceError, match="up or down"):
        studio_items.move_item(creator, pack_id, a, "sideways")
    with pytest.raises(NotFound):
        studio_items.move_item(creator, pack_id, uuid.uuid4(), "up")


def test_only_a_draft_never_published_can_be_deleted(app, db):
    creator = make_creator(app)
    draft = studio.create_pack(creator, {"title": "Scratch"}, cover=io.BytesIO(PNG))
    cover = draft.cover_key
    item = make_item(app, creator)
    studio_items.add_item(creator, draft.id, item)
    studio.delete_pack(creator, draft.id)
    assert db.session.get(RitualPack, draft.id) is None and not get_storage().exists(cover)
    assert db.session.get(ContentItem, item) is not None
    published = publish_pack(app, creator)
    with pytest.raises(Conflict, match="Only a draft"):
        studio.delete_pack(creator, published)
    once = publish_pack(app, creator, status="published", index=False)
    db.session.get(RitualPack, once).status = "draft"
    db.session.commit()
    with pytest.raises(Conflict, match="was published"):
        studio.delete_pack(creator, once)
    assert db.session.get(RitualPack, once) is not None


def test_another_creators_pack_is_not_found_by_every_service(app, db):
    owner, other = make_creator(app), make_creator(app, "Theo")
    pack_id = publish_pack(app, owner, status="draft", index=False)
    item = pack_item_ids(app, pack_id)[0]
    mine = make_item(app, other)
    for step in (
        lambda: studio.owned_pack(other, pack_id),
        lambda: studio.update_pack(other, pack_id, {"title": "Hijacked"}),
        lambda: studio.delete_pack(other, pack_id),
        lambda: studio_items.items(other, pack_id),
        lambda: studio_items.item(other, pack_id, item),
        lambda: studio_items.addable(other, pack_id),
        lambda: studio_items.add_item(other, pack_id, mine),
        lambda: studio_items.remove_item(other, pack_id, item),
        lambda: studio_items.move_item(other, pack_id, item, "down"),
        lambda: studio_items.reorder(other, pack_id, [item]),
    ):
        with pytest.raises(NotFound):
            step()
    assert db.session.get(RitualPack, pack_id).title == "Deep Sleep Wind-Down"
    assert [studio.packs(owner)[0].id] == [pack_id] and studio.packs(other) == []


def test_generating_into_a_pack_charges_a_credit_and_joins_at_once(app, db):
    seed_voices(app)
    creator_id = make_user(app, roles=["user", "creator"], credits_=1).id
    pack = studio.create_pack(creator_id, {"title": "Made Here"})
    spec = {"content_type": "affirmation", "intent": "a steady start to the week", "duration_minutes": 2}
    job = studio_items.generate_into_pack(db.session.get(User, creator_id), pack.id, spec)
    rows = studio_items.items(creator_id, pack.id)
    assert [row.id for row in rows] == [job.content_item_id]
    assert rows[0].ready is False and rows[0].generation["status"] == "queued"
    assert db.session.get(User, creator_id).credit_balance == 0
    assert db.session.get(ContentItem, job.content_item_id).meta["source"] == "studio"
    with pytest.raises(InsufficientCredits) as no_credit:
        studio_items.generate_into_pack(db.session.get(User, creator_id), pack.id, spec)
    assert no_credit.value.status == 402
    with pytest.raises(ServiceError, match=r"[Dd]uration"):
        studio_items.generate_into_pack(db.session.get(User, creator_id), pack.id, {**spec, "duration_minutes": 0})
    assert _count(db, PackItem) == 1 and _count(db, GenerationJob) == 1
    assert _count(db, CreditTransaction) == 2  # the free credit and its one spend
