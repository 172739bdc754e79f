"""How one message moves the builder conversation on: what it changes in the context, what it answers,
which state comes next, and the voice, pace and tone proposed when the user has not chosen them.

Pure Python, like `builder.py`, which runs a turn with these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.services import builder_text as say
from app.services.builder_nlu import tone_for
from app.services.builder_phrases import DEFAULT_MINUTES
from app.services.practice_spec import PACES, TONES

STATES: tuple[str, ...] = (
    "IntentDiscovery", "ContextGathering", "PracticeDetails", "Personalization", "Confirm", "Generating", "Complete",
)  # fmt: skip
CHAT_STATES = STATES[:5]
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
class Turn:
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


def apply_message(t: Turn) -> None:
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
        base = ctx.get("duration_minutes") or ctx.get("duration_offer") or default_minutes(ctx)
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


def _noted(name: str, t: Turn) -> bool:
    """Whether a change gets its own short acknowledgement (others are covered by the state's reply)."""
    if name in ("duration_proposal", "situation", "type_guess"):
        return False
    if t.answering == "IntentDiscovery":
        return t.revisiting or not {"intent", "content_type"} & set(t.changed)
    if t.answering == "ContextGathering":
        return name not in CONTEXT_FIELDS
    return not (t.answering == "Confirm" and name == "mood")


def answer(t: Turn) -> str | None:
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
            propose(ctx, t.profile, t.voices)
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


def _answer_intent(t: Turn, changed: set[str], yes: bool, no: bool) -> None:
    if t.ctx.get("reopen") and ({"intent", "content_type"} & changed or yes or no):
        _close(t.ctx, "IntentDiscovery")


def _answer_context(t: Turn, changed: set[str], yes: bool, no: bool) -> None:
    corrected = {"content_type", "intent", "duration_minutes", "pace", "tone", "voice_id"} & changed
    if t.x.get("leftover") and not set(CONTEXT_FIELDS) & changed and not (yes or no or corrected):
        t.ctx["situation"] = t.x["leftover"]
        t.changed.append("situation")
    if set(CONTEXT_FIELDS) & set(t.changed) or yes or no:
        t.ctx["context_done"] = True
        _close(t.ctx, "ContextGathering")


def _answer_details(t: Turn, changed: set[str], yes: bool, no: bool) -> None:
    ctx = t.ctx
    if "duration_minutes" in changed:
        _close(ctx, "PracticeDetails")
    elif yes:
        offer = ctx.get("duration_proposal") or ctx.get("duration_minutes") or ctx.get("duration_offer")
        if offer != ctx.get("duration_minutes"):
            ctx["duration_minutes"] = offer or default_minutes(ctx)
            t.notes.append(say.field_note("duration_minutes", ctx))
        ctx["duration_proposal"] = None
        _close(ctx, "PracticeDetails")
    elif no:
        ctx["duration_proposal"], ctx["ask"] = None, "duration_again"
    elif not changed:
        ctx["ask"] = "unknown"


def _answer_personal(t: Turn, changed: set[str], yes: bool, no: bool) -> None:
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


def _answer_confirm(t: Turn, changed: set[str], yes: bool, no: bool) -> str | None:
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


def next_state(ctx: dict[str, Any]) -> str:
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


def propose(ctx: dict[str, Any], profile: dict | None, voices: list[dict]) -> None:
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
                ctx[key] = "normal" if key == "pace" else suggested_tone(ctx)
    ctx["proposed"], ctx["saved"] = True, saved


def suggested_tone(ctx: dict[str, Any]) -> str:
    return tone_for(" ".join(str(ctx.get(k) or "") for k in ("intent", "mood", "situation", "focus", "time_of_day")))


def default_minutes(ctx: dict[str, Any]) -> int:
    return DEFAULT_MINUTES.get(ctx.get("content_type") or "", 10)
