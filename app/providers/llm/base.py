"""The script writer port: a spec in, a structured script out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from app.services.practice_spec import PracticeSpec


@dataclass
class Segment:
    """One spoken passage and the silence (seconds) that follows it."""

    text: str
    pause: float


@dataclass
class Section:
    name: str  # e.g. arrival, breath, body, visualisation, intention, closing; affirmations; ritual steps
    segments: list[Segment] = field(default_factory=list)

    @property
    def words(self) -> int:
        return sum(len(s.text.split()) for s in self.segments)


@dataclass
class Script:
    title: str
    sections: list[Section]
    closing_silence: float = 20.0  # seconds of silence after the last words
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def words(self) -> int:
        return sum(s.words for s in self.sections)

    @property
    def text(self) -> str:
        return "\n\n".join(" ".join(seg.text for seg in s.segments) for s in self.sections)

    @property
    def total_pause(self) -> float:
        return sum(seg.pause for s in self.sections for seg in s.segments) + self.closing_silence


class ScriptWriter(Protocol):
    name: str

    def write(self, spec: PracticeSpec, *, seed: int) -> Script: ...
