"""Background beds: seamless loops at a quiet level, mixed well under the voice on download."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from app.services import beds
from app.services.practice_spec import PracticeSpec

RATE = beds.RATE


@pytest.mark.parametrize("name", list(beds.BEDS))
def test_shipped_loops_match_the_generator_and_loop_seamlessly(name):
    shipped, rate = sf.read(beds.bed_path(name), dtype="float32")
    assert rate == RATE and len(shipped) == beds.LOOP_SECONDS * RATE
    rms_db = 20 * np.log10(np.sqrt(np.mean(shipped**2)))
    assert -27 < rms_db < -21
    loop = beds.make_loop(name)
    # the seam: the jump from the last sample to the first is no bigger than ordinary sample steps
    steps = np.abs(np.diff(loop))
    assert abs(float(loop[0] - loop[-1])) <= np.percentile(steps, 99.9)
    assert abs(20 * np.log10(np.sqrt(np.mean(loop**2))) - rms_db) < 1.0  # the shipped file is this loop


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
