"""Levels in plain numpy: loudness as pyloudnorm measures it, true peak, the limiter, the level model."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest

from app.services import levels

RATE = 22050


def _speechlike(seconds: float, seed: int = 0) -> np.ndarray:
    """Noise with a syllable-rate envelope and gaps: loud and quiet blocks, as speech has."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    envelope = np.clip(np.sin(2 * np.pi * 0.7 * t), 0, None) * (0.5 + 0.5 * np.sin(2 * np.pi * 4 * t) ** 2)
    return (0.3 * envelope * rng.standard_normal(t.size)).astype(np.float32)


@pytest.mark.parametrize("seconds", [3.0, 40.0])
def test_integrated_loudness_matches_pyloudnorm(seconds):
    samples = _speechlike(seconds)
    meter = levels.LoudnessMeter(RATE)
    for begin in range(0, samples.size, 10_000):  # fed in pieces, as the track is
        meter.feed(samples[begin : begin + 10_000])
    expected = pyloudnorm.Meter(RATE).integrated_loudness(samples.astype(np.float64))
    assert meter.integrated() == pytest.approx(expected, abs=0.02)


def test_true_peak_finds_peaks_between_samples():
    t = np.arange(RATE) / RATE
    tone = (0.5 * np.sin(2 * np.pi * (RATE / 4) * t + np.pi / 4)).astype(np.float32)  # samples miss the crests
    assert 20 * np.log10(np.abs(tone).max()) == pytest.approx(-9.03, abs=0.05)
    assert levels.true_peak_db(tone) == pytest.approx(20 * np.log10(0.5), abs=0.1)


def test_true_peak_is_the_same_across_block_edges():
    t = np.arange(10 * RATE) / RATE
    samples = 0.1 * np.sin(2 * np.pi * 300 * t) + 0.05 * np.sin(2 * np.pi * 2100 * t)
    edge = levels.TP_FFT - 2 * levels.TP_CONTEXT - 3  # the loudest moment sits just before the first block edge
    offset = np.arange(-200, 200) + 0.4  # a band-limited click whose crest falls between samples
    samples[edge - 200 : edge + 200] += 0.7 * np.sinc(offset / 3) * np.hanning(400)
    whole = levels.true_peak_db(samples.astype(np.float32))
    around = levels.true_peak_db(samples[edge - 2000 : edge + 2000].astype(np.float32))
    assert whole == pytest.approx(around, abs=0.01)
    assert whole > 20 * np.log10(np.abs(samples).max()) + 0.05


def test_running_max_and_mean_match_the_direct_ones():
    rng = np.random.default_rng(1)
    x = np.abs(rng.standard_normal(1000)).astype(np.float32)
    for size in (3, 11, 221):
        half = size // 2
        padded = np.pad(x, half)
        assert np.array_equal(levels.moving_max(x, size), [padded[i : i + size].max() for i in range(x.size)])
        edged = np.pad(x.astype(np.float64), (half, size - 1 - half), mode="edge")
        assert np.allclose(levels.moving_average(x, size), [edged[i : i + size].mean() for i in range(x.size)])


def test_limiter_holds_peaks_under_the_ceiling():
    t = np.arange(RATE) / RATE
    loud = (1.6 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    limited = levels.limit_peaks(loud, RATE, 0.8)
    assert np.abs(limited).max() <= 0.8 + 1e-6


def test_search_gain_reaches_the_target_through_a_flattening_limiter():
    def loudness_at(gain: float) -> float:  # 1 LU per dB at first, 0.2 LU per dB above -20 LUFS
        unlimited = -30.0 + 20 * np.log10(gain)
        return unlimited if unlimited < -20 else -20 + 0.2 * (unlimited + 20)

    gain = levels.search_gain(loudness_at, -16.0)
    assert abs(loudness_at(gain) + 16.0) < 0.15


def test_the_level_model_predicts_the_loudness_of_all_the_speech():
    ceiling = 10 ** (-3 / 20)
    clips = [_speechlike(4.0, seed) * (1.0 + seed / 4) for seed in range(6)]
    model = levels.LevelModel(RATE, ceiling)
    for n, clip in enumerate(clips):
        gain = 2.0 + 0.1 * n  # each sentence was levelled at a slightly different gain
        model.add(clip, gain, levels.limit_peaks(clip * gain, RATE, ceiling))
    for gain in (2.0, 2.4):
        meter = levels.LoudnessMeter(RATE)
        for clip in clips:
            for part in (np.zeros(int(0.3 * RATE)), levels.limit_peaks(clip * gain, RATE, ceiling), np.zeros(RATE)):
                meter.feed(part)
        assert model.loudness(gain) == pytest.approx(meter.integrated(), abs=0.1)


def test_feeding_silence_counts_as_feeding_zeros():
    sound = _speechlike(1.3)
    plain, quick = levels.LoudnessMeter(RATE), levels.LoudnessMeter(RATE)
    for count in (700, 30_000, 5, 2205):  # silence after sound, then after silence, in odd sizes
        for meter in (plain, quick):
            meter.feed(sound)
        plain.feed(np.zeros(count, dtype=np.float32))
        quick.feed_silence(count)
        quick.feed_silence(count)
        plain.feed(np.zeros(count, dtype=np.float32))
    assert np.allclose(plain.steps, quick.steps, rtol=1e-9, atol=1e-15)
    assert len(plain.pending) == len(quick.pending)
