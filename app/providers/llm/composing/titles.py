"""Titles: title case, and a short title made from the goal ("Calm Before the Job Interview")."""

from __future__ import annotations

from app.providers.llm.composing.grammar import Token
from app.providers.llm.phrases import lexicon

_TITLE_PREPS = {"before", "after", "during", "for", "through", "at", "of", "about", "in", "with", "ahead"}
_TITLE_DROP = set(
    lexicon.words(
        "a an the your my stressful long busy hard difficult big important tough upcoming exhausting hectic crazy "
        "bad rough demanding tiring next"
    )
)
_SMALL_WORDS = set(lexicon.words("a an the and or but of to for in on at by with from as"))


def title_case(text: str) -> str:
    words = text.split()
    out = []
    for i, word in enumerate(words):
        low = word.lower()
        if 0 < i < len(words) - 1 and low in _SMALL_WORDS:
            out.append(low)
        elif word[1:] != word[1:].lower():
            out.append(word[0].upper() + word[1:])
        else:
            out.append("-".join(p[:1].upper() + p[1:] for p in low.split("-")))
    return " ".join(out)


def title_core(goal: list[Token]) -> str:
    """'calm down before a job interview' -> 'Calm Before the Job Interview'."""
    words = [w for w, _ in goal]
    lowered = [w.lower() for w in words]
    for i, word in enumerate(lowered):
        if i == 0 or word not in _TITLE_PREPS:
            continue
        prep = word
        rest = lowered[i + 1 :]
        if prep == "ahead" and rest[:1] == ["of"]:
            prep, rest = "ahead of", rest[1:]
        obj: list[str] = []
        for w in rest:
            if w in ("and", "so", ",", "because", "but", "while", "to") or w in _TITLE_PREPS:
                break
            obj.append(w)
        determined = bool(obj) and obj[0] in ("a", "an", "the", "your", "my")
        obj = [w for j, w in enumerate(obj) if not (w in _TITLE_DROP and all(x in _TITLE_DROP for x in obj[: j + 1]))]
        obj = [w for w in obj if w not in ("a", "an", "the", "your", "my")]
        if not obj or len(obj) > 3:
            return ""
        head_words = lowered[:i]
        if head_words[:2] == ["let", "go"] and len(head_words) == 2:
            head = "Letting Go"
        elif len(head_words) <= 2 and head_words[0] in lexicon.HEAD_NOUNS:
            head = lexicon.HEAD_NOUNS[head_words[0]]
        else:
            return ""
        article = "the " if determined else ""
        return title_case(f"{head} {prep} {article}{' '.join(obj)}")
    return ""
