"""Reading the intent (free text) into a goal phrase that sits naturally inside a script.

An intent such as "I want to sleep better", "letting go of a stressful workday" or "more confidence"
becomes a goal verb phrase in three renderings: "sleep better" (you), "sleep better" (I) and
"sleeping better" (gerund); first-person words are kept as tags so each rendering picks its own
pronouns ("my exam" -> "your exam" for the narrator, "my exam" for an affirmation).

The tagged words and verb forms are in `grammar.py`, the short titles in `titles.py` and the context
phrases in `context.py` (re-exported here, beside the intent).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.providers.llm.composing.context import mood_phrase, place_phrase, situation_sentence
from app.providers.llm.composing.grammar import (
    FIRST_PERSON_STARTS,
    Token,
    clean,
    lower_first,
    render,
    to_base,
    to_gerund,
    tokenize,
    trim_dangling,
)
from app.providers.llm.composing.titles import title_core
from app.providers.llm.phrases import lexicon, themes

__all__ = ["Intent", "detect_themes", "mood_phrase", "place_phrase", "read_intent", "situation_sentence"]

_PREFIXES = sorted(
    (
        tuple(lexicon.words(p))
        for p in lexicon.phrases(
            """
        i want to be able to|i want to|i wanna|i would like to|i'd like to|i would love to|i'd love to|i need to
        i have to|i wish to|i hope to|i hope i can|i'm trying to|i am trying to|i'm hoping to|i am hoping to
        i just want to|i really want to|i just need to|i really need to|i want|i need|i'd like|i would like
        i wish i could|i wish|i'm looking for|i am looking for|looking for|please help me to|please help me
        help me to|help me|can you help me|could you help me|teach me how to|teach me to|show me how to
        how do i|how can i|how to|to be able to|be able to|so i can|so that i can|let me|want to|need to
        trying to|hoping to|something to help me|something to|something for|a meditation to help me
        a meditation to|a meditation for|meditation for|a practice to|a practice for|a ritual to|a ritual for
        ritual for|affirmations to|affirmations for|an affirmation for|affirmation for|to|for|please|just
        really|finally|actually|simply|so|and|ok|okay
        """.replace("\n", "|")
        )
    ),
    key=len,
    reverse=True,
)
_FILLERS = {("so",), ("and",), ("ok",), ("okay",), ("please",), ("just",), ("really",), ("finally",), ("actually",)}
_ARTICLE_TO_POSS_AFTER = {"before", "after", "during", "for", "of", "about"}
_MAX_GOAL_WORDS = 16


@dataclass
class Intent:
    """A goal phrase in its three renderings, plus what else the intent said and what it is about."""

    goal: str  # "calm down before your job interview"
    goal_me: str  # "calm down before my job interview"
    goal_ing: str  # "calming down before your job interview"
    themes: list[str]
    background: str = ""  # "you have a big presentation tomorrow" (a first-person statement, in second person)
    stated: bool = True  # False when the goal came from the theme, not the person's words
    title_core: str = ""  # "Calm Before the Job Interview", when the goal has that shape


# --- reading the goal ---------------------------------------------------------------------------


def _strip_prefixes(tokens: list[Token]) -> tuple[list[Token], bool]:
    stripped = False
    changed = True
    while changed and tokens:
        changed = False
        lowered = tuple(t[0].lower() for t in tokens)
        for prefix in _PREFIXES:
            if lowered[: len(prefix)] == prefix and len(tokens) > len(prefix):
                tokens = tokens[len(prefix) :]
                stripped = stripped or prefix not in _FILLERS
                changed = True
                break
        while tokens and tokens[0][0] == ",":
            tokens = tokens[1:]
    return tokens, stripped


def _possessive_articles(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    for i, (raw, tag) in enumerate(tokens):
        if raw.lower() in ("a", "an") and i > 0 and tokens[i - 1][0].lower() in _ARTICLE_TO_POSS_AFTER:
            out.append(("your", "POSS"))
        else:
            out.append((raw, tag))
    return out


def _shorten(tokens: list[Token], limit: int = _MAX_GOAL_WORDS) -> list[Token]:
    if len(tokens) <= limit:
        return tokens
    for i, (raw, _) in enumerate(tokens):
        if i >= 3 and (raw == "," or raw.lower() in ("and", "so", "because", "but", "while", "since")):
            if i <= limit:
                return trim_dangling(tokens[:i])
            break
    return trim_dangling(tokens[:limit])


# --- the intent -----------------------------------------------------------------------------------


def detect_themes(text: str, focus: str | None = None) -> list[str]:
    low = " " + text.lower() + " "
    scores: dict[str, int] = {}
    for theme, words in themes.THEME_KEYWORDS.items():
        hits = sum(1 for w in words if re.search(r"\b" + re.escape(w), low))
        if hits:
            scores[theme] = hits
    ordered = sorted(scores, key=lambda t: (-scores[t], list(themes.THEME_KEYWORDS).index(t)))
    focus_theme = lexicon.FOCUS_THEMES.get(focus or "")
    if focus_theme and focus_theme not in ordered:
        ordered.append(focus_theme)
    return ordered[:3] or ["general"]


def _goal_tokens(tokens: list[Token]) -> tuple[list[Token] | None, int, str]:
    """The goal as a verb phrase and how many of its first words were added here (not the person's own),
    or None plus a background statement when the words name a state ("tired", "feeling anxious")."""
    if not tokens:
        return None, 0, ""
    words = [t[0].lower() for t in tokens] + ["", "", ""]
    first, second = words[0], words[1]
    if first in lexicon.NEGATIVE_STATES:
        return None, 0, "you're feeling " + render(tokens)
    if first in ("feel", "feeling", "be", "being") and second in lexicon.NEGATIVE_STATES:
        return None, 0, "you're feeling " + render(tokens[1:])
    if first in ("not", "never") and len(tokens) > 1:
        return tokens, 0, ""
    if first.endswith("ing") and first not in lexicon.NOT_GERUNDS and len(first) > 4:
        return [(to_base(first), None), *tokens[1:]], 0, ""
    if first in lexicon.VERBS and not (first in lexicon.ADJECTIVES and len(tokens) == 1):
        return tokens, 0, ""
    adverb = (
        2
        if words[:2] in (["a", "bit"], ["a", "little"], ["a", "lot"])
        else 1
        if first in ("more", "less", "very")
        else 0
    )
    if words[adverb] in lexicon.ADJECTIVES or (adverb and words[adverb].endswith(("ed", "ful", "ent", "ive", "ous"))):
        return [("feel", None), *tokens], 1, ""
    determined = first in ("a", "an", "the", "this", "that") or tokens[0][1] == "POSS" or first.endswith("'s")
    head = next((w for w in words if w not in ("a", "an", "the", "some", "more", "my", "your", "less")), "")
    if head in lexicon.NEGATIVE_NOUNS:
        return [("find", None), ("some", None), ("ease", None), ("with", None), *tokens], 4, ""
    if any(w in lexicon.EVENTS for w in words):
        article = [] if determined else [("your", "POSS")]
        return [("feel", None), ("ready", None), ("for", None), *article, *tokens], 3, ""
    if determined:
        return [("make", None), ("room", None), ("for", None), *tokens], 3, ""
    return [("find", None), *tokens], 1, ""


def _clauses(text: str) -> list[str]:
    pieces = re.split(
        r"[.;:!?,]+|\s+(?=(?:and\s+|but\s+)?(?:please\s+)?(?:help me|so that i can|so i can)\b)", text, flags=re.I
    )
    return [c.strip(" ,:-") for c in pieces if c and c.strip(" ,:-")]


def read_intent(raw: str, focus: str | None = None) -> Intent:
    text = clean(raw)
    found_themes = detect_themes(text, focus)
    goal: list[Token] | None = None
    added = 0
    background = ""
    for clause in _clauses(text):
        tokens, had_prefix = _strip_prefixes(tokenize(clause))
        if not tokens:
            continue
        if tokens[0][0].lower() in FIRST_PERSON_STARTS and not had_prefix:
            if not background:
                background = render(_shorten(_possessive_articles(tokens), 20))
            continue
        candidate, extra, state = _goal_tokens(lower_first(tokens))
        if candidate is None:
            background = background or state
            continue
        if goal is None or had_prefix:
            goal, added = candidate, extra
            if had_prefix:
                break
    stated = goal is not None
    if goal is None:
        goal, _ = _strip_prefixes(tokenize(themes.THEME_GOALS[found_themes[0]]))
    goal = _shorten(_possessive_articles(lower_first(goal)))
    if background and not background.startswith("I "):
        background = background[0].lower() + background[1:]
    head, rest = goal[0][0].lower(), goal[1:]
    gerund = [(to_gerund(head), None), *rest]
    if head in ("not", "never") and rest:
        gerund = [goal[0], (to_gerund(rest[0][0]), None), *rest[1:]]
    return Intent(
        goal=render(goal, "you"),
        goal_me=render(goal, "me"),
        goal_ing=render(gerund, "you"),
        themes=found_themes,
        background=background,
        stated=stated,
        title_core=title_core(goal[added:]) if stated and len(goal) > added else "",
    )
