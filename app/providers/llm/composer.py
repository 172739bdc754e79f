"""The embedded script writer: a phrase library, a small grammar and a timing plan. No network, no model.

How a script is made (see `composing/`):

1. The intent and the context are read into phrases that sit inside sentences ("I want to sleep better"
   -> "sleep better" / "sleeping better"; "my bedroom" -> "in your bedroom").
2. The duration and pace give a word budget: about 65 words a minute at a normal pace (58 slow, 72
   fast, at most 60 for sleep); the rest of the time is silence. Each section gets a share of it.
3. Each section is written from the phrase library (`phrases/`): its core lines first, then optional
   passages drawn from shuffled decks, so nothing repeats until a deck runs out, until its share is used.
4. The silence is fitted (`composing/timing.py`): one scale factor sets every pause inside its range
   so that speech (at 110 words a minute) plus pauses plus the closing silence make the duration.

The same spec and seed give the same script; another seed gives other phrasings.
"""

from __future__ import annotations

from app.providers.llm.base import Script
from app.providers.llm.composing.affirmation import AffirmationWriter
from app.providers.llm.composing.core import WriterCore
from app.providers.llm.composing.meditation import MeditationWriter
from app.providers.llm.composing.ritual import RitualWriter
from app.providers.llm.composing.timing import SPEECH_WPM
from app.services.practice_spec import PracticeSpec

PACE_WPM = {"slow": 58, "normal": 65, "fast": 72}
# Affirmations are short statements, each followed by a silence to repeat it in: fewer words a minute.
AFFIRMATION_WPM = {"slow": 56, "normal": 59, "fast": 66}
SLEEP_WPM = 60
MIN_WPM, MAX_WPM = 56, 78  # kept inside the 55-80 words a minute the product asks for
WRITERS: dict[str, type[WriterCore]] = {
    "guided_meditation": MeditationWriter,
    "affirmation": AffirmationWriter,
    "ritual": RitualWriter,
}


class EmbeddedComposer:
    """The default ScriptWriter: needs no network and no model."""

    name = "embedded"

    def write(self, spec: PracticeSpec, *, seed: int) -> Script:
        writer = WRITERS[spec.content_type]
        target = aim = target_words(spec)
        best: tuple[float, Script] | None = None
        for attempt in range(6):
            script, drift = writer(spec, seed, target, attempt).script()
            per_minute = script.words / spec.duration_minutes
            score = abs(drift) + max(0.0, MIN_WPM - 1 - per_minute, per_minute - MAX_WPM - 1) / 10
            if best is None or score < best[0]:
                best = (score, script)
            if abs(drift) <= 0.02 and MIN_WPM - 1 <= per_minute <= MAX_WPM + 1:
                break
            # Running long means the silences are already at their shortest: say less. Running short, or
            # too few words a minute, means there's silence to spare: say more.
            if per_minute < MIN_WPM or (drift < -0.02 and per_minute < MAX_WPM):
                target = round(target * 1.06) + 2
            else:
                target = max(round(target * 0.94), round(MIN_WPM * spec.duration_minutes * 0.9))
        assert best is not None
        script = best[1]
        script.meta = {
            "writer": self.name,
            "seed": seed,
            "target_words": aim,
            "speech_wpm_assumed": SPEECH_WPM,
        }
        return script


def target_words(spec: PracticeSpec) -> int:
    """Words to aim for: the pace's words a minute (slower for sleep), times the minutes."""
    table = AFFIRMATION_WPM if spec.content_type == "affirmation" else PACE_WPM
    wpm = table.get(spec.pace, table["normal"])
    if spec.is_sleep:
        wpm = min(wpm, SLEEP_WPM)
    if spec.duration_minutes == 1:
        wpm = MIN_WPM  # one minute: a short arrival, one breath, the intent and a close
    return round(spec.duration_minutes * wpm)
