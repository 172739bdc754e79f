"""What the builder says: its fixed lines, questions, acknowledgements, chips and the side card.

Plain text only (never markup). Variations are picked from a seed the machine derives from the
transcript, so the same conversation always reads the same way. The names and phrases these are built
from, including the plain-language description of a practice, are in `builder_phrases`.
"""

from __future__ import annotations

from typing import Any

from app.services.builder_phrases import (
    DEFAULT_MINUTES,
    FOCUS_PHRASES,
    TIMES,
    TYPE_NAMES,
    TYPE_SHORT,
    article,
    cap,
    choices_phrase,
    context_phrase,
    intent_phrase,
    minutes,
    number_words,
    pick,
    practice_phrase,
    summary,
    swap_pronouns,
    voice_phrase,
)
from app.services.practice_spec import PACES, TONES

DURATION_CHIPS = {"guided_meditation": (5, 10, 20), "affirmation": (3, 5, 10), "ritual": (5, 7, 15)}

GREETING = "Hi, I'm here to make a practice just for you. What would you like it to help with?"
WELCOME_BACK = "Welcome back. I'm here to make a practice just for you. What would you like this one to help with?"
START_CHIPS = ["Wind down before sleep", "Calm my nerves", "Start my morning", "Affirmations for confidence"]
INTENT_CHIPS = {
    "guided_meditation": ["Sleep", "Calm my nerves", "Let go of stress", "Focus"],
    "affirmation": ["Confidence", "Self-worth", "Calm", "Gratitude"],
    "ritual": ["Start my morning", "Wind down in the evening", "Before a big day"],
}
TOO_LONG = "That message is over 2,000 characters, more than I can take in — could you say it in a few sentences?"
EMPTY = [
    "Take your time. Whenever you're ready, type a few words or pick a suggestion.",
    "No rush — I'm here when you're ready.",
]
UNSURE = (
    "That's fine — lots of people start with sleep, calm, or a gentle start to the day. "
    "Pick one below, or tell me what's on your mind."
)
HELLO = "Hello! What would you like your practice to help with?"
NOT_CAUGHT = "Tell me in a few words what you'd like it to help with — sleep, calm, focus, confidence, anything at all."
AT_START = "We're right at the beginning — what would you like it to help with?"
START_OVER = "Of course — let's start afresh. What would you like it to help with?"
MAKE_ANOTHER = "Lovely — let's make another. What would you like this one to help with?"
ALL_KNOWN = "Lovely — that's everything I need."
TYPE_ASK = "Would you like a guided meditation, an affirmation set or a ritual?"
TYPE_CHIPS = ["Guided meditation", "Affirmations", "Ritual"]
CONFIRMED = [
    "Lovely — I'm starting on it now. It takes a minute or two; I'll let you know when it's ready.",
    "Wonderful — I'm making it now. It'll take a minute or two, and I'll tell you when it's ready.",
]
STILL_MAKING = "I'm still making it — it won't be long. It'll be in your library as soon as it's ready."
READY = "Your practice is ready — you'll find it in your library. Would you like to make another?"
READY_AGAIN = "It's waiting in your library whenever you are. If you'd like another, just tell me what it's for."
CHANGE_ASK = ["Of course. What would you like to change?", "Sure — what would you like to change?"]
CHANGE_CHIPS = ["Length", "Voice", "Pace", "Tone", "What it's for", "When and where"]
CHANGE_NOT_CAUGHT = "Sorry, I didn't catch what to change. Pick one below, or say something like 'make it 10 minutes'."
CONFIRM_CHIPS = ["Create it (1 credit)", "Change something"]
CONFIRM_NUDGE = "Shall I make it? Say 'create it' when you're ready, or tell me what you'd like to change."
PACE_ASK = "What pace would you like — slow, normal or fast?"
TONE_ASK = "Which tone would you like — gentle, warm, energising or grounding?"
PERSONAL_WHAT = "No problem — what would you like to change: the voice, the pace or the tone?"
PERSONAL_NOT_CAUGHT = (
    "Sorry, I didn't quite follow. You can say 'sounds good', or ask for another voice, "
    "a slower or faster pace, or a warmer tone."
)
DURATION_NOT_CAUGHT = "I didn't catch a length there. How many minutes would you like — anything from 1 to 60?"
DURATION_AGAIN = "No problem — how many minutes would you like, then? Anything from 1 to 60 works."
SAVED = "Saved — I'll suggest these again next time."
SKIPPED = ["No problem.", "Of course."]
CONTEXT_THANKS = ["Thanks, that helps.", "Thank you — that helps."]


def context_ack(ctx: dict[str, Any], fields: list[str]) -> str:
    """ "Thanks — tonight, in bed, feeling tired." for the context details just learned."""
    said = []
    for name in fields:
        value = ctx.get(name)
        if name == "time_of_day":
            said.append(TIMES[value])
        elif name == "place":
            said.append(swap_pronouns(value))
        elif name == "mood":
            said.append("feeling good" if value == "content" else f"feeling {value}")
    return f"Thanks — {', '.join(said)}." if said else ""


def context_question(ctx: dict[str, Any], seed: int) -> str:
    when = "" if ctx.get("time_of_day") else "when"
    where = "" if ctx.get("place") else "where"
    asks = " and ".join(w for w in (when, where) if w)
    timed = f" {TIMES[ctx['time_of_day']]}" if ctx.get("time_of_day") and ctx["time_of_day"] != "night" else ""
    timed = " tonight" if ctx.get("time_of_day") == "night" else timed
    if asks and not ctx.get("mood"):
        q = f"{cap(asks)} will you be listening{timed if not when else ''}, and how are you feeling right now?"
    elif asks:
        q = f"{cap(asks)} will you be listening{timed if not when else ''}?"
    else:
        q = "How are you feeling right now?"
    return q + " " + pick(["Share as much or as little as you like, or skip it.", "It's fine to skip this."], seed)


def context_chips(ctx: dict[str, Any]) -> list[str]:
    chips = [] if ctx.get("time_of_day") else ["Tonight, in bed", "In the morning"]
    if not ctx.get("place"):
        chips += ["In bed", "At home"] if ctx.get("time_of_day") in ("night", "evening") else ["At home", "At my desk"]
    if not ctx.get("mood"):
        chips += ["Feeling anxious", "Feeling tired"]
    return [*[*dict.fromkeys(chips)][:4], "Skip"]


def duration_question(ctx: dict[str, Any], offer: int, seed: int) -> str:
    kind = TYPE_SHORT.get(ctx.get("content_type") or "", "practice")
    q = pick(
        [
            f"How long would you like it? About {number_words(offer)} minutes suits a {kind} well, "
            "but you can pick anything from 1 to 60 minutes.",
            f"How much time do you have? I'd suggest {number_words(offer)} minutes, "
            "but anything from 1 to 60 minutes works.",
        ],
        seed,
    )
    if kind == "meditation" and not ctx.get("focus"):
        q += " If you'd like a focus — the breath, a body scan or visualisation — mention that too."
    return q


def out_of_range(proposal: int) -> str:
    if proposal >= 60:
        return "I can do up to 60 minutes — shall we make it 60?"
    return "The shortest I can make is 1 minute — shall we make it 1?"


def type_guess_note(content_type: str) -> str:
    others = {
        "guided_meditation": "affirmations or a ritual",
        "affirmation": "a guided meditation or a ritual",
        "ritual": "a guided meditation or affirmations",
    }[content_type]
    return f"Just say if you'd rather have {others}."


def intent_ack(ctx: dict[str, Any], seed: int) -> str:
    phrase = practice_phrase(ctx)
    return pick([f"Lovely — {phrase}.", f"Good idea — {phrase}.", f"Got it: {phrase}."], seed)


def field_note(name: str, ctx: dict[str, Any], extra: Any = None) -> str:
    """A short acknowledgement of one change ("Five minutes it is.")."""
    value = ctx.get(name)
    if name == "content_type":
        return f"{cap(article(TYPE_NAMES[value]))} it is."
    if name == "intent":
        return f"Got it — {intent_phrase(value, ctx.get('intent_form'))}."
    if name == "duration_minutes":
        return f"{cap(number_words(value))} {'minute' if value == 1 else 'minutes'} it is."
    if name == "time_of_day":
        return f"{cap(TIMES[value])}, then."
    if name == "place":
        return f"{cap(swap_pronouns(value))} — got it."
    if name == "mood":
        return "Thanks for telling me how you're feeling."
    if name == "focus":
        return f"With a focus on {FOCUS_PHRASES[value]}."
    if name == "pace":
        if extra == "limit":
            return f"That's already the {'slowest' if value == 'slow' else 'fastest'} pace I have."
        return {-1: "Slower it is.", 1: "A bit faster it is."}.get(extra, f"A {value} pace it is.")
    if name == "tone":
        return f"{cap(article(value))} tone it is."
    if name == "voice_id":
        return f"{cap(voice_phrase(ctx.get('voice_name'), possessive=True))} it is."
    return ""


def proposal(ctx: dict[str, Any], saved: list[str], seed: int) -> str:
    choices = choices_phrase(ctx)
    if saved and len(saved) == 3:
        return f"Shall I use your usual choices — {choices}?"
    if saved:
        usual = " and ".join({"voice": "voice", "pace": "pace", "tone": "tone"}[s] for s in saved)
        return f"I've kept your usual {usual}: {choices}. How does that sound?"
    return pick(
        [f"Now the voice: I'd suggest {choices}. How does that sound?", f"For the voice, how about {choices}?"], seed
    )


def reproposal(ctx: dict[str, Any], seed: int) -> str:
    choices = choices_phrase(ctx)
    return pick([f"So that's {choices}. Happy with that?", f"That makes it {choices}. How does that sound?"], seed)


def voice_ask(voices: list[dict]) -> str:
    names = [v["name"] for v in voices]
    if len(names) <= 1:
        return f"{names[0]} is the only voice just now." if names else "There's just the standard voice for now."
    return f"Which voice would you like? You can choose {', '.join(names[:-1])} or {names[-1]}."


def confirm_text(ctx: dict[str, Any], seed: int) -> str:
    lead = pick(["Here's what I have:", "Here's the plan:", "So, to sum up:"], seed)
    return f"{lead} {summary(ctx, capital=False)} Shall I make it? It uses 1 credit."


def reopen_text(state: str, ctx: dict[str, Any]) -> str:
    if state == "IntentDiscovery":
        return f"Of course. Right now it's {practice_phrase(ctx)}. What would you like it to be instead?"
    if state == "ContextGathering":
        known = context_phrase(ctx)
        if known:
            return f"Of course. Right now I have: {known}. What would you like to change or add?"
        return "Of course. When and where will you listen, and how are you feeling?"
    if state == "PracticeDetails":
        return (
            f"Of course. It's {minutes(ctx.get('duration_minutes') or 0)} at the moment — how long would you like it?"
        )
    return f"Of course. At the moment it's {choices_phrase(ctx)}. What would you like to change?"


def card(ctx: dict[str, Any]) -> dict[str, str | None]:
    mood = {"content": "feeling good"}.get(ctx.get("mood"), f"feeling {ctx['mood']}") if ctx.get("mood") else None
    context = [TIMES.get(ctx.get("time_of_day") or "", "").capitalize(), ctx.get("place"), mood]
    context = [str(p) for p in [*context, ctx.get("situation")] if p]
    kind, minutes_ = ctx.get("content_type"), ctx.get("duration_minutes")
    return {
        "type": cap(TYPE_NAMES[kind]) if kind in TYPE_NAMES else None,
        "intent": cap(ctx["intent"]) if ctx.get("intent") else None,
        "context": cap(", ".join(context)) if context else None,
        "duration": minutes(minutes_) if minutes_ else None,
        "voice": ctx.get("voice_name") or None,
        "pace": ctx["pace"].capitalize() if ctx.get("pace") else None,
        "tone": ctx["tone"].capitalize() if ctx.get("tone") else None,
    }


def intent_text(ctx: dict[str, Any], x: dict[str, Any], reopened: bool) -> str:
    if ctx.get("ask") == "type":
        return TYPE_ASK
    if reopened:
        return reopen_text("IntentDiscovery", ctx)
    if x.get("unsure") or x.get("decline"):
        return UNSURE
    if ctx.get("content_type") and not ctx.get("intent"):
        return f"{cap(article(TYPE_NAMES[ctx['content_type']]))} — lovely. What would you like it to help with?"
    return HELLO if x.get("greeting") else NOT_CAUGHT


def duration_text(ctx: dict[str, Any], ask: str | None, reopened: bool, seed: int) -> str:
    if ctx.get("duration_proposal"):
        return out_of_range(ctx["duration_proposal"])
    if ask in ("duration_again", "unknown"):
        return DURATION_AGAIN if ask == "duration_again" else DURATION_NOT_CAUGHT
    if reopened and ctx.get("duration_minutes"):
        return reopen_text("PracticeDetails", ctx)
    return duration_question(ctx, ctx.get("duration_offer") or DEFAULT_MINUTES.get(ctx.get("content_type"), 10), seed)


def personal_text(
    ctx: dict[str, Any], ask: str | None, voices: list[dict], *, reopened: bool, again: bool, seed: int
) -> str:
    asked = {"pace": PACE_ASK, "tone": TONE_ASK, "personal_what": PERSONAL_WHAT, "unknown": PERSONAL_NOT_CAUGHT}
    if ask == "voice":
        return voice_ask(voices)
    if ask in asked:
        return asked[ask]
    if reopened:
        return reopen_text("Personalization", ctx)
    return reproposal(ctx, seed) if again else proposal(ctx, ctx.get("saved") or [], seed)


def chips(state: str, ctx: dict[str, Any], voices: list[dict], *, reopened: bool = False) -> tuple[list, list]:
    ask = ctx.get("ask")
    if state == "IntentDiscovery":
        if reopened:
            others = [t for t in ("guided_meditation", "affirmation", "ritual") if t != ctx.get("content_type")]
            return ["Keep it as it is", *(f"Make it {article(TYPE_NAMES[t])}" for t in others)], []
        kind = ctx.get("content_type")
        return list(INTENT_CHIPS[kind] if kind and not ctx.get("intent") else START_CHIPS), []
    if state == "ContextGathering":
        return (["Keep it as it is"] if reopened else []) + context_chips(ctx), []
    if state == "PracticeDetails":
        n = ctx.get("duration_proposal")
        if n:
            return [f"Yes, {minutes(n)}", *(["30 minutes", "20 minutes"] if n == 60 else ["5 minutes"])], ["duration"]
        return [minutes(n) for n in DURATION_CHIPS.get(ctx.get("content_type") or "", (5, 10, 20))], ["duration"]
    if state == "Personalization":
        if ask == "voice":
            return [v["name"] for v in voices], ["voice"]
        if ask in ("pace", "tone"):
            return [p.capitalize() for p in (PACES if ask == "pace" else TONES)], [ask]
        chips = ["Sounds good", "A bit faster" if ctx.get("pace") == "slow" else "Slower"]
        chips += ["Different voice"] if len(voices) > 1 else []
        chips += ["More grounding" if ctx.get("tone") == "warm" else "Warmer"]
        return [*chips, "Save as my usual"], ["voice", "pace", "tone"]
    if state == "Confirm":
        return (list(CHANGE_CHIPS) if ask in ("change", "change_unknown") else list(CONFIRM_CHIPS)), []
    return (["Make another"] if state == "Complete" else []), []
