"""Regenerate and delete through the real worker: versions, credits, refunds, storage and caches."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import (
    ContentItem,
    CreditTransaction,
    Entitlement,
    GenerationJob,
    LibraryEntry,
    PackItem,
    PracticeEvent,
    User,
    Voice,
)
from app.models.types import utcnow
from app.providers.storage import get_storage
from app.redis_client import get_redis
from app.services import (
    Conflict,
    ServiceError,
    access,
    credits,
    generation,
    library,
    library_actions,
    playback,
    practice,
)
from app.services.cache_keys import ritual_metadata_key
from app.services.credits import InsufficientCredits
from tests.factories import make_user
from tests.generation_helpers import drain, request, seed_voices
from tests.library_helpers import entitle, make_item, make_pack


@pytest.fixture
def app(app):
    seed_voices(app)
    app.config["GENERATION_RETRY_DELAYS"] = [0, 0, 0]
    return app


def _classic_voice(app) -> str:
    with app.app_context():
        return str(
            db.session.scalar(sa.select(Voice.id).where(Voice.provider == "espeak", Voice.name == "Classic (US)"))
        )


def _ledger(app, user_id):
    with app.app_context():
        rows = db.session.scalars(
            sa.select(CreditTransaction)
            .where(CreditTransaction.user_id == user_id)
            .order_by(CreditTransaction.entry_no)
        ).all()
        return [(r.transaction_type, r.amount, r.idempotency_key) for r in rows]


def _latest(app, item_id):
    """The item and its newest generation job, detached."""
    with app.app_context():
        job, item = generation.latest_job(item_id), db.session.get(ContentItem, item_id)
        db.session.expunge_all()
        return job, item


def _balance(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id).credit_balance


def test_regenerate_keeps_the_old_version_until_the_new_one_is_ready(app):
    person = make_user(app, credits_=3)
    item_id = request(app, person.id)
    drain(app)
    voice_id = _classic_voice(app)
    with app.app_context():
        before = playback.play(person.id, item_id)
        job = library_actions.regenerate(person.id, item_id, voice_id=voice_id, pace="slow")
        assert (job.version, job.status, job.spec["pace"], job.spec["voice_id"]) == (2, "queued", "slow", voice_id)
        with pytest.raises(Conflict):  # one new version at a time
            library_actions.regenerate(person.id, item_id, pace="fast")
        # Until the new version is ready the old one plays, from the cache.
        during = playback.play(person.id, item_id)
        assert (during.version, during.audio_url.split("?")[0]) == (1, before.audio_url.split("?")[0])
        entry = library.entry(person.id, item_id)
        assert entry.playable and entry.generation["status"] == "queued" and entry.generation["version"] == 2
    assert _balance(app, person.id) == 1
    assert _ledger(app, person.id)[-1] == ("consumption", -1, f"consume:{item_id}:v2")

    drain(app)
    _, item = _latest(app, item_id)
    with app.app_context():
        assert get_redis().get(ritual_metadata_key(item_id)) is None  # the ready version invalidated it
        after = playback.play(person.id, item_id)
        assert playback.cache_stats()["misses"] == 2
        assert get_storage().list(f"audio/{person.id}/{item_id}/") == [
            f"audio/{person.id}/{item_id}/1.mp3",
            f"audio/{person.id}/{item_id}/2.mp3",
        ]
        assert library.entry(person.id, item_id).generation is None
    assert after.version == 2 and f"/{item_id}/2.mp3?" in after.audio_url
    assert item.audio_url.endswith("/2.mp3") and str(item.voice_id) == voice_id
    assert item.meta["spec"]["pace"] == "slow" and item.meta["audio"]["voice"] == "Classic (US)"
    assert item.content_text and item.title == before.title  # the same script, voiced anew
    assert [t for t, *_ in _ledger(app, person.id)].count("consumption") == 2


def test_a_failed_regeneration_is_refunded_and_leaves_the_old_version(app, monkeypatch):
    person = make_user(app, credits_=2)
    item_id = request(app, person.id)
    drain(app)
    with app.app_context():
        library_actions.regenerate(person.id, item_id, pace="fast")

    def broken(*args, **kwargs):
        raise RuntimeError("the voice broke")

    monkeypatch.setattr("app.tasks.generation.get_engine", broken)
    drain(app)
    job, item = _latest(app, item_id)
    assert (job.version, job.status) == (2, "failed")
    assert item.audio_url.endswith("/1.mp3")
    assert _ledger(app, person.id)[-2:] == [
        ("consumption", -1, f"consume:{item_id}:v2"),
        ("refund", 1, f"refund:{item_id}:v2"),
    ]
    assert _balance(app, person.id) == 1
    with app.app_context():
        assert playback.play(person.id, item_id).version == 1
        body = library.entry(person.id, item_id).generation
        assert body["status"] == "failed" and "previous version is still here" in body["error"]
        assert credits.ledger_problems(person.id) == []


def test_regenerate_needs_a_credit_a_change_and_ownership(app):
    owner = make_user(app, credits_=1)
    item_id = request(app, owner.id)
    drain(app)
    buyer = make_user(app, credits_=3)
    entitle(app, buyer.id, make_pack(app, owner.id, [item_id]))
    with app.app_context():
        with pytest.raises(InsufficientCredits):
            library_actions.regenerate(owner.id, item_id, pace="slow")
        with pytest.raises(ServiceError) as info:
            library_actions.regenerate(owner.id, item_id)
        assert info.value.field == "voice_id"
        for bad in ({"pace": "warp"}, {"voice_id": str(uuid.uuid4())}, {"voice_id": "nope"}):
            with pytest.raises(ServiceError) as info:
                library_actions.regenerate(owner.id, item_id, **bad)
            assert info.value.status == 422
        with pytest.raises(access.Forbidden):
            library_actions.regenerate(buyer.id, item_id, pace="slow")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(GenerationJob)) == 1
    assert _balance(app, owner.id) == 0 and _balance(app, buyer.id) == 3


def test_delete_removes_every_version_and_row(app):
    person = make_user(app, credits_=2)
    item_id = request(app, person.id)
    drain(app)
    with app.app_context():
        library_actions.regenerate(person.id, item_id, pace="slow")
    drain(app)
    keep = make_item(app, person.id, title="Keep me")
    listener = make_user(app)
    # A listener who had the pack until it was refunded (only items nobody holds can be deleted).
    held = entitle(app, listener.id, make_pack(app, person.id, [item_id], status="draft"))
    with app.app_context():
        for who in (person.id, listener.id):
            practice.record(
                who,
                practice.Report.parse(
                    {
                        "event_id": str(uuid.uuid4()),
                        "ritual_id": str(item_id),
                        "kind": "complete",
                        "listened_seconds": 30,
                        "position": 20,
                    }
                ),
            )
        library_actions.set_favourite(listener.id, item_id, True)
        playback.play(person.id, item_id)
        storage = get_storage()
        assert len(storage.list(f"audio/{person.id}/{item_id}/")) == 2
        db.session.get(Entitlement, held).revoked_at = utcnow()
        db.session.commit()

        assert library_actions.delete(person.id, item_id) == 2
        assert storage.list(f"audio/{person.id}/{item_id}/") == []
        assert storage.list(f"audio/{person.id}/") == [f"audio/{person.id}/{keep}/1.mp3"]
        for model, column in (
            (ContentItem, ContentItem.id),
            (GenerationJob, GenerationJob.content_item_id),
            (PracticeEvent, PracticeEvent.ritual_id),
            (LibraryEntry, LibraryEntry.content_item_id),
            (PackItem, PackItem.content_item_id),
        ):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(model).where(column == item_id)) == 0
        # The ledger keeps its rows (the chain must hold), no longer pointing at the item.
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(CreditTransaction)
                .where(CreditTransaction.content_item_id.is_(None), CreditTransaction.user_id == person.id)
            )
            == 4
        )
        assert credits.ledger_problems(person.id) == []
        assert get_redis().get(ritual_metadata_key(item_id)) is None
        assert db.session.get(User, listener.id).practice_history_summary["total_practices"] == 0
        assert library.library_page(person.id).total == 1


def test_delete_is_refused_while_being_made_in_a_published_pack_or_by_others(app):
    person = make_user(app)
    making = make_item(app, person.id, ready=False)
    in_pack = make_item(app, person.id, title="Sold")
    make_pack(app, person.id, [in_pack], title="Bestsellers")
    buyer = make_user(app)
    entitle(app, buyer.id, make_pack(app, person.id, [in_pack], title="Second pack"))
    with app.app_context():
        with pytest.raises(Conflict):
            library_actions.delete(person.id, making)
        with pytest.raises(Conflict) as info:
            library_actions.delete(person.id, in_pack)
        assert "Bestsellers" in info.value.message
        with pytest.raises(access.Forbidden):
            library_actions.delete(buyer.id, in_pack)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ContentItem)) == 2


@pytest.mark.parametrize(
    ("status", "message"), [("archived", "archived pack “Evening Calm”"), ("in_review", "which is in review")]
)
def test_delete_is_refused_while_a_pack_that_is_not_a_draft_holds_the_item(app, status, message):
    person = make_user(app)
    held = make_item(app, person.id, title="Kept")
    pack = make_pack(app, person.id, [held], title="Evening Calm", status=status)
    buyer = make_user(app)
    entitle(app, buyer.id, pack)
    with app.app_context():
        with pytest.raises(Conflict) as info:
            library_actions.delete(person.id, held)
        assert info.value.status == 409 and message in info.value.message
        assert db.session.get(ContentItem, held) is not None
        assert access.readable_item(buyer.id, held)[0].id == held  # the buyer still plays it


def test_an_item_only_in_draft_packs_can_be_deleted(app):
    person = make_user(app)
    item = make_item(app, person.id)
    make_pack(app, person.id, [item], title="Work in progress", status="draft")
    with app.app_context():
        library_actions.delete(person.id, item)
        assert db.session.get(ContentItem, item) is None


def test_a_pack_back_in_draft_after_sales_still_keeps_its_holders_practices(app):
    person = make_user(app)
    held = make_item(app, person.id, title="Kept")
    pack = make_pack(app, person.id, [held], title="Evening Calm", status="draft")
    buyer = make_user(app)
    entitle(app, buyer.id, pack)
    with app.app_context():
        with pytest.raises(Conflict) as info:
            library_actions.delete(person.id, held)
        assert "People have the pack “Evening Calm”" in info.value.message
        assert access.readable_item(buyer.id, held)[0].id == held
    lapsed = make_item(app, person.id, title="Lapsed")
    entitle(app, make_user(app).id, make_pack(app, person.id, [lapsed], title="Old", status="draft"),
            revoked_at=utcnow())
    with app.app_context():
        library_actions.delete(person.id, lapsed)  # nobody holds that one any more
        assert db.session.get(ContentItem, lapsed) is None
