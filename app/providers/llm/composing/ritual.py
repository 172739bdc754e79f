"""Rituals: a few simple steps, chosen by the time of day.

morning: wake -> breath -> intention -> movement -> affirmation -> closing
midday (and afternoon): pause -> breath -> body -> intention -> affirmation -> closing
evening: arrive -> release the day -> gratitude -> intention for tomorrow -> closing
night, or any sleep practice: arrive -> release -> gratitude -> rest (drifting off, no waking cue)
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app.providers.llm.composing.core import WriterCore, within_three
from app.providers.llm.composing.timing import Draft
from app.providers.llm.phrases import imagery
from app.providers.llm.phrases import meditation as med
from app.providers.llm.phrases import ritual as rit

WEIGHTS = {
    "morning": {"breath": 0.2, "intention": 0.22, "movement": 0.26, "affirmation": 0.2},
    "midday": {"breath": 0.24, "body": 0.24, "intention": 0.26, "affirmation": 0.2},
    "evening": {"release": 0.4, "gratitude": 0.3, "tomorrow": 0.3},
    "night": {"release": 0.45, "gratitude": 0.3},
}
# A one-minute ritual keeps the steps that carry it, one passage each, so the silences still fit.
SHORT_STEPS = {
    "morning": ["wake", "intention", "movement", "closing"],
    "midday": ["pause", "body", "intention", "closing"],
    "evening": ["arrive", "release", "gratitude", "closing"],
    "night": ["arrive", "release", "rest"],
}
TITLE_TIMES = {"morning": "Morning", "midday": "Midday", "afternoon": "Afternoon", "evening": "Evening"}


class RitualWriter(WriterCore):
    @property
    def kind(self) -> str:
        if self.sleep:
            return "night"
        if self.time in ("morning", "midday", "evening"):
            return self.time
        if self.time == "afternoon":
            return "midday"
        text = self.spec.intent.lower()
        if re.search(r"\b(evening|tonight|after work|workday|unwind|wind down|end of the day)", text):
            return "evening"
        if re.search(r"\b(lunch|midday|afternoon|break)", text):
            return "midday"
        return "morning"

    def title_options(self) -> list[str]:
        label = "Bedtime" if self.kind == "night" else TITLE_TIMES.get(self.time, TITLE_TIMES[self.kind])
        return [f"{label} Ritual for {self.theme_noun()}", f"{label} Ritual"]

    def sections(self) -> list[tuple[str, list[Draft]]]:
        kind = self.kind
        if self.tight:
            return self.one_minute()
        steps = rit.STEPS[kind]
        weights = {k: v for k, v in WEIGHTS[kind].items() if k in steps}
        budget = self.split_budget(0.12, 0.14 if kind == "night" else 0.1, weights)
        budget[steps[0]] = budget.pop("first")
        budget[steps[-1]] = budget.pop("last")
        if kind == "night" and "release" in budget:
            budget["rest"] += 0.2 * budget["release"]
            budget["release"] *= 0.8
        writers: dict[str, Callable[[float], list[Draft]]] = {
            "wake": self.wake,
            "pause": self.pause,
            "arrive": self.arrive,
            "breath": self.breath,
            "body": self.body,
            "intention": self.intention,
            "movement": self.movement,
            "affirmation": self.affirmation,
            "release": self.release,
            "gratitude": self.gratitude,
            "tomorrow": self.tomorrow,
            "closing": self.closing,
            "rest": self.rest_step,
        }
        return [(name, writers[name](budget.get(name, 0))) for name in steps]

    def one_minute(self) -> list[tuple[str, list[Draft]]]:
        """One passage per step and no guided breath: a one-minute ritual has little silence to share."""
        kind = self.kind
        opening, more = {
            "morning": (rit.WAKE_OPEN, rit.WAKE),
            "midday": (rit.MIDDAY_OPEN, rit.MIDDAY_PAUSE),
            "evening": (rit.EVENING_OPEN, rit.EVENING_ARRIVE),
            "night": (rit.NIGHT_OPEN, rit.NIGHT_ARRIVE),
        }[kind]
        intent_pool = {
            "morning": rit.MORNING_INTENTION,
            "midday": rit.MIDDAY_INTENTION,
            "evening": rit.RELEASE_INTENT,
            "night": rit.RELEASE_INTENT,
        }[kind]
        intent = [self.line("intent", [t for t in intent_pool if "{goal" in t], max_words=16, essential=True)]
        passages: dict[str, list[Draft | None]] = {
            "first": [self.line("open", opening, max_words=12), self.line("open-more", more, max_words=10)],
            "intention": intent,
            "release": intent,
            "movement": [self.line("move", rit.MOVEMENT, max_words=12)],
            "body": [self.line("body", rit.MIDDAY_BODY, max_words=14)],
            "gratitude": [self.line("gratitude", rit.GRATITUDE, max_words=16)],
            "rest": [self.line("night-rest", rit.NIGHT_REST, max_words=12), self.line("night-end", rit.NIGHT_END)],
        }
        close, end = {
            "morning": (rit.MORNING_CLOSE, rit.MORNING_END),
            "midday": (rit.MIDDAY_CLOSE, rit.MIDDAY_END),
            "evening": (rit.EVENING_CLOSE, rit.EVENING_END),
            "night": (rit.RELEASE, rit.NIGHT_END),
        }[kind]
        if kind != "night":
            passages["closing"] = [self.line("end", end)]
        steps = SHORT_STEPS[kind]
        chosen = [[d for d in passages["first" if i == 0 else name] if d] for i, name in enumerate(steps)]
        if sum(d.words for parts in chosen for d in parts) < 56:
            # Too short to fill the minute: one more line before the close (or after the intent, at night).
            extra = self.line("close", close, max_words=12)
            if extra:
                chosen[-1 if kind != "night" else 1].insert(0 if kind != "night" else 1, extra)
        out = []
        for name, parts in zip(steps, chosen, strict=True):
            text = within_three([d for d in parts if d.text])
            out.append((name, [self.draft(text, parts[-1].kind)] if text else []))
        return out

    # --- opening steps ------------------------------------------------------------------------------

    def opening(self, budget: float, key: str, first: list[str], more: list[str]) -> list[Draft]:
        items: list[tuple[int, Draft | None]] = [(0, self.line(f"{key}-open", first)), *self.context_lines()]
        items += [(3 + i, self.line(key, more)) for i in range(4)]
        items.append((1, self.mood_line()))
        items.append((0 if not self.intent.stated else 3, self.background_line()))
        return self.by_priority(budget, items)

    def wake(self, budget: float) -> list[Draft]:
        return self.opening(budget, "wake", rit.WAKE_OPEN, rit.WAKE + (rit.ENERGISING_WAKE if self.energising else []))

    def pause(self, budget: float) -> list[Draft]:
        return self.opening(budget, "pause", rit.MIDDAY_OPEN, rit.MIDDAY_PAUSE)

    def arrive(self, budget: float) -> list[Draft]:
        if self.kind == "night":
            return self.opening(budget, "arrive", rit.NIGHT_OPEN, rit.NIGHT_ARRIVE)
        return self.opening(budget, "arrive", rit.EVENING_OPEN, rit.EVENING_ARRIVE)

    # --- middle steps -------------------------------------------------------------------------------

    def breath(self, budget: float) -> list[Draft]:
        intro = self.line("ritual-breath", rit.MORNING_BREATH) if self.kind == "morning" else None
        more = self.cycle(self.awareness, self.breath_cue, self.wandering, self.breath_cue, self.rest)
        return self.fill_section(budget, [intro, self.breath_cue()], more, [])

    def body(self, budget: float) -> list[Draft]:
        more = self.cycle(
            lambda: self.line("midday-body", rit.MIDDAY_BODY),
            self.settle_cue,
            self.breath_cue,
            lambda: self.scan_step(self.rng.choice(imagery.SCAN_COARSE)),
        )
        return self.fill_section(budget, [self.line("midday-body", rit.MIDDAY_BODY)], more, [])

    def intention(self, budget: float) -> list[Draft]:
        morning = self.kind == "morning"
        pool = rit.MORNING_INTENTION if morning else rit.MIDDAY_INTENTION
        first = self.line("ritual-intent", [t for t in pool if "{goal" in t], essential=True)
        reflect = rit.MORNING_REFLECT if morning else rit.MIDDAY_REFLECT
        more = self.cycle(
            lambda: self.line("ritual-reflect", reflect),
            lambda: self.theme_line(0),
            lambda: self.line("ritual-intent", pool),
            self.focus_line,
            self.breath_cue,
            lambda: self.theme_line(1),
            self.rest,
        )
        return self.fill_section(budget, [first], more, [])

    def movement(self, budget: float) -> list[Draft]:
        intro = self.line("move-intro", rit.MOVEMENT_INTROS)
        more = self.cycle(
            lambda: self.line("move", rit.MOVEMENT, "move"),
            lambda: self.line("move", rit.MOVEMENT, "move"),
            self.breath_cue,
        )
        return self.fill_section(budget, [intro, self.line("move", rit.MOVEMENT, "move")], more, [])

    def affirmation(self, budget: float) -> list[Draft]:
        source = self.statements()

        def statement() -> Draft | None:
            text = next(source)
            return self.draft(text, "affirm") if text else None

        said = [0]

        def more() -> Draft | None:
            said[0] += 1
            return self.breath_cue() if said[0] % 9 == 0 else statement()

        intro = self.line("ritual-aff", rit.AFFIRMATION_INTROS)
        return self.fill_section(budget, [intro, statement()], self.cycle(more), [])

    def release(self, budget: float) -> list[Draft]:
        first = self.line("release-intent", rit.RELEASE_INTENT, essential=True)
        more = self.cycle(
            lambda: self.line("release", rit.RELEASE),
            self.breath_cue,
            lambda: self.line("release", rit.RELEASE),
            lambda: self.theme_line(0),
            self.awareness if self.sleep else self.wandering,
            lambda: self.line("release", rit.RELEASE),
            self.rest,
        )
        return self.fill_section(budget, [first, self.line("release", rit.RELEASE)], more, [])

    def gratitude(self, budget: float) -> list[Draft]:
        more = self.cycle(
            lambda: self.line("gratitude-reflect", rit.GRATITUDE_REFLECT),
            lambda: self.line("gratitude", rit.GRATITUDE),
            lambda: self.line("gratitude", rit.GRATITUDE),
            self.breath_cue,
            self.rest,
        )
        return self.fill_section(budget, [self.line("gratitude", rit.GRATITUDE)], more, [])

    def tomorrow(self, budget: float) -> list[Draft]:
        first = self.line("tomorrow", [t for t in rit.TOMORROW if "{goal" in t], essential=True)
        more = self.cycle(
            lambda: self.line("tomorrow", rit.TOMORROW),
            lambda: self.theme_line(0),
            self.breath_cue,
            self.focus_line,
            self.rest,
        )
        return self.fill_section(budget, [first], more, [])

    # --- closing steps ------------------------------------------------------------------------------

    def closing(self, budget: float) -> list[Draft]:
        close, end = {
            "morning": (rit.MORNING_CLOSE, rit.MORNING_END),
            "midday": (rit.MIDDAY_CLOSE, rit.MIDDAY_END),
            "evening": (rit.EVENING_CLOSE, rit.EVENING_END),
        }[self.kind]
        final = self.line("ritual-end", end)
        more = self.cycle(lambda: self.line("close-carry", med.CLOSING_CARRY), lambda: self.line("ritual-close", close))
        return self.fill_section(budget, [self.line("ritual-close", close)], more, [final])

    def rest_step(self, budget: float) -> list[Draft]:
        final = self.line("night-end", rit.NIGHT_END)
        more = self.cycle(
            lambda: self.line("night-rest", rit.NIGHT_REST),
            self.breath_cue,
            lambda: self.line("sleep-close", med.SLEEP_CLOSING),
            self.awareness,
            self.rest,
        )
        return self.fill_section(budget, [self.line("night-rest", rit.NIGHT_REST)], more, [final])
