"""Affirmations: an opening, a set of first-person present-tense statements tied to the intent, a second
round that repeats some of them, and a close."""

from __future__ import annotations

from collections.abc import Iterator

from app.providers.llm.composing.core import Unit, WriterCore
from app.providers.llm.composing.timing import Draft
from app.providers.llm.phrases import affirmation as aff
from app.services.practice_spec import PracticeSpec

ROUND_SIZE = 8
FIRST_PERSON = ("I ", "I'm ", "My ", "Each ", "Today, I")


class AffirmationWriter(WriterCore):
    def __init__(self, spec: PracticeSpec, seed: int, target: int, attempt: int = 0) -> None:
        super().__init__(spec, seed, target, attempt)
        self.goal_cap = 3 + self.minutes // 2  # the intent is the point of the set: name it more often

    def title_options(self) -> list[str]:
        intent = self.intent
        return [
            f"Affirmations to {intent.goal}" if self.short_goal() else "",
            f"Affirmations for {intent.title_core}" if intent.title_core else "",
            f"Affirmations for {self.theme_noun()}",
        ]

    def sections(self) -> list[tuple[str, list[Draft]]]:
        if self.tight:
            return self.one_minute()
        budget = self.split_budget(0.16, 0.12, {"round": 0.68, "again": 0.32})
        opening = self.opening(budget["first"])
        main = self.first_round(budget["round"])
        spoken = {d.text: d for d in main if d.text.startswith(FIRST_PERSON)}  # each statement once
        again = self.second_round(budget["again"], list(spoken.values()))
        sections = [("opening", opening), ("affirmations", main), ("second_round", again)]
        sections.append(("closing", self.closing(budget["last"])))
        return [(name, drafts) for name, drafts in sections if drafts]

    def one_minute(self) -> list[tuple[str, list[Draft]]]:
        """An opening with the intent, two or three statements, the shortest of them again, and a close."""
        opening = [
            self.line("aff-opener", aff.SHORT_OPENERS),
            self.line("aff-frame", aff.INTENT_FRAMES, max_words=10, essential=True),
        ]
        source = self.statements()
        tied = self.draw("aff-intent", aff.INTENT_STATEMENTS, max_words=9, essential=True)
        said = [t for t in (tied, next(source), next(source)) if t]
        intro = self.line("aff-again", [t for t in aff.SECOND_ROUND_INTROS if t.count(".") == 1])
        ends = aff.SLEEP_CLOSINGS if self.sleep else aff.CLOSING_ENDS
        end = self.line("aff-end", ends)

        def build() -> list[tuple[str, list[Draft]]]:
            again = min(said, key=lambda t: len(t.split()))
            return [
                ("opening", [self.draft(" ".join(d.text for d in opening if d))]),
                ("affirmations", [self.draft(" ".join(said), "affirm")]),
                (
                    "second_round",
                    [self.draft(" ".join(t for t in (intro.text if intro else "", again) if t), "affirm")],
                ),
                ("closing", [d for d in (end,) if d]),
            ]

        sections = build()
        if sum(d.words for _, ds in sections for d in ds) > 60 and len(said) > 2:
            said.pop()  # a long intent: two statements are enough for one minute
            sections = build()
        return sections

    def opening(self, budget: float) -> list[Draft]:
        opener = self.pools(aff.OPENERS, aff.SLEEP_OPENERS, energising=aff.ENERGISING_OPENERS)
        items: list[tuple[int, Draft | None]] = [
            (0, self.line("aff-opener", opener)),
            *[(p, d) for p, d in self.context_lines() if p <= 2],
            (1, self.line("aff-how", aff.HOW_TO)),
            (1, self.mood_line()),
            (0, self.line("aff-frame", aff.INTENT_FRAMES, essential=True)),
            (0 if not self.intent.stated else 3, self.background_line()),
            (3, self.breath_cue()),
        ]
        return self.by_priority(budget, items)

    def first_round(self, budget: float) -> list[Draft]:
        source = self.statements()

        def statement() -> Draft | None:
            text = next(source)
            return self.draft(text, "affirm") if text else None

        def units() -> Iterator[Unit]:
            said = 0
            while True:
                if said and said % ROUND_SIZE == 0:
                    rounds = said // ROUND_SIZE
                    yield self.breath_cue()
                    if rounds % 2 == 1:
                        pool = aff.REFLECT if rounds % 4 == 1 else aff.IMAGINE
                        yield self.line("aff-reflect" if pool is aff.REFLECT else "aff-imagine", pool)
                    if rounds % 3 == 2:
                        yield self.rest()
                    # A new round opens with its first statement, so a round never ends on its own intro.
                    intro, first = self.line("aff-round", aff.ROUND_INTROS), statement()
                    if intro:
                        intro.lead = True
                    said += 1
                    yield [d for d in (intro, first) if d]
                    continue
                said += 1
                yield statement()

        tied = self.draw("aff-intent", aff.INTENT_STATEMENTS, essential=True)
        first = self.draft(tied, "affirm") if tied else statement()
        return self.fill_section(budget, [first], units(), [])

    def second_round(self, budget: float, spoken: list[Draft]) -> list[Draft]:
        if not spoken:
            return []
        intro = self.line("aff-again", aff.SECOND_ROUND_INTROS)
        # Repeat the statements that name the intent, then a seeded choice of the rest, in their first order.
        tied = [i for i, d in enumerate(spoken) if self.intent.goal_me in d.text]
        others = [i for i in range(len(spoken)) if i not in tied]
        self.rng.shuffle(others)
        chosen = tied + others

        def units() -> Iterator[Unit]:
            for n, index in enumerate(chosen, 1):
                yield self.draft(spoken[index].text, "affirm")
                if n % 10 == 0 and n < len(chosen) - 3:
                    yield self.breath_cue()

        drafts = self.fill_section(budget, [intro], units(), [])
        head, repeats = drafts[:1], drafts[1:]
        order = {d.text: i for i, d in enumerate(spoken)}
        statements = sorted((d for d in repeats if d.text in order), key=lambda d: order[d.text])
        return head + _spread(statements, [d for d in repeats if d.text not in order])

    def closing(self, budget: float) -> list[Draft]:
        if self.sleep:
            return self.fill_section(budget, [self.line("aff-sleep-close", aff.SLEEP_CLOSINGS)], None, [])
        ends = aff.CLOSING_ENDS + (aff.ENERGISING_ENDS if self.energising else [])
        head = [self.line("aff-close", aff.CLOSINGS)]
        return self.fill_section(budget, head, None, [self.line("aff-end", ends)])


def _spread(statements: list[Draft], others: list[Draft]) -> list[Draft]:
    """Statements in order, with the other passages (breath cues) placed evenly between them."""
    if not others or not statements:
        return statements + others
    out: list[Draft] = []
    every = max(1, len(statements) // (len(others) + 1))
    for i, d in enumerate(statements, 1):
        out.append(d)
        if i % every == 0 and others and i < len(statements):
            out.append(others.pop(0))
    return out + others
