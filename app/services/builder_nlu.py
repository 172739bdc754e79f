"""Rule-based understanding for the builder chat: what one message says about the practice.

Pure standard library. `extract` reads a message and returns only what it found; the machine in
`builder.py` decides what that means given where the conversation is. The patterns and phrase sets
it listens for are in `builder_vocab`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import Any

from app.services import builder_vocab as vocab
from app.services.practice_spec import MAX_CONTEXT_TEXT, MAX_INTENT, clean_text

_F = re.IGNORECASE
Span = tuple[int, int]

# --- durations -------------------------------------------------------------------------------

_WORDS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
NUMBER_WORDS = [*_WORDS.split(" "), "seventeen", "eighteen", "nineteen"]
_SMALL = {w: n for n, w in enumerate(NUMBER_WORDS)}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_WORDNUM = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-]+(?:one|two|three|four|five|six|seven|eight"
    r"|nine))?|nineteen|eighteen|seventeen|sixteen|fifteen|fourteen|thirteen|twelve|eleven|ten"
    r"|zero|one|two|three|four|five|six|seven|eight|nine|a couple(?: of)?|couple(?: of)?|a few|few)"
)
_NUM = rf"(\d{{1,4}}(?:\.\d+)?|{_WORDNUM})"
_DURATIONS = [
    (re.compile(rf"\b(?:an|a|one|{_NUM})\s*-?\s*hours?\s+and\s+a\s+half\b", _F), lambda m: 60 * _num(m[1] or "1") + 30),
    (re.compile(r"\bhalf(?:\s+an|\s+a)?[\s-]+hour\b", _F), lambda m: 30),
    (re.compile(r"\b(?:a\s+)?quarter(?:\s+of)?(?:\s+an)?[\s-]+hour\b", _F), lambda m: 15),
    (re.compile(rf"\b(?:(an|a)\s+|{_NUM}\s*-?\s*)(?:hours?|hrs?)\b", _F), lambda m: 60 * _num(m[2] or "1")),
    (
        re.compile(rf"\b(?:(\d{{1,4}}(?:\.\d+)?)\s*-?\s*(?:minutes?|mins?|m)|{_NUM}[\s-]+(?:minutes?|mins?))\b", _F),
        lambda m: _num(m[1] or m[2]),
    ),
    (re.compile(r"\b(?:a|one)\s+minute\b", _F), lambda m: 1),
]
_BARE = re.compile(
    rf"^(?:about|around|maybe|say|roughly|let'?s do|lets do|make it|just|how about)?\s*{_NUM}(?: please)?$"
)
_HEDGED = re.compile(rf"\b(?:maybe|about|around|roughly|perhaps|say|let'?s do|how about)\s+{_NUM}\b(?!\s*[a-z])")
_NOT_AFTER = r"\b(?!\s+(?:of|on|term|notice|while|walk|break|breath|day|week|time|night|way|drive|shift|list)\b)"
_SIZE = re.compile(
    r"(?:^|\b(?:a|something|make it|keep it|nice and|really|very|quite|fairly|rather|just a|only a|a nice)\s+)"
    r"(short|quick|brief|long)" + _NOT_AFTER,
    _F,
)
_LONGER = re.compile(r"(?<!no )\b(longer|shorter)\b", _F)


def _num(word: str) -> float:
    """A number from digits or English words ("twenty five", "a couple of" = 2)."""
    w = " ".join(word.lower().replace("-", " ").split())
    if w[:1].isdigit():
        return float(w)
    if w.startswith(("a couple", "couple")):
        return 2
    if w in ("a few", "few"):
        return 3
    parts = w.split()
    if parts[0] in _TENS:
        return _TENS[parts[0]] + (_SMALL.get(parts[1], 0) if len(parts) > 1 else 0)
    return _SMALL.get(w, 0)


def _duration(low: str, spans: list[Span]) -> int | None:
    for pattern, calc in _DURATIONS:
        m = pattern.search(low)
        if m:
            spans.append(m.span())
            return round(calc(m))
    m = _BARE.match(normalise(low))
    if m:
        spans.append((0, len(low)))
        return round(_num(m[1]))
    m = _HEDGED.search(normalise(low))  # "not sure, maybe 10?"
    if m and len(low) < 60:
        return round(_num(m[1]))
    m = _SIZE.search(low)
    if m:
        spans.append(m.span(1))
        return 20 if m[1].lower() == "long" else 5
    return None


# --- intent ----------------------------------------------------------------------------------


def tone_for(about: str) -> str:
    """A tone that suits a purpose: sleep gentle, mornings energising, grief warm, anxiety grounding; else gentle."""
    about = about.lower()
    return next((tone for tone, words in vocab.TONE_WORDS if any(w in about for w in words)), "gentle")


def cut(text: str, limit: int) -> str:
    """At most `limit` characters, ending at a word boundary where there is one."""
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    head = head.rsplit(" ", 1)[0] if " " in head else head
    return head[:limit].rstrip(" ,.;:-") or text[:limit]


def meaningful(text: str) -> bool:
    """Whether the text has any word beyond fillers, articles and pronouns."""
    return any(len(w) > 1 and w not in vocab.STOP for w in re.findall(r"[^\W\d_][\w'-]*", text.lower()))


def _mask(text: str, spans: list[Span]) -> str:
    """The text with the spans blanked out (same length, so other spans still line up)."""
    chars = list(text)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def _styleless(text: str, remove: list[Span], style: list[Span]) -> str:
    """The message without the understood spans, dropping comma-separated parts that only set style
    ("slow and gentle", "in Joe's voice") and trailing when/where phrases ("... tonight in bed")."""
    masked, styled = _mask(text, remove), _mask(text, remove + style)
    bounds = [0, *(m.end() for m in re.finditer(r"[,;]|\s[-–—]\s|[.!?]\s", masked)), len(masked)]
    parts = [masked[a:b] for a, b in itertools.pairwise(bounds) if meaningful(styled[a:b])]
    s = " ".join(" ".join(parts).split()).strip(" ,;")
    for _ in range(4):
        m = vocab.TRAIL_CONTEXT.search(s)
        if not m or not meaningful(s[: m.start()]):
            break
        s = s[: m.start()].rstrip(" ,;")
    return s


def intent_of(text: str, remove: list[Span], style: Sequence[Span] = (), typed: bool = False) -> tuple[str, str] | None:
    """(intent, form) from a message with the spans in `remove` taken out, or None; form says how the intent joins
    the practice: to ("to wind down"), for ("for confidence"), about, with ("to help with"), when or quote."""
    s = " ".join(vocab.FILLER_NOUNS.sub(" ", _styleless(text, remove, list(style))).split())
    for _ in range(8):
        stripped = vocab.LEAD.sub("", s, count=1).lstrip(" ,.;:!-")
        if stripped == s:
            break
        s = stripped
    s = re.sub(rf"^{vocab.MODS}(?=(?:to|for|about|on|around|with)\b)", "", s, flags=_F)
    form = None
    m = vocab.FORM.match(s)
    if m:
        word = m[1].lower()
        form = "with" if word.endswith("with") else "to" if word.startswith(("to", "that", "help")) else word
        form = "about" if form in ("on", "around") else form
        s = re.sub(r"^(?:help me|help)\s+", "", s[m.end() :], flags=_F)
    s = vocab.TRAIL.sub("", s).strip(" ,.;:!-\"'")
    if form is None and typed:
        s = re.sub(rf"^{vocab.MODS}", "", s, flags=_F)
    if not meaningful(s):
        return None
    low = s.lower()
    first = low.split()[0]
    if form is None and vocab.TABLES["type_hint"][1][0].search(low):
        form = "quote"
    elif form is None and first in ("i", "i'm", "im", "i've", "i'd", "i'll", "when", "whenever", "if"):
        form, s = "when", re.sub(r"^(?:when|whenever|if)\s+", "", s, flags=_F)
    elif form is None:
        form = "to" if first in vocab.VERBS and (first not in vocab.NOUN_TOO or len(low.split()) > 1) else "for"
    return cut(clean_text(s), MAX_INTENT), form


# --- the whole message -----------------------------------------------------------------------


def _first(name: str, low: str, spans: list[Span] | None = None, *, earliest: bool = False) -> str | None:
    """The value of the first pattern in the table that matches (or of the match earliest in the text)."""
    hits = ((m, value) for pattern, value in vocab.TABLES[name] if (m := pattern.search(low)))
    m, value = min(hits, key=lambda h: h[0].start(), default=(None, None)) if earliest else next(hits, (None, None))
    if m and spans is not None:
        spans.append(m.span())
    return value


def _voice(low: str, voices: list[dict], spans: list[Span]) -> str | None:
    """The best-matching voice by name ("Joe", "the classic voice", "classic UK"); ties go to the first listed."""
    best, best_spans = None, []
    for voice in voices:
        words = [
            vocab.VOICE_ALIASES.get(w, re.escape(w))
            for w in re.findall(r"[a-z0-9]+", str(voice.get("name") or "").lower())
        ]
        m = (
            re.search(rf"(?:\b(?:in|with|using|use|by)\s+)?(?:the\s+)?\b{words[0]}(?:'s)?\b(?:\s+voice)?", low)
            if words
            else None
        )
        if m:
            found = [m.span()] + [x.span() for w in words[1:] for x in re.finditer(rf"\b(?:{w})\b", low)]
            if len(found) > len(best_spans):
                best, best_spans = voice.get("id"), found
    spans += best_spans
    return None if best is None else str(best)


def normalise(text: str) -> str:
    """Lower case, punctuation to spaces (apostrophes kept), whitespace collapsed."""
    return " ".join(re.sub(r"[^\w'/ ]+", " ", text.lower().replace("’", "'")).split())


def extract(text: str, voices: list[dict] | None = None) -> dict[str, Any]:
    """Everything one message says; a key is present only when found."""
    text = clean_text(text or "").replace("’", "'")
    low, norm = text.lower(), normalise(text)
    text = text if len(text) == len(low) else low  # spans found in `low` must line up with `text`
    out: dict[str, Any] = {}
    remove: list[Span] = []  # taken out before reading an intent
    seen: list[Span] = []  # everything understood, so that the leftover is what was not

    def put(key: str, value: Any, spans: list[Span] | None = None, table: str | None = None) -> None:
        value = _first(table, low, spans) if table else value
        if value is not None:
            out[key] = value

    put("content_type", None, remove, "type")
    put("type_hint", None, None, "type_hint")
    put("duration", _duration(low, remove))
    m = _LONGER.search(low)
    if "duration" not in out and m:
        out["duration_rel"] = 1 if m[1].lower() == "longer" else -1
        seen.append(m.span())
    put("voice_id", _voice(low, voices or [], remove))
    seen += remove
    put("time_of_day", _first("time", low, seen) or _first("time_implied", low, seen))
    put("place", _first("place", low, seen, earliest=True))
    put("mood", _first("mood", low, seen))
    put("tone", _first("tone", low, seen))
    put("focus", None, None, "focus")
    rel = _first("pace_rel", low, seen)
    if rel:
        out["pace_rel"] = int(rel)
    else:
        put("pace", None, seen, "pace")
    situation = _situation(text)
    if situation:
        out["situation"] = situation[0]
        seen.append(situation[1])

    bare = re.sub(r"\b(?:please|thanks|thank you)\b", "", norm).strip()
    flags = {
        "start_over": bool(vocab.START_OVER.search(norm)),
        "go_back": bool(vocab.GO_BACK.search(norm)),
        "make_another": bool(vocab.MAKE_ANOTHER.search(norm)),
        "save_prefs": bool(vocab.SAVE.search(norm)),
        "confirm": bool(vocab.CONFIRM.match(norm)),
        "change": bool(vocab.CHANGE_ONLY.match(bare)),
        "affirm": (
            bare in vocab.AFFIRM or bool(vocab.AFFIRM_LEAD.match(norm) and not re.search(r"\b(?:but|not|no)\b", norm))
        ),
        "decline": bare in vocab.DECLINE or bool(re.match(r"(?:no|nope|nah)\b", norm)),
        "unsure": bool(vocab.UNSURE.match(norm)),
        "greeting": bool(vocab.GREETING.match(bare)),
        "request": bool(vocab.REQUEST.match(norm)),
    }
    out.update({k: True for k, v in flags.items() if v})
    target = _first("target", norm)
    core = re.sub(r"^(?:the|my|its|it's)\s+", "", bare)
    if target and vocab.CHANGE_VERB.search(norm):
        out["change_target"] = target
    elif target := next((value for pattern, value in vocab.TABLES["target"] if pattern.fullmatch(core)), None):
        out["target"] = target  # a bare "Voice" or "What it's for", as after "What would you like to change?"
    command = bare in vocab.AFFIRM or bare in vocab.DECLINE or {"change_target", "target"} & set(out)
    command = command or any(flags[k] for k in vocab.COMMANDS)
    style = [m.span() for t in ("place", "pace", "tone") for p, _ in vocab.TABLES[t] for m in p.finditer(low)]
    style += [m.span() for m in re.finditer(rf"\b(?:{vocab.TIME_PREP})\b", low)]
    found = intent_of(text, remove, style=style, typed="content_type" in out)
    if found is None and "content_type" in out:  # "a ritual for the evening": the time is the purpose
        found = intent_of(text, remove, typed=True)
    if found:
        slots = [m.span() for t in ("time", "place") for p, _ in vocab.TABLES[t] for m in p.finditer(text)]
        about_more = intent_of(text, remove + slots) is not None
        explicit = bool(vocab.EXPLICIT.search(low)) and about_more and not command
        if explicit or (not command and (about_more or "content_type" in out)):
            out["intent"], out["intent_form"] = found
            if explicit:
                out["intent_explicit"] = True
    out["leftover"] = _leftover(text, seen)
    return out


def _situation(text: str) -> tuple[str, Span] | None:
    """An occasion ("before my exam", "after a long day"); everyday words count only with a qualifier."""
    for m in vocab.SITUATION.finditer(text):
        if m[4] or m[1] or m[3] or ((m[2] or "").lower() == "my" and m[5].lower() != "work"):
            return cut(clean_text(m[0]), MAX_CONTEXT_TEXT), m.span()
    return None


def _leftover(text: str, spans: list[Span]) -> str:
    """What is left once everything understood is taken out, if it still says something."""
    rest = " ".join(_mask(text, spans).split())
    rest = re.sub(r"^(?:and|but|also|so|um+|well|i'?m|i am|i feel|feeling|it'?s|just)\b[\s,.]*", "", rest, flags=_F)
    rest = rest.strip(" ,.;:!?-")
    return cut(clean_text(rest), MAX_CONTEXT_TEXT) if meaningful(rest) else ""
