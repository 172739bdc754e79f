"""How the builder names a practice and its parts: type names, times of day, numbers in words, articles and
pronouns, and the phrases that describe a practice ("a 5-minute guided meditation to wind down before sleep").

Plain text only (never markup). The sentences built from these are in `builder_text`.
"""

from __future__ import annotations

import re
from typing import Any

from app.services.builder_nlu import NUMBER_WORDS

TYPE_NAMES = {"guided_meditation": "guided meditation", "affirmation": "affirmation set", "ritual": "ritual"}
TYPE_SHORT = {"guided_meditation": "meditation", "affirmation": "affirmations", "ritual": "ritual"}
DEFAULT_MINUTES = {"guided_meditation": 10, "affirmation": 5, "ritual": 7}
TIMES = {
    "morning": "in the morning",
    "midday": "at midday",
    "afternoon": "in the afternoon",
    "evening": "in the evening",
    "night": "tonight",
}
FOCUS_PHRASES = {
    "breath": "the breath",
    "body_scan": "a body scan",
    "visualisation": "visualisation",
    "gratitude": "gratitude",
    "sleep": "sleep",
    "self_compassion": "self-compassion",
    "energy": "energy",
    "focus": "concentration",
}
_TENS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty", 6: "sixty"}

_PRONOUNS = {
    "i": "you", "me": "you", "my": "your", "mine": "yours", "myself": "yourself", "i'm": "you're", "im": "you're",
    "i've": "you've", "i'll": "you'll", "i'd": "you'd", "am": "are", "was": "were",
}  # fmt: skip
_PRONOUN_RE = re.compile(r"\b(?:i'm|i've|i'll|i'd|im|i am|i was|i|me|my|mine|myself)\b", re.IGNORECASE)


def swap_pronouns(text: str) -> str:
    """First person to second person, for repeating the user's words back to them."""
    return _PRONOUN_RE.sub(lambda m: " ".join(_PRONOUNS.get(w, w) for w in m[0].lower().split()), text)


def pick(options: list[str], seed: int) -> str:
    """One of the phrasings, chosen by the conversation's seed (deterministic, a little varied)."""
    return options[seed % len(options)]


def number_words(n: int) -> str:
    if 0 <= n < 20:
        return NUMBER_WORDS[n]
    if 20 <= n <= 69:
        tens, unit = divmod(n, 10)
        return _TENS[tens] + (f"-{NUMBER_WORDS[unit]}" if unit else "")
    return str(n)


def minutes(n: int) -> str:
    return f"{n} minute" if n == 1 else f"{n} minutes"


def article(phrase: str) -> str:
    """The phrase with "a" or "an" in front ("an 8-minute", "an affirmation set", "a 5-minute")."""
    first = phrase.split("-")[0].split(" ")[0].lower()
    return f"{'an' if first[:1] in 'aeio8' or first in ('11', '18') else 'a'} {phrase}"


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def intent_phrase(intent: str, form: str | None) -> str:
    """How the practice's purpose reads in a sentence: "to wind down before sleep", "for your exam"."""
    if form == "quote":
        return f'built around "{intent}"'
    words = intent.split(" ")
    if words and len(words[0]) > 1 and words[0][1:].islower():
        words[0] = words[0].lower()
    said = swap_pronouns(" ".join(words))
    said = f"the {said}" if said.lower() in ("morning", "evening", "afternoon", "night") else said
    joint = {"to": "to", "about": "about", "with": "to help with", "when": "for when"}.get(form or "", "for")
    return f"{joint} {said}"


def practice_phrase(ctx: dict[str, Any]) -> str:
    """ "a 5-minute guided meditation to wind down before sleep" from what is known so far."""
    name = TYPE_NAMES.get(ctx.get("content_type") or "", "practice")
    if ctx.get("duration_minutes"):
        name = f"{ctx['duration_minutes']}-minute {name}"
    phrase = article(name)
    if ctx.get("intent"):
        phrase += " " + intent_phrase(ctx["intent"], ctx.get("intent_form"))
    return phrase


def voice_phrase(name: str | None, *, possessive: bool = False) -> str:
    """ "Joe" / "Joe's voice", or "the Classic (US) voice" for names that are not a person's."""
    if not name:
        return "the standard voice"
    if name.replace("-", "").isalpha() and name[:1].isupper():
        return f"{name}'s voice" if possessive else name
    return f"the {name} voice"


def choices_phrase(ctx: dict[str, Any]) -> str:
    """ "Joe, at a slow pace, with a gentle tone" — the voice, pace and tone being proposed."""
    pace, tone = ctx.get("pace") or "normal", ctx.get("tone") or "gentle"
    return f"{voice_phrase(ctx.get('voice_name'))}, at a {pace} pace, with {article(tone)} tone"


def context_phrase(ctx: dict[str, Any]) -> str:
    """ "tonight at home", "in the morning on the train", "at your desk" — or "" when unknown."""
    parts = [TIMES.get(ctx.get("time_of_day") or "", ""), swap_pronouns(ctx.get("place") or "")]
    return " ".join(p for p in parts if p)


def summary(ctx: dict[str, Any], *, capital: bool = True) -> str:
    """A 5-minute guided meditation to wind down before sleep, tonight at home, in Joe's voice, slow and gentle."""
    parts = [cap(practice_phrase(ctx)) if capital else practice_phrase(ctx)]
    if ctx.get("focus") and ctx.get("content_type") == "guided_meditation" and ctx["focus"] != "sleep":
        parts[0] += f" with a focus on {FOCUS_PHRASES[ctx['focus']]}"
    if context_phrase(ctx):
        parts.append(context_phrase(ctx))
    voice, pace, tone = voice_phrase(ctx.get("voice_name"), possessive=True), ctx.get("pace"), ctx.get("tone")
    if pace == "normal":
        parts.append(f"in {voice} at a normal pace, with {article(tone or 'gentle')} tone")
    else:
        parts += [f"in {voice}", f"{'brisk' if pace == 'fast' else 'slow'} and {tone}"]
    return ", ".join(parts) + "."
