"""Seeded decks of phrases: drawing the next line for a part of the script, filling in the woven fields
(goal, place, mood, ...) and tidying the result into one clean spoken passage."""

from __future__ import annotations

import random
import re
from functools import lru_cache
from itertools import pairwise
from string import Formatter

from app.providers.llm.composing import timing
from app.providers.llm.composing.timing import Draft

GRAMMAR_FIELDS = frozenset({"part", "them", "they", "are", "s"})  # filled per body part by WriterCore.scan_step


def tidy(text: str, allow_bang: bool) -> str:
    """One clean spoken passage: single spaces, no doubled or stray punctuation, capitalised sentences."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([,.?!;:])", r"\1", text)
    text = re.sub(r",\s*,+", ",", text)
    text = re.sub(r"([.?!])[.,;:!]+", r"\1", text)
    text = re.sub(r"[,;:]([.?!])", r"\1", text)
    if not allow_bang:
        text = text.replace("!", ".")
    text = re.sub(r"(^|[.?!]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)
    if text and text[-1] not in ".?!":
        text += "."
    return text


@lru_cache(maxsize=4096)
def _fields_of(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in Formatter().parse(template) if name) - GRAMMAR_FIELDS


class PhraseDecks:
    """Line drawing for a writer, which sets the state below (see `WriterCore.__init__`)."""

    rng: random.Random
    fields: dict[str, str]  # the woven fields a template may name: {goal}, {place}, {mood}, ...
    energising: bool
    sleep: bool
    tone: str
    goal_cap: int  # how often the intent may be spoken, beyond essential lines
    goal_uses: int
    since_goal: int  # lines drawn since the goal was last named
    goal_pairs: set[tuple[str, str]]
    decks: dict[str, list[str]]
    last: dict[str, str]
    used: set[str]

    def usable(self, template: str) -> bool:
        return _fields_of(template) <= self.fields.keys()

    def draw(
        self,
        key: str,
        pool: list[str],
        max_words: int | None = None,
        essential: bool = False,
        extra: dict[str, str] | None = None,
        once: bool = False,
    ) -> str | None:
        """The next line from the `key` deck (shuffled; reshuffled when used up), filled in and tidied.

        Lines already spoken elsewhere are passed over while others remain; lines naming the goal are
        passed over once it has been named often enough, unless the line is essential."""
        goal_ok = essential or (self.goal_uses < self.goal_cap and self.since_goal >= 3)
        allowed = [t for t in pool if self.usable(t) and (goal_ok or "{goal" not in t)]
        # A frame that would say the goal's own words twice ("for the afternoon: ... for the afternoon").
        allowed = [t for t in allowed if "{goal" not in t or not self.echoes_goal(t)] or allowed
        if once:
            allowed = [t for t in allowed if t not in self.used]
        if not allowed:
            return None
        deck = self.decks.get(key)
        if not deck or not any(t in allowed for t in deck):
            deck = [t for t in pool if self.usable(t)]
            self.rng.shuffle(deck)
            if len(deck) > 1 and deck[0] == self.last.get(key):
                deck.append(deck.pop(0))
            self.decks[key] = deck
        order = [t for t in deck if t in allowed]
        fresh = [t for t in order if t not in self.used] or order
        if max_words is not None:
            fresh = [t for t in fresh if len(t.split()) <= max_words] or sorted(fresh, key=lambda t: len(t.split()))
        template = fresh[0]
        deck.remove(template)
        self.used.add(template)
        self.last[key] = template
        self.since_goal += 1
        if "{goal" in template:
            self.goal_uses += 1
            self.since_goal = 0
        return self.fill(template, extra)

    def echoes_goal(self, template: str) -> bool:
        literal = re.sub(r"\{\w+\}", " | ", template.lower())
        return any(pair in self.goal_pairs for pair in word_pairs(literal))

    def fill(self, template: str, extra: dict[str, str] | None = None) -> str:
        return tidy(template.format(**{**self.fields, **(extra or {})}), self.energising)

    def line(
        self,
        key: str,
        pool: list[str],
        kind: str = "instruction",
        max_words: int | None = None,
        essential: bool = False,
    ) -> Draft | None:
        once = any("?" in t for t in pool[:3])  # a question is asked once per practice
        text = self.draw(key, pool, max_words, essential, once=once)
        return self.draft(text, kind) if text else None

    def draft(self, text: str, kind: str = "instruction") -> Draft:
        return Draft(text, timing.kind_of(text, kind), weight=self.rng.uniform(0.85, 1.15))

    def pools(self, base: list[str], sleep: list[str] | None = None, **tone: list[str]) -> list[str]:
        if self.sleep and sleep is not None:
            return sleep
        return base + tone.get(self.tone, [])


def word_pairs(text: str) -> set[tuple[str, str]]:
    """Neighbouring word pairs that carry meaning ("the afternoon", not "of the")."""
    words = re.findall(r"[a-z']+|\|", text)
    small = {"a", "an", "the", "to", "of", "for", "and", "in", "on", "at", "your", "you", "it", "is", "be", "|"}
    return {(a, b) for a, b in pairwise(words) if "|" not in (a, b) and b not in small}
