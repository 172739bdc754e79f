"""What the builder listens for: tables of patterns and sets of phrases for reading one chat message.

Pure data (compiled patterns and frozensets); `builder_nlu` uses them to read a message.
"""

from __future__ import annotations

import re

_F = re.IGNORECASE


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
TABLES = _tables(
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

# --- commands and short answers --------------------------------------------------------------

CHANGE_VERB = re.compile(r"\b(?:change|different|another|other|switch|swap|edit|adjust|new)\b")
_PRE = r"^(?:(?:no|ok|okay|actually|hmm|please|can we|could we|let's|lets|i want to|i'd like to|wait|oops|sorry)\s+)*"
START_OVER = re.compile(_PRE + r"(?:start (?:over|again|afresh)|begin again|restart|reset|from scratch)(?: please)?$")
GO_BACK = re.compile(
    _PRE + r"(?:go back|back|previous|undo|step back)(?: please| a step| one step)?$|\bgo back a step\b"
)
MAKE_ANOTHER = re.compile(r"\b(?:make|create|build|do) (?:another|a new one|one more|a new practice)\b|^another\b")
SAVE = re.compile(
    r"\bsave\b.*\b(?:usual|defaults?|preferences?|choices|settings|them|these|those|this)\b"
    r"|\b(?:remember|keep) (?:these|this|them|those|my choices)(?: for next time| as (?:my )?(?:usual|defaults?))\b"
    r"|\bmake (?:these|them|this|those) my (?:usual|defaults?)\b|\bas my usual\b"
)
CONFIRM = re.compile(
    r"^(?:yes )?(?:please )?(?:create|make|generate|build|start) (?:it|that|this)(?: now)?(?: please)?(?: 1 credit)?$"
)
CHANGE_ONLY = re.compile(r"^(?:i'?d like to |i want to |can i |let me )?(?:change|edit|adjust)(?: something| it)?$")
AFFIRM = _phrases("""yes|yeah|yep|yup|ya|y|sure|ok|okay|k|perfect|great|lovely|good|fine|alright|all right|cool|nice
brilliant|absolutely|definitely|correct|right|exactly|agreed|happy|ideal|wonderful|excellent|sounds good|sounds great
sounds lovely|sounds perfect|sounds right|sounds fine|that's fine|that's good|that's great|that's perfect|that's right
that works|works for me|fine by me|all good|looks good|looks great|go ahead|go for it|do it|let's do it|let's go
yes please|of course|love it|keep it|keep them|keep those|keep that|same|the usual|as usual|usual|that's it
happy with that|i'm happy with that|sure thing|go on|why not|spot on|that's lovely|no change|no changes
keep it as it is|keep it as is|leave it|leave it as it is|as it is|that's fine as it is""")
AFFIRM_LEAD = re.compile(r"^(?:yes|yeah|yep|sure|ok|okay|perfect|great|lovely|sounds good|that's fine|that works)\b")
DECLINE = _phrases("""no|nope|nah|no thanks|no thank you|not really|skip|skip it|skip this|skip that|pass|nothing
none|nothing really|not now|n/a|na|rather not|i'd rather not|prefer not to say|prefer not|nothing to add|that's all
nothing else|neither|let's skip|move on|next|no not really|not at all|no need""")
UNSURE = re.compile(
    r"^(?:i'?m |im |i )?(?:(?:not sure|don'?t know|dunno|no idea|idk|unsure|surprise me|whatever)\b"
    r"|anything(?: really| at all| is fine)?$)"
)
REQUEST = re.compile(
    r"^(?:(?:hi|hey|ok|okay|now|and|also|so|great|thanks|thank you|lovely)\s+)*(?:i want|i'd like|i would like|i need"
    r"|can you|could you|make me|help me|something (?:to|for)|another|one (?:to|for)|a |an )"
)
COMMANDS = ("start_over", "go_back", "save_prefs", "confirm", "change", "unsure", "greeting", "make_another")
GREETING = re.compile(r"^(?:hi|hello|hey|hiya|howdy|good (?:morning|afternoon|evening)|yo)(?: there)?$")

# --- intent ----------------------------------------------------------------------------------

LEAD = re.compile(
    r"^(?:hi|hello|hey|hiya|um+|uh+|erm|well|so|ok(?:ay)?|yes|yeah|no|nope|actually|oh|hmm+|right|please|just"
    r"|sorry|wait|honestly|and|also|but|instead|(?:can|could|would|will) you(?: please)?(?: make| create| give| do)?"
    r"(?: me)?|i(?:'d| would) (?:really )?(?:like|love|prefer)(?: to have| to get)?|i (?:really )?(?:want|need|wanna)"
    r"(?: to have)?|i'?m (?:looking for|after|hoping for)|looking for|let'?s (?:make|do|have|create)|make it"
    r"|make(?: me)?|create(?: me)?|give me|i need|something|anything|some help|a practice|a session|one"
    r"|it'?s|it is|this is|it should be|i meant|i mean|change it to|rather)\b[\s,.!:;-]*",
    _F,
)
TIME_PREP = (
    r"tonight|today|this (?:morning|afternoon|evening)|(?:in|for|during) the (?:morning|afternoon|evening)"
    r"|at (?:night|bedtime|lunch(?:time)?|midday|noon)|every (?:morning|evening|night)"
)
_PLACE_ALT = "|".join(p.pattern for p, _ in TABLES["place"] if not p.pattern.startswith("^"))
TRAIL_CONTEXT = re.compile(rf"(?:[\s,]*(?:and\s+)?(?:\b(?:{TIME_PREP})\b|{_PLACE_ALT}))+[\s,.!]*$", _F)
MODS = r"(?:(?:a|an|some|the|little|short|quick|long|simple|gentle|soothing|calming|relaxing|slow|personal|daily)\s+)*"
FILLER_NOUNS = re.compile(r"\b(?:practice|session|track|audio|recording|one|set)\b(?=\s*(?:to|for|about|that|$))", _F)
FORM = re.compile(
    r"^(?:a |an |some )?((?:to |that )?help (?:me )?with|(?:to |that )?helps? me|to|for|about|on|around|with)\s+", _F
)
TRAIL = re.compile(r"[\s,.;:!?-]*(?:\b(?:please|thanks|thank you|instead|now|if possible|for me)\b[\s,.;:!?-]*)*$", _F)
EXPLICIT = re.compile(
    r"\b(?:it'?s|it is|this is|it should be|make it|i meant|change it to)\s+(?:about|for)\b"
    r"|^\W*(?:no|nope|actually|oh|sorry|wait)\b.*\b(?:i want|i'd like|i need|i would like|i'd rather)\b"
)
VERBS = _phrases("""calm|wind|start|begin|fall|relax|unwind|feel|let|get|ease|release|build|find|prepare|be|stop|ground
boost|breathe|reset|end|settle|quiet|soothe|face|deal|cope|handle|love|accept|forgive|celebrate|process|recover|manage
reduce|improve|trust|believe|stay|slow|clear|switch|destress|de-stress|wake|energise|energize|motivate|centre|center
connect|open|heal|shake|lift|brighten|quit|overcome|practise|practice|sit|take|have|go|come|drift|sleep|rest|focus
unplug|detach|decompress|loosen|soften|appreciate|welcome|embrace|see|make|keep|do|learn|gain|grow""")
NOUN_TOO = frozenset({"sleep", "rest", "focus", "practice", "love", "calm"})
STOP = _phrases("""a|an|the|some|it|one|please|thanks|thank|you|instead|actually|just|really|maybe|like|so|um|and|or
but|me|make|create|give|want|need|would|i|i'd|i'm|im|to|for|about|with|something|anything|practice|session|set|of|my
is|its|it's|this|that|be|do|can|could|will|kind|sort|bit|little|very|quite|feeling|feel|am|ok|okay|yes|no|hi|hello
hey|well|also|then|now|today|any|short|quick|long|simple|gentle|slow|personal|daily|guided|nice|new|different
meditation|affirmation|affirmations|ritual|minute|minutes|mins|min|change|slower|faster|quicker|warmer|gentler|softer
energising|energizing|grounding|warm|more|less|pace|tone|voice|speed|use|usual|credit|hmm|hm|er|erm|uh|ah|oh|umm""")
TONE_WORDS = (  # the tone a purpose suggests, first match wins
    ("warm", ("griev", "grief", "loss", "compassion", "self-love", "lonely", "sad", "heartbr", "kind to myself")),
    ("gentle", ("sleep", "bed", "night")),
    ("grounding", ("anxi", "nerv", "panic", "ground", "overwhelm", "stress", "worr", "exam", "interview")),
    ("energising", ("morning", "energ", "motivat", "wake", "start my day", "confiden", "boost")),
)

# --- voices and occasions -------------------------------------------------------------------

VOICE_ALIASES = {"uk": "uk|british|english", "us": "us|american"}

SITUATION = re.compile(
    r"(?:\b(before|after|during|ahead of)\s+)?(?:\b(my|a|an|the|this|tomorrow'?s|today'?s|tonight'?s)\s+)?"
    r"(?:\b(big|long|hard|rough|busy|stressful|important|job|first|difficult|tough)\s+)?"
    r"\b(?:(exams?|interviews?|presentations?|auditions?|surgery|operation|wedding|deadlines?|speech|flights?"
    r"|competitions?|races?|performances?|appointments?|new job|break-?ups?|funeral)"
    r"|(days?|week|shift|work|tests?|meetings?|dates?|game|match|commute))\b",
    _F,
)
