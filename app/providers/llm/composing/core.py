"""What every content type's writer shares: the woven fields, shared passages, section filling against a
word budget, and turning drafts into a timed Script. Lines are drawn from the seeded decks in `decks.py`."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator

from app.providers.llm.base import Script, Section, Segment
from app.providers.llm.composing import timing
from app.providers.llm.composing.context import mood_phrase, place_phrase, situation_sentence
from app.providers.llm.composing.decks import PhraseDecks, tidy, word_pairs
from app.providers.llm.composing.intent import Intent, read_intent
from app.providers.llm.composing.timing import Draft, words_of
from app.providers.llm.composing.titles import title_case
from app.providers.llm.phrases import affirmation as aff
from app.providers.llm.phrases import common, imagery, themes
from app.services.practice_spec import PracticeSpec

Unit = Draft | list[Draft] | None


def within_three(parts: list[Draft | None]) -> str:
    """The parts as one passage, leaving out middle parts that would make it longer than three sentences."""
    kept = [d for d in parts if d]
    while len(kept) > 1 and sum(d.sentences for d in kept) > 3:
        kept.pop(len(kept) // 2 if len(kept) > 2 else 0)
    return " ".join(d.text for d in kept)


class WriterCore(PhraseDecks):
    """One script in the making. Subclasses write the sections of one content type."""

    def __init__(self, spec: PracticeSpec, seed: int, target: int, attempt: int = 0) -> None:
        self.spec = spec
        parts = (seed, attempt, spec.content_type, spec.intent, spec.duration_minutes, spec.pace, spec.tone, spec.focus)
        key = "|".join(str(p) for p in parts) + "|" + "|".join(f"{k}={v}" for k, v in sorted(spec.context.items()))
        self.rng = random.Random(key)
        self.target = target
        self.minutes = spec.duration_minutes
        self.sleep = spec.is_sleep
        self.tone = spec.tone
        self.energising = spec.tone == "energising"
        self.tight = spec.duration_minutes == 1  # one minute: a fixed, compact shape
        self.intent: Intent = read_intent(spec.intent, spec.focus)
        self.time = spec.context.get("time_of_day") or ""
        self.goal_cap = 2 + self.minutes // 6  # how often the intent may be spoken, beyond essential lines
        self.goal_uses = 0
        self.since_goal = 99  # lines drawn since the goal was last named
        ctx = spec.context
        self.fields = {"goal": self.intent.goal, "goal_me": self.intent.goal_me, "goal_ing": self.intent.goal_ing}
        if self.time in common.TIMES:
            self.fields["when"] = common.TIMES[self.time]
        if ctx.get("place") and place_phrase(ctx["place"]):
            self.fields["place"] = place_phrase(ctx["place"])
        if ctx.get("mood") and mood_phrase(ctx["mood"]):
            self.fields["mood"] = mood_phrase(ctx["mood"])
        if self.intent.background:
            self.fields["background"] = self.intent.background
        self.situation = situation_sentence(ctx["situation"]) if ctx.get("situation") else ""
        self.decks: dict[str, list[str]] = {}
        self.last: dict[str, str] = {}
        self.used: set[str] = set()
        self.recent_parts: list[str] = []
        self.word_uses: dict[str, int] = {}
        self.goal_pairs = word_pairs(self.intent.goal.lower())

    # --- what subclasses provide --------------------------------------------------------------------

    def sections(self) -> list[tuple[str, list[Draft]]]:
        raise NotImplementedError

    def title_options(self) -> list[str]:
        raise NotImplementedError

    # --- shared passages ----------------------------------------------------------------------------

    def breath_cue(self, max_words: int | None = None) -> Draft | None:
        pool = self.pools(
            common.BREATH_CUES,
            common.SLEEP_BREATH_CUES,
            energising=common.ENERGISING_BREATH_CUES,
            grounding=common.GROUNDING_BREATH_CUES,
        )
        if max_words is None and all(t in self.used for t in pool if self.usable(t)):
            return self.composed_breath()
        return self.line("breath-cue", pool, "breath", max_words)

    def composed_breath(self) -> Draft | None:
        """A guided breath put together from fragments, for long practices that have used every written one."""
        ins = common.SLEEP_BREATH_IN if self.sleep else common.BREATH_IN
        outs = common.SLEEP_BREATH_OUT if self.sleep else common.BREATH_OUT
        for _ in range(20):
            text = tidy(f"{self.rng.choice(ins)}. {self.rng.choice(outs)}.", False)
            if text not in self.used:
                self.used.add(text)
                return self.draft(text, "breath")
        return self.line("breath-cue", self.pools(common.BREATH_CUES, common.SLEEP_BREATH_CUES), "breath")

    def settle_cue(self) -> Draft | None:
        """'Let your jaw soften.': a short settling cue put together from a body part and a verb."""
        verbs = common.SLEEP_SETTLE_VERBS if self.sleep else common.SETTLE_VERBS
        parts = [p for p in common.SETTLE_PARTS if p not in self.recent_parts[-6:]]
        for _ in range(20):
            part = self.rng.choice(parts)
            text = f"Let your {part} {self.rng.choice(verbs)}."
            if text not in self.used:
                self.used.add(text)
                self.recent_parts.append(part)
                return self.draft(text)
        return None

    def awareness(self) -> Draft | None:
        return self.line("aware", self.pools(common.BREATH_AWARENESS, common.SLEEP_BREATH_AWARENESS))

    def wandering(self) -> Draft | None:
        return self.line("wander", self.pools(common.WANDERING, common.SLEEP_WANDERING))

    def rest(self) -> Draft | None:
        if self.minutes < 8:
            return None
        return self.line("rest", self.pools(common.REST, common.SLEEP_REST), "rest")

    def context_lines(self) -> list[tuple[int, Draft | None]]:
        """Place, time of day and situation, as (priority, line) for `by_priority`."""
        lines: list[tuple[int, Draft | None]] = []
        if "place" in self.fields:
            pool = common.CONTEXT_PLACE if "when" in self.fields else common.CONTEXT_PLACE_ONLY
            lines.append((1, self.line("context", pool)))
        elif "when" in self.fields:
            lines.append((2, self.line("context", common.CONTEXT_WHEN)))
        if self.time in common.TIME_LINES and not self.sleep:
            lines.append((4, self.line("time", common.TIME_LINES[self.time])))
        if self.situation:
            lines.append((2, self.draft(self.situation)))
        return lines

    def mood_line(self) -> Draft | None:
        return self.line("mood", common.MOOD_LINES) if "mood" in self.fields else None

    def background_line(self) -> Draft | None:
        if "background" not in self.fields:
            return None
        return self.line("background", common.BACKGROUND_LINES, essential=not self.intent.stated)

    def theme_line(self, index: int = 0) -> Draft | None:
        """A line for the intent's first, second, ... theme (the last slot is always the general theme);
        once a theme's lines have all been spoken, contemplative lines stand in rather than repeats."""
        names = [*self.intent.themes, "general"] if "general" not in self.intent.themes else self.intent.themes
        theme = names[min(index, len(names) - 1)]
        pool = themes.THEME_LINES[theme]
        if all(t in self.used for t in pool):
            return self.line("insight", themes.INSIGHTS) or self.line(f"theme-{theme}", pool)
        return self.line(f"theme-{theme}", pool)

    def focus_line(self) -> Draft | None:
        focus = self.spec.focus
        return self.line(f"focus-{focus}", common.FOCUS_LINES[focus]) if focus in common.FOCUS_LINES else None

    def scan_step(self, part: tuple[str, bool], rich: bool = False, first: bool = False) -> Draft:
        """'Bring your attention to your knees. Let them soften.' for one part of the body."""
        name, plural = part
        grammar = {
            "part": name,
            "them": "them" if plural else "it",
            "they": "they" if plural else "it",
            "are": "are" if plural else "is",
            "s": "" if plural else "s",
        }
        cues = self.pools(imagery.SCAN_CUES, imagery.SLEEP_SCAN_CUES)
        leads = [t for t in imagery.SCAN_LEADS if not (first and t.startswith(("Next", "Moving on")))]
        lead = self.draw("scan-lead", leads, extra=grammar) or f"Notice your {name}."
        special = None if " and " in name else imagery.PART_CUES.get(name)
        if special and not self.sleep and self.rng.random() < 0.5:
            cue = self.draw(f"part-{name}", special, extra=grammar)
        else:
            cue = self.draw("scan-cue", cues, extra=grammar)
        text = " ".join(t for t in (lead, cue) if t)
        if rich and len(timing.SENTENCE_END.split(text)) == 2:
            more = self.draw("scan-cue", [c for c in cues if c.count(".") == 1], extra=grammar)
            text = " ".join(t for t in (text, more) if t)
        return self.draft(text, "scan")

    def statement(self, kind: str, theme: str) -> str | None:
        """One first-person, present-tense affirmation of the given kind."""
        if kind == "intent":
            return self.draw("aff-intent", aff.INTENT_STATEMENTS)
        if kind == "energy":
            return self.draw("aff-energy", aff.ENERGISING_STATEMENTS) if self.energising else None
        if kind == "quality":
            a, b = self.least_used(aff.QUALITIES[theme], 2)
            options = [frame.format(a=a, b=b) for frame in aff.QUALITY_FRAMES]
        elif kind == "choice":
            (choice,) = self.least_used(aff.CHOICES[theme], 1)
            options = [frame.format(choice=choice) for frame in aff.CHOICE_FRAMES]
        elif kind == "body":
            verbs = aff.SLEEP_BODY_VERBS if self.sleep else aff.BODY_VERBS
            (part,) = self.least_used(aff.BODY_PARTS, 1)
            options = [frame.format(part=part, verb=verb) for frame in aff.BODY_FRAMES for verb in verbs]
        else:
            return self.draw(f"aff-{theme}", aff.STATEMENTS[theme])
        fresh = [t for t in options if t not in self.used]
        if not fresh:
            return self.draw(f"aff-{theme}", aff.STATEMENTS[theme])
        text = self.rng.choice(fresh)
        self.used.add(text)
        return tidy(text, self.energising)

    def least_used(self, words: list[str], n: int) -> list[str]:
        """n of the words, those used least so far first (ties broken by the seeded random source)."""
        ranked = sorted(words, key=lambda w: (self.word_uses.get(w, 0), self.rng.random()))[:n]
        for w in ranked:
            self.word_uses[w] = self.word_uses.get(w, 0) + 1
        return ranked

    def statements(self) -> Iterator[str]:
        names = [*self.intent.themes, "general"]
        if self.minutes >= 8:  # longer sets borrow from neighbouring themes
            names += [n for n in themes.NEIGHBOURS[names[0]] if n not in names]
        pattern = [
            ("intent", 0),
            ("theme", 0),
            ("quality", 0),
            ("theme", 1),
            ("choice", 0),
            ("energy", 0),
            ("quality", 0),
            ("intent", 0),
            ("quality", 1),
            ("body", 0),
            ("theme", 2),
            ("theme", 0),
            ("choice", 1),
            ("quality", 0),
            ("theme", 3),
            ("quality", 4),
            ("theme", 4),
            ("choice", 3),
        ]
        while True:
            for kind, index in pattern:
                text = self.statement(kind, names[index % len(names)])
                if text:
                    yield text

    # --- filling sections ---------------------------------------------------------------------------

    def fill_section(
        self, budget: float, head: list[Unit], more: Iterator[Unit] | None, tail: list[Unit]
    ) -> list[Draft]:
        """Head and tail always; in between, units from `more` while the section's word budget lasts."""
        first, last = _flatten(head), _flatten(tail)
        used = words_of(first) + words_of(last)
        middle: list[Draft] = []
        misses = 0
        while more is not None and misses < 25 and len(middle) < 3000:
            unit = _flatten([next(more, None)])
            if not unit:
                misses += 1
                continue
            misses = 0
            size = words_of(unit)
            if used + size / 2 > budget:
                break
            for d in unit:
                d.optional = True
            middle += unit
            used += size
        return first + middle + last

    def cycle(self, *makers: Callable[[], Unit]) -> Iterator[Unit]:
        while True:
            for make in makers:
                yield make()

    def by_priority(self, budget: float, items: list[tuple[int, Draft | None]]) -> list[Draft]:
        """The items with the lowest priority numbers that fit the budget (priority 0 always), in order."""
        present = [(i, p, d) for i, (p, d) in enumerate(items) if d]
        used = sum(d.words for _, p, d in present if p == 0)
        keep = {i for i, p, _ in present if p == 0}
        for i, p, d in sorted(present, key=lambda x: (x[1], x[0])):
            if p and used + d.words / 2 <= budget:
                keep.add(i)
                used += d.words
                d.optional = True
        return [d for i, _, d in present if i in keep]

    def split_budget(self, first: float, last: float, weights: dict[str, float]) -> dict[str, float]:
        """Words for the opening ("first"), the close ("last") and each middle section by weight."""
        total = self.target
        head = min(first * total, 50 + 0.04 * total)
        tail = min(last * total, 40 + 0.03 * total)
        middle = max(total - head - tail, 0)
        scale = sum(weights.values()) or 1
        return {"first": head, **{name: middle * w / scale for name, w in weights.items()}, "last": tail}

    # --- the script ---------------------------------------------------------------------------------

    def script(self) -> tuple[Script, float]:
        """The timed script and how far its length drifts from the duration (a fraction, + is long)."""
        built = self.sections()
        drafts: list[Draft] = []
        for index, (_, section_drafts) in enumerate(built):
            for d in section_drafts:
                d.section = index
                drafts.append(d)
        closing_rule = timing.SLEEP_CLOSING if self.sleep else timing.CLOSING
        drafts, pauses, closing = timing.fit(
            drafts,
            self.spec.duration_seconds,
            closing_rule,
            lambda: self.line("rest", self.pools(common.REST, common.SLEEP_REST), "rest"),
            self.rng.choice,
        )
        out = [Section(name, []) for name, _ in built]
        for d, pause in zip(drafts, pauses, strict=True):
            out[d.section].segments.append(Segment(d.text, pause))
        script = Script(title=self.title(), sections=[s for s in out if s.segments], closing_silence=closing)
        length = timing.speech_seconds(script.words) + script.total_pause
        return script, (length - self.spec.duration_seconds) / self.spec.duration_seconds

    def title(self) -> str:
        for option in self.title_options():
            clean = re.sub(r"[^\w\s'-]", "", option or "").strip()
            clean = re.sub(r"\s+", " ", clean)
            if clean and len(clean) <= 60:
                return title_case(clean)
        return "A Quiet Practice"

    def theme_noun(self) -> str:
        return themes.THEME_NOUNS.get(self.intent.themes[0], "Inner Peace")

    def short_goal(self) -> bool:
        return self.intent.stated and len(self.intent.goal.split()) <= 5


def _flatten(units: list[Unit]) -> list[Draft]:
    out: list[Draft] = []
    for unit in units:
        if isinstance(unit, Draft):
            out.append(unit)
        elif unit:
            out += [d for d in unit if d]
    return out
