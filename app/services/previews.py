"""Thirty-second previews of pack items for the marketplace: the opening of the current version,
faded out, stored beside it (`audio/{user_id}/{ritual_id}/{version}-preview.mp3`, so deleting the
item removes it too) and played through a signed URL. A buyer's full track is never exposed.

A preview is made the first time a pack page needs it and remembered in the item's metadata.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
from flask import current_app
from sqlalchemy.orm.attributes import flag_modified

from app.extensions import db
from app.models import ContentItem
from app.providers.storage import get_storage

log = logging.getLogger(__name__)

PREVIEW_SECONDS = 30
FADE_SECONDS = 3


def preview_key(audio_key: str) -> str:
    """`audio/u/r/3.mp3` → `audio/u/r/3-preview.mp3`."""
    stem = audio_key[:-4] if audio_key.endswith(".mp3") else audio_key
    return f"{stem}-preview.mp3"


def cut_preview(source: Path, target: Path, seconds: float = PREVIEW_SECONDS) -> float:
    """Write the first `seconds` of `source` to `target` as MP3, fading out over the last few; returns its length."""
    with sf.SoundFile(source) as track:
        rate = track.samplerate
        frames = track.read(int(seconds * rate), dtype="float32", always_2d=True)
    mono = frames.mean(axis=1)
    fade = min(len(mono), int(FADE_SECONDS * rate))
    if fade:
        mono[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    with sf.SoundFile(target, "w", samplerate=rate, channels=1, format="MP3", subtype="MPEG_LAYER_III") as out:
        for start in range(0, len(mono), 65536):
            out.write(mono[start : start + 65536])
    return len(mono) / rate


def ensure_preview(item: ContentItem) -> str | None:
    """The key of the item's preview, made now if its current version has none; None if it cannot be made."""
    if not item.audio_url:
        return None
    key = preview_key(item.audio_url)
    if (item.meta or {}).get("preview_key") == key:
        return key
    storage = get_storage()
    try:
        with tempfile.TemporaryDirectory(prefix="waqup-preview-") as tmp:
            source, target = Path(tmp) / "full.mp3", Path(tmp) / "preview.mp3"
            storage.download(item.audio_url, source)
            seconds = cut_preview(source, target)
            storage.put_file(key, target, "audio/mpeg")
    except Exception:  # a damaged or missing object: the page shows no preview for it
        log.exception("could not make a preview of item %s from %s", item.id, item.audio_url)
        return None
    item.meta = {**(item.meta or {}), "preview_key": key, "preview_seconds": round(seconds, 1)}
    flag_modified(item, "meta")
    db.session.commit()
    log.info("made a %.0f s preview of item %s", seconds, item.id)
    return key


def preview_url(item: ContentItem) -> str | None:
    """A fresh signed URL for the item's preview, or None when there is none."""
    key = ensure_preview(item)
    if key is None:
        return None
    return get_storage().signed_url(key, current_app.config["SIGNED_URL_SECONDS"]).url
