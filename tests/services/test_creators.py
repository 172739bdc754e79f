"""Becoming a creator, the creator profile with its avatar, and studio notifications."""

from __future__ import annotations

import io
import uuid

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from app.models import AuditLog, CreatorProfile, Notification, User
from app.providers.storage import get_storage
from app.services import NotFound, ServiceError, creators, notifications
from app.services.studio_fields import InvalidFields
from tests.factories import make_user

PNG = b"\x89PNG\r\n\x1a\n" + bytes(120)


def _upload(data: bytes, name: str = "me.png", content_type: str = "image/png") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type=content_type)


def test_becoming_a_creator_grants_the_role_and_is_audited(app, db):
    person = make_user(app, email="maya.rivers+studio@example.com")
    user = creators.become_creator(db.session.get(User, person.id))
    assert user.roles == ["user", "creator"]
    profile = creators.profile(person.id)
    assert profile.display_name == "Maya Rivers" and profile.terms_accepted_at is not None
    row = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "role.grant"))
    assert row.actor_id == person.id and row.target_type == "user" and row.target_id == str(person.id)
    assert row.before == {"roles": ["user"]} and row.after["roles"] == ["user", "creator"]
    creators.become_creator(db.session.get(User, person.id))  # accepting again changes nothing
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == 1


def test_a_chosen_name_is_used_and_a_creator_without_terms_gets_a_profile(app, db):
    person = make_user(app, roles=["user", "creator"])
    creators.become_creator(db.session.get(User, person.id), display_name="  Lena   Moss ")
    assert creators.profile(person.id).display_name == "Lena Moss"
    assert creators.accepted_terms(person.id)
    assert db.session.get(User, person.id).roles == ["user", "creator"]


def test_a_display_name_that_is_too_long_changes_nothing(app, db):
    person = make_user(app)
    with pytest.raises(ServiceError, match="under 81"):
        creators.become_creator(db.session.get(User, person.id), display_name="x" * 81)
    assert db.session.get(User, person.id).roles == ["user"] and creators.profile(person.id) is None


def test_default_names_come_from_the_email():
    assert creators.default_display_name("sam_o-neil@example.com") == "Sam O Neil"
    assert creators.default_display_name("x" * 100 + "@example.com") == "X" + "x" * 79


def _creator(app, db) -> uuid.UUID:
    person = make_user(app)
    creators.become_creator(db.session.get(User, person.id))
    return person.id


def test_an_avatar_is_checked_by_its_bytes_not_its_name(app, db):
    creator = _creator(app, db)
    for data, name in [(b"<?php echo 1; ?>", "me.png"), (b"GIF89a" + bytes(20), "me.jpg"), (b"RIFF0000AVI ", "a.webp")]:
        with pytest.raises(InvalidFields) as refused:
            creators.update_profile(creator, "New Name", "New bio", _upload(data, name))
        assert "PNG, JPEG or WebP" in refused.value.errors["avatar"]
    with pytest.raises(InvalidFields, match="under 2 MB"):
        creators.update_profile(creator, "New Name", "", _upload(PNG + bytes(2 * 1024 * 1024)))
    profile = creators.profile(creator)
    assert profile.display_name != "New Name" and profile.avatar_key is None
    assert get_storage().list(f"avatars/{creator}") == []


def test_an_avatar_is_stored_signed_and_replaced(app, db):
    creator = _creator(app, db)
    creators.update_profile(creator, "Maya", "Breath teacher.", _upload(PNG, "photo.bin", "application/octet-stream"))
    first = creators.profile(creator).avatar_key
    assert first.startswith(f"avatars/{creator}/") and first.endswith(".png")
    assert uuid.UUID(first.rsplit("/", 1)[1].split(".")[0])
    url = creators.avatar_url(creator)
    assert url and "/media/" in url and "s=" in url
    jpeg = b"\xff\xd8\xff\xdb" + bytes(64)
    creators.update_profile(creator, "Maya", "Breath teacher.", _upload(jpeg, "p.jpg", "image/jpeg"))
    second = creators.profile(creator).avatar_key
    assert second.endswith(".jpg") and not get_storage().exists(first) and get_storage().exists(second)
    creators.update_profile(creator, "Maya", "Breath teacher.", None)  # no file: the avatar stays
    assert creators.profile(creator).avatar_key == second
    creators.update_profile(creator, "Maya", "Breath teacher.", None, remove_avatar=True)
    assert creators.profile(creator).avatar_key is None and not get_storage().exists(second)
    assert creators.avatar_url(creator) is None


def test_profile_fields_are_checked_together_and_nothing_is_written(app, db):
    creator = _creator(app, db)
    before = creators.profile(creator).display_name
    with pytest.raises(InvalidFields) as refused:
        creators.update_profile(creator, " ", "b" * 601, _upload(b"not an image"))
    assert set(refused.value.errors) == {"display_name", "bio", "avatar"}
    with pytest.raises(InvalidFields, match="under 81"):
        creators.update_profile(creator, "n" * 81, "", None)
    db.session.expire_all()
    assert creators.profile(creator).display_name == before
    bio = "<script>alert(1)</script>\r\nSecond line."
    saved = creators.update_profile(creator, "Maya", bio, None)
    assert saved.bio == "<script>alert(1)</script>\nSecond line."  # stored as typed; pages escape it
    with pytest.raises(NotFound):
        creators.update_profile(make_user(app).id, "No Profile", "", None)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CreatorProfile)) == 1


def test_notifications_are_listed_counted_and_read_by_their_owner_only(app, db):
    mine, theirs = make_user(app).id, make_user(app).id
    for n in range(3):
        notifications.notify(mine, "pack_approved", f"Message {n}")
    other = notifications.notify(theirs, "pack_rejected", "Not yours")
    db.session.commit()
    assert notifications.unread_count(mine) == 3
    newest = notifications.for_user(mine, limit=2)
    assert len(newest) == 2
    notifications.mark_read(mine, newest[0].id)
    assert notifications.unread_count(mine) == 2
    assert len(notifications.for_user(mine, unread_only=True)) == 2
    with pytest.raises(NotFound):
        notifications.mark_read(mine, other.id)
    assert db.session.get(Notification, other.id).read_at is None
    assert notifications.mark_all_read(mine) == 2
    assert notifications.unread_count(mine) == 0 and notifications.unread_count(theirs) == 1


def _found(words: str) -> set[uuid.UUID]:
    from app.providers.search import SearchQuery
    from app.services import catalog_search

    return {card.id for card in catalog_search.search(SearchQuery(text=words)).cards}


def test_a_renamed_creator_is_found_by_the_new_name_only(app, db):
    from tests.marketplace_helpers import make_creator, publish_pack

    creator = make_creator(app, "Quill Harrowgate")
    pack = publish_pack(app, creator)
    draft = publish_pack(app, creator, status="draft", index=False)
    assert _found("harrowgate") == {pack}
    creators.update_profile(creator, "Bramble Okonkwo", "Teaches breath and rest.", None)
    assert _found("okonkwo") == {pack} and _found("harrowgate") == set()
    assert draft not in _found("okonkwo")


def test_accepting_the_terms_with_a_new_name_reindexes_the_packs(app, db):
    from tests.marketplace_helpers import make_creator, publish_pack

    creator = make_creator(app, "Quill Harrowgate")  # a profile without accepted terms
    pack = publish_pack(app, creator)
    assert _found("harrowgate") == {pack}
    creators.become_creator(db.session.get(User, creator), display_name="Bramble Okonkwo")
    assert _found("okonkwo") == {pack} and _found("harrowgate") == set()
