"""The object storage port: private objects, read only through signed, expiring URLs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]*(/[A-Za-z0-9][A-Za-z0-9._\-]*)*$")
_FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._\-]{0,119}$")


class StorageError(Exception):
    pass


@dataclass(frozen=True)
class SignedUrl:
    url: str
    expires_at: datetime


def check_key(key: str) -> str:
    """Object keys are relative paths of plain segments: no '..', no leading '/', no oddities."""
    if not _KEY.match(key or "") or ".." in key.split("/") or len(key) > 500:
        raise StorageError(f"Invalid object key: {key!r}")
    return key


def attachment(filename: str) -> str:
    """A `Content-Disposition` value that makes browsers save the object as `filename` (plain ASCII, no quotes)."""
    if not _FILENAME.match(filename):
        raise StorageError(f"Invalid download name: {filename!r}")
    return f'attachment; filename="{filename}"'


def audio_key(user_id: object, ritual_id: object, version: int) -> str:
    """The object key layout of DESIGN.md: audio/{user_id}/{ritual_id}/{version}.mp3."""
    return f"audio/{user_id}/{ritual_id}/{version}.mp3"


class Storage(Protocol):
    name: str

    def put_file(self, key: str, path: Path, content_type: str) -> None: ...

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None: ...

    def exists(self, key: str) -> bool: ...

    def read_bytes(self, key: str) -> bytes: ...

    def download(self, key: str, path: Path) -> None: ...

    def list(self, prefix: str) -> list[str]: ...

    def delete(self, key: str) -> None: ...

    def delete_prefix(self, prefix: str) -> int: ...

    def signed_url(self, key: str, expires_in: int, *, download_name: str | None = None) -> SignedUrl:
        """A URL that reads the object until it expires; with `download_name`, browsers save it as that file."""
        ...
