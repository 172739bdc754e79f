"""The builder conversation: a small state machine that turns a few chat messages into a practice spec.

IntentDiscovery → ContextGathering → PracticeDetails → Personalization → Confirm, then Generating and
Complete (set by the caller). Pure Python: no Flask, database or Redis. The caller stores
`Conversation.to_dict()` and hands it back with each message; `turn` returns the next conversation
and the reply to show. Understanding lives in `builder_nlu`, wording in `builder_text`, and what a
message changes and which state comes next in `builder_answers`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from app.services import builder_text as say
from app.services.builder_answers import (
    CHAT_STATES,
    CONTEXT_FIELDS,
    PERSONAL,
    STATES,
    Turn,
    answer,
    apply_message,
    default_minutes,
    next_state,
    propose,
    suggested_tone,
)
from app.services.builder_nlu import extract
from app.services.practice_spec import CONTENT_TYPES, FOCUSES, PACES, TIMES_OF_DAY, TONES, clean_text

MAX_MESSAGE = 2000


@dataclass
class Conversation:
    state: str
    context: dict[str, Any] = field(default_factory=dict)
    messages: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state, "context": copy.deepcopy(self.context), "messages": [*map(dict, self.messages)]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Conversation:
        """A conversation from stored data; anything malformed falls back to a fresh start's values."""
        data = data if isinstance(data, dict) else {}
        state = data.get("state") if data.get("state") in STATES else "IntentDiscovery"
        context = copy.deepcopy(data["context"]) if isinstance(data.get("context"), dict) else {}
        messages = [
            {"role": m["role"], "text": m["text"]}
            for m in data.get("messages") or []
            if isinstance(m, dict) and m.get("role") in ("assistant", "user") and isinstance(m.get("text"), str)
        ]
        return cls(state, context, messages)


@dataclass
class Reply:
    text: str
    suggestions: list[str] = field(default_factory=list)
    controls: list[str] = field(default_factory=list)
    action: str | None = None


def start(*, profile: dict | None, voices: list[dict]) -> tuple[Conversation, Reply]:
    """A new conversation and its greeting."""
    history = (profile or {}).get("practice_history_summary") if isinstance(profile, dict) else None
    text = say.WELCOME_BACK if history else say.GREETING
    conv = Conversation("IntentDiscovery", {}, [])
    return conv, _say(conv, Reply(text, list(say.START_CHIPS)))


def turn(conv: Conversation, text: str, *, profile: dict | None, voices: list[dict]) -> tuple[Conversation, Reply]:
    """Read one user message and move the conversation on. Oversize or empty messages change nothing."""
    conv = Conversation.from_dict(conv.to_dict())
    ui = conv.context.get("ui") or {}
    keep = (list(ui.get("suggestions") or []), list(ui.get("controls") or []))
    raw = text if isinstance(text, str) else ""
    if len(raw) > MAX_MESSAGE:
        return conv, Reply(say.TOO_LONG, *keep)
    message = clean_text(raw)
    if not message:
        return conv, Reply(say.pick(say.EMPTY, len(conv.messages)), *keep)
    voices = _voices(voices)
    conv.messages.append({"role": "user", "text": message})
    seed = len(conv.messages) + sum(map(ord, message[:32]))
    if conv.state == "Generating":
        return conv, _say(conv, Reply(say.STILL_MAKING))
    x = extract(message, voices)
    if conv.state == "Complete":
        if not (x.get("make_another") or x.get("start_over") or x.get("content_type") or x.get("request")):
            return conv, _say(conv, Reply(say.READY_AGAIN, ["Make another"]))
        conv.state, conv.context = "IntentDiscovery", {}
        if "content_type" not in x and "intent" not in x:
            return conv, _say(conv, Reply(say.MAKE_ANOTHER, list(say.START_CHIPS)))
    if x.get("start_over"):
        conv.state, conv.context = "IntentDiscovery", {}
        return conv, _say(conv, Reply(say.START_OVER, list(say.START_CHIPS)))
    reopen = conv.context.get("reopen") if conv.context.get("reopen") in CHAT_STATES else None
    t = Turn(conv.context, x, reopen or conv.state, bool(reopen), profile, voices, seed)
    if x.get("go_back"):
        return conv, _say(conv, _go_back(conv, t))
    apply_message(t)
    action = answer(t)
    conv.state = next_state(t.ctx)
    if conv.state in ("Personalization", "Confirm") and not t.ctx.get("proposed"):
        propose(t.ctx, profile, voices)
        conv.state = next_state(t.ctx)
    if action == "confirm":
        return conv, _say(conv, Reply(say.pick(say.CONFIRMED, seed), [], [], "confirm"))
    reply = _compose(t, conv.state)
    reply.action = action
    return conv, _say(conv, reply)


def _go_back(conv: Conversation, t: Turn) -> Reply:
    index = CHAT_STATES.index(t.answering) if t.answering in CHAT_STATES else 0
    if index == 0 or not t.ctx.get("intent"):
        return Reply(say.AT_START, list(say.START_CHIPS))
    conv.state = t.ctx["reopen"] = CHAT_STATES[index - 1]
    t.ctx["ask"] = None
    return Reply(say.reopen_text(conv.state, t.ctx), *say.chips(conv.state, t.ctx, t.voices, reopened=True))


def _compose(t: Turn, state: str) -> Reply:
    ctx, x, ask, lead = t.ctx, t.x, t.ctx.get("ask"), list(t.notes)
    if t.answering == "IntentDiscovery" and state == "Confirm" and not t.revisiting:
        lead.insert(0, say.ALL_KNOWN)
    elif t.answering == "IntentDiscovery" != state and {"intent", "content_type"} & set(t.changed) and not t.revisiting:
        lead[:0] = [say.intent_ack(ctx, t.seed)] + (
            [say.type_guess_note(ctx["content_type"])] if "type_guess" in t.changed else []
        )
    if t.answering == "ContextGathering" != state:
        fields = [f for f in t.changed if f in ("time_of_day", "place", "mood")]
        thanks = say.CONTEXT_THANKS if "situation" in t.changed else say.SKIPPED
        lead.insert(0, say.context_ack(ctx, fields) or say.pick(thanks, t.seed))
    reopened = ctx.get("reopen") == state
    suggestions, controls = say.chips(state, ctx, t.voices, reopened=reopened)
    if ask == "change":
        return Reply(" ".join([*lead, say.pick(say.CHANGE_ASK, t.seed)]), list(say.CHANGE_CHIPS), [])
    if state == "IntentDiscovery":
        question = say.intent_text(ctx, x, reopened)
        suggestions = list(say.TYPE_CHIPS) if ask == "type" else suggestions
    elif state == "ContextGathering":
        question = say.reopen_text(state, ctx) if reopened else say.context_question(ctx, t.seed)
    elif state == "PracticeDetails":
        ctx["duration_offer"] = ctx.get("duration_offer") if reopened else default_minutes(ctx)
        question = say.duration_text(ctx, ask, reopened, t.seed)
    elif state == "Personalization":
        again = t.answering == state and bool(set(t.changed) & set(PERSONAL))
        question = say.personal_text(ctx, ask, t.voices, reopened=reopened, again=again, seed=t.seed)
    else:
        question = {"change_unknown": say.CHANGE_NOT_CAUGHT, "unknown": say.CONFIRM_NUDGE}.get(ask or "", "")
        question = question or say.confirm_text(ctx, t.seed)
    return Reply(" ".join([*lead, question]), suggestions, controls)


def _voices(voices: list[dict] | None) -> list[dict]:
    return [
        {"id": str(v["id"]), "name": clean_text(str(v.get("name") or v["id"])), "default": bool(v.get("default"))}
        for v in voices or []
        if isinstance(v, dict) and v.get("id") is not None
    ]


def _say(conv: Conversation, reply: Reply) -> Reply:
    conv.messages.append({"role": "assistant", "text": reply.text})
    conv.context["ui"] = {"suggestions": list(reply.suggestions), "controls": list(reply.controls)}
    return reply


def last_reply(conv: Conversation) -> Reply:
    """The assistant's latest message with its chips and controls, for re-showing a stored conversation."""
    text = next((m["text"] for m in reversed(conv.messages) if m["role"] == "assistant"), say.GREETING)
    ui = conv.context.get("ui") or {}
    return Reply(text, list(ui.get("suggestions") or []), list(ui.get("controls") or []))


def spec_of(conv: Conversation) -> dict[str, Any]:
    """The spec for `PracticeSpec.from_dict`; unknown duration, pace and tone get their defaults."""
    c = conv.context
    context = {k: c[k] for k in CONTEXT_FIELDS if isinstance(c.get(k), str) and c[k]}
    if context.get("time_of_day") not in TIMES_OF_DAY:
        context.pop("time_of_day", None)
    return {
        "content_type": c.get("content_type") if c.get("content_type") in CONTENT_TYPES else None,
        "intent": c.get("intent"),
        "duration_minutes": c.get("duration_minutes") or default_minutes(c),
        "pace": c.get("pace") if c.get("pace") in PACES else "normal",
        "tone": c.get("tone") if c.get("tone") in TONES else suggested_tone(c),
        "focus": c.get("focus") if c.get("focus") in FOCUSES else None,
        "context": context,
        "voice_id": c.get("voice_id") if isinstance(c.get("voice_id"), str) else None,
    }


def preferences_of(conv: Conversation) -> dict[str, Any]:
    """The voice, pace and tone to save when a reply carries action "save_preferences"."""
    spec = spec_of(conv)
    return {"voice": spec["voice_id"], "pace": spec["pace"], "tone": spec["tone"]}


def summary_card(conv: Conversation) -> dict[str, Any]:
    """Human-readable values for the side card: type, intent, context, duration, voice, pace, tone (None if unknown)."""
    return say.card(conv.context)


def mark_generating(conv: Conversation, ritual_id: str) -> Conversation:
    """The caller started generation for this conversation's spec."""
    conv = Conversation.from_dict(conv.to_dict())
    conv.state, conv.context["ritual_id"] = "Generating", str(ritual_id)
    conv.context["ui"] = {"suggestions": [], "controls": []}
    return conv


def mark_complete(conv: Conversation) -> Conversation:
    """Generation finished: say so and offer another."""
    conv = Conversation.from_dict(conv.to_dict())
    conv.state = "Complete"
    _say(conv, Reply(say.READY, ["Make another"]))
    return conv
