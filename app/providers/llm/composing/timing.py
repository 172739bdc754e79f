"""Fitting the silence: one pause after every passage, plus the closing silence, so the practice runs its length.

Speech is assumed at SPEECH_WPM, so a script of W words speaks for W / SPEECH_WPM minutes and leaves
`duration - speech` seconds for silence. Every passage has a kind with a pause range and a preferred
pause (narration practice: 3 s or more between instructions, about 8 s after a guided breath, 5-10 s
between body-scan steps, 10 s or more after a reflective question, 15-60 s of closing silence). One
scale factor, found by bisection, multiplies every preferred pause and clamps it to its range, so the
total lands on the gap. If the ranges can't reach the gap, the passages change first: short ones are
joined (fewer, longer silences) or optional ones dropped when there is too little silence to share;
long ones are split or a resting silence added when there is too much.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

SPEECH_WPM = 110
SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
BREATH_CUE = re.compile(r"\b(breathe in|breathing in|breath in|inhale|inhaling)\b", re.IGNORECASE)
MAX_SEGMENT_WORDS = 50
LAST_PAUSE = 3.0  # the mixer lets the closing silence stand in for the last passage's pause


@dataclass(frozen=True)
class PauseRule:
    low: float
    high: float
    pref: float


PAUSES = {
    "instruction": PauseRule(3.0, 12.0, 5.0),
    "breath": PauseRule(7.0, 9.5, 8.0),
    "scan": PauseRule(5.0, 10.0, 7.0),
    "image": PauseRule(4.0, 12.0, 7.0),
    "move": PauseRule(6.0, 15.0, 10.0),
    "reflect": PauseRule(10.0, 30.0, 12.0),
    "rest": PauseRule(12.0, 60.0, 15.0),
    "affirm": PauseRule(3.0, 10.0, 5.0),
}
CLOSING = PauseRule(15.0, 60.0, 18.0)
SLEEP_CLOSING = PauseRule(15.0, 60.0, 40.0)
JOINABLE = {"instruction", "affirm", "image"}
SPLITTABLE = {"instruction", "affirm", "image", "move", "scan"}


@dataclass
class Draft:
    """A passage before timing: its text, the kind of pause after it, and whether it may be dropped."""

    text: str
    kind: str = "instruction"
    optional: bool = False
    weight: float = 1.0  # a little jitter on the preferred pause, so the silences don't all sound alike
    section: int = 0
    lead: bool = False  # an introduction that only makes sense before the passage after it

    words: int = field(init=False, repr=False)
    sentences: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.words = len(self.text.split())
        self.sentences = len(SENTENCE_END.split(self.text.strip()))


def words_of(drafts: list[Draft]) -> int:
    return sum(d.words for d in drafts)


def kind_of(text: str, kind: str) -> str:
    """Questions are reflective prompts and breath cues are guided breaths, whatever pool they came from."""
    if "?" in text:
        return "reflect"
    if kind in ("instruction", "affirm", "scan", "image", "move") and BREATH_CUE.search(text):
        return "breath"
    return kind


def speech_seconds(words: int) -> float:
    return words / SPEECH_WPM * 60


def bounds(drafts: list[Draft], closing: PauseRule) -> tuple[float, float]:
    inner = drafts[:-1]
    low = sum(PAUSES[d.kind].low for d in inner) + LAST_PAUSE + closing.low
    high = sum(PAUSES[d.kind].high for d in inner) + LAST_PAUSE + closing.high
    return low, high


def fit(
    drafts: list[Draft],
    duration: float,
    closing: PauseRule,
    make_rest: Callable[[], Draft | None],
    choose: Callable[[list[int]], int],
) -> tuple[list[Draft], list[float], float]:
    """The passages (possibly joined, split or trimmed), a pause for each, and the closing silence."""
    drafts = list(drafts)
    for _ in range(500):
        needed = duration - speech_seconds(words_of(drafts))
        low, high = bounds(drafts, closing)
        if low > 0.85 * needed and join(drafts):
            continue
        if low > needed and drop(drafts):
            continue
        if high < needed and (split(drafts) or add_rest(drafts, make_rest, choose)):
            continue
        break
    needed = duration - speech_seconds(words_of(drafts))
    rules: list[tuple[PauseRule, float]] = []
    for i, d in enumerate(drafts):
        rule = PAUSES[d.kind]
        boundary = i + 1 < len(drafts) and drafts[i + 1].section != d.section
        rules.append((rule, rule.pref * d.weight * (1.25 if boundary else 1.0)))

    def pauses_at(k: float) -> tuple[list[float], float]:
        inner = [min(max(pref * k, rule.low), rule.high) for rule, pref in rules[:-1]]
        return [*inner, LAST_PAUSE], min(max(closing.pref * k, closing.low), closing.high)

    lo_k, hi_k = 0.0, 100.0
    for _ in range(80):
        mid = (lo_k + hi_k) / 2
        inner, end = pauses_at(mid)
        if sum(inner) + end < needed:
            lo_k = mid
        else:
            hi_k = mid
    inner, end = pauses_at((lo_k + hi_k) / 2)
    pauses = [round(p, 1) for p in inner]
    end = round(min(max(needed - sum(pauses), closing.low), closing.high), 1)
    return drafts, pauses, end


def join(drafts: list[Draft]) -> bool:
    """Join the two shortest neighbours that may share one silence; False when none may."""
    best: int | None = None
    for i in range(len(drafts) - 1):
        a, b = drafts[i], drafts[i + 1]
        if a.section != b.section or a.kind not in JOINABLE or b.kind == "reflect":
            continue
        limit = 2 if a.kind == "affirm" or b.kind == "affirm" else 3
        if a.sentences + b.sentences > limit or a.words + b.words > MAX_SEGMENT_WORDS:
            continue
        size = (a.sentences + b.sentences, a.words + b.words)
        if best is None or size < (
            drafts[best].sentences + drafts[best + 1].sentences,
            drafts[best].words + drafts[best + 1].words,
        ):
            best = i
    if best is None:
        return False
    a, b = drafts[best], drafts[best + 1]
    drafts[best : best + 2] = [Draft(f"{a.text} {b.text}", b.kind, a.optional and b.optional, b.weight, b.section)]
    return True


def drop(drafts: list[Draft]) -> bool:
    """Drop an optional passage: a resting silence first, else the last optional one of the longest section."""
    optional = [i for i, d in enumerate(drafts) if d.optional]
    if not optional:
        return False
    rests = [i for i in optional if drafts[i].kind == "rest"]
    if rests:
        at = rests[-1]
    else:
        sizes: dict[int, int] = {}
        for d in drafts:
            sizes[d.section] = sizes.get(d.section, 0) + d.words
        at = max(optional, key=lambda i: (sizes[drafts[i].section], i))
    section = drafts[at].section
    del drafts[at]
    # An introduction left without what it introduces goes too.
    while (
        at > 0
        and drafts[at - 1].lead
        and drafts[at - 1].section == section
        and (at == len(drafts) or drafts[at].section != section or drafts[at].lead)
    ):
        at -= 1
        del drafts[at]
    return True


def split(drafts: list[Draft]) -> bool:
    """Split the longest multi-sentence passage in two, so there is one more silence to fill."""
    candidates = [i for i, d in enumerate(drafts[:-1]) if d.kind in SPLITTABLE and d.sentences > 1]
    if not candidates:
        return False
    i = max(candidates, key=lambda j: (drafts[j].words, -j))
    d = drafts[i]
    first, rest = SENTENCE_END.split(d.text.strip(), maxsplit=1)
    lead = "affirm" if d.kind == "affirm" else "instruction"
    drafts[i : i + 1] = [
        Draft(first, kind_of(first, lead), d.optional, d.weight, d.section),
        Draft(rest, d.kind, d.optional, d.weight, d.section),
    ]
    return True


def add_rest(drafts: list[Draft], make_rest: Callable[[], Draft | None], choose: Callable[[list[int]], int]) -> bool:
    """Add a resting silence inside the longest section."""
    if len(drafts) < 3 or sum(1 for d in drafts if d.kind == "rest") > len(drafts) // 4:
        return False
    rest = make_rest()
    if rest is None:
        return False
    sizes: dict[int, int] = {}
    for d in drafts:
        sizes[d.section] = sizes.get(d.section, 0) + d.words
    section = max(sizes, key=lambda s: (sizes[s], -s))
    spots = [i for i, d in enumerate(drafts[:-1]) if d.section == section and drafts[i + 1].section == section]
    at = choose(spots) + 1 if spots else len(drafts) - 1
    rest.optional = True
    rest.section = drafts[at - 1].section
    drafts.insert(at, rest)
    return True
