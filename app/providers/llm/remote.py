"""What the hosted script writers share: the prompt, and strict checking of what comes back.

Model output is untrusted text: it is parsed as JSON, checked against the expected shape,
stripped of markup and length-checked before anything else sees it.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from importlib.resources import files
from typing import Any

from app.providers.llm.base import Script, Section, Segment
from app.services.practice_spec import PracticeSpec, clean_text

log = logging.getLogger(__name__)

SECTION_NAMES = {
    "guided_meditation": ["arrival", "breath", "body", "intention", "closing"],
    "affirmation": ["opening", "affirmations", "closing"],
    "ritual": ["arrival", "steps", "closing"],
}
CONTENT_LABELS = {"guided_meditation": "guided meditation", "affirmation": "set of affirmations", "ritual": "ritual"}
TYPE_GUIDANCE = {
    "guided_meditation": (
        "Move from arriving, to the breath, to the body or a visualisation, to an intention, to a gentle close."
    ),
    "affirmation": "Affirmations are first-person, present-tense statements (I am, I can, I choose), some repeated.",
    "ritual": "A ritual is a few simple steps the listener does, each introduced plainly, with time to do it.",
}
MAX_SEGMENT_CHARS = 600
MAX_TITLE = 60
_TAG = re.compile(r"<[^>]*>")
_BRACKETS = re.compile(r"\[[^\]]*\]|\{[^}]*\}")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:!?…])")


class ScriptFormatError(ValueError):
    """The model's answer is not a usable script."""


class ScriptWriterError(Exception):
    """The writer failed for good."""


class TransientWriterError(ScriptWriterError):
    """The writer failed in a way worth retrying later (rate limit, timeout, server error)."""


def _template(name: str) -> str:
    return files("app.providers.llm").joinpath("prompts", name).read_text(encoding="utf-8")


def target_words(spec: PracticeSpec) -> int:
    return round(spec.duration_minutes * 65)


def system_prompt() -> str:
    return _template("script_system.txt")


def user_prompt(spec: PracticeSpec) -> str:
    context_lines = "\n".join(f"{k.replace('_', ' ').capitalize()}: {v}" for k, v in spec.context.items())
    return _template("script_user.txt").format(
        content_label=CONTENT_LABELS[spec.content_type],
        minutes=spec.duration_minutes,
        intent=spec.intent,
        context_lines=context_lines or "No further context.",
        tone=spec.tone,
        pace=spec.pace,
        focus_line=f" Focus: {spec.focus.replace('_', ' ')}." if spec.focus else "",
        section_names=", ".join(SECTION_NAMES[spec.content_type]),
        target_words=target_words(spec),
        type_guidance=TYPE_GUIDANCE[spec.content_type],
    )


def clean_spoken(text: str) -> str:
    """Plain spoken text: tags, bracketed directions, markdown marks and control characters removed."""
    text = _TAG.sub(" ", text)
    text = _BRACKETS.sub(" ", text)
    text = text.replace("*", " ").replace("#", " ").replace("_", " ")
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", clean_text(text))


def parse_script(raw: str, spec: PracticeSpec, *, writer: str) -> Script:
    """A validated Script from the model's JSON answer, or ScriptFormatError saying what is wrong."""
    raw = raw.strip()
    if raw.startswith("```"):
        raw = raw.strip("`").removeprefix("json").strip()
    try:
        data: Any = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ScriptFormatError(f"not JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("sections"), list) or not data["sections"]:
        raise ScriptFormatError("no sections")
    sections = []
    for number, item in enumerate(data["sections"], start=1):
        if not isinstance(item, dict) or not isinstance(item.get("segments"), list):
            raise ScriptFormatError(f"section {number} has no segments")
        name = clean_spoken(str(item.get("name") or f"part {number}"))[:40] or f"part {number}"
        segments = []
        for seg in item["segments"]:
            if not isinstance(seg, dict) or not isinstance(seg.get("text"), str):
                raise ScriptFormatError(f"a segment of section {number} has no text")
            text = clean_spoken(seg["text"])
            if not text:
                continue
            if len(text) > MAX_SEGMENT_CHARS:
                raise ScriptFormatError(f"a segment of section {number} is {len(text)} characters long")
            if text[-1] not in ".?!…":
                text += "."
            pause = seg.get("pause", 3)
            if isinstance(pause, bool) or not isinstance(pause, int | float):
                raise ScriptFormatError(f"a pause in section {number} is not a number")
            segments.append(Segment(text, float(min(max(pause, 3.0), 90.0))))
        if segments:
            sections.append(Section(name.lower(), segments))
    if not sections:
        raise ScriptFormatError("every segment was empty")
    script = Script(
        title=_title(data.get("title"), spec),
        sections=sections,
        closing_silence=float(min(max(_number(data.get("closing_silence"), 20.0), 15.0), 60.0)),
        meta={"writer": writer, "target_words": target_words(spec)},
    )
    if script.words > target_words(spec) * 2 + 40:
        raise ScriptFormatError(f"{script.words} words is far over the budget of {target_words(spec)}")
    if script.words < min(40, target_words(spec) // 3):
        raise ScriptFormatError(f"{script.words} words is far under the budget of {target_words(spec)}")
    return script


def write_checked(ask: Callable[[], str], spec: PracticeSpec, *, writer: str) -> Script:
    """Ask for a script and check it; a malformed answer gets one retry, then a clear failure."""
    problem = None
    for attempt in (1, 2):
        try:
            return parse_script(ask(), spec, writer=writer)
        except ScriptFormatError as exc:
            problem = exc
            log.warning("%s script unusable (attempt %d): %s", writer, attempt, exc)
    raise ScriptWriterError(f"{writer} returned an unusable script twice: {problem}")


def _number(value: Any, default: float) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def _title(value: Any, spec: PracticeSpec) -> str:
    title = clean_spoken(value) if isinstance(value, str) else ""
    title = title.strip("\"'“”‘’ ")[:MAX_TITLE].strip()
    return title or spec.intent[:1].upper() + spec.intent[1:MAX_TITLE]


def response_schema() -> dict[str, Any]:
    """JSON Schema of the answer, for providers that can enforce one."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["title", "sections", "closing_silence"],
        "properties": {
            "title": {"type": "string"},
            "closing_silence": {"type": "number"},
            "sections": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["name", "segments"],
                    "properties": {
                        "name": {"type": "string"},
                        "segments": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["text", "pause"],
                                "properties": {"text": {"type": "string"}, "pause": {"type": "number"}},
                            },
                        },
                    },
                },
            },
        },
    }
