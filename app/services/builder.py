"""The builder conversation: a small state machine that turns a few chat messages into a practice spec.

IntentDiscovery → ContextGathering → PracticeDetails → Personalization → Confirm, then Generating and
Complete (set by the caller). Pure Python: no Flask, database or Redis. The caller stores
`Conversation.to_dict()` and hands it back with each message; `turn` returns the next conversation
and the reply to show. Understanding lives in `builder_nlu`, wording in `builder_text`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from app.services import builder_text as say
from app.services.builder_nlu import extract, tone_for
from app.services.practice_spec import CONTENT_TYPES, FOCUSES, PACES, TIMES_OF_DAY, TONES, clean_text

STATES: tuple[str, ...] = (
    "IntentDiscovery", "ContextGathering", "PracticeDetails", "Personalization", "Confirm", "Generating", "Complete",
)  # fmt: skip
CHAT_STATES = STATES[:5]
MAX_MESSAGE = 2000
CONTEXT_FIELDS = ("time_of_day", "place", "mood", "situation")
PERSONAL = {"voice_id": "voice", "pace": "pace", "tone": "tone"}
# what a "change the ..." message reopens, and the fields that count as already answering it
TARGETS = {
    "voice": ("Personalization", ("voice_id",)), "pace": ("Personalization", ("pace",)),
    "tone": ("Personalization", ("tone",)), "duration": ("PracticeDetails", ("duration_minutes", "duration_proposal")),
    "type": ("IntentDiscovery", ("content_type",)), "intent": ("IntentDiscovery", ("intent",)),
    "context": ("ContextGathering", CONTEXT_FIELDS),
}  # fmt: skip
_TRANSIENT = ("duration_again", "personal_what", "unknown", "change", "change_unknown")


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


@dataclass
class _Turn:
    """One message being handled: what it said, where it lands and what changed."""

    ctx: dict[str, Any]
    x: dict[str, Any]
    answering: str  # the state whose question this message answers (a reopened one, or the current)
    revisiting: bool  # the user went back to change an earlier answer
    profile: dict | None
    voices: list[dict]
    seed: int
    changed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    asked: str | None = None  # the question the last reply asked, when it was a specific one


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
    t = _Turn(conv.context, x, reopen or conv.state, bool(reopen), profile, voices, seed)
    if x.get("go_back"):
        return conv, _say(conv, _go_back(conv, t))
    _apply(t)
    action = _answer(t)
    conv.state = _next_state(t.ctx)
    if conv.state in ("Personalization", "Confirm") and not t.ctx.get("proposed"):
        _propose(t.ctx, profile, voices)
        conv.state = _next_state(t.ctx)
    if action == "confirm":
        return conv, _say(conv, Reply(say.pick(say.CONFIRMED, seed), [], [], "confirm"))
    reply = _compose(t, conv.state)
    reply.action = action
    return conv, _say(conv, reply)


def _apply(t: _Turn) -> None:
    """Copy what the message says into the context, noting what changed."""
    ctx, x, extra = t.ctx, t.x, {}

    def put(key: str, value: Any, *, always: bool = False) -> None:
        if value is not None and (ctx.get(key) != value or always):
            ctx[key] = value
            t.changed.append(key)

    if x.get("content_type"):
        put("content_type", x["content_type"], always=ctx.get("type_guessed", False))
        ctx["type_guessed"] = False
    if x.get("intent") and (
        x.get("intent_explicit") or (t.answering == "IntentDiscovery" and ctx.get("ask") != "type")
    ):
        put("intent", x["intent"])
        ctx["intent_form"] = x["intent_form"]
    if ctx.get("intent") and not ctx.get("content_type"):
        ctx["content_type"], ctx["type_guessed"] = x.get("type_hint") or "guided_meditation", True
        t.changed.append("type_guess")
    elif (
        ctx.get("type_guessed")
        and "intent" in t.changed
        and x.get("type_hint", ctx["content_type"]) != ctx["content_type"]
    ):
        ctx["content_type"] = x["type_hint"]
        t.changed.append("type_guess")
    minutes = x.get("duration")
    if minutes is None and x.get("duration_rel"):
        base = ctx.get("duration_minutes") or ctx.get("duration_offer") or _default_minutes(ctx)
        step = 5 if base > 5 or x["duration_rel"] > 0 else max(1, base // 2)
        minutes = max(1, min(60, base + x["duration_rel"] * step))
    if minutes is not None and 1 <= minutes <= 60:
        put("duration_minutes", minutes, always=t.answering == "PracticeDetails")
        ctx["duration_proposal"] = None
    elif minutes is not None:
        ctx["duration_proposal"] = 60 if minutes > 60 else 1
        ctx["reopen"] = "PracticeDetails" if ctx.get("duration_minutes") else ctx.get("reopen")
        t.changed.append("duration_proposal")
    for name in (*CONTEXT_FIELDS, "focus"):
        put(name, x.get(name))
    chosen = set(ctx.get("chosen") or [])
    if x.get("pace") or x.get("pace_rel"):
        old = ctx.get("pace") if ctx.get("pace") in PACES else "normal"
        new = x.get("pace") or PACES[max(0, min(2, PACES.index(old) + x["pace_rel"]))]
        extra["pace"] = "limit" if new == old and x.get("pace_rel") else x.get("pace_rel")
        put("pace", new, always=True)
        chosen.add("pace")
    if x.get("tone"):
        put("tone", x["tone"], always=t.answering == "Personalization")
        chosen.add("tone")
    if x.get("voice_id"):
        put("voice_id", x["voice_id"], always=t.answering == "Personalization")
        ctx["voice_name"] = next(v["name"] for v in t.voices if v["id"] == x["voice_id"])
        chosen.add("voice")
    ctx["chosen"] = sorted(chosen)
    noted = [k for k in t.changed if _noted(k, t)]
    if t.answering == "Personalization" and len(set(noted) & set(PERSONAL)) > 1:
        noted = [k for k in noted if k not in PERSONAL]
        t.notes.append("Done.")
    t.notes += [say.field_note(k, ctx, extra.get(k)) for k in noted]


def _noted(name: str, t: _Turn) -> bool:
    """Whether a change gets its own short acknowledgement (others are covered by the state's reply)."""
    if name in ("duration_proposal", "situation", "type_guess"):
        return False
    if t.answering == "IntentDiscovery":
        return t.revisiting or not {"intent", "content_type"} & set(t.changed)
    if t.answering == "ContextGathering":
        return name not in CONTEXT_FIELDS
    return not (t.answering == "Confirm" and name == "mood")


def _answer(t: _Turn) -> str | None:
    """What the message means as an answer to the question asked; returns the reply's action, if any."""
    ctx, x, changed = t.ctx, t.x, set(t.changed)
    t.asked = ctx.get("ask")
    if t.asked in _TRANSIENT:
        ctx["ask"] = None
    target = x.get("change_target") or (x.get("target") if t.asked in ("change", "change_unknown") else None)
    if target and not changed & set(TARGETS[target][1]):
        ctx["reopen"], ctx["ask"] = TARGETS[target][0], target
        return None
    if x.get("save_prefs"):
        if not ctx.get("proposed"):
            _propose(ctx, t.profile, t.voices)
        t.notes.append(say.SAVED)
        if t.answering in ("Personalization", "Confirm"):
            ctx["personal_ok"] = True
            _close(ctx, "Personalization")
        return "save_preferences"
    if x.get("change") and t.answering != "Confirm":
        ctx["ask"] = "change"
        return None
    yes, no = bool(x.get("affirm") or x.get("confirm")), bool(x.get("decline") or x.get("unsure"))
    return _ANSWERS[t.answering](t, changed, yes, no)


def _answer_intent(t: _Turn, changed: set[str], yes: bool, no: bool) -> None:
    if t.ctx.get("reopen") and ({"intent", "content_type"} & changed or yes or no):
        _close(t.ctx, "IntentDiscovery")


def _answer_context(t: _Turn, changed: set[str], yes: bool, no: bool) -> None:
    corrected = {"content_type", "intent", "duration_minutes", "pace", "tone", "voice_id"} & changed
    if t.x.get("leftover") and not set(CONTEXT_FIELDS) & changed and not (yes or no or corrected):
        t.ctx["situation"] = t.x["leftover"]
        t.changed.append("situation")
    if set(CONTEXT_FIELDS) & set(t.changed) or yes or no:
        t.ctx["context_done"] = True
        _close(t.ctx, "ContextGathering")


def _answer_details(t: _Turn, changed: set[str], yes: bool, no: bool) -> None:
    ctx = t.ctx
    if "duration_minutes" in changed:
        _close(ctx, "PracticeDetails")
    elif yes:
        offer = ctx.get("duration_proposal") or ctx.get("duration_minutes") or ctx.get("duration_offer")
        if offer != ctx.get("duration_minutes"):
            ctx["duration_minutes"] = offer or _default_minutes(ctx)
            t.notes.append(say.field_note("duration_minutes", ctx))
        ctx["duration_proposal"] = None
        _close(ctx, "PracticeDetails")
    elif no:
        ctx["duration_proposal"], ctx["ask"] = None, "duration_again"
    elif not changed:
        ctx["ask"] = "unknown"


def _answer_personal(t: _Turn, changed: set[str], yes: bool, no: bool) -> None:
    personal = changed & set(PERSONAL)
    if personal and t.ctx.get("reopen"):
        _close(t.ctx, "Personalization")
    elif not personal and yes:
        t.ctx["personal_ok"] = True
        _close(t.ctx, "Personalization")
    elif not personal and no:
        t.ctx["ask"] = "personal_what"
    elif not changed:
        t.ctx["ask"] = "unknown"


def _answer_confirm(t: _Turn, changed: set[str], yes: bool, no: bool) -> str | None:
    changing = t.asked in ("change", "change_unknown")
    if not changed and (t.x.get("confirm") or (yes and not changing)):
        return "confirm"
    if not changed and (t.x.get("decline") or t.x.get("change")):
        t.ctx["ask"] = "change"
    elif not changed and not yes:
        t.ctx["ask"] = "change_unknown" if changing else "unknown"
    return None


_ANSWERS = {
    "IntentDiscovery": _answer_intent,
    "ContextGathering": _answer_context,
    "PracticeDetails": _answer_details,
    "Personalization": _answer_personal,
    "Confirm": _answer_confirm,
}


def _close(ctx: dict[str, Any], state: str) -> None:
    if ctx.get("reopen") == state:
        ctx["reopen"] = None
    ctx["ask"] = None


def _next_state(ctx: dict[str, Any]) -> str:
    """The reopened state, else the first whose question is still open."""
    if ctx.get("reopen") in CHAT_STATES:
        return ctx["reopen"]
    if not (ctx.get("content_type") and ctx.get("intent")):
        return "IntentDiscovery"
    if not ctx.get("context_done"):
        if not (ctx.get("time_of_day") and (ctx.get("place") or ctx.get("mood"))):
            return "ContextGathering"
        ctx["context_done"] = True
    if not ctx.get("duration_minutes"):
        return "PracticeDetails"
    if not ctx.get("personal_ok"):
        if len(ctx.get("chosen") or []) < 3:
            return "Personalization"
        ctx["personal_ok"] = True
    return "Confirm"


def _go_back(conv: Conversation, t: _Turn) -> Reply:
    index = CHAT_STATES.index(t.answering) if t.answering in CHAT_STATES else 0
    if index == 0 or not t.ctx.get("intent"):
        return Reply(say.AT_START, list(say.START_CHIPS))
    conv.state = t.ctx["reopen"] = CHAT_STATES[index - 1]
    t.ctx["ask"] = None
    return Reply(say.reopen_text(conv.state, t.ctx), *say.chips(conv.state, t.ctx, t.voices, reopened=True))


def _compose(t: _Turn, state: str) -> Reply:
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
        ctx["duration_offer"] = ctx.get("duration_offer") if reopened else _default_minutes(ctx)
        question = say.duration_text(ctx, ask, reopened, t.seed)
    elif state == "Personalization":
        again = t.answering == state and bool(set(t.changed) & set(PERSONAL))
        question = say.personal_text(ctx, ask, t.voices, reopened=reopened, again=again, seed=t.seed)
    else:
        question = {"change_unknown": say.CHANGE_NOT_CAUGHT, "unknown": say.CONFIRM_NUDGE}.get(ask or "", "")
        question = question or say.confirm_text(ctx, t.seed)
    return Reply(" ".join([*lead, question]), suggestions, controls)


def _propose(ctx: dict[str, Any], profile: dict | None, voices: list[dict]) -> None:
    """Fill voice, pace and tone the user has not chosen: their saved preferences, else sensible defaults."""
    prefs = (profile or {}).get("preferences") if isinstance(profile, dict) else None
    prefs = prefs if isinstance(prefs, dict) else {}
    chosen, saved = set(ctx.get("chosen") or []), []
    ids = [v["id"] for v in voices]
    if "voice" not in chosen:
        if isinstance(prefs.get("voice"), str) and prefs["voice"] in ids:
            ctx["voice_id"] = prefs["voice"]
            saved.append("voice")
        else:
            ctx["voice_id"] = next((v["id"] for v in voices if v.get("default")), ids[0] if ids else None)
        ctx["voice_name"] = next((v["name"] for v in voices if v["id"] == ctx["voice_id"]), None)
    for key, allowed in (("pace", PACES), ("tone", TONES)):
        if key not in chosen:
            if prefs.get(key) in allowed:
                ctx[key] = prefs[key]
                saved.append(key)
            else:
                ctx[key] = "normal" if key == "pace" else _tone_for(ctx)
    ctx["proposed"], ctx["saved"] = True, saved


def _tone_for(ctx: dict[str, Any]) -> str:
    return tone_for(" ".join(str(ctx.get(k) or "") for k in ("intent", "mood", "situation", "focus", "time_of_day")))


def _default_minutes(ctx: dict[str, Any]) -> int:
    return say.DEFAULT_MINUTES.get(ctx.get("content_type") or "", 10)


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
        "duration_minutes": c.get("duration_minutes") or _default_minutes(c),
        "pace": c.get("pace") if c.get("pace") in PACES else "normal",
        "tone": c.get("tone") if c.get("tone") in TONES else _tone_for(c),
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
