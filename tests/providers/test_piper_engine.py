"""The embedded Piper voice: long sentences are voiced in phrases, split where the punctuation allows."""

from __future__ import annotations

import numpy as np

from app.providers.tts.piper_engine import PHRASE_JOIN, PiperEngine, phrases


def test_short_sentences_are_voiced_whole():
    sentence = "Let your shoulders soften, and let the breath slow down."
    assert phrases(sentence) == [sentence]


def test_long_sentences_are_split_at_clause_punctuation_into_whole_clauses():
    sentence = "Notice where you feel the breath most clearly: at the nostrils, in the chest, or in the belly."
    parts = phrases(sentence)
    assert parts == [
        "Notice where you feel the breath most clearly:",
        "at the nostrils, in the chest, or in the belly.",
    ]
    assert " ".join(parts) == sentence


def test_a_sentence_with_many_breaks_counts_as_long():
    sentence = "Notice the spaces: between breaths, between sounds, between thoughts."  # few words, long to say
    assert phrases(sentence) == ["Notice the spaces: between breaths,", "between sounds, between thoughts."]


def test_a_long_sentence_without_a_break_stays_whole():
    sentence = "What kind word would you offer a friend who wanted to let go of a long and stressful day?"
    assert phrases(sentence) == [sentence]


def test_phrases_are_joined_with_a_short_pause():
    engine = PiperEngine()
    sentence = "Let your awareness widen, from the breath to the body, and from the body to the space around you."
    first, rest = phrases(sentence)
    whole = engine.synthesize(sentence)
    parts = [engine.synthesize(part) for part in (first, rest)]
    join = int(PHRASE_JOIN * engine.sample_rate)
    # Durations vary a little from one synthesis to the next; the join itself is exact silence.
    assert abs(len(whole) - (len(parts[0]) + join + len(parts[1]))) < 0.1 * len(whole)
    quiet = np.flatnonzero(np.abs(whole) < 1e-4)
    assert quiet.size >= join
