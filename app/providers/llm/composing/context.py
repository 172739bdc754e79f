"""The listener's context (mood, place and situation, in their own words) as phrases that sit inside a script."""

from __future__ import annotations

from app.providers.llm.composing.grammar import (
    FIRST_PERSON_STARTS,
    Token,
    clean,
    lower_first,
    render,
    tokenize,
    trim_dangling,
)
from app.providers.llm.phrases import lexicon


def _context_tokens(text: str) -> list[Token]:
    tokens = tokenize(clean(text).replace(".", ",").replace("!", ",").replace("?", ",").replace(";", ","))
    return lower_first(trim_dangling(tokens) if tokens else tokens)


def mood_phrase(text: str) -> str:
    """'I feel a bit anxious' -> 'a bit anxious'."""
    tokens = _context_tokens(text)
    lowered = [t[0].lower() for t in tokens]
    for prefix in (
        ("i", "feel"),
        ("i'm", "feeling"),
        ("i", "am", "feeling"),
        ("i'm",),
        ("im",),
        ("i", "am"),
        ("feeling",),
    ):
        if tuple(lowered[: len(prefix)]) == prefix and len(tokens) > len(prefix):
            tokens = tokens[len(prefix) :]
            break
    return render(lower_first(tokens))


def place_phrase(text: str) -> str:
    """'my bedroom' -> 'in your bedroom'; 'home on the sofa' -> 'at home on the sofa'; 'train' -> 'on the train'."""
    tokens = _context_tokens(text)
    if not tokens:
        return ""
    words = [t[0].lower() for t in tokens]
    phrase = render(tokens)
    if words[0] in lexicon.PLACE_PREPOSITIONS:
        return phrase
    if words[0] in ("home", "work", "school", "church", "bed"):
        return ("in " if words[0] == "bed" else "at ") + phrase
    cut = next((i for i, w in enumerate(words) if i and w in lexicon.PLACE_PREPOSITIONS), len(words))
    head = words[cut - 1]
    prep = "on" if head in lexicon.ON_PLACES else "at" if head in lexicon.AT_PLACES else "in"
    if words[0] in ("the", "a", "an", "my", "your", "our", "this", "his", "her", "their"):
        return f"{prep} {phrase}"
    return f"{prep} the {phrase}"


def situation_sentence(text: str) -> str:
    """A short second-person sentence about the situation, or '' when it doesn't read well."""
    tokens = _context_tokens(text)
    if not tokens:
        return ""
    first = tokens[0][0].lower()
    phrase = render(tokens)
    if first in FIRST_PERSON_STARTS:
        return _sentence(phrase)
    if first in ("just", "recently", "finally") and len(tokens) > 1:
        return _sentence("you've " + phrase)
    if first in lexicon.PLACE_PREPOSITIONS or first in ("before", "after", "between", "during", "ahead"):
        return _sentence(phrase + ", this is a moment just for you")
    if first.endswith("ing") and first not in lexicon.NOT_GERUNDS:
        return _sentence("even while " + phrase + ", you can find a moment of quiet")
    return _sentence("you've brought " + phrase + " here with you, and that's alright")


def _sentence(text: str) -> str:
    text = text.strip(" ,")
    return text[:1].upper() + text[1:] + "."
