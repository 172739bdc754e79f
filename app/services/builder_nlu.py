"""Rule-based understanding for the builder chat: what one message says about the practice.

Pure standard library. `extract` reads a message and returns only what it found; the machine in
`builder.py` decides what that means given where the conversation is.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import Any

from app.services.practice_spec import MAX_CONTEXT_TEXT, MAX_INTENT, clean_text

_F = re.IGNORECASE
Span = tuple[int, int]


def _tables(spec: str) -> dict[str, list[tuple[re.Pattern[str], str]]]:
    """Parse "[name]" sections of "value | pattern" lines; within a section the first match wins."""
    tables: dict[str, list[tuple[re.Pattern[str], str]]] = {}
    name = ""
    for line in spec.strip().splitlines():
        if line.startswith("["):
            name = line.strip("[] ")
            tables[name] = []
        elif line.strip():
            value, pattern = line.split(" | ", 1)
            tables[name].append((re.compile(pattern.strip(), _F), value.strip()))
    return tables


def _phrases(spec: str) -> frozenset[str]:
    return frozenset(p.strip() for p in spec.replace("\n", "|").split("|") if p.strip())


_Q = r"(?:i'?m|i am|feel(?:ing)?|felt|am|a bit|a little|so|really|quite|pretty|very|bit)\s+"
_T = _tables(
    r"""
[type]
guided_meditation | \b(?:guided\s+)?meditat(?:ion|ions|e|ing)\b
affirmation       | \baffirm(?:ation|ations|ing)?\b(?:\s+set)?
ritual            | \brituals?\b
[type_hint]
affirmation | \b(?:confiden\w*|self[\s-]?(?:worth|esteem|belief)|worthy|believe in myself|mantras?|empower\w*)
affirmation | ^\W*i am\b(?!.*\b(?:anxious|stressed|tired|sad|scared|worried|nervous|lonely|exhausted|angry|not)\b)
ritual      | \broutines?\b|\b(?:start|begin|end|close)\s+(?:the|my|your)\s+(?:day|morning|evening)\b|\bwake up\b
[time]
morning   | \b(?:this\s+)?mornings?\b
midday    | \b(?:midday|mid-day|noon|lunch\s*time|lunch break|middle of the day)\b
afternoon | \b(?:this\s+)?afternoons?\b
evening   | \b(?:this\s+)?evenings?\b
night     | \b(?:tonight|nights?|night-?time|bed\s?time|midnight)\b
[time_implied]
morning | \b(?:wake up|waking up|when i wake|first thing|sunrise|breakfast|start (?:the|my) day|before work)\b
midday  | \b(?:lunch|after lunch)\b
evening | \b(?:after work|end of (?:the|my) day|after dinner|dinner|sunset)\b
night   | \b(?:before bed|before sleep\w*|go(?:ing)? to bed|sleep\w*|asleep|insomnia)\b
[place]
in bed        | \bin (?:my |the )?bed\b
on the train  | \bon (?:the|a|my) (?:train|tube|subway|metro)\b
on the bus    | \bon (?:the|a|my) bus\b
on my commute | \b(?:on (?:my|the) commute|commuting|on (?:my|the) way to work)\b
at my desk    | \bat (?:my|the|a) desk\b
at work       | \b(?:at work|(?:in|at) (?:the|my) office)\b
at home       | \b(?:at|from|in my) home\b|^home$|\b(?:on the (?:sofa|couch)|in (?:my|the) living room)\b
in the car    | \bin (?:the|my) car\b
at the gym    | \b(?:in|at) the (?:gym|studio)\b
in the park   | \bin the park\b
in the garden | \bin (?:the|my) garden\b
outdoors      | \b(?:on a walk|walking|outside|outdoors|in nature)\b
on a plane    | \bon (?:a|the) (?:plane|flight)\b|\bflying\b
in the bath   | \bin the bath\b
[mood]
anxious     | \b(?:anxious|anxiety|panick?y|panic(?:king)?|on edge)\b
nervous     | \b(?:nervous|nerves|jittery)\b
overwhelmed | \b(?:overwhelmed|swamped)\b
stressed    | \b(?:stressed(?: out)?|stress|under pressure|frazzled)\b
exhausted   | \b(?:exhausted|burn[td] out|worn out|wiped out)\b
tired       | \b(?:tired|sleepy|drained|weary|knackered)\b
sad         | \b(?:sad|heartbroken|upset|unhappy)\b|{Q}(?:down|low|blue)\b
grieving    | \b(?:grieving|grief|bereaved)\b
worried     | \b(?:worried|worrying|worry)\b
scared      | \b(?:scared|afraid|frightened|fearful)\b
angry       | \b(?:angry|frustrated|irritated|annoyed|furious)\b
lonely      | \b(?:lonely|alone)\b
restless    | \b(?:restless|wired|can'?t settle)\b
distracted  | \b(?:distracted|scattered|unfocused|can'?t focus)\b
unmotivated | \b(?:unmotivated|sluggish|lethargic)\b|{Q}(?:flat|lazy)\b
excited     | \b(?:excited|buzzing|thrilled)\b
hopeful     | \b(?:hopeful|optimistic)\b
content     | {Q}(?:happy|good|great|calm|relaxed|content|fine|okay|ok)\b
[focus]
sleep           | \b(?:sleep\w*|asleep|insomnia|bed\s?time)\b
body_scan       | \bbody[\s-]?scan\b|\btension\b|\bmuscles?\b
breath          | \bbreath\w*\b
visualisation   | \bvisuali[sz]\w*|\bimagine\b|\bimagery\b
gratitude       | \bgrat(?:itude|eful)\b|\bthankful\b|\bappreciat\w*
self_compassion | \bself[\s-]?(?:compassion|love|kindness|acceptance|care)\b|\bkind(?:er)? to myself\b|\bforgiv\w*
energy          | \benergy\b|\benergi[sz]ed?\b|\bmotivat(?:ion|ed)\b|\bboost\b
focus           | \b(?:focus(?:ed)?|concentrat\w*|productiv\w*|study(?:ing)?)\b(?!\s+on)
[pace_rel]
-1 | \bslow(?:er)?\s+(?:it\s+)?down\b|\bslower\b|\bmore slowly\b|\bless (?:fast|quick|rushed)\b
1  | \bfaster\b|\bquicker\b|\bspeed (?:it\s+)?up\b|\bmore quickly\b|\bpick up the pace\b|\bless slow\b
[pace]
slow   | \bslow(?:ly)?\b
fast   | \b(?:fast|brisk|quick\s+pace)\b(?!\s+asleep)
normal | \b(?:normal|regular|medium|average|moderate|usual)\s+(?:pace|speed)\b|^(?:normal|medium|regular)(?: please)?$
[tone]
energising | \benergi[sz]ing\b|\benergetic\b|\bupbeat\b|\buplifting\b|\bmotivating\b|\blively\b|\bmore energy\b
grounding  | \bground(?:ing|ed)\b|\bsteady(?:ing)?\b|\bsteadier\b|\bcent(?:red|ered|ring|ering)\b|\banchored\b
warm       | \bwarm(?:er|ly)?\b(?!\s+up)|\bkind(?:er)?\b(?!\s+of)|\bcaring\b|\bloving\b|\bcompassionate\b
gentle     | \bgentl[ey]\b|\bgentler\b|\bsoft(?:er|ly)?\b|\bsoothing\b|\btender\b
[target]
voice    | \bvoices?\b|\bnarrator\b|\bspeaker\b
pace     | \bpace\b|\bspeed\b
tone     | \btone\b|\bstyle\b
duration | \blength\b|\bduration\b|\bhow long\b
type     | \btype\b|\bformat\b|\bkind of practice\b
intent   | \bwhat it'?s (?:for|about)\b|\bintent(?:ion)?\b|\bpurpose\b|\btopic\b|\bgoal\b|\bsubject\b
context  | \bwhen and where\b|\bwhen\b|\bwhere\b|\bplace\b|\btime of day\b|\bcontext\b|\bmood\b|\bsetting\b
duration | \bfocus\b
""".replace("{Q}", _Q)
)

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


# --- commands and short answers --------------------------------------------------------------

_CHANGE_VERB = re.compile(r"\b(?:change|different|another|other|switch|swap|edit|adjust|new)\b")
_PRE = r"^(?:(?:no|ok|okay|actually|hmm|please|can we|could we|let's|lets|i want to|i'd like to|wait|oops|sorry)\s+)*"
_START_OVER = re.compile(_PRE + r"(?:start (?:over|again|afresh)|begin again|restart|reset|from scratch)(?: please)?$")
_GO_BACK = re.compile(
    _PRE + r"(?:go back|back|previous|undo|step back)(?: please| a step| one step)?$|\bgo back a step\b"
)
_MAKE_ANOTHER = re.compile(r"\b(?:make|create|build|do) (?:another|a new one|one more|a new practice)\b|^another\b")
_SAVE = re.compile(
    r"\bsave\b.*\b(?:usual|defaults?|preferences?|choices|settings|them|these|those|this)\b"
    r"|\b(?:remember|keep) (?:these|this|them|those|my choices)(?: for next time| as (?:my )?(?:usual|defaults?))\b"
    r"|\bmake (?:these|them|this|those) my (?:usual|defaults?)\b|\bas my usual\b"
)
_CONFIRM = re.compile(
    r"^(?:yes )?(?:please )?(?:create|make|generate|build|start) (?:it|that|this)(?: now)?(?: please)?(?: 1 credit)?$"
)
_CHANGE_ONLY = re.compile(r"^(?:i'?d like to |i want to |can i |let me )?(?:change|edit|adjust)(?: something| it)?$")
_AFFIRM = _phrases("""yes|yeah|yep|yup|ya|y|sure|ok|okay|k|perfect|great|lovely|good|fine|alright|all right|cool|nice
brilliant|absolutely|definitely|correct|right|exactly|agreed|happy|ideal|wonderful|excellent|sounds good|sounds great
sounds lovely|sounds perfect|sounds right|sounds fine|that's fine|that's good|that's great|that's perfect|that's right
that works|works for me|fine by me|all good|looks good|looks great|go ahead|go for it|do it|let's do it|let's go
yes please|of course|love it|keep it|keep them|keep those|keep that|same|the usual|as usual|usual|that's it
happy with that|i'm happy with that|sure thing|go on|why not|spot on|that's lovely|no change|no changes
keep it as it is|keep it as is|leave it|leave it as it is|as it is|that's fine as it is""")
_AFFIRM_LEAD = re.compile(r"^(?:yes|yeah|yep|sure|ok|okay|perfect|great|lovely|sounds good|that's fine|that works)\b")
_DECLINE = _phrases("""no|nope|nah|no thanks|no thank you|not really|skip|skip it|skip this|skip that|pass|nothing
none|nothing really|not now|n/a|na|rather not|i'd rather not|prefer not to say|prefer not|nothing to add|that's all
nothing else|neither|let's skip|move on|next|no not really|not at all|no need""")
_UNSURE = re.compile(
    r"^(?:i'?m |im |i )?(?:(?:not sure|don'?t know|dunno|no idea|idk|unsure|surprise me|whatever)\b"
    r"|anything(?: really| at all| is fine)?$)"
)
_REQUEST = re.compile(
    r"^(?:(?:hi|hey|ok|okay|now|and|also|so|great|thanks|thank you|lovely)\s+)*(?:i want|i'd like|i would like|i need"
    r"|can you|could you|make me|help me|something (?:to|for)|another|one (?:to|for)|a |an )"
)
_COMMANDS = ("start_over", "go_back", "save_prefs", "confirm", "change", "unsure", "greeting", "make_another")
_GREETING = re.compile(r"^(?:hi|hello|hey|hiya|howdy|good (?:morning|afternoon|evening)|yo)(?: there)?$")

# --- intent ----------------------------------------------------------------------------------

_LEAD = re.compile(
    r"^(?:hi|hello|hey|hiya|um+|uh+|erm|well|so|ok(?:ay)?|yes|yeah|no|nope|actually|oh|hmm+|right|please|just"
    r"|sorry|wait|honestly|and|also|but|instead|(?:can|could|would|will) you(?: please)?(?: make| create| give| do)?"
    r"(?: me)?|i(?:'d| would) (?:really )?(?:like|love|prefer)(?: to have| to get)?|i (?:really )?(?:want|need|wanna)"
    r"(?: to have)?|i'?m (?:looking for|after|hoping for)|looking for|let'?s (?:make|do|have|create)|make it"
    r"|make(?: me)?|create(?: me)?|give me|i need|something|anything|some help|a practice|a session|one"
    r"|it'?s|it is|this is|it should be|i meant|i mean|change it to|rather)\b[\s,.!:;-]*",
    _F,
)
_TIME_PREP = (
    r"tonight|today|this (?:morning|afternoon|evening)|(?:in|for|during) the (?:morning|afternoon|evening)"
    r"|at (?:night|bedtime|lunch(?:time)?|midday|noon)|every (?:morning|evening|night)"
)
_PLACE_ALT = "|".join(p.pattern for p, _ in _T["place"] if not p.pattern.startswith("^"))
_TRAIL_CONTEXT = re.compile(rf"(?:[\s,]*(?:and\s+)?(?:\b(?:{_TIME_PREP})\b|{_PLACE_ALT}))+[\s,.!]*$", _F)
_MODS = r"(?:(?:a|an|some|the|little|short|quick|long|simple|gentle|soothing|calming|relaxing|slow|personal|daily)\s+)*"
_FILLER_NOUNS = re.compile(r"\b(?:practice|session|track|audio|recording|one|set)\b(?=\s*(?:to|for|about|that|$))", _F)
_FORM = re.compile(
    r"^(?:a |an |some )?((?:to |that )?help (?:me )?with|(?:to |that )?helps? me|to|for|about|on|around|with)\s+", _F
)
_TRAIL = re.compile(r"[\s,.;:!?-]*(?:\b(?:please|thanks|thank you|instead|now|if possible|for me)\b[\s,.;:!?-]*)*$", _F)
_EXPLICIT = re.compile(
    r"\b(?:it'?s|it is|this is|it should be|make it|i meant|change it to)\s+(?:about|for)\b"
    r"|^\W*(?:no|nope|actually|oh|sorry|wait)\b.*\b(?:i want|i'd like|i need|i would like|i'd rather)\b"
)
_VERBS = _phrases("""calm|wind|start|begin|fall|relax|unwind|feel|let|get|ease|release|build|find|prepare|be|stop|ground
boost|breathe|reset|end|settle|quiet|soothe|face|deal|cope|handle|love|accept|forgive|celebrate|process|recover|manage
reduce|improve|trust|believe|stay|slow|clear|switch|destress|de-stress|wake|energise|energize|motivate|centre|center
connect|open|heal|shake|lift|brighten|quit|overcome|practise|practice|sit|take|have|go|come|drift|sleep|rest|focus
unplug|detach|decompress|loosen|soften|appreciate|welcome|embrace|see|make|keep|do|learn|gain|grow""")
_NOUN_TOO = frozenset({"sleep", "rest", "focus", "practice", "love", "calm"})
_STOP = _phrases("""a|an|the|some|it|one|please|thanks|thank|you|instead|actually|just|really|maybe|like|so|um|and|or
but|me|make|create|give|want|need|would|i|i'd|i'm|im|to|for|about|with|something|anything|practice|session|set|of|my
is|its|it's|this|that|be|do|can|could|will|kind|sort|bit|little|very|quite|feeling|feel|am|ok|okay|yes|no|hi|hello
hey|well|also|then|now|today|any|short|quick|long|simple|gentle|slow|personal|daily|guided|nice|new|different
meditation|affirmation|affirmations|ritual|minute|minutes|mins|min|change|slower|faster|quicker|warmer|gentler|softer
energising|energizing|grounding|warm|more|less|pace|tone|voice|speed|use|usual|credit|hmm|hm|er|erm|uh|ah|oh|umm""")
_TONE_WORDS = (  # the tone a purpose suggests, first match wins
    ("warm", ("griev", "grief", "loss", "compassion", "self-love", "lonely", "sad", "heartbr", "kind to myself")),
    ("gentle", ("sleep", "bed", "night")),
    ("grounding", ("anxi", "nerv", "panic", "ground", "overwhelm", "stress", "worr", "exam", "interview")),
    ("energising", ("morning", "energ", "motivat", "wake", "start my day", "confiden", "boost")),
)


def tone_for(about: str) -> str:
    """A tone that suits a purpose: sleep gentle, mornings energising, grief warm, anxiety grounding; else gentle."""
    about = about.lower()
    return next((tone for tone, words in _TONE_WORDS if any(w in about for w in words)), "gentle")


def cut(text: str, limit: int) -> str:
    """At most `limit` characters, ending at a word boundary where there is one."""
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    head = head.rsplit(" ", 1)[0] if " " in head else head
    return head[:limit].rstrip(" ,.;:-") or text[:limit]


def meaningful(text: str) -> bool:
    """Whether the text has any word beyond fillers, articles and pronouns."""
    return any(len(w) > 1 and w not in _STOP for w in re.findall(r"[^\W\d_][\w'-]*", text.lower()))


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
        m = _TRAIL_CONTEXT.search(s)
        if not m or not meaningful(s[: m.start()]):
            break
        s = s[: m.start()].rstrip(" ,;")
    return s


def intent_of(text: str, remove: list[Span], style: Sequence[Span] = (), typed: bool = False) -> tuple[str, str] | None:
    """(intent, form) from a message with the spans in `remove` taken out, or None; form says how the intent joins
    the practice: to ("to wind down"), for ("for confidence"), about, with ("to help with"), when or quote."""
    s = " ".join(_FILLER_NOUNS.sub(" ", _styleless(text, remove, list(style))).split())
    for _ in range(8):
        stripped = _LEAD.sub("", s, count=1).lstrip(" ,.;:!-")
        if stripped == s:
            break
        s = stripped
    s = re.sub(rf"^{_MODS}(?=(?:to|for|about|on|around|with)\b)", "", s, flags=_F)
    form = None
    m = _FORM.match(s)
    if m:
        word = m[1].lower()
        form = "with" if word.endswith("with") else "to" if word.startswith(("to", "that", "help")) else word
        form = "about" if form in ("on", "around") else form
        s = re.sub(r"^(?:help me|help)\s+", "", s[m.end() :], flags=_F)
    s = _TRAIL.sub("", s).strip(" ,.;:!-\"'")
    if form is None and typed:
        s = re.sub(rf"^{_MODS}", "", s, flags=_F)
    if not meaningful(s):
        return None
    low = s.lower()
    first = low.split()[0]
    if form is None and _T["type_hint"][1][0].search(low):
        form = "quote"
    elif form is None and first in ("i", "i'm", "im", "i've", "i'd", "i'll", "when", "whenever", "if"):
        form, s = "when", re.sub(r"^(?:when|whenever|if)\s+", "", s, flags=_F)
    elif form is None:
        form = "to" if first in _VERBS and (first not in _NOUN_TOO or len(low.split()) > 1) else "for"
    return cut(clean_text(s), MAX_INTENT), form


# --- the whole message -----------------------------------------------------------------------


def _first(name: str, low: str, spans: list[Span] | None = None, *, earliest: bool = False) -> str | None:
    """The value of the first pattern in the table that matches (or of the match earliest in the text)."""
    hits = ((m, value) for pattern, value in _T[name] if (m := pattern.search(low)))
    m, value = min(hits, key=lambda h: h[0].start(), default=(None, None)) if earliest else next(hits, (None, None))
    if m and spans is not None:
        spans.append(m.span())
    return value


_ALIASES = {"uk": "uk|british|english", "us": "us|american"}


def _voice(low: str, voices: list[dict], spans: list[Span]) -> str | None:
    """The best-matching voice by name ("Joe", "the classic voice", "classic UK"); ties go to the first listed."""
    best, best_spans = None, []
    for voice in voices:
        words = [_ALIASES.get(w, re.escape(w)) for w in re.findall(r"[a-z0-9]+", str(voice.get("name") or "").lower())]
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
        "start_over": bool(_START_OVER.search(norm)),
        "go_back": bool(_GO_BACK.search(norm)),
        "make_another": bool(_MAKE_ANOTHER.search(norm)),
        "save_prefs": bool(_SAVE.search(norm)),
        "confirm": bool(_CONFIRM.match(norm)),
        "change": bool(_CHANGE_ONLY.match(bare)),
        "affirm": bare in _AFFIRM or bool(_AFFIRM_LEAD.match(norm) and not re.search(r"\b(?:but|not|no)\b", norm)),
        "decline": bare in _DECLINE or bool(re.match(r"(?:no|nope|nah)\b", norm)),
        "unsure": bool(_UNSURE.match(norm)),
        "greeting": bool(_GREETING.match(bare)),
        "request": bool(_REQUEST.match(norm)),
    }
    out.update({k: True for k, v in flags.items() if v})
    target = _first("target", norm)
    core = re.sub(r"^(?:the|my|its|it's)\s+", "", bare)
    if target and _CHANGE_VERB.search(norm):
        out["change_target"] = target
    elif target := next((value for pattern, value in _T["target"] if pattern.fullmatch(core)), None):
        out["target"] = target  # a bare "Voice" or "What it's for", as after "What would you like to change?"
    command = bare in _AFFIRM or bare in _DECLINE or {"change_target", "target"} & set(out)
    command = command or any(flags[k] for k in _COMMANDS)
    style = [m.span() for t in ("place", "pace", "tone") for p, _ in _T[t] for m in p.finditer(low)]
    style += [m.span() for m in re.finditer(rf"\b(?:{_TIME_PREP})\b", low)]
    found = intent_of(text, remove, style=style, typed="content_type" in out)
    if found is None and "content_type" in out:  # "a ritual for the evening": the time is the purpose
        found = intent_of(text, remove, typed=True)
    if found:
        slots = [m.span() for t in ("time", "place") for p, _ in _T[t] for m in p.finditer(text)]
        about_more = intent_of(text, remove + slots) is not None
        explicit = bool(_EXPLICIT.search(low)) and about_more and not command
        if explicit or (not command and (about_more or "content_type" in out)):
            out["intent"], out["intent_form"] = found
            if explicit:
                out["intent_explicit"] = True
    out["leftover"] = _leftover(text, seen)
    return out


_SITUATION = re.compile(
    r"(?:\b(before|after|during|ahead of)\s+)?(?:\b(my|a|an|the|this|tomorrow'?s|today'?s|tonight'?s)\s+)?"
    r"(?:\b(big|long|hard|rough|busy|stressful|important|job|first|difficult|tough)\s+)?"
    r"\b(?:(exams?|interviews?|presentations?|auditions?|surgery|operation|wedding|deadlines?|speech|flights?"
    r"|competitions?|races?|performances?|appointments?|new job|break-?ups?|funeral)"
    r"|(days?|week|shift|work|tests?|meetings?|dates?|game|match|commute))\b",
    _F,
)


def _situation(text: str) -> tuple[str, Span] | None:
    """An occasion ("before my exam", "after a long day"); everyday words count only with a qualifier."""
    for m in _SITUATION.finditer(text):
        if m[4] or m[1] or m[3] or ((m[2] or "").lower() == "my" and m[5].lower() != "work"):
            return cut(clean_text(m[0]), MAX_CONTEXT_TEXT), m.span()
    return None


def _leftover(text: str, spans: list[Span]) -> str:
    """What is left once everything understood is taken out, if it still says something."""
    rest = " ".join(_mask(text, spans).split())
    rest = re.sub(r"^(?:and|but|also|so|um+|well|i'?m|i am|i feel|feeling|it'?s|just)\b[\s,.]*", "", rest, flags=_F)
    rest = rest.strip(" ,.;:!?-")
    return cut(clean_text(rest), MAX_CONTEXT_TEXT) if meaningful(rest) else ""
