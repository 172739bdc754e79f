"""Audio assembly, measured on the decoded MP3: real silences, duration, loudness, no clipping."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from app.providers.llm.base import Script, Section, Segment
from app.services import audio

RATE = 22050


class ToneVoice:
    """A stand-in voice: 0.3 s of modulated tone per word, so timings are exactly predictable."""

    name = "tone"
    sample_rate = RATE

    def __init__(self) -> None:
        self.calls: list[str] = []

    def synthesize(self, text: str, *, voice_id: str, pace: str) -> np.ndarray:
        self.calls.append(text)
        words = len(text.split())
        t = np.arange(int(0.3 * RATE * words)) / RATE
        envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 3.3 * t) ** 2
        return (0.6 * envelope * np.sin(2 * np.pi * 180 * t)).astype(np.float32)


def _script() -> Script:
    return Script(
        "Test",
        [
            Section("arrival", [Segment("Welcome here. Let your body settle.", 5.0)]),
            Section("breath", [Segment("Breathe in slowly.", 8.0), Segment("And let it go.", 8.0)]),
            Section("closing", [Segment("Come back gently.", 4.0)]),
        ],
        closing_silence=15.0,
    )


def _silent_runs(samples: np.ndarray, minimum: float) -> list[float]:
    """Lengths (s) of the stretches below -60 dBFS that last at least `minimum` seconds."""
    quiet = np.abs(samples) < 10 ** (-60 / 20)
    runs, length = [], 0
    for flag in quiet:
        if flag:
            length += 1
        else:
            if length >= minimum * RATE:
                runs.append(length / RATE)
            length = 0
    if length >= minimum * RATE:
        runs.append(length / RATE)
    return runs


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    voice = ToneVoice()
    track = audio.assemble(_script(), voice, voice_id="x", pace="normal", target_seconds=60, with_bells=False)
    path = tmp_path_factory.mktemp("audio") / "track.mp3"
    levels = audio.encode(track, path)
    data, rate = sf.read(path, dtype="float32")
    return track, levels, data, rate, voice


def test_each_sentence_is_voiced_separately(rendered):
    *_, voice = rendered
    assert voice.calls == [
        "Welcome here.",
        "Let your body settle.",
        "Breathe in slowly.",
        "And let it go.",
        "Come back gently.",
    ]


def test_duration_matches_the_request_and_the_file(rendered):
    track, _, data, rate, _ = rendered
    assert rate == RATE
    assert abs(len(data) / rate - track.duration) < 0.2  # MP3 frames pad a little
    assert abs(track.duration - 60) <= 6  # within ±10 % of the requested minute


def test_pauses_are_real_silence_in_the_decoded_file(rendered):
    _, _, data, _, _ = rendered
    runs = _silent_runs(data, minimum=2.5)
    # lead-in, after arrival, after each breath, closing silence (≥ 3 s each, the closing one longest)
    assert len(runs) >= 4, runs
    assert all(run >= 2.5 for run in runs)
    assert max(runs) >= 14.0  # the closing silence
    breath_pauses = sorted(runs)[-3:-1]
    assert all(run >= 6.0 for run in breath_pauses), runs


def test_section_start_times_follow_the_audio(rendered):
    track, _, data, rate, _ = rendered
    names = [s["name"] for s in track.sections]
    assert names == ["arrival", "breath", "closing"]
    starts = [s["start"] for s in track.sections]
    assert starts == sorted(starts) and starts[0] >= 1.0
    for section in track.sections:
        start = int(section["start"] * rate)
        window = data[start : start + int(0.5 * rate)]
        assert np.abs(window).max() > 0.05, f"no voice at the start of {section['name']}"


def test_loudness_and_true_peak_of_what_was_encoded(rendered):
    track, levels, _, _, _ = rendered
    assert abs(levels["integrated_lufs"] - audio.TARGET_LUFS) <= 1.0
    assert track.metrics["true_peak_dbfs"] <= -1.0


def test_measured_file_levels(rendered, tmp_path_factory):
    track, _, data, _, _ = rendered
    path = tmp_path_factory.mktemp("again") / "again.mp3"
    audio.encode(track, path)
    measured = audio.measure(path)
    assert abs(measured["integrated_lufs"] - audio.TARGET_LUFS) <= 1.0
    assert measured["true_peak_dbfs"] <= -0.8  # MP3 coding may add a little overshoot
    assert np.abs(data).max() < 1.0  # never clipped


def test_bells_ring_at_start_and_end_but_not_on_sleep_practices():
    voice = ToneVoice()
    with_bells = audio.assemble(_script(), voice, voice_id="x", pace="normal", target_seconds=60, with_bells=True)
    without = audio.assemble(_script(), voice, voice_id="x", pace="normal", target_seconds=60, with_bells=False)
    assert len(with_bells.clips) == len(without.clips) + 2
    first, last = with_bells.clips[0], max(with_bells.clips, key=lambda c: c.start)
    assert first.start < RATE  # within the first second
    assert last.start + len(last.samples) == with_bells.total_samples


def test_slower_pace_means_longer_sentence_pauses():
    voice = ToneVoice()
    slow = audio.assemble(_script(), voice, voice_id="x", pace="slow", target_seconds=60, with_bells=False)
    fast = audio.assemble(_script(), voice, voice_id="x", pace="fast", target_seconds=60, with_bells=False)
    assert slow.metrics["speech_wpm"] < fast.metrics["speech_wpm"]


def test_limiter_holds_peaks_under_the_ceiling():
    t = np.arange(RATE) / RATE
    loud = (1.6 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    limited = audio.limit_peaks(loud, RATE, 0.8)
    assert np.abs(limited).max() <= 0.8 + 1e-6


def test_clause_pauses_are_stretched():
    t = np.arange(int(0.5 * RATE)) / RATE
    tone = (0.5 * np.sin(2 * np.pi * 200 * t)).astype(np.float32)
    phrase = np.concatenate([tone, np.zeros(int(0.15 * RATE), np.float32), tone])
    stretched = audio.stretch_clause_pauses(phrase, RATE, 0.3)
    assert len(stretched) == len(phrase) + int(0.3 * RATE)


def test_frames_are_streamed_in_bounded_chunks():
    voice = ToneVoice()
    track = audio.assemble(_script(), voice, voice_id="x", pace="normal", target_seconds=60, with_bells=True)
    chunks = list(track.frames())
    assert max(len(c) for c in chunks) <= audio.CHUNK_FRAMES
    assert sum(len(c) for c in chunks) == track.total_samples
