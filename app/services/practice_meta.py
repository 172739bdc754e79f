"""What the system decides about a practice: depth and tags (never asked of the user)."""

from __future__ import annotations

import re

from app.providers.llm.base import Script
from app.services.practice_spec import PracticeSpec

# Words in an intent that map to a catalogue tag.
TAG_WORDS = {
    "sleep": ("sleep", "insomnia", "bed", "night", "drift off", "rest"),
    "anxiety": ("anxious", "anxiety", "nervous", "panic", "worry", "worried", "calm down", "interview"),
    "stress": ("stress", "stressful", "overwhelm", "pressure", "workday", "work day", "burnout"),
    "focus": ("focus", "concentrat", "study", "productive", "deep work"),
    "confidence": ("confiden", "self-esteem", "believe in", "courage", "brave"),
    "gratitude": ("grateful", "gratitude", "thankful", "appreciat"),
    "morning": ("morning", "wake", "start the day", "start my day"),
    "self-compassion": ("kind to myself", "self-compassion", "self compassion", "forgive", "gentle with"),
    "energy": ("energy", "energis", "energiz", "motivat", "tired", "sluggish"),
    "letting-go": ("let go", "letting go", "release"),
}


def assign_depth(spec: PracticeSpec, script: Script) -> str:
    """shallow for short check-ins, deep for long or immersive practices, medium in between."""
    immersive = spec.focus in {"body_scan", "visualisation", "sleep"}
    if spec.duration_minutes <= 5 and not (immersive and spec.duration_minutes >= 5):
        return "shallow"
    if spec.duration_minutes >= 20 or (immersive and spec.duration_minutes >= 10) or len(script.sections) >= 7:
        return "deep"
    return "medium"


def assign_tags(spec: PracticeSpec) -> list[str]:
    tags = {spec.content_type.replace("_", "-")}
    if spec.focus:
        tags.add(spec.focus.replace("_", "-"))
    if spec.context.get("time_of_day"):
        tags.add(spec.context["time_of_day"])
    text = " ".join([spec.intent, spec.context.get("situation", ""), spec.context.get("mood", "")]).lower()
    for tag, words in TAG_WORDS.items():
        if any(re.search(r"\b" + re.escape(word), text) for word in words):
            tags.add(tag)
    if spec.is_sleep:
        tags.add("sleep")
    return sorted(tags)
