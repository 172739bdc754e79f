"""The voices users can pick: seeded rows with a short preview clip each."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.models import Voice
from app.providers.llm.base import Script, Section, Segment
from app.providers.storage import get_storage
from app.providers.tts import get_engine
from app.services import NotFound, audio

log = logging.getLogger(__name__)

PREVIEW_TEXT = "Take a slow breath in. And let it go. You have all the time you need."

# (provider, provider voice id, name, language, gender, style, description)
EMBEDDED_VOICES = [
    (
        "piper",
        "en_US-joe-medium",
        "Joe",
        "en-US",
        "male",
        "calm, natural",
        "A warm, natural neural voice. Joe's voice model is trained on a CC0 (public domain) dataset.",
    ),
    (
        "espeak",
        "en-us",
        "Classic (US)",
        "en-US",
        None,
        "classic synthetic",
        "A clear, robotic classic synthesiser. Less natural than Joe; works for every language.",
    ),
    (
        "espeak",
        "en",
        "Classic (UK)",
        "en-GB",
        None,
        "classic synthetic",
        "The classic synthesiser with British pronunciation.",
    ),
]
DEFAULT_VOICE = ("piper", "en_US-joe-medium")


def active_voices() -> list[Voice]:
    query = sa.select(Voice).where(Voice.is_active).order_by(Voice.provider != "piper", Voice.name)
    return list(db.session.scalars(query))


def default_voice() -> Voice:
    voice = db.session.scalar(
        sa.select(Voice).where(
            Voice.provider == DEFAULT_VOICE[0], Voice.provider_voice_id == DEFAULT_VOICE[1], Voice.is_active
        )
    )
    voice = voice or db.session.scalar(sa.select(Voice).where(Voice.is_active).order_by(Voice.created_at))
    if voice is None:
        raise NotFound("No voices are set up yet: run `flask voices seed`.")
    return voice


def seed(*, previews: bool = True) -> list[Voice]:
    """Create the embedded voices (idempotent) and make any missing preview clips."""
    voices = []
    for provider, provider_id, name, language, gender, style, description in EMBEDDED_VOICES:
        voice = db.session.scalar(
            sa.select(Voice).where(Voice.provider == provider, Voice.provider_voice_id == provider_id)
        )
        if voice is None:
            voice = Voice(provider=provider, provider_voice_id=provider_id)
            db.session.add(voice)
        voice.name, voice.language, voice.gender, voice.style, voice.description = (
            name,
            language,
            gender,
            style,
            description,
        )
        voices.append(voice)
    db.session.commit()
    if previews:
        for voice in voices:
            if not voice.preview_key or not get_storage().exists(voice.preview_key):
                make_preview(voice)
    return voices


def make_preview(voice: Voice) -> str:
    """Voice a short line, store it as voices/{id}/preview.mp3 and remember the key."""
    engine = get_engine(voice.provider)
    script = Script("Preview", [Section("preview", [Segment(PREVIEW_TEXT, 0.5)])], closing_silence=0.5)
    key = f"voices/{voice.id}/preview.mp3"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "preview.mp3"
        track = audio.render(
            script, engine, path, voice_id=voice.provider_voice_id, pace="normal", target_seconds=0, with_bells=False
        )
        get_storage().put_file(key, path, "audio/mpeg")
    voice.preview_key = key
    db.session.commit()
    log.info("voice preview made for %s (%.1f s)", voice.name, track.duration)
    return key
