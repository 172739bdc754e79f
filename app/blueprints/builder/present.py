"""What the builder's HTML shows for a turn, shared by its two HTML doors (forms/htmx and the socket):
the chips and inline controls under the latest message, the finished practice's player, and the
message a form says."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app

from app.extensions import db
from app.models import ContentItem, GenerationJob
from app.providers.storage import get_storage
from app.services import ServiceError, voices
from app.services.conversations import Turn
from app.services.practice_spec import MAX_MINUTES, MIN_MINUTES, PACES, TONES

DEFAULT_SLIDER_MINUTES = 10


def turn_context(turn: Turn) -> dict[str, Any]:
    """Everything the builder templates need to draw a turn."""
    return {"turn": turn, "player": player(turn.job), "ui": chat_ui(turn)}


def message_text(data: Mapping[str, Any]) -> str:
    """What a builder form says: its text, or the length picked on the duration slider."""
    text = data.get("text")
    if isinstance(text, str) and text:
        return text
    minutes = data.get("minutes")
    if minutes in (None, ""):
        return ""
    try:
        value = int(str(minutes))
    except ValueError:
        value = 0
    if not MIN_MINUTES <= value <= MAX_MINUTES:
        raise ServiceError(f"Pick a length between {MIN_MINUTES} and {MAX_MINUTES} minutes.")
    return f"{value} minutes"


def chat_ui(turn: Turn) -> dict[str, Any]:
    """The chips and inline controls the latest reply offers: a duration slider, a voice picker with
    previews, pace and tone choices. Chips that a control already offers are left out."""
    controls = set(turn.reply.controls)
    ctx = turn.conv.context
    ui: dict[str, Any] = {"chips": list(turn.reply.suggestions), "duration": None, "voices": None, "segments": []}
    covered: set[str] = set()
    if "duration" in controls:
        value = ctx.get("duration_minutes") or ctx.get("duration_proposal") or ctx.get("duration_offer")
        value = value if isinstance(value, int) else DEFAULT_SLIDER_MINUTES
        ui["duration"] = {"value": min(max(value, MIN_MINUTES), MAX_MINUTES), "min": MIN_MINUTES, "max": MAX_MINUTES}
    if "voice" in controls:
        ui["voices"] = voice_choices(ctx.get("voice_id"))
        covered |= {choice["voice"].name.lower() for choice in ui["voices"]} | {"different voice"}
    for name, options in (("pace", PACES), ("tone", TONES)):
        if name in controls:
            segment = {"name": name, "label": name.capitalize(), "options": options, "current": ctx.get(name)}
            ui["segments"].append(segment)
            covered |= set(options)
    ui["chips"] = [chip for chip in ui["chips"] if chip.lower() not in covered]
    return ui


def voice_choices(chosen_id: object) -> list[dict[str, Any]]:
    """The voices to pick from, each with a signed preview URL (when it has a clip)."""
    seconds = current_app.config["SIGNED_URL_SECONDS"]
    return [
        {
            "voice": voice,
            "preview_url": get_storage().signed_url(voice.preview_key, seconds).url if voice.preview_key else None,
            "chosen": str(voice.id) == chosen_id,
        }
        for voice in voices.active_voices()
    ]


def player(job: GenerationJob | None) -> dict[str, Any] | None:
    """The finished practice with a signed URL to play it, once its generation is ready."""
    if job is None or job.status != "ready":
        return None
    item = db.session.get(ContentItem, job.content_item_id)
    if item is None or not item.audio_url:
        return None
    signed = get_storage().signed_url(item.audio_url, current_app.config["SIGNED_URL_SECONDS"])
    return {"item": item, "url": signed.url}
