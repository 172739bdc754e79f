"""What a practice should be: the spec the builder, the API and the CLI hand to generation.

Free of Flask and the database: `PracticeSpec.from_dict` validates plain data; the generation
service resolves the voice and merges the user's saved preferences before calling it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from app.services import ServiceError

CONTENT_TYPES = ("affirmation", "guided_meditation", "ritual")
PACES = ("slow", "normal", "fast")
TONES = ("gentle", "warm", "energising", "grounding")
FOCUSES = ("breath", "body_scan", "visualisation", "gratitude", "sleep", "self_compassion", "energy", "focus")
TIMES_OF_DAY = ("morning", "midday", "afternoon", "evening", "night")
CONTEXT_FIELDS = ("time_of_day", "place", "mood", "situation")
MIN_MINUTES, MAX_MINUTES = 1, 60
MAX_INTENT = 300
MAX_CONTEXT_TEXT = 120


@dataclass(frozen=True)
class PracticeSpec:
    content_type: str
    intent: str
    duration_minutes: int
    pace: str = "normal"
    tone: str = "gentle"
    focus: str | None = None
    context: dict[str, str] = field(default_factory=dict)
    voice_id: str | None = None

    @property
    def duration_seconds(self) -> int:
        return self.duration_minutes * 60

    @property
    def is_sleep(self) -> bool:
        return self.focus == "sleep" or self.context.get("time_of_day") == "night"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PracticeSpec:
        """A validated spec, or ServiceError naming the first field at fault."""
        if not isinstance(data, dict):
            raise ServiceError("The spec must be an object.")
        content_type = _choice(data, "content_type", CONTENT_TYPES, required=True)
        intent = _text(data, "intent", MAX_INTENT, required=True)
        minutes = data.get("duration_minutes")
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not MIN_MINUTES <= minutes <= MAX_MINUTES:
            raise ServiceError(
                f"Duration must be a whole number of minutes from {MIN_MINUTES} to {MAX_MINUTES}.",
                field="duration_minutes",
            )
        context_raw = data.get("context") or {}
        if not isinstance(context_raw, dict):
            raise ServiceError("Context must be an object.", field="context")
        unknown = set(context_raw) - set(CONTEXT_FIELDS)
        if unknown:
            raise ServiceError(
                f"Unknown context field(s): {', '.join(sorted(unknown))}. Use {', '.join(CONTEXT_FIELDS)}.",
                field="context",
            )
        context = {}
        for name in CONTEXT_FIELDS:
            if context_raw.get(name) is not None:
                context[name] = _text(context_raw, name, MAX_CONTEXT_TEXT, field_name=f"context.{name}")
        if "time_of_day" in context and context["time_of_day"] not in TIMES_OF_DAY:
            raise ServiceError(f"Time of day must be one of: {', '.join(TIMES_OF_DAY)}.", field="context.time_of_day")
        voice = data.get("voice_id")
        if voice is not None and not isinstance(voice, str):
            raise ServiceError("Voice must be a voice id.", field="voice_id")
        return cls(
            content_type=content_type,
            intent=intent,
            duration_minutes=minutes,
            pace=_choice(data, "pace", PACES) or "normal",
            tone=_choice(data, "tone", TONES) or "gentle",
            focus=_choice(data, "focus", FOCUSES),
            context=context,
            voice_id=voice,
        )


def clean_text(value: str) -> str:
    """Collapse whitespace and drop control characters and angle brackets (text is data, not markup)."""
    kept = "".join(ch for ch in value if ch.isprintable() and ch not in "<>")
    return " ".join(kept.split())


def _text(data: dict[str, Any], name: str, limit: int, *, required: bool = False, field_name: str | None = None) -> str:
    field_name = field_name or name
    value = data.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ServiceError(f"{field_name} must be text.", field=field_name)
    value = clean_text(value)
    if required and not value:
        raise ServiceError(f"Say in a few words what the practice is for ({field_name} is empty).", field=field_name)
    if len(value) > limit:
        raise ServiceError(f"{field_name} is too long: keep it under {limit} characters.", field=field_name)
    return value


def _choice(data: dict[str, Any], name: str, allowed: tuple[str, ...], *, required: bool = False) -> str | None:
    value = data.get(name)
    if value is None:
        if required:
            raise ServiceError(f"{name} is required: one of {', '.join(allowed)}.", field=name)
        return None
    if value not in allowed:
        raise ServiceError(f"{name} must be one of: {', '.join(allowed)}.", field=name)
    return value
