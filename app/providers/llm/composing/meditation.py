"""Guided meditation: arrival -> breath -> body (settling, body scan or visualisation) -> intention -> closing."""

from __future__ import annotations

from collections.abc import Iterator

from app.providers.llm.composing.core import Unit, WriterCore, within_three
from app.providers.llm.composing.timing import Draft, words_of
from app.providers.llm.phrases import imagery
from app.providers.llm.phrases import meditation as med

SCAN_STEP_WORDS = 11  # a typical "Bring your attention to your knees. Let them soften."


def _grouped(parts: list[tuple[str, bool]], count: int) -> list[tuple[str, bool]]:
    """The whole body in `count` steps: ("feet, your legs and your hips", True), ..."""
    size = -(-len(parts) // count)
    groups = [parts[i : i + size] for i in range(0, len(parts), size)]
    out = []
    for group in groups:
        names = [name for name, _ in group]
        joined = names[0] if len(names) == 1 else ", your ".join(names[:-1]) + " and your " + names[-1]
        out.append((joined, len(group) > 1 or group[0][1]))
    return out


class MeditationWriter(WriterCore):
    def sections(self) -> list[tuple[str, list[Draft]]]:
        focus = self.spec.focus
        if focus == "visualisation":
            body, weights = "visualisation", {"breath": 0.25, "body": 0.45, "intention": 0.30}
        elif focus in ("body_scan", "sleep"):
            body, weights = "body_scan", {"breath": 0.28, "body": 0.44, "intention": 0.28}
        elif focus == "breath":
            body, weights = "body", {"breath": 0.5, "body": 0.15, "intention": 0.35}
        else:
            body, weights = "body", {"breath": 0.38, "body": 0.22, "intention": 0.40}
        if self.tight:
            return self.one_minute()
        budget = self.split_budget(0.14, 0.12, weights)
        sections = [("arrival", self.arrival(budget["first"])), ("breath", self.breath(budget["breath"]))]
        if "body" in budget:
            write = {"visualisation": self.visualisation, "body_scan": self.body_scan, "body": self.settling}[body]
            sections.append((body, write(budget["body"])))
        sections.append(("intention", self.intention(budget["intention"])))
        sections.append(("closing", self.closing(budget["last"])))
        return sections

    def title_options(self) -> list[str]:
        intent = self.intent
        noun = "Restful Sleep" if self.sleep and intent.themes[0] != "sleep" else self.theme_noun()
        return [
            intent.title_core,
            intent.goal_ing if self.short_goal() else "",
            f"A Meditation for {noun}",
        ]

    def one_minute(self) -> list[tuple[str, list[Draft]]]:
        """A short arrival with the intent, one guided breath, and a close that carries the intent."""
        arrival = [
            self.line("opener", med.SLEEP_SHORT_OPENERS if self.sleep else med.SHORT_OPENERS),
            self.line("posture", self.pools(med.POSTURE, med.SLEEP_POSTURE), max_words=9),
            self.line("arrive-intent", med.ARRIVAL_INTENT, max_words=12, essential=True),
        ]
        close = [
            self.line("tight-intention", med.TIGHT_INTENTION, max_words=12, essential=True),
            self.line("tight-close", med.SLEEP_TIGHT_CLOSE if self.sleep else med.TIGHT_CLOSE),
        ]
        breath = [self.breath_cue(max_words=16)]
        size = sum(d.words for d in (*arrival, *breath, *close) if d)
        if size > 60:  # a long goal: leave out the posture cue
            arrival[1] = None
        elif size < 56:  # a short goal: one more line to notice the breath
            breath.insert(0, self.line("aware", self.pools(med.BREATH_INTROS, med.SLEEP_BREATH_INTROS), max_words=8))
        return [
            ("arrival", [self.draft(within_three(arrival))]),
            ("breath", [self.draft(within_three(breath), "breath")]),
            ("closing", [self.draft(within_three(close))]),
        ]

    # --- sections -----------------------------------------------------------------------------------

    def opener(self) -> Draft | None:
        pool = self.pools(
            med.OPENERS,
            med.SLEEP_OPENERS,
            warm=med.WARM_OPENERS,
            energising=med.ENERGISING_OPENERS,
            grounding=med.GROUNDING_OPENERS,
        )
        return self.line("opener", pool)

    def arrival(self, budget: float) -> list[Draft]:
        posture = self.pools(med.POSTURE, med.SLEEP_POSTURE)
        items: list[tuple[int, Draft | None]] = [(0, self.opener())]
        items += self.context_lines()
        items.append((2, self.line("eyes", self.pools(med.EYES, med.SLEEP_EYES))))
        items += [(5 + i, self.line("posture", posture)) for i in range(3 + self.minutes // 10)]
        items.append((1, self.mood_line()))
        items.append((0, self.line("arrive-intent", med.ARRIVAL_INTENT, essential=True)))
        items.append((0 if not self.intent.stated else 3, self.background_line()))
        if self.minutes >= 20:
            items.append((6, self.breath_cue()))
        return self.by_priority(budget, items)

    def breath(self, budget: float) -> list[Draft]:
        intro = self.line("breath-intro", self.pools(med.BREATH_INTROS, med.SLEEP_BREATH_INTROS))
        more = self.cycle(
            self.awareness,
            self.breath_cue,
            self.awareness,
            self.wandering,
            self.breath_cue,
            self.awareness,
            self.rest,
            self.breath_cue,
        )
        return self.fill_section(budget, [self.join(intro, self.breath_cue())], more, [])

    def join(self, first: Draft | None, second: Draft | None) -> list[Draft]:
        """An introduction and what it introduces, as one passage when that stays within three sentences."""
        if first is None or second is None:
            return [d for d in (first, second) if d]
        if first.sentences + second.sentences > 3:
            return [first, second]
        return [self.draft(f"{first.text} {second.text}", second.kind)]

    def settling(self, budget: float) -> list[Draft]:
        intro = self.line("settle-intro", med.SETTLE_INTROS)
        settle = self.pools(med.SETTLE, med.SLEEP_POSTURE)
        more = self.cycle(
            lambda: self.line("settle", settle) if not self.used.issuperset(settle) else self.settle_cue(),
            self.settle_cue,
            self.breath_cue,
            lambda: self.line("settle", settle) if not self.used.issuperset(settle) else self.awareness(),
            self.rest,
            lambda: self.scan_step(self.rng.choice(imagery.SCAN_COARSE)),
        )
        return self.fill_section(budget, [self.join(intro, self.line("settle", settle))], more, [])

    def body_scan(self, budget: float) -> list[Draft]:
        if budget < 70:  # a short practice: the whole body in two sweeping steps
            return [self.scan_step(part, first=not i) for i, part in enumerate(_grouped(imagery.SCAN_COARSE, 2))]
        intro = self.line("scan-intro", self.pools(imagery.SCAN_INTROS, imagery.SLEEP_SCAN_INTROS))
        whole = self.line("scan-whole", self.pools(imagery.SCAN_WHOLE, imagery.SLEEP_SCAN_WHOLE))
        room = budget - words_of([d for d in (intro, whole) if d])
        levels = [imagery.SCAN_FINE, imagery.SCAN_MEDIUM, imagery.SCAN_COARSE]
        steps: list[Draft] = []
        passes = 0
        while (room > SCAN_STEP_WORDS * 3 or not passes) and passes < 6:
            level = next((lv for lv in levels[min(passes, 2) :] if len(lv) * SCAN_STEP_WORDS <= room), None)
            if level is None:
                if passes:
                    break
                level = _grouped(imagery.SCAN_COARSE, max(3, int(room // (SCAN_STEP_WORDS + 3))))
            rich = level is imagery.SCAN_FINE and room > len(level) * SCAN_STEP_WORDS * 2
            if passes:
                steps += [d for d in (self.line("scan-second", imagery.SECOND_PASS),) if d]
            this_pass = [self.scan_step(part, rich=rich, first=not i) for i, part in enumerate(level)]
            steps += this_pass
            room -= words_of(this_pass)
            passes += 1
            if room > 40:
                whole_pool = self.pools(imagery.SCAN_WHOLE, imagery.SLEEP_SCAN_WHOLE)
                between = [self.line("scan-whole", whole_pool), self.breath_cue(), self.rest()]
                steps += [d for d in between if d]
                room -= words_of([d for d in between if d])
        return [d for d in (intro, *steps, whole) if d]

    def visualisation(self, budget: float) -> list[Draft]:
        intro = self.line("scene-intro", imagery.SCENE_INTROS)
        close = self.line("scene-close", imagery.SLEEP_SCENE_CLOSE if self.sleep else imagery.SCENE_CLOSE)
        room = budget - words_of([d for d in (intro, close) if d])
        budget_left = room
        library = imagery.SLEEP_SCENES if self.sleep else imagery.SCENES
        names = list(library)
        self.rng.shuffle(names)
        body: list[Draft] = []
        for n, name in enumerate(names):
            if room < 40:
                break
            scene: list[Draft] = []
            if n:
                scene += [d for d in (self.line("scene-bridge", imagery.SCENE_BRIDGE),) if d]
            lines = library[name]
            count = max(2, min(len(lines), int(room // 15)))
            chosen = [0, *sorted(self.rng.sample(range(1, len(lines)), count - 1))]
            scene += [self.draft(self.fill(lines[i]), "image") for i in chosen]
            connect = self.line("scene-connect", imagery.SCENE_CONNECT)
            if connect and n == 0:
                scene.insert(max(1, len(scene) // 2 + 1), connect)
            if room - words_of(scene) > 60:
                scene += [d for d in (self.rest(),) if d]
            body += scene
            room -= words_of(scene)
        senses = self.pools(imagery.SCENE_SENSES, imagery.SLEEP_SCENE_SENSES)
        more = self.cycle(
            lambda: self.line("scene-senses", senses, "image"),
            self.breath_cue,
            lambda: self.line("scene-senses", senses, "image"),
            self.rest,
            self.awareness,
        )
        linger = self.fill_section(budget_left - words_of(body), [], more, [])
        return [d for d in (intro, *body, *linger, close) if d]

    def intention(self, budget: float) -> list[Draft]:
        intro = self.line("intention-intro", med.INTENTION_INTROS)
        first = self.line("intent", med.INTENT_LINES, essential=True)
        reflect_pool = med.SLEEP_REFLECT if self.sleep else med.REFLECT

        def reflect() -> Unit:
            if self.rng.random() < 0.5:
                return self.line("reflect-goal", med.REFLECT_GOAL) or self.line("reflect", reflect_pool)
            return self.line("reflect", reflect_pool)

        more: Iterator[Unit] = self.cycle(
            reflect,
            lambda: self.theme_line(0),
            self.focus_line,
            self.breath_cue,
            lambda: self.line("intent", med.INTENT_LINES),
            self.rest,
            lambda: self.theme_line(1),
            self.wandering,
            lambda: self.theme_line(2),
            self.awareness,
        )
        return self.fill_section(budget, [self.join(intro, first)], more, [])

    def closing(self, budget: float) -> list[Draft]:
        if self.sleep:
            more = self.cycle(
                lambda: self.line("sleep-carry", med.SLEEP_CARRY),
                lambda: self.line("sleep-close", med.SLEEP_CLOSING),
                self.rest,
            )
            head = [self.line("sleep-close", med.SLEEP_CLOSING)]
            return self.fill_section(budget, head, more, [self.line("sleep-end", med.SLEEP_END)])
        more = self.cycle(
            lambda: self.line(
                "close-carry", self.pools(med.CLOSING_CARRY, warm=med.WARM_CARRY, grounding=med.GROUNDING_CARRY)
            ),
            lambda: self.line("close-return", med.CLOSING_RETURN),
        )
        end_pool = med.CLOSING_END + (med.ENERGISING_END if self.energising else [])
        head = [self.line("close-return", med.CLOSING_RETURN)]
        return self.fill_section(budget, head, more, [self.line("close-end", end_pool)])
