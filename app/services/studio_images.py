"""Uploaded images (creator avatars, pack covers): checked by their bytes, stored privately, shown signed.

The file name and the browser's content type are never trusted: only the first bytes decide
whether an upload is a PNG, a JPEG or a WebP image (tests/services/test_creators.py::
test_an_avatar_is_checked_by_its_bytes_not_its_name).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import IO

from flask import current_app

from app.providers.storage import StorageError, get_storage
from app.services import ServiceError

log = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 2 * 1024 * 1024
KINDS = "PNG, JPEG or WebP"


@dataclass(frozen=True)
class Image:
    data: bytes
    extension: str
    content_type: str


def sniff(data: bytes) -> tuple[str, str] | None:
    """(extension, content type) of a PNG, JPEG or WebP image by its magic bytes, else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg", "image/jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp", "image/webp"
    return None


def read_upload(stream: IO[bytes] | None, *, field: str, label: str) -> Image | None:
    """The uploaded image, or None when no file was chosen; ServiceError for a wrong kind or size."""
    if stream is None:
        return None
    data = stream.read(MAX_IMAGE_BYTES + 1)
    if not data:
        return None
    if len(data) > MAX_IMAGE_BYTES:
        raise ServiceError(f"The {label} is too large: keep it under 2 MB.", field=field)
    kind = sniff(data)
    if kind is None:
        raise ServiceError(f"The {label} must be a {KINDS} image.", field=field)
    return Image(data, *kind)


def store(folder: str, owner_id: uuid.UUID, image: Image) -> str:
    """Put the image at `{folder}/{owner_id}/{uuid}.{ext}` and return its key."""
    key = f"{folder}/{owner_id}/{uuid.uuid4()}.{image.extension}"
    get_storage().put_bytes(key, image.data, image.content_type)
    return key


def discard(key: str | None) -> None:
    """Delete a replaced image; a failure is logged and leaves an orphan object, never an error page."""
    if not key:
        return
    try:
        get_storage().delete(key)
    except (StorageError, OSError):
        log.exception("could not delete the replaced image %s", key)


def signed_url(key: str | None) -> str | None:
    """A short-lived URL for a stored image."""
    if not key:
        return None
    return get_storage().signed_url(key, current_app.config["SIGNED_URL_SECONDS"]).url
