"""Rule-based understanding for the builder chat: one table per thing it reads."""

from __future__ import annotations

import pytest

from app.services.builder_nlu import extract, meaningful, normalise
from app.services.builder_text import article, intent_phrase, number_words, swap_pronouns

VOICES = [
    {"id": "v-joe", "name": "Joe", "default": True},
    {"id": "v-us", "name": "Classic (US)", "default": False},
    {"id": "v-uk", "name": "Classic (UK)", "default": False},
]


def x(text: str) -> dict:
    return extract(text, VOICES)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("ten minutes", 10),
        ("10 min", 10),
        ("10 mins please", 10),
        ("10", 10),
        ("about 12", 12),
        ("ten", 10),
        ("half an hour", 30),
        ("a half-hour one", 30),
        ("quarter of an hour", 15),
        ("a quarter hour", 15),
        ("an hour", 60),
        ("an hour and a half", 90),
        ("2 hours", 120),
        ("a 5-minute meditation", 5),
        ("a five-minute ritual", 5),
        ("twenty five minutes", 25),
        ("twenty-five minutes", 25),
        ("fifteen minutes", 15),
        ("a couple of minutes", 2),
        ("a few minutes", 3),
        ("1 minute", 1),
        ("just a minute", 1),
        ("90 min", 90),
        ("short", 5),
        ("something short", 5),
        ("a quick one", 5),
        ("long", 20),
        ("a long one please", 20),
        ("make it 0 minutes", 0),
    ],
)
def test_durations(text, minutes):
    assert x(text)["duration"] == minutes


@pytest.mark.parametrize(
    "text",
    ["after a long day at work", "I'm short of breath", "I am calm", "how long is it?", "I have 3 kids", "am I ok"],
)
def test_not_durations(text):
    assert "duration" not in x(text)


@pytest.mark.parametrize(("text", "step"), [("a bit longer", 1), ("make it shorter", -1), ("longer", 1)])
def test_relative_durations(text, step):
    assert x(text)["duration_rel"] == step


def test_no_longer_is_not_a_duration():
    assert "duration_rel" not in x("I no longer sleep well")


@pytest.mark.parametrize(
    ("text", "time"),
    [
        ("tonight", "night"),
        ("at night", "night"),
        ("at bedtime", "night"),
        ("before bed", "night"),
        ("I want to wind down before sleep", "night"),
        ("I can't sleep", "night"),
        ("in the morning", "morning"),
        ("it's for the morning", "morning"),
        ("Start my morning", "morning"),
        ("when I wake up", "morning"),
        ("on my lunch break", "midday"),
        ("at midday", "midday"),
        ("this afternoon", "afternoon"),
        ("after work", "evening"),
        ("this evening", "evening"),
        ("tonight after work", "night"),
    ],
)
def test_times_of_day(text, time):
    assert x(text)["time_of_day"] == time


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("at home", "at home"),
        ("home", "at home"),
        ("on the sofa", "at home"),
        ("on the train", "on the train"),
        ("on the tube", "on the train"),
        ("on the bus", "on the bus"),
        ("in bed", "in bed"),
        ("lying in my bed", "in bed"),
        ("at my desk", "at my desk"),
        ("at work", "at work"),
        ("in the office", "at work"),
        ("on my commute", "on my commute"),
        ("in the car", "in the car"),
        ("on a walk", "outdoors"),
        ("on a plane", "on a plane"),
        ("I'm at home after a long day at work", "at home"),
    ],
)
def test_places(text, place):
    assert x(text)["place"] == place


@pytest.mark.parametrize(
    ("text", "mood"),
    [
        ("anxious", "anxious"),
        ("I've got a lot of anxiety", "anxious"),
        ("tired", "tired"),
        ("feeling really tired", "tired"),
        ("stressed", "stressed"),
        ("so stressed out", "stressed"),
        ("sad", "sad"),
        ("feeling a bit down", "sad"),
        ("excited", "excited"),
        ("Calm my nerves", "nervous"),
        ("I'm exhausted", "exhausted"),
        ("overwhelmed by everything", "overwhelmed"),
        ("I feel good", "content"),
    ],
)
def test_moods(text, mood):
    assert x(text)["mood"] == mood


@pytest.mark.parametrize("text", ["calm my mind", "wind down", "the lights are low", "start the day"])
def test_not_moods(text):
    assert "mood" not in x(text)


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("a meditation", "content_type", "guided_meditation"),
        ("a guided meditation for sleep", "content_type", "guided_meditation"),
        ("help me meditate", "content_type", "guided_meditation"),
        ("affirmations", "content_type", "affirmation"),
        ("an affirmation set", "content_type", "affirmation"),
        ("a ritual", "content_type", "ritual"),
        ("make it an affirmation instead", "content_type", "affirmation"),
        ("a morning routine", "type_hint", "ritual"),
        ("start the day right", "type_hint", "ritual"),
        ("an evening routine", "type_hint", "ritual"),
        ("more confidence", "type_hint", "affirmation"),
        ("my self-worth", "type_hint", "affirmation"),
        ("I am enough", "type_hint", "affirmation"),
    ],
)
def test_types(text, key, value):
    assert x(text)[key] == value


def test_sleep_and_calm_give_no_type_hint():
    for text in ("wind down before sleep", "calm my nerves", "let go of stress", "I am anxious"):
        assert "type_hint" not in x(text)


@pytest.mark.parametrize(
    ("text", "tone"),
    [
        ("warmer", "warm"),
        ("a warm tone", "warm"),
        ("kind", "warm"),
        ("more energising", "energising"),
        ("something upbeat", "energising"),
        ("gentle", "gentle"),
        ("softer please", "gentle"),
        ("grounding", "grounding"),
        ("steady", "grounding"),
    ],
)
def test_tones(text, tone):
    assert x(text)["tone"] == tone


@pytest.mark.parametrize("text", ["kind of tired", "warm up first", "what kind of thing"])
def test_not_tones(text):
    assert "tone" not in x(text)


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("slower", "pace_rel", -1),
        ("a bit slower please", "pace_rel", -1),
        ("slow it down", "pace_rel", -1),
        ("a bit faster", "pace_rel", 1),
        ("speed it up", "pace_rel", 1),
        ("quicker", "pace_rel", 1),
        ("slow", "pace", "slow"),
        ("nice and slowly", "pace", "slow"),
        ("fast", "pace", "fast"),
        ("normal pace", "pace", "normal"),
        ("Normal", "pace", "normal"),
    ],
)
def test_paces(text, key, value):
    assert x(text)[key] == value


@pytest.mark.parametrize(
    ("text", "voice"),
    [
        ("use Joe", "v-joe"),
        ("Joe's voice", "v-joe"),
        ("I'd like joe please", "v-joe"),
        ("the classic voice", "v-us"),
        ("Classic (US)", "v-us"),
        ("classic UK", "v-uk"),
        ("the British classic one", "v-uk"),
        ("Classic (UK)", "v-uk"),
    ],
)
def test_voices_by_name(text, voice):
    assert x(text)["voice_id"] == voice


def test_voice_names_need_whole_words_and_a_list():
    assert "voice_id" not in x("joey and the classics")
    assert "voice_id" not in extract("use Joe", [])


@pytest.mark.parametrize(
    ("text", "intent", "form"),
    [
        ("I want to wind down before sleep", "wind down before sleep", "to"),
        ("Wind down before sleep", "Wind down before sleep", "to"),
        ("Calm my nerves", "Calm my nerves", "to"),
        ("Affirmations for confidence", "confidence", "for"),
        ("something to help me sleep", "sleep", "to"),
        ("help me with stress", "stress", "with"),
        ("I'm anxious about my exam", "I'm anxious about my exam", "when"),
        ("I am enough", "I am enough", "quote"),
        ("a sleep meditation", "sleep", "for"),
        ("Could you make me a meditation about letting go?", "letting go", "about"),
        ("A 10 minute guided meditation for sleep tonight in bed, slow and gentle, in Joe's voice", "sleep", "for"),
        ("I need a new start", "a new start", "for"),
    ],
)
def test_intents(text, intent, form):
    found = x(text)
    assert (found["intent"], found["intent_form"]) == (intent, form)


@pytest.mark.parametrize(
    "text",
    [
        "a meditation",
        "yes",
        "sounds good",
        "skip",
        "change the voice",
        "Create it (1 credit)",
        "start over",
        "10",
        "hi",
    ],
)
def test_no_intent_in_answers_and_commands(text):
    assert "intent" not in x(text)


@pytest.mark.parametrize(
    ("text", "explicit", "intent"),
    [
        ("no, it's about my exam", True, "my exam"),
        ("actually I want to sleep better", True, "sleep better"),
        ("make it about gratitude", True, "gratitude"),
        ("it's for the morning", False, None),
        ("actually make it 5 minutes", False, None),
    ],
)
def test_intent_corrections(text, explicit, intent):
    found = x(text)
    assert found.get("intent_explicit", False) is explicit
    assert found.get("intent") == intent


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("start over", "start_over"),
        ("Let's start again", "start_over"),
        ("go back", "go_back"),
        ("back", "go_back"),
        ("Create it (1 credit)", "confirm"),
        ("create it", "confirm"),
        ("make it", "confirm"),
        ("Change something", "change"),
        ("Save as my usual", "save_prefs"),
        ("save these as my usual choices", "save_prefs"),
        ("remember these for next time", "save_prefs"),
        ("yes", "affirm"),
        ("Yes please!", "affirm"),
        ("sounds good", "affirm"),
        ("perfect", "affirm"),
        ("Keep it as it is", "affirm"),
        ("skip", "decline"),
        ("not really", "decline"),
        ("no", "decline"),
        ("no thanks", "decline"),
        ("not sure", "unsure"),
        ("I don't know", "unsure"),
        ("Make another", "make_another"),
        ("hi", "greeting"),
    ],
)
def test_flags(text, flag):
    assert x(text).get(flag) is True


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("help me reset after a hard day", "start_over"),
        ("I want to go back to sleep", "go_back"),
        ("my back pain", "go_back"),
        ("make it 5 minutes", "confirm"),
        ("yes, but slower", "affirm"),
        ("I want to save money", "save_prefs"),
        ("anything to help me sleep", "unsure"),
    ],
)
def test_flags_that_must_not_fire(text, flag):
    assert flag not in x(text)


@pytest.mark.parametrize(
    ("text", "key", "target"),
    [
        ("change the voice", "change_target", "voice"),
        ("a different voice", "change_target", "voice"),
        ("change the length", "change_target", "duration"),
        ("switch the tone", "change_target", "tone"),
        ("Voice", "target", "voice"),
        ("Length", "target", "duration"),
        ("What it's for", "target", "intent"),
        ("When and where", "target", "context"),
        ("Pace", "target", "pace"),
    ],
)
def test_change_targets(text, key, target):
    assert x(text)[key] == target


@pytest.mark.parametrize(
    ("text", "situation"),
    [
        ("before my exam", "before my exam"),
        ("I have a job interview tomorrow", "a job interview"),
        ("after a long day", "after a long day"),
        ("my presentation", "my presentation"),
    ],
)
def test_situations(text, situation):
    assert x(text)["situation"] == situation


@pytest.mark.parametrize("text", ["what a day", "at work", "I work hard"])
def test_everyday_words_are_not_situations(text):
    assert "situation" not in x(text)


def test_leftover_is_what_was_not_understood():
    assert x("In bed, feeling tired")["leftover"] == ""
    assert x("my cat keeps me company")["leftover"] == "my cat keeps me company"


def test_markup_and_control_characters_never_survive():
    found = x("<b>calm</b>\x00 my \x1b[31mnerves\u202e")
    assert "<" not in found["intent"] and ">" not in found["intent"]
    assert all(ch.isprintable() for ch in found["intent"])


def test_intent_is_capped_at_300_characters_on_a_word_boundary():
    found = x("I want to " + "breathe slowly and " * 40)
    assert len(found["intent"]) <= 300
    assert not found["intent"].endswith(" ")


@pytest.mark.parametrize(
    "text", ["", " ", "🙂", "???", "\x00", "a" * 2000, "ä" * 500, "12345678901234567890", "İİ calm my nerves"]
)
def test_extract_never_raises(text):
    assert isinstance(extract(text, VOICES), dict)


def test_helpers():
    assert normalise("  Sounds GOOD!! ") == "sounds good"
    assert meaningful("the train") and not meaningful("a bit of it")
    assert swap_pronouns("I'm anxious about my exam") == "you're anxious about your exam"
    assert [article(w) for w in ("8-minute", "5-minute", "affirmation set", "11-minute")] == [
        "an 8-minute",
        "a 5-minute",
        "an affirmation set",
        "an 11-minute",
    ]
    assert [number_words(n) for n in (1, 15, 25, 60)] == ["one", "fifteen", "twenty-five", "sixty"]
    assert intent_phrase("Calm my nerves", "to") == "to calm your nerves"
    assert intent_phrase("I'm anxious", "when") == "for when you're anxious"
    assert intent_phrase("I am enough", "quote") == 'built around "I am enough"'
    assert intent_phrase("stress", "with") == "to help with stress"
    assert intent_phrase("morning", "for") == "for the morning"
