"""Background beds: seamless loops at a quiet level, mixed well under the voice on download."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from app.services import beds
from app.services.practice_spec import PracticeSpec

RATE = beds.RATE


SEAM_TOLERANCE = RATE // 1000  # samples: an MP3 may decode at most 1 ms longer or shorter than the Ogg


def _seam_is_smooth(samples: np.ndarray) -> bool:
    """The jump from the last sample to the first is no bigger than ordinary sample steps."""
    steps = np.abs(np.diff(samples))
    return abs(float(samples[0] - samples[-1])) <= np.percentile(steps, 99.9)


def _lag(decoded: np.ndarray, reference: np.ndarray, search: int = 600) -> int:
    """How many samples `decoded` runs late against `reference` (an encoder's priming would show here).

    The search stays under half the drone's 802-sample period, where it would match itself.
    """
    window = reference[4000 : 4000 + 4410]
    errors = [
        float(np.sum((decoded[4000 + k : 4000 + k + len(window)] - window) ** 2)) for k in range(-search, search + 1)
    ]
    return int(np.argmin(errors)) - search


@pytest.mark.parametrize("ext", beds.FORMATS)
@pytest.mark.parametrize("name", list(beds.BEDS))
def test_shipped_loops_match_the_generator_and_loop_seamlessly(name, ext):
    shipped, rate = sf.read(beds.bed_path(name, ext), dtype="float32")
    assert rate == RATE and len(shipped) == beds.LOOP_SECONDS * RATE
    rms_db = 20 * np.log10(np.sqrt(np.mean(shipped**2)))
    assert -27 < rms_db < -21
    assert _seam_is_smooth(shipped)
    loop = beds.make_loop(name)
    assert _seam_is_smooth(loop)
    assert abs(20 * np.log10(np.sqrt(np.mean(loop**2))) - rms_db) < 1.0  # the shipped file is this loop
    assert _lag(shipped, loop) == 0


def test_make_beds_writes_ogg_and_mp3_of_the_same_length(tmp_path, monkeypatch):
    made = {}
    real = beds.make_loop
    monkeypatch.setattr(beds, "LOOP_SECONDS", 10)  # a shorter loop keeps the test quick; same code path
    monkeypatch.setattr(beds, "make_loop", lambda name: made.setdefault(name, real(name)))
    paths = beds.write_all(tmp_path)
    assert sorted(p.name for p in paths) == sorted(f"{n}.{ext}" for n in beds.BEDS for ext in ("ogg", "mp3"))
    for name, loop in made.items():
        ogg, ogg_rate = sf.read(tmp_path / f"{name}.ogg", dtype="float32")
        mp3, mp3_rate = sf.read(tmp_path / f"{name}.mp3", dtype="float32")
        assert sf.info(str(tmp_path / f"{name}.mp3")).format == "MP3" and mp3_rate == ogg_rate == RATE
        assert sf.info(str(tmp_path / f"{name}.mp3")).channels == 1
        # no encoder padding: the MP3 has the loop's length and starts on its first sample, so it wraps cleanly
        assert len(ogg) == len(loop) == 10 * RATE
        assert abs(len(mp3) - len(ogg)) <= SEAM_TOLERANCE
        assert _lag(mp3, loop) == 0 and _seam_is_smooth(mp3)
        assert (tmp_path / f"{name}.mp3").stat().st_size < 100_000  # about 60 kbit/s at most


def test_beds_suit_the_practice():
    base = {"content_type": "guided_meditation", "intent": "rest", "duration_minutes": 5}
    assert beds.choose_bed(PracticeSpec.from_dict({**base, "focus": "sleep"})) == "ocean"
    assert beds.choose_bed(PracticeSpec.from_dict({**base, "tone": "grounding"})) == "drone"
    assert beds.choose_bed(PracticeSpec.from_dict({**base, "tone": "energising"})) == "forest"
    assert beds.choose_bed(PracticeSpec.from_dict(base)) == "rain"


def test_download_mix_keeps_the_bed_at_least_15_db_under_the_voice(tmp_path):
    t = np.arange(20 * RATE) / RATE
    voice = np.zeros_like(t, dtype=np.float32)
    speaking = (t > 5) & (t < 12)
    voice[speaking] = (0.2 * np.sin(2 * np.pi * 200 * t[speaking])).astype(np.float32)
    source = tmp_path / "voice.mp3"
    sf.write(source, voice, RATE, format="MP3", subtype="MPEG_LAYER_III")
    mixed_path = tmp_path / "mixed.mp3"
    beds.mix_under(source, "rain", mixed_path)
    mixed, rate = sf.read(mixed_path, dtype="float32")
    assert rate == RATE and abs(len(mixed) - len(voice)) < RATE // 10
    bed_only = mixed[int(2.5 * RATE) : int(4.5 * RATE)]
    voice_part = mixed[int(6 * RATE) : int(11 * RATE)]
    gap_db = 20 * np.log10(np.sqrt(np.mean(voice_part**2)) / np.sqrt(np.mean(bed_only**2)))
    assert gap_db >= 15, gap_db
    assert np.sqrt(np.mean(bed_only**2)) > 1e-4  # the bed is really there
