"""Reading free text (the intent and the context) into phrases that sit naturally inside a script.

An intent such as "I want to sleep better", "letting go of a stressful workday" or "more confidence"
becomes a goal verb phrase in three renderings: "sleep better" (you), "sleep better" (I) and
"sleeping better" (gerund); first-person words are kept as tags so each rendering picks its own
pronouns ("my exam" -> "your exam" for the narrator, "my exam" for an affirmation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.providers.llm.phrases import lexicon, themes

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
_FIRST_PERSON_STARTS = {"i", "i'm", "im", "i've", "i'll", "i'd", "my", "me", "mine", "myself"}
_ARTICLE_TO_POSS_AFTER = {"before", "after", "during", "for", "of", "about"}
_TITLE_PREPS = {"before", "after", "during", "for", "through", "at", "of", "about", "in", "with", "ahead"}
_TITLE_DROP = set(
    lexicon.words(
        "a an the your my stressful long busy hard difficult big important tough upcoming exhausting hectic crazy "
        "bad rough demanding tiring next"
    )
)
_SMALL_WORDS = set(lexicon.words("a an the and or but of to for in on at by with from as"))
_DANGLING = set(
    lexicon.words("a an the and or but so to of for in on at with by from about my your because that which while when")
)
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


def _lower_first(tokens: list[Token]) -> list[Token]:
    if not tokens:
        return tokens
    raw, tag = tokens[0]
    low = raw.lower()
    if tag is None and raw[1:] == raw[1:].lower() and (low in lexicon.KNOWN_WORDS or low.endswith(("ing", "ly"))):
        return [(low, None), *tokens[1:]]
    return tokens


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
                return _trim_dangling(tokens[:i])
            break
    return _trim_dangling(tokens[:limit])


def _trim_dangling(tokens: list[Token]) -> list[Token]:
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
        if tokens[0][0].lower() in _FIRST_PERSON_STARTS and not had_prefix:
            if not background:
                background = render(_shorten(_possessive_articles(tokens), 20))
            continue
        candidate, extra, state = _goal_tokens(_lower_first(tokens))
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
    goal = _shorten(_possessive_articles(_lower_first(goal)))
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
        title_core=_title_core(goal[added:]) if stated and len(goal) > added else "",
    )


# --- context ----------------------------------------------------------------------------------------


def _context_tokens(text: str) -> list[Token]:
    tokens = tokenize(clean(text).replace(".", ",").replace("!", ",").replace("?", ",").replace(";", ","))
    return _lower_first(_trim_dangling(tokens) if tokens else tokens)


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
    return render(_lower_first(tokens))


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
    if first in _FIRST_PERSON_STARTS:
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


# --- titles -----------------------------------------------------------------------------------------


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


def _title_core(goal: list[Token]) -> str:
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
