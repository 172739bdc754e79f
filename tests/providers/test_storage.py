"""One contract for every storage backend: local directory and S3 (against a local moto server)."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from app.providers.storage import StorageError, audio_key
from app.providers.storage.local import LocalStorage
from app.providers.storage.s3 import S3Storage

BUCKET = "waqup-test"


@pytest.fixture(scope="module")
def moto_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path, moto_server):
    if request.param == "local":
        yield LocalStorage(tmp_path / "objects", "secret-for-tests", base_url="/media/")
        return
    s3 = S3Storage(
        BUCKET,
        endpoint_url=moto_server,
        region="us-east-1",
        access_key="testing",
        secret_key="testing",
    )
    s3.client.create_bucket(Bucket=BUCKET)
    yield s3
    s3.delete_prefix("audio/")
    s3.delete_prefix("voices/")


def test_put_read_list_delete(storage, tmp_path):
    source = tmp_path / "track.mp3"
    source.write_bytes(b"ID3 not really audio")
    key = audio_key("u1", "r1", 1)
    assert key == "audio/u1/r1/1.mp3"
    storage.put_file(key, source, "audio/mpeg")
    storage.put_bytes(audio_key("u1", "r1", 2), b"second version", "audio/mpeg")
    storage.put_bytes(audio_key("u2", "r9", 1), b"someone else", "audio/mpeg")
    assert storage.exists(key)
    assert storage.read_bytes(key) == b"ID3 not really audio"
    assert storage.list("audio/u1/") == ["audio/u1/r1/1.mp3", "audio/u1/r1/2.mp3"]
    copy = tmp_path / "copy.mp3"
    storage.download(audio_key("u1", "r1", 2), copy)
    assert copy.read_bytes() == b"second version"
    assert storage.delete_prefix("audio/u1/") == 2
    assert storage.list("audio/u1/") == []
    assert storage.exists(audio_key("u2", "r9", 1))
    storage.delete(audio_key("u2", "r9", 1))
    assert not storage.exists(audio_key("u2", "r9", 1))


def test_overwriting_a_key_keeps_one_object(storage):
    key = audio_key("u1", "r1", 1)
    storage.put_bytes(key, b"first", "audio/mpeg")
    storage.put_bytes(key, b"again", "audio/mpeg")
    assert storage.list("audio/u1/") == [key]
    assert storage.read_bytes(key) == b"again"


def test_missing_objects_raise_a_clear_error(storage):
    with pytest.raises(StorageError):
        storage.read_bytes("audio/nobody/none/1.mp3")


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs/path", "audio/../../x", "audio//x", "", "a\\b"])
def test_unsafe_keys_are_refused(storage, key):
    with pytest.raises(StorageError):
        storage.put_bytes(key, b"x", "text/plain")


def test_signed_urls_expire_in_minutes(storage):
    key = audio_key("u1", "r1", 1)
    storage.put_bytes(key, b"audio bytes", "audio/mpeg")
    signed = storage.signed_url(key, 300)
    assert 290 <= signed.expires_at.timestamp() - time.time() <= 301
    assert key in signed.url


def test_s3_presigned_url_serves_the_object(moto_server):
    """The URL is a standard SigV4 presigned GET (signature checks are S3's; moto does not enforce them)."""
    s3 = S3Storage(BUCKET, endpoint_url=moto_server, region="us-east-1", access_key="testing", secret_key="testing")
    s3.client.create_bucket(Bucket=BUCKET)
    key = audio_key("u5", "r5", 1)
    s3.put_bytes(key, b"presigned body", "audio/mpeg")
    url = s3.signed_url(key, 60).url
    assert requests.get(url, timeout=5).content == b"presigned body"
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["60"]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    s3.delete_prefix("audio/u5/")


def test_cdn_base_url_replaces_the_host():
    s3 = S3Storage(BUCKET, region="us-east-1", cdn_base_url="https://cdn.example.com/", access_key="a", secret_key="b")
    url = s3.signed_url("audio/u/r/1.mp3", 60).url
    assert url.startswith("https://cdn.example.com/")
    assert "X-Amz-Signature=" in url
