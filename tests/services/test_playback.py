"""Playback against real Redis: access first, then `ritual:{id}:metadata`, then a fresh signed URL."""

from __future__ import annotations

import json
import uuid

import pytest

from app.redis_client import get_redis
from app.services import NotFound, library_actions, playback
from app.services.cache_keys import RITUAL_METADATA_TTL, ritual_metadata_key
from tests.factories import make_user
from tests.library_helpers import entitle, make_item, make_pack


def _play(app, user_id, item_id):
    with app.app_context():
        return playback.play(user_id, item_id), playback.cache_stats()


def test_first_play_misses_then_hits_and_the_url_is_fresh_each_time(app):
    me = make_user(app)
    item_id = make_item(app, me.id, title="Evening calm", minutes=10)
    first, stats = _play(app, me.id, item_id)
    assert (stats["hits"], stats["misses"]) == (0, 1)
    assert first.title == "Evening calm" and first.duration == 600 and first.version == 1
    assert first.content_type == "guided_meditation" and first.background == "rain"
    assert [s["name"] for s in first.sections] == ["arrival", "body"]
    assert first.sections[0] == {"name": "arrival", "start": 1.5, "end": 40.0, "text": "Settle in and breathe."}
    assert first.audio_url.startswith(f"/media/audio/{me.id}/{item_id}/1.mp3?")

    with app.app_context():
        r = get_redis()
        cached = json.loads(r.get(ritual_metadata_key(item_id)))
        assert 0 < r.ttl(ritual_metadata_key(item_id)) <= RITUAL_METADATA_TTL
    assert cached["object_key"] == f"audio/{me.id}/{item_id}/1.mp3"
    assert "audio_url" not in cached and "expires_at" not in cached  # the signed URL is never cached

    second, stats = _play(app, me.id, item_id)
    assert (stats["hits"], stats["misses"], stats["hit_rate"]) == (1, 1, 0.5)
    assert second.title == first.title and second.sections == first.sections


def test_others_get_not_found_whether_or_not_it_is_cached(app):
    """SECURITY.md 9: the cache entry names the owner; anyone else is asked for an entitlement."""
    owner, stranger = make_user(app), make_user(app)
    item_id = make_item(app, owner.id)
    _play(app, owner.id, item_id)  # now cached
    with app.app_context():
        for user_id, target in ((stranger.id, item_id), (stranger.id, uuid.uuid4()), (owner.id, uuid.uuid4())):
            with pytest.raises(NotFound) as refused:
                playback.play(user_id, target)
            assert refused.value.message == "No such practice."
        with pytest.raises(NotFound):
            playback.download(stranger.id, item_id)
        assert get_redis().get(ritual_metadata_key(item_id)) is not None


def test_only_the_html_player_asks_for_the_resume_point(app):
    me = make_user(app)
    item_id = make_item(app, me.id)
    with app.app_context():
        assert playback.play(me.id, item_id).to_json()["resume_position"] == 0
        assert "resume_position" not in playback.play(me.id, item_id, with_position=False).to_json()


def test_pack_items_play_for_entitled_listeners(app):
    creator, buyer = make_user(app), make_user(app)
    item_id = make_item(app, creator.id, title="Deep sleep")
    entitle(app, buyer.id, make_pack(app, creator.id, [item_id]))
    _play(app, creator.id, item_id)  # cached with the creator as owner: the buyer still gets in
    played, stats = _play(app, buyer.id, item_id)
    assert played.title == "Deep sleep" and played.resume_position == 0
    assert (stats["hits"], stats["misses"]) == (1, 1)


def test_an_item_still_being_made_is_not_ready_and_not_cached(app):
    me = make_user(app)
    item_id = make_item(app, me.id, ready=False)
    with app.app_context():
        with pytest.raises(playback.NotReady) as info:
            playback.play(me.id, item_id)
        assert info.value.status == 409
        assert get_redis().get(ritual_metadata_key(item_id)) is None


def test_rename_and_delete_invalidate_the_cache(app):
    me = make_user(app)
    item_id = make_item(app, me.id, title="Evening calm")
    _play(app, me.id, item_id)
    with app.app_context():
        library_actions.rename(me.id, item_id, "  A   <b>new</b>\tname  ")
        assert get_redis().get(ritual_metadata_key(item_id)) is None
    renamed, stats = _play(app, me.id, item_id)
    assert renamed.title == "A <b>new</b> name"  # text as typed, whitespace tidied; shown escaped
    assert stats["misses"] == 2

    with app.app_context():
        library_actions.set_favourite(me.id, item_id, True)  # not in the cache: nothing to invalidate
        assert get_redis().get(ritual_metadata_key(item_id)) is not None
        library_actions.delete(me.id, item_id)
        assert get_redis().get(ritual_metadata_key(item_id)) is None
        with pytest.raises(NotFound):
            playback.play(me.id, item_id)
