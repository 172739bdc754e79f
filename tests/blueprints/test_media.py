"""Local storage objects are served only through fresh, untampered signed URLs (SECURITY.md 20)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import time_machine

from app.providers.storage import get_storage


def _get(client, url: str, **kwargs):
    """GET and close the file-backed response (the body is read first)."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def _signed(app, key: str, body: bytes, seconds: int = 300) -> str:
    with app.app_context():
        storage = get_storage()
        storage.put_bytes(key, body, "audio/mpeg")
        return storage.signed_url(key, seconds).url


def test_signed_url_serves_the_object_with_range_support(app, client):
    url = _signed(app, "audio/u1/r1/1.mp3", b"0123456789" * 100)
    response = _get(client, url)
    assert response.status_code == 200
    assert response.data == b"0123456789" * 100
    assert response.mimetype == "audio/mpeg"
    assert response.headers["Cache-Control"].startswith("private, max-age=")
    assert int(response.headers["Cache-Control"].split("=")[1]) <= 300
    partial = _get(client, url, headers={"Range": "bytes=10-19"})
    assert partial.status_code == 206
    assert partial.data == b"0123456789"


def test_signed_urls_expire_and_resist_tampering(app, client):
    url = _signed(app, "audio/u1/r1/1.mp3", b"secret audio", seconds=120)
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    expires, signature = query["e"][0], query["s"][0]

    later = str(int(expires) + 3600)
    assert _get(client, f"{parts.path}?e={later}&s={signature}").status_code == 403  # longer life, same signature
    assert _get(client, f"{parts.path}?e={expires}&s={signature[:-2]}xx").status_code == 403
    assert _get(client, f"/media/audio/u2/r1/1.mp3?e={expires}&s={signature}").status_code == 403  # other key
    assert _get(client, parts.path).status_code == 403  # unsigned

    with time_machine.travel(int(expires) + 1, tick=False):
        assert _get(client, url).status_code == 403
    assert _get(client, url).status_code == 200


def test_unsafe_paths_are_refused(app, client):
    assert _get(client, "/media/../config.py?e=9999999999&s=x").status_code in (403, 404)
    assert _get(client, "/media/audio/%2e%2e/%2e%2e/config.py?e=9999999999&s=x").status_code in (403, 404)


def test_an_expiry_that_is_not_ascii_digits_is_refused(app, client):
    url = _signed(app, "audio/u1/r1/1.mp3", b"secret audio")
    parts = urlsplit(url)
    signature = parse_qs(parts.query)["s"][0]
    for expires in ("²", "٣", "9999999999²"):
        assert _get(client, f"{parts.path}?e={expires}&s={signature}").status_code == 403
