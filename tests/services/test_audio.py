"""Audio rendering, measured on the decoded MP3: real silences, duration, loudness, no clipping."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import soundfile as sf

from app.providers.llm.base import Script, Section, Segment
from app.providers.tts.base import TTSError
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


def _render(path, script=None, voice=None, *, pace="normal", target_seconds=60, with_bells=False):
    return audio.render(
        script or _script(),
        voice or ToneVoice(),
        path,
        voice_id="x",
        pace=pace,
        target_seconds=target_seconds,
        with_bells=with_bells,
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    voice = ToneVoice()
    path = tmp_path_factory.mktemp("audio") / "track.mp3"
    track = _render(path, voice=voice)
    data, rate = sf.read(path, dtype="float32")
    return track, path, data, rate, voice


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
    track, *_ = rendered
    assert abs(track.metrics["integrated_lufs"] - audio.TARGET_LUFS) <= 1.0
    assert track.metrics["true_peak_dbfs"] <= audio.TRUE_PEAK_TARGET_DB


def test_measured_file_levels(rendered):
    track, path, data, _, _ = rendered
    measured = audio.measure(path)
    assert abs(measured["integrated_lufs"] - track.metrics["integrated_lufs"]) <= 0.1
    assert measured["true_peak_dbfs"] <= audio.TRUE_PEAK_CEILING_DB
    assert np.abs(data).max() < 1.0  # never clipped


def _rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


def test_bells_ring_at_start_and_end_but_not_on_sleep_practices(tmp_path):
    _render(tmp_path / "bells.mp3", with_bells=True)
    _render(tmp_path / "sleep.mp3", with_bells=False)
    bells, _ = sf.read(tmp_path / "bells.mp3", dtype="float32")
    sleep, _ = sf.read(tmp_path / "sleep.mp3", dtype="float32")
    # The first second holds no speech; the closing bell rings in the closing silence (15 s here).
    opening, closing = slice(0, RATE), slice(-6 * RATE, -3 * RATE)
    assert _rms(bells[opening]) > 0.005 and _rms(bells[closing]) > 0.005
    assert _rms(sleep[opening]) < 1e-4 and _rms(sleep[closing]) < 1e-4


def test_slower_pace_means_longer_sentence_pauses(tmp_path):
    slow = _render(tmp_path / "slow.mp3", pace="slow")
    fast = _render(tmp_path / "fast.mp3", pace="fast")
    assert slow.metrics["speech_wpm"] < fast.metrics["speech_wpm"]


def _tone(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (0.5 * np.sin(2 * np.pi * 200 * t)).astype(np.float32)


def _quiet(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), np.float32)


def test_clause_pauses_are_stretched():
    phrase = np.concatenate([_tone(0.5), _quiet(0.35), _tone(0.5)])
    stretched = audio.stretch_clause_pauses(phrase, RATE, 0.3, breaks=1)
    assert len(stretched) == len(phrase) + int(0.3 * RATE)
    assert audio.clause_breaks("Inhale, and let it go.") == 1
    assert audio.clause_breaks("Silently, tell yourself: I can rest — now.") == 3
    assert audio.clause_breaks("Let your shoulders drop away from your ears.") == 0


def test_only_the_pauses_at_clause_breaks_are_stretched():
    # A comma's pause, and the brief quiet a voice leaves between words and before stops.
    sentence = [_tone(0.4), _quiet(0.12), _tone(0.3), _quiet(0.4), _tone(0.3), _quiet(0.18), _tone(0.4)]
    sentence = np.concatenate(sentence)
    assert len(audio.stretch_clause_pauses(sentence, RATE, 0.3, breaks=0)) == len(sentence)
    stretched = audio.stretch_clause_pauses(sentence, RATE, 0.3, breaks=1)
    assert len(stretched) == len(sentence) + int(0.3 * RATE)
    runs = _silent_runs(stretched, minimum=0.05)
    assert runs == pytest.approx([0.12, 0.7, 0.18], abs=0.02)
    # No pause where the voice made none, even if the text has more commas than the voice paused at.
    assert len(audio.stretch_clause_pauses(sentence, RATE, 0.3, breaks=3)) == len(sentence) + int(0.3 * RATE)


class UnevenVoice(ToneVoice):
    """Reads some sentences briskly and lingers on others, as a real voice does."""

    def synthesize(self, text: str, *, voice_id: str, pace: str) -> np.ndarray:
        self.calls.append(text)
        per_word = 0.28 if len(self.calls) % 3 else 0.5
        return _tone(per_word * len(text.split()))


@pytest.mark.parametrize("pace", ["slow", "normal", "fast"])
def test_the_breaths_between_sentences_keep_the_narration_at_its_pace(tmp_path, pace):
    lines = [
        "Settle in. Let your shoulders soften and your hands rest. Breathe.",
        "Notice the weight of your body on the floor beneath you. Let it be held. Rest here.",
    ]
    script = Script(
        "Pace", [Section(f"part {n}", [Segment(lines[n % 2], 5.0), Segment(lines[(n + 1) % 2], 6.0)]) for n in range(3)]
    )
    track = _render(tmp_path / f"{pace}.mp3", script, UnevenVoice(), pace=pace, target_seconds=120)
    assert track.metrics["speech_wpm"] == pytest.approx(audio.NARRATION_WPM[pace], rel=0.03)
    assert abs(track.duration - 120) < 0.1  # the pauses still count the breaths exactly


def test_the_encoder_is_fed_in_bounded_chunks(tmp_path, monkeypatch):
    sizes = []
    write = sf.SoundFile.write

    def recording(self, data):
        sizes.append(len(data))
        return write(self, data)

    monkeypatch.setattr(sf.SoundFile, "write", recording)
    track = _render(tmp_path / "chunks.mp3", with_bells=True)
    assert max(sizes) <= audio.CHUNK_FRAMES
    assert sum(sizes) == track.total_samples


class VaryingVoice(ToneVoice):
    """A voice whose level drifts from sentence to sentence, as a real one does."""

    def synthesize(self, text: str, *, voice_id: str, pace: str) -> np.ndarray:
        level = 0.5 + 0.4 * np.sin(len(self.calls))
        return super().synthesize(text, voice_id=voice_id, pace=pace) * level


def _long_script() -> Script:
    """About two minutes of speech, well past what the level settles on before streaming."""
    lines = [
        "Let the breath move slowly through the body and settle. Feel the weight of your hands.",
        "Notice the air as it comes in and goes out again. Nothing needs to change right now.",
    ]
    return Script(
        "Long",
        [Section(f"part {n}", [Segment(lines[n % 2], 6.0), Segment(lines[(n + 1) % 2], 9.0)]) for n in range(8)],
        closing_silence=20.0,
    )


def test_a_long_practice_is_levelled_and_timed_as_a_whole(tmp_path):
    voice = VaryingVoice()
    track = _render(tmp_path / "long.mp3", _long_script(), voice, target_seconds=300, with_bells=True)
    assert track.speech_seconds > 3 * audio.SETTLE_SECONDS
    assert abs(track.duration - 300) < 0.1  # each pause corrects the estimate; the last is exact
    measured = audio.measure(tmp_path / "long.mp3")
    assert abs(measured["duration"] - track.duration) < 0.1
    assert abs(measured["integrated_lufs"] - audio.TARGET_LUFS) <= 0.5
    assert measured["true_peak_dbfs"] <= audio.TRUE_PEAK_CEILING_DB
    starts = [section["start"] for section in track.sections]
    assert starts == sorted(starts) and [s["end"] for s in track.sections][:-1] == starts[1:]
    assert 1.0 <= track.metrics["pause_scale"] <= 2.5


def _mixers() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "audio-mixer"]


def test_a_voice_failure_stops_the_mix(tmp_path):
    class Failing(ToneVoice):
        def synthesize(self, text: str, *, voice_id: str, pace: str) -> np.ndarray:
            if len(self.calls) == 3:
                raise TTSError("refused")
            return super().synthesize(text, voice_id=voice_id, pace=pace)

    with pytest.raises(TTSError, match="refused"):
        _render(tmp_path / "failed.mp3", voice=Failing())
    assert not _mixers()


def test_an_encoder_failure_is_raised(tmp_path):
    with pytest.raises(sf.LibsndfileError):
        _render(tmp_path / "missing" / "track.mp3")
    assert not _mixers()
