"""Words with pronoun tags, rendered for the narrator ("your exam") or for the listener's own voice ("my exam"),
and the verb forms an intent needs ("calm" -> "calming", "letting" -> "let")."""

from __future__ import annotations

import re

from app.providers.llm.phrases import lexicon

Token = tuple[str, str | None]  # (word, pronoun tag or None)

_TAGS = {
    "i": "SUBJ",
    "me": "OBJ",
    "my": "POSS",
    "mine": "POSSP",
    "myself": "REFL",
    "your": "POSS",
    "yours": "POSSP",
    "yourself": "REFL",
    "i'm": "SUBJ_BE",
    "im": "SUBJ_BE",
    "you're": "SUBJ_BE",
    "i've": "SUBJ_HAVE",
    "you've": "SUBJ_HAVE",
    "i'll": "SUBJ_WILL",
    "you'll": "SUBJ_WILL",
    "i'd": "SUBJ_WOULD",
    "you'd": "SUBJ_WOULD",
}
_RENDER = {
    "you": {
        "SUBJ": "you",
        "OBJ": "you",
        "POSS": "your",
        "POSSP": "yours",
        "REFL": "yourself",
        "SUBJ_BE": "you're",
        "SUBJ_HAVE": "you've",
        "SUBJ_WILL": "you'll",
        "SUBJ_WOULD": "you'd",
        "BE": "are",
        "WAS": "were",
    },
    "me": {
        "SUBJ": "I",
        "OBJ": "me",
        "POSS": "my",
        "POSSP": "mine",
        "REFL": "myself",
        "SUBJ_BE": "I'm",
        "SUBJ_HAVE": "I've",
        "SUBJ_WILL": "I'll",
        "SUBJ_WOULD": "I'd",
        "BE": "am",
        "WAS": "was",
    },
}
_CLAUSE_OPENERS = {"and", "so", "that", "when", "if", "because", "while", "but", "as", "until", "where"}
FIRST_PERSON_STARTS = {"i", "i'm", "im", "i've", "i'll", "i'd", "my", "me", "mine", "myself"}
_DANGLING = set(
    lexicon.words("a an the and or but so to of for in on at with by from about my your because that which while when")
)


# --- text helpers -----------------------------------------------------------------------------


def clean(text: str) -> str:
    """Plain words and light punctuation only: no emoji, quotes, markup or repeated marks."""
    text = (text or "").replace("’", "'").replace("‘", "'").replace("&", " and ").replace("/", " and ")
    text = re.sub(r"[^\w\s',.;:!?-]", " ", text)
    text = re.sub(r"(?<!\w)'|'(?!\w)", " ", text)  # quotes, not apostrophes
    text = re.sub(r"_", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) > 0.6 * len(letters) and len(letters) > 3:
        text = re.sub(r"\b\w+\b", lambda m: "I" if m.group(0).lower() == "i" else m.group(0).lower(), text)
    return text


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    for raw in re.findall(r"[\w'-]+|,", text):
        low = raw.lower()
        tag = _TAGS.get(low)
        if low == "you":
            prev = tokens[-1][0].lower() if tokens else ""
            tag = "SUBJ" if not tokens or prev in _CLAUSE_OPENERS or prev == "," else "OBJ"
        elif tokens and tokens[-1][1] == "SUBJ" and low in ("am", "are"):
            tag = "BE"
        elif tokens and tokens[-1][1] == "SUBJ" and low in ("was", "were"):
            tag = "WAS"
        tokens.append((raw, tag))
    return tokens


def render(tokens: list[Token], person: str = "you") -> str:
    words: list[str] = []
    for raw, tag in tokens:
        word = _RENDER[person][tag] if tag else raw
        if word == "," and words:
            words[-1] += ","
        elif word != ",":
            words.append(word)
    return " ".join(words).strip(" ,")


def lower_first(tokens: list[Token]) -> list[Token]:
    if not tokens:
        return tokens
    raw, tag = tokens[0]
    low = raw.lower()
    if tag is None and raw[1:] == raw[1:].lower() and (low in lexicon.KNOWN_WORDS or low.endswith(("ing", "ly"))):
        return [(low, None), *tokens[1:]]
    return tokens


def trim_dangling(tokens: list[Token]) -> list[Token]:
    while len(tokens) > 1 and (tokens[-1][0] == "," or tokens[-1][0].lower() in _DANGLING):
        tokens = tokens[:-1]
    return tokens


# --- verbs --------------------------------------------------------------------------------------


def to_gerund(verb: str) -> str:
    low = verb.lower()
    if low in lexicon.GERUNDS:
        return lexicon.GERUNDS[low]
    if low.endswith("ie"):
        return low[:-2] + "ying"
    if low.endswith("e") and not low.endswith(("ee", "ye", "oe")) and len(low) > 2:
        return low[:-1] + "ing"
    vowels = "aeiou"
    if (
        len(low) >= 3
        and low[-1] not in vowels + "wxy"
        and low[-2] in vowels
        and low[-3] not in vowels
        and sum(1 for i, c in enumerate(low) if c in vowels and (i == 0 or low[i - 1] not in vowels)) == 1
    ):
        return low + low[-1] + "ing"
    return low + "ing"


def to_base(gerund: str) -> str:
    """'letting' -> 'let', 'preparing' -> 'prepare', 'calming' -> 'calm' (rules plus a list of exceptions)."""
    low = gerund.lower()
    if low in lexicon.BASES:
        return lexicon.BASES[low]
    stem = low[:-3]
    if len(stem) < 2:
        return low
    if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in "lsfzeo":
        return stem[:-1]
    vowel = set("aeiou")
    last, prev, before = stem[-1], stem[-2], stem[-3] if len(stem) >= 3 else ""
    single_vowel = prev in vowel and before not in vowel
    if last in "vzcu":
        return stem + "e"
    if last == "g" and prev in "ardu":
        return stem + "e"
    if last in "eoy" or last == "w":
        return stem
    if last == "s" and prev in vowel:
        return stem + "e"
    if last in "rnlmkd" and single_vowel and prev in "aiou" and before:
        return stem + "e"
    if stem.endswith("at") and before and before not in vowel:
        return stem + "e"
    if stem.endswith("ib") and before not in vowel:
        return stem + "e"
    if len(re.findall(r"[aeiouy]+", stem)) == 1 and single_vowel and last not in "wxy" and before:
        return stem + "e"
    return stem
