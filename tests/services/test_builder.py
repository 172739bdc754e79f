"""The builder conversation: transitions, corrections, personalisation and robustness."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.services import builder
from app.services.builder import MAX_MESSAGE, STATES, Conversation, Reply
from app.services.practice_spec import PracticeSpec

VOICES = [
    {"id": "v-joe", "name": "Joe", "default": True},
    {"id": "v-us", "name": "Classic (US)", "default": False},
    {"id": "v-uk", "name": "Classic (UK)", "default": False},
]
SAVED = {"preferences": {"voice": "v-uk", "pace": "slow", "tone": "warm"}, "practice_history_summary": {"count": 4}}
# messages that bring a new conversation to each state
TO_STATE = {
    "IntentDiscovery": [],
    "ContextGathering": ["Calm my nerves"],
    "PracticeDetails": ["Calm my nerves", "at my desk"],
    "Personalization": ["Calm my nerves", "at my desk", "10 minutes"],
    "Confirm": ["Calm my nerves", "at my desk", "10 minutes", "sounds good"],
}
CHIPS = [
    "Wind down before sleep",
    "Calm my nerves",
    "Start my morning",
    "Affirmations for confidence",
    "Skip",
    "In bed",
    "Feeling anxious",
    "5 minutes",
    "10 minutes",
    "Sounds good",
    "Slower",
    "A bit faster",
    "Different voice",
    "Warmer",
    "Save as my usual",
    "Create it (1 credit)",
    "Change something",
    "Length",
    "Voice",
    "Pace",
    "Tone",
    "What it's for",
    "When and where",
    "Keep it as it is",
    "Make it a ritual",
    "Yes, 60 minutes",
    "Make another",
    "Joe",
    "Classic (UK)",
]
CORRECTIONS = [
    "actually make it 5 minutes",
    "change the voice",
    "make it an affirmation instead",
    "it's for the morning",
    "no, it's about my exam",
    "go back",
    "start over",
    "2 hours",
    "yes",
    "no",
]


def talk(*messages: str, profile: dict | None = None) -> tuple[Conversation, Reply]:
    conv, reply = builder.start(profile=profile, voices=VOICES)
    for message in messages:
        conv, reply = builder.turn(conv, message, profile=profile, voices=VOICES)
    return conv, reply


def at(state: str, profile: dict | None = None) -> Conversation:
    conv, _ = talk(*TO_STATE[state], profile=profile)
    assert conv.state == state
    return conv


def send(conv: Conversation, message: str, profile: dict | None = None) -> tuple[Conversation, Reply]:
    return builder.turn(conv, message, profile=profile, voices=VOICES)


FIELDS = ("content_type", "intent", "duration_minutes", "pace", "tone", "focus", "voice_id")
FIELDS += ("time_of_day", "place", "mood", "situation")


def flat(conv: Conversation) -> dict:
    """What the conversation knows so far (no defaults filled in)."""
    return {k: conv.context.get(k) for k in FIELDS}


def test_start_greets_warmly_with_chips():
    conv, reply = builder.start(profile=None, voices=VOICES)
    assert conv.state == "IntentDiscovery"
    assert reply.text == "Hi, I'm here to make a practice just for you. What would you like it to help with?"
    assert reply.suggestions == [
        "Wind down before sleep",
        "Calm my nerves",
        "Start my morning",
        "Affirmations for confidence",
    ]
    assert conv.messages == [{"role": "assistant", "text": reply.text}]
    assert builder.start(profile=SAVED, voices=VOICES)[1].text.startswith("Welcome back.")


# --- transitions: (starting state, message, state after, spec changes, action) ----------------------------

TRANSITIONS = [
    ("IntentDiscovery", "I want to wind down before sleep", "ContextGathering",
     {"content_type": "guided_meditation", "intent": "wind down before sleep", "time_of_day": "night",
      "focus": "sleep"}, None),
    ("IntentDiscovery", "a meditation", "IntentDiscovery", {"content_type": "guided_meditation", "intent": None}, None),
    ("IntentDiscovery", "Affirmations for confidence", "ContextGathering",
     {"content_type": "affirmation", "intent": "confidence"}, None),
    ("IntentDiscovery", "Start my morning", "ContextGathering",
     {"content_type": "ritual", "intent": "Start my morning", "time_of_day": "morning"}, None),
    ("IntentDiscovery", "I feel lonely", "ContextGathering",
     {"content_type": "guided_meditation", "mood": "lonely"}, None),
    ("IntentDiscovery", "I am worthy of good things", "ContextGathering", {"content_type": "affirmation"}, None),
    ("IntentDiscovery", "hi", "IntentDiscovery", {"content_type": None, "intent": None}, None),
    ("IntentDiscovery", "I'm not sure", "IntentDiscovery", {"content_type": None}, None),
    ("IntentDiscovery", "go back", "IntentDiscovery", {}, None),
    ("IntentDiscovery", "A 10 minute meditation for sleep tonight in bed, slow and gentle, in Joe's voice", "Confirm",
     {"intent": "sleep", "duration_minutes": 10, "pace": "slow", "tone": "gentle", "voice_id": "v-joe",
      "time_of_day": "night", "place": "in bed"}, None),
    ("ContextGathering", "skip", "PracticeDetails", {}, None),
    ("ContextGathering", "not really", "PracticeDetails", {}, None),
    ("ContextGathering", "no", "PracticeDetails", {}, None),
    ("ContextGathering", "In bed, feeling tired", "PracticeDetails", {"place": "in bed", "mood": "tired"}, None),
    ("ContextGathering", "tonight on the train", "PracticeDetails",
     {"time_of_day": "night", "place": "on the train"}, None),
    ("ContextGathering", "my cat keeps me company", "PracticeDetails", {"situation": "my cat keeps me company"}, None),
    ("ContextGathering", "actually make it 5 minutes", "ContextGathering", {"duration_minutes": 5}, None),
    ("ContextGathering", "go back", "IntentDiscovery", {}, None),
    ("PracticeDetails", "ten minutes", "Personalization", {"duration_minutes": 10}, None),
    ("PracticeDetails", "half an hour", "Personalization", {"duration_minutes": 30}, None),
    ("PracticeDetails", "10", "Personalization", {"duration_minutes": 10}, None),
    ("PracticeDetails", "a couple of minutes", "Personalization", {"duration_minutes": 2}, None),
    ("PracticeDetails", "short", "Personalization", {"duration_minutes": 5}, None),
    ("PracticeDetails", "yes", "Personalization", {"duration_minutes": 10}, None),
    ("PracticeDetails", "20 minutes with a focus on the breath", "Personalization",
     {"duration_minutes": 20, "focus": "breath"}, None),
    ("PracticeDetails", "2 hours", "PracticeDetails", {}, None),
    ("PracticeDetails", "no", "PracticeDetails", {}, None),
    ("PracticeDetails", "banana", "PracticeDetails", {}, None),
    ("PracticeDetails", "make it an affirmation instead", "PracticeDetails", {"content_type": "affirmation"}, None),
    ("PracticeDetails", "go back", "ContextGathering", {}, None),
    ("Personalization", "yes", "Confirm", {}, None),
    ("Personalization", "perfect", "Confirm", {}, None),
    ("Personalization", "slower", "Personalization", {"pace": "slow"}, None),
    ("Personalization", "a bit faster", "Personalization", {"pace": "fast"}, None),
    ("Personalization", "warmer", "Personalization", {"tone": "warm"}, None),
    ("Personalization", "more energising", "Personalization", {"tone": "energising"}, None),
    ("Personalization", "use the classic voice", "Personalization", {"voice_id": "v-us"}, None),
    ("Personalization", "Classic UK please", "Personalization", {"voice_id": "v-uk"}, None),
    ("Personalization", "change the voice", "Personalization", {}, None),
    ("Personalization", "no", "Personalization", {}, None),
    ("Personalization", "Save as my usual", "Confirm", {}, "save_preferences"),
    ("Personalization", "actually make it 5 minutes", "Personalization", {"duration_minutes": 5}, None),
    ("Personalization", "go back", "PracticeDetails", {}, None),
    ("Confirm", "Create it (1 credit)", "Confirm", {}, "confirm"),
    ("Confirm", "yes", "Confirm", {}, "confirm"),
    ("Confirm", "Change something", "Confirm", {}, None),
    ("Confirm", "no", "Confirm", {}, None),
    ("Confirm", "save these as my usual choices", "Confirm", {}, "save_preferences"),
    ("Confirm", "actually make it 5 minutes", "Confirm", {"duration_minutes": 5}, None),
    ("Confirm", "slower", "Confirm", {"pace": "slow"}, None),
    ("Confirm", "use Joe", "Confirm", {}, None),
    ("Confirm", "change the voice", "Personalization", {}, None),
    ("Confirm", "make it an affirmation instead", "Confirm", {"content_type": "affirmation"}, None),
    ("Confirm", "it's for the morning", "Confirm", {"time_of_day": "morning"}, None),
    ("Confirm", "no, it's about my exam", "Confirm", {"intent": "my exam"}, None),
    ("Confirm", "2 hours", "PracticeDetails", {}, None),
    ("Confirm", "go back", "Personalization", {}, None),
]  # fmt: skip


@pytest.mark.parametrize(("start", "message", "state", "changes", "action"), TRANSITIONS)
def test_transition(start, message, state, changes, action):
    conv = at(start)
    before = flat(conv)
    after_conv, reply = send(conv, message)
    after = flat(after_conv)
    assert after_conv.state == state
    assert reply.action == action
    assert {k: after.get(k) for k in changes} == changes
    untouched = {k for k in before if k not in changes and before[k] is not None and k not in ("tone", "pace")}
    assert {k: after[k] for k in untouched if k in after} == {k: before[k] for k in untouched if k in after}
    assert reply.text and "<" not in reply.text


def test_start_over_forgets_everything_from_any_state():
    for state in ("ContextGathering", "PracticeDetails", "Personalization", "Confirm"):
        conv, reply = send(at(state), "start over")
        assert conv.state == "IntentDiscovery"
        assert builder.spec_of(conv)["intent"] is None
        assert "start afresh" in reply.text


# --- the happy path and what each reply says -------------------------------------------------------------


def test_happy_path_wind_down_before_sleep():
    conv, reply = builder.start(profile=None, voices=VOICES)
    steps = [
        ("I want to wind down before sleep", "ContextGathering", "guided meditation to wind down before sleep"),
        ("In bed", "PracticeDetails", "How long"),
        ("5 minutes", "Personalization", "Joe"),
        ("Slower", "Personalization", "slow pace"),
        ("Sounds good", "Confirm", "Shall I make it? It uses 1 credit."),
        ("Create it (1 credit)", "Confirm", "minute or two"),
    ]
    for message, state, says in steps:
        conv, reply = send(conv, message)
        assert conv.state == state, message
        assert says in reply.text, reply.text
    assert reply.action == "confirm"
    spec = PracticeSpec.from_dict(builder.spec_of(conv))
    assert (spec.content_type, spec.duration_minutes, spec.pace, spec.tone) == (
        "guided_meditation",
        5,
        "slow",
        "gentle",
    )
    assert spec.intent == "wind down before sleep" and spec.focus == "sleep" and spec.voice_id == "v-joe"
    assert spec.context == {"time_of_day": "night", "place": "in bed"}
    assert [m["role"] for m in conv.messages] == ["assistant", "user"] * 6 + ["assistant"]


def test_confirm_summary_reads_as_plain_language():
    _conv, reply = talk("I want to wind down before sleep", "at home", "5 minutes", "slower", "yes")
    assert reply.text.endswith(
        "a 5-minute guided meditation to wind down before sleep, tonight at home, in Joe's voice, slow and gentle. "
        "Shall I make it? It uses 1 credit."
    )
    assert reply.suggestions == ["Create it (1 credit)", "Change something"]
    assert reply.controls == []


def test_a_type_alone_asks_what_it_is_for():
    conv, reply = talk("a meditation")
    assert "What would you like it to help with?" in reply.text
    assert reply.suggestions[0] == "Sleep"
    conv, reply = send(conv, "Calm my nerves")
    assert conv.state == "ContextGathering"
    assert builder.spec_of(conv)["content_type"] == "guided_meditation"
    assert "rather have" not in reply.text  # the type was chosen, not guessed


@pytest.mark.parametrize(
    ("message", "content_type", "says"),
    [
        ("Calm my nerves", "guided_meditation", "affirmations or a ritual"),
        ("more self-worth", "affirmation", "a guided meditation or a ritual"),
        ("a morning routine", "ritual", "a guided meditation or affirmations"),
    ],
)
def test_an_intent_alone_gets_a_sensible_type_and_says_so(message, content_type, says):
    conv, reply = talk(message)
    assert builder.spec_of(conv)["content_type"] == content_type
    assert f"Just say if you'd rather have {says}." in reply.text


def test_context_from_the_first_message_is_kept_and_the_question_builds_on_it():
    _conv, reply = talk("I want to wind down before sleep")
    assert "tonight" in reply.text and "When" not in reply.text
    assert reply.suggestions[-1] == "Skip"


def test_enough_context_in_the_first_message_skips_the_question():
    conv, _reply = talk("a meditation to calm my nerves tonight in bed")
    assert conv.state == "PracticeDetails"


def test_duration_question_suggests_a_length_by_type():
    for message, minutes in (
        ("Calm my nerves", "ten"),
        ("Affirmations for confidence", "five"),
        ("a ritual for the evening", "seven"),
    ):
        _conv, reply = talk(message, "skip")
        assert f"{minutes} minutes" in reply.text
        assert reply.controls == ["duration"]


def test_out_of_range_durations_are_offered_the_nearest_and_explained():
    conv, reply = send(at("PracticeDetails"), "2 hours")
    assert reply.text.startswith("I can do up to 60 minutes — shall we make it 60?")
    assert reply.suggestions[0] == "Yes, 60 minutes"
    conv, reply = send(conv, "yes")
    assert (conv.state, builder.spec_of(conv)["duration_minutes"]) == ("Personalization", 60)
    conv, reply = send(at("PracticeDetails"), "0 minutes")
    assert "The shortest I can make is 1 minute" in reply.text


def test_personalization_proposes_defaults_with_an_inferred_tone():
    for messages, tone in (
        (["I want to wind down before sleep", "skip", "5"], "gentle"),
        (["Calm my nerves", "skip", "5"], "grounding"),
        (["Start my morning", "skip", "5"], "energising"),
        (["I'm grieving my dad", "skip", "5"], "warm"),
    ):
        conv, reply = talk(*messages)
        assert conv.state == "Personalization"
        assert f"Joe, at a normal pace, with {'an' if tone == 'energising' else 'a'} {tone} tone" in reply.text
        assert reply.controls == ["voice", "pace", "tone"]
        assert "usual" not in reply.text


def test_personalization_proposes_saved_preferences_and_says_so():
    conv, reply = talk("Calm my nerves", "skip", "10", profile=SAVED)
    assert reply.text.endswith(
        "Shall I use your usual choices — the Classic (UK) voice, at a slow pace, with a warm tone?"
    )
    card = builder.summary_card(conv)
    assert (card["voice"], card["pace"], card["tone"]) == ("Classic (UK)", "Slow", "Warm")
    conv, reply = send(conv, "yes", profile=SAVED)
    assert "in the Classic (UK) voice, slow and warm" in reply.text


def test_partly_saved_preferences_are_named():
    profile = {"preferences": {"pace": "slow"}, "practice_history_summary": {}}
    _conv, reply = talk("Calm my nerves", "skip", "10", profile=profile)
    assert "I've kept your usual pace: Joe, at a slow pace, with a grounding tone." in reply.text


def test_unknown_saved_voice_falls_back_to_the_default():
    profile = {"preferences": {"voice": "gone", "pace": "fast", "tone": "nonsense"}}
    conv, _reply = talk("Calm my nerves", "skip", "10", profile=profile)
    assert builder.spec_of(conv)["voice_id"] == "v-joe"
    assert builder.spec_of(conv)["pace"] == "fast" and builder.spec_of(conv)["tone"] == "grounding"


def test_choices_made_earlier_are_kept_over_saved_ones():
    conv, reply = talk("Calm my nerves, in Joe's voice", "skip", "10", profile=SAVED)
    assert builder.spec_of(conv)["voice_id"] == "v-joe"
    assert "your usual pace and tone" in reply.text


def test_save_preferences_action_and_values():
    conv, reply = send(at("Personalization"), "slower")
    conv, reply = send(conv, "Save as my usual")
    assert reply.action == "save_preferences"
    assert reply.text.startswith("Saved — I'll suggest these again next time. ")
    assert builder.preferences_of(conv) == {"voice": "v-joe", "pace": "slow", "tone": "grounding"}
    assert conv.state == "Confirm"


def test_pace_changes_stop_at_the_ends():
    conv, reply = send(at("Personalization"), "slower")
    conv, reply = send(conv, "slower")
    assert "already the slowest pace" in reply.text
    assert builder.spec_of(conv)["pace"] == "slow"


def test_change_the_voice_lists_voices_then_returns_to_the_summary():
    conv, reply = send(at("Confirm"), "change the voice")
    assert reply.text == "Which voice would you like? You can choose Joe, Classic (US) or Classic (UK)."
    assert (reply.suggestions, reply.controls) == (["Joe", "Classic (US)", "Classic (UK)"], ["voice"])
    conv, reply = send(conv, "Classic (US)")
    assert conv.state == "Confirm"
    assert reply.text.startswith("The Classic (US) voice it is.") and "Shall I make it?" in reply.text


def test_change_something_asks_what_then_applies_and_resummarises():
    conv, reply = send(at("Confirm"), "Change something")
    assert reply.suggestions == ["Length", "Voice", "Pace", "Tone", "What it's for", "When and where"]
    conv, reply = send(conv, "Length")
    assert conv.state == "PracticeDetails" and reply.controls == ["duration"]
    conv, reply = send(conv, "20 minutes")
    assert conv.state == "Confirm"
    assert reply.text.startswith("Twenty minutes it is.") and "a 20-minute guided meditation" in reply.text


def test_change_something_then_a_value_applies_it_directly():
    conv, _ = send(at("Confirm"), "Change something")
    conv, reply = send(conv, "make it warmer")
    assert conv.state == "Confirm" and builder.spec_of(conv)["tone"] == "warm"
    conv, _ = send(at("Confirm"), "Change something")
    conv, reply = send(conv, "banana")
    assert conv.state == "Confirm" and reply.suggestions[0] == "Length"


def test_corrections_at_confirm_resummarise_and_keep_everything_else():
    conv = at("Confirm")
    before = flat(conv)
    for message in ("actually make it 5 minutes", "make it an affirmation instead", "it's for the morning"):
        conv, reply = send(conv, message)
        assert conv.state == "Confirm" and "Shall I make it?" in reply.text
    after = flat(conv)
    assert after == {**before, "duration_minutes": 5, "content_type": "affirmation", "time_of_day": "morning"}
    PracticeSpec.from_dict(builder.spec_of(conv))


def test_go_back_reopens_the_previous_question_without_losing_answers():
    conv, reply = send(at("ContextGathering"), "go back")
    assert conv.state == "IntentDiscovery" and "Right now it's a guided meditation to calm your nerves" in reply.text
    assert reply.suggestions[0] == "Keep it as it is"
    conv, reply = send(conv, "Keep it as it is")
    assert conv.state == "ContextGathering" and builder.spec_of(conv)["intent"] == "Calm my nerves"
    conv, reply = send(at("Personalization"), "go back")
    assert "It's 10 minutes at the moment" in reply.text
    conv, reply = send(conv, "15 minutes")
    assert conv.state == "Personalization" and builder.spec_of(conv)["duration_minutes"] == 15


def test_go_back_to_the_start_can_change_the_intent():
    conv, _ = send(at("ContextGathering"), "go back")
    conv, _reply = send(conv, "help me focus on my studies")
    assert conv.state == "ContextGathering" and builder.spec_of(conv)["intent"] == "focus on my studies"


# --- generating, complete, refused messages ----------------------------------------------------------------


def test_generating_and_complete():
    conv, reply = send(at("Confirm"), "Create it (1 credit)")
    conv = builder.mark_generating(conv, "ritual-1")
    assert (conv.state, conv.context["ritual_id"]) == ("Generating", "ritual-1")
    conv, reply = send(conv, "is it ready?")
    assert conv.state == "Generating" and reply.text.startswith("I'm still making it")
    conv = builder.mark_complete(conv)
    assert conv.state == "Complete"
    assert builder.last_reply(conv).suggestions == ["Make another"]
    conv, reply = send(conv, "thank you!")
    assert conv.state == "Complete" and reply.suggestions == ["Make another"]
    conv, reply = send(conv, "Make another")
    assert conv.state == "IntentDiscovery" and "make another" in reply.text
    assert builder.spec_of(conv)["intent"] is None


def test_a_new_request_after_complete_starts_the_next_practice():
    done = builder.mark_complete(builder.mark_generating(at("Confirm"), "r"))
    conv, _ = send(done, "an affirmation set for confidence")
    assert conv.state == "ContextGathering" and builder.spec_of(conv)["content_type"] == "affirmation"
    conv, _ = send(done, "I want to sleep better")
    assert conv.state == "ContextGathering" and builder.spec_of(conv)["intent"] == "sleep better"
    conv, reply = send(done, "that was lovely")
    assert conv.state == "Complete" and reply.suggestions == ["Make another"]


@pytest.mark.parametrize("state", ["IntentDiscovery", "PracticeDetails", "Confirm"])
def test_oversize_messages_are_refused_and_change_nothing(state):
    conv = at(state)
    after, reply = send(conv, "a" * (MAX_MESSAGE + 1))
    assert reply.text.startswith("That message is over 2,000 characters")
    assert after.to_dict() == conv.to_dict()
    assert reply.suggestions == builder.last_reply(conv).suggestions
    assert send(conv, "a" * MAX_MESSAGE)[0].to_dict() != conv.to_dict()


@pytest.mark.parametrize("message", ["", "   ", "\n\t", "\x00\x1b", "<>"])
def test_empty_messages_get_a_gentle_nudge_and_change_nothing(message):
    conv = at("Personalization")
    after, reply = send(conv, message)
    assert after.to_dict() == conv.to_dict()
    assert reply.text in (
        "Take your time. Whenever you're ready, type a few words or pick a suggestion.",
        "No rush — I'm here when you're ready.",
    )


def test_user_text_is_stored_clean_and_never_echoed_as_markup():
    conv, _reply = talk("<script>alert(1)</script> calm\x00 my nerves")
    assert conv.messages[1]["text"] == "scriptalert(1)/script calm my nerves"
    assert all("<" not in m["text"] and ">" not in m["text"] for m in conv.messages)
    assert "<" not in builder.spec_of(conv)["intent"]


def test_turn_does_not_mutate_its_input_and_is_deterministic():
    conv = at("PracticeDetails")
    snapshot = json.dumps(conv.to_dict(), sort_keys=True)
    first = send(conv, "ten minutes")
    second = send(conv, "ten minutes")
    assert json.dumps(conv.to_dict(), sort_keys=True) == snapshot
    assert first[0].to_dict() == second[0].to_dict() and first[1] == second[1]


def test_round_trip_and_tolerant_loading():
    conv = at("Confirm")
    assert Conversation.from_dict(json.loads(json.dumps(conv.to_dict()))).to_dict() == conv.to_dict()
    broken = Conversation.from_dict({"state": "Nope", "context": [], "messages": [{"role": "x"}, 3]})
    assert (broken.state, broken.context, broken.messages) == ("IntentDiscovery", {}, [])
    assert send(broken, "hello")[0].state == "IntentDiscovery"


def test_summary_card_is_human_readable_and_none_when_unknown():
    assert builder.summary_card(at("IntentDiscovery")) == dict.fromkeys(
        ("type", "intent", "context", "duration", "voice", "pace", "tone")
    )
    conv, _ = talk("I want to wind down before sleep", "in bed, feeling tired", "5", "slower", "yes")
    assert builder.summary_card(conv) == {
        "type": "Guided meditation",
        "intent": "Wind down before sleep",
        "context": "Tonight, in bed, feeling tired",
        "duration": "5 minutes",
        "voice": "Joe",
        "pace": "Slow",
        "tone": "Gentle",
    }


def test_spec_of_before_confirm_fills_defaults():
    spec = builder.spec_of(at("PracticeDetails"))
    assert (spec["duration_minutes"], spec["pace"]) == (10, "normal")
    assert PracticeSpec.from_dict(spec).content_type == "guided_meditation"


def test_works_without_voices_or_profile():
    conv, reply = builder.start(profile=None, voices=[])
    for message in ("Calm my nerves", "skip", "5", "yes"):
        conv, reply = builder.turn(conv, message, profile=None, voices=[])
    assert conv.state == "Confirm" and "the standard voice" in reply.text
    assert PracticeSpec.from_dict(builder.spec_of(conv)).voice_id is None


# --- any sequence of messages --------------------------------------------------------------------------

MESSAGES = st.one_of(
    st.sampled_from(CHIPS + CORRECTIONS),
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20),
    st.builds(lambda ch, n: ch * n, st.sampled_from(["a", "é", "🙂", " ", "yes ", "\x00"]), st.integers(1990, 2010)),
)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages=st.lists(MESSAGES, max_size=12), saved=st.booleans(), finish=st.booleans())
def test_any_sequence_keeps_the_machine_valid(messages, saved, finish):
    profile = SAVED if saved else None
    conv, reply = builder.start(profile=profile, voices=VOICES)
    for message in messages:
        conv, reply = builder.turn(conv, message, profile=profile, voices=VOICES)
        assert conv.state in STATES
        assert isinstance(reply.text, str) and reply.text
        assert set(reply.controls) <= {"duration", "voice", "pace", "tone"}
        assert reply.action in (None, "confirm", "save_preferences")
        stored = json.loads(json.dumps(conv.to_dict()))
        assert Conversation.from_dict(stored).to_dict() == conv.to_dict()
        if conv.state == "Confirm":
            PracticeSpec.from_dict(builder.spec_of(conv))
        if reply.action == "confirm" and finish:
            conv = builder.mark_generating(conv, "ritual-1")
        builder.summary_card(conv)
