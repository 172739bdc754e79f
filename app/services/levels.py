"""Levels: BS.1770 loudness, true peak, a look-ahead limiter and the quiet in speech, in plain numpy.

Plain numpy on purpose: importing scipy.signal and scipy.ndimage would add about 75 MB to every
worker process for the few filters used here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import numpy as np

K_TAPS = 2048  # the K-weighting's impulse response has died away (below 1e-8) well within this
K_FFT = 16_384
TP_FFT = 65_536
TP_CONTEXT = 256  # samples either side of each true-peak block, so block edges interpolate correctly
# A voice's pause at a comma lasts at least about 0.27 s; the quiet it leaves between words and
# before stops (k, t, p) lasts at most about 0.25 s, so only the longest quiet stretches are pauses.
MIN_CLAUSE_GAP = 0.2
_CLAUSE_BREAK = re.compile(r"[,;:](?=\s)|\s[—–]\s")


def _k_weighting_biquads(rate: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """BS.1770's two stages at `rate` (RBJ cookbook forms): a +4 dB shelf above 1.5 kHz, a 38 Hz high pass."""
    w0 = 2 * np.pi * 1500.0 / rate
    gain = 10 ** (4.0 / 40)
    alpha = np.sin(w0) / (2 * (1 / np.sqrt(2)))
    cos, root = np.cos(w0), 2 * np.sqrt(gain) * alpha
    plus, minus = (gain + 1) + (gain - 1) * cos, (gain + 1) - (gain - 1) * cos
    shelf_b = gain * np.array([plus + root, -2 * ((gain - 1) + (gain + 1) * cos), plus - root])
    shelf_a = np.array([minus + root, 2 * ((gain - 1) - (gain + 1) * cos), minus - root])
    w0 = 2 * np.pi * 38.0 / rate
    alpha, cos = np.sin(w0) / (2 * 0.5), np.cos(w0)
    pass_b = np.array([(1 + cos) / 2, -(1 + cos), (1 + cos) / 2])
    pass_a = np.array([1 + alpha, -2 * cos, 1 - alpha])
    return [(shelf_b, shelf_a), (pass_b, pass_a)]


@lru_cache(maxsize=4)
def _k_weighting_spectrum(rate: int) -> np.ndarray:
    """The K-weighting as the spectrum of its (truncated) impulse response, for overlap-save filtering."""
    n = 1 << 16
    z = np.exp(-1j * np.linspace(0.0, np.pi, n // 2 + 1))
    response = np.ones_like(z)
    for b, a in _k_weighting_biquads(rate):
        response *= (b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z)
    return np.fft.rfft(np.fft.irfft(response, n)[:K_TAPS], K_FFT)


class LoudnessMeter:
    """ITU-R BS.1770 integrated loudness, fed block by block so long tracks need little memory."""

    def __init__(self, sample_rate: int) -> None:
        self.rate = sample_rate
        self.spectrum = _k_weighting_spectrum(sample_rate)
        self.history = np.zeros(K_TAPS - 1)
        self.step = int(0.1 * sample_rate)  # 100 ms: blocks of 400 ms overlap by 75 %
        self.pending = np.zeros(0)
        self.steps: list[float] = []  # mean square of each 100 ms step

    def _weigh(self, samples: np.ndarray) -> np.ndarray:
        """The samples K-weighted, by overlap-save FFT convolution."""
        data = np.concatenate([self.history, samples.astype(np.float64)])
        hop = K_FFT - K_TAPS + 1
        out = np.empty(len(samples))
        for begin in range(0, len(samples), hop):
            filtered = np.fft.irfft(np.fft.rfft(data[begin : begin + K_FFT], K_FFT) * self.spectrum, K_FFT)
            count = min(hop, len(samples) - begin)
            out[begin : begin + count] = filtered[K_TAPS - 1 : K_TAPS - 1 + count]
        self.history = data[len(data) - (K_TAPS - 1) :]
        return out

    def feed(self, samples: np.ndarray) -> None:
        data = np.concatenate([self.pending, self._weigh(samples)])
        whole = len(data) // self.step * self.step
        if whole:
            self.steps.extend(np.mean(data[:whole].reshape(-1, self.step) ** 2, axis=1).tolist())
        self.pending = data[whole:]

    def feed_silence(self, count: int) -> None:
        """Feed `count` zeros, filtering only as long as the filter still rings with earlier sound."""
        ringing = min(count, K_TAPS - 1) if self.history.any() else 0
        self.feed(np.zeros(ringing))
        rest = count - ringing
        if len(self.pending) + rest < self.step:
            self.pending = np.concatenate([self.pending, np.zeros(rest)])
            return
        rest -= self.step - len(self.pending)
        self.steps.append(float(np.sum(self.pending**2)) / self.step)
        self.steps.extend([0.0] * (rest // self.step))
        self.pending = np.zeros(rest % self.step)

    def blocks(self) -> np.ndarray:
        """Mean square of each 400 ms block so far (blocks overlap by 75 %)."""
        steps = np.asarray(self.steps)
        if len(steps) < 4:
            return np.zeros(0)
        return (steps[:-3] + steps[1:-2] + steps[2:-1] + steps[3:]) / 4

    def integrated(self) -> float:
        return gated_loudness(self.blocks())


def gated_loudness(blocks: np.ndarray) -> float:
    """BS.1770 integrated loudness of 400 ms blocks' mean squares: gated at -70 LUFS, then 10 LU under."""
    with np.errstate(divide="ignore"):
        loudness = -0.691 + 10 * np.log10(blocks)
    gated = blocks[loudness > -70.0]
    if gated.size == 0:
        return float("-inf")
    relative = -0.691 + 10 * np.log10(np.mean(gated)) - 10.0
    gated = gated[loudness[loudness > -70.0] > relative]
    return float(-0.691 + 10 * np.log10(np.mean(gated)))


def true_peak_db(samples: np.ndarray) -> float:
    """Peak of the 4× oversampled signal (ITU-R BS.1770 true peak, approximately), in dBFS.

    Oversampled by FFT interpolation, block by block, each block with some context either side.
    """
    n = samples.size
    if n == 0:
        return -np.inf
    span = TP_FFT - 2 * TP_CONTEXT
    peak = 0.0
    for begin in range(0, n, span):
        end = min(n, begin + span)
        size = TP_FFT if end - begin == span else 1 << int(np.ceil(np.log2(end - begin + 2 * TP_CONTEXT)))
        lo, hi = max(0, begin - TP_CONTEXT), min(n, end + TP_CONTEXT)
        segment = np.zeros(size, dtype=np.float32)
        segment[TP_CONTEXT - (begin - lo) : TP_CONTEXT + (hi - begin)] = samples[lo:hi]
        oversampled = np.fft.irfft(np.fft.rfft(segment), 4 * size)[4 * TP_CONTEXT : 4 * (TP_CONTEXT + end - begin)]
        peak = max(peak, 4 * float(np.max(np.abs(oversampled))))
    return float(20 * np.log10(max(peak, 1e-12)))


def moving_average(samples: np.ndarray, size: int) -> np.ndarray:
    """Centred running mean (float64); the ends repeat the edge values."""
    padded = np.pad(samples.astype(np.float64), (size // 2, size - 1 - size // 2), mode="edge")
    sums = np.concatenate([[0.0], np.cumsum(padded)])
    return (sums[size:] - sums[:-size]) / size


def moving_max(magnitude: np.ndarray, size: int) -> np.ndarray:
    """Centred running maximum of a non-negative signal (van Herk / Gil-Werman: two block scans)."""
    n, half = len(magnitude), size // 2
    padded = np.zeros(-(-(n + size - 1) // size) * size, dtype=magnitude.dtype)
    padded[half : half + n] = magnitude
    blocks = padded.reshape(-1, size)
    prefix = np.maximum.accumulate(blocks, axis=1).ravel()
    suffix = np.maximum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()
    return np.maximum(suffix[:n], prefix[size - 1 : size - 1 + n])


def limit_peaks(samples: np.ndarray, sample_rate: int, ceiling: float) -> np.ndarray:
    """A look-ahead peak limiter: the gain dips smoothly around anything above `ceiling`."""
    window = max(3, int(0.005 * sample_rate))
    magnitude = np.abs(samples)
    envelope = moving_max(magnitude, 2 * window + 1)
    gain = moving_average(np.minimum(1.0, ceiling / np.maximum(envelope, 1e-9)), window)
    # The smoothed gain already holds every peak under the ceiling; this only guards rounding.
    gain = np.minimum(gain, ceiling / np.maximum(magnitude, 1e-9))
    return (samples * gain).astype(np.float32)


def search_gain(loudness_at: Callable[[float], float], target_lufs: float, gain: float = 1.0) -> float:
    """From `gain`, the gain at which `loudness_at(gain)` comes within 0.15 LU of `target_lufs`.

    Secant steps on loudness against gain in dB: the limiter flattens that curve (the last LU can
    take 3 dB of gain), so the slope is measured rather than assumed.
    """
    slope, last = 1.0, None
    for _ in range(8):
        loudness = loudness_at(gain)
        if not np.isfinite(loudness):
            return gain
        error = target_lufs - loudness
        if abs(error) < 0.15:
            break
        gain_db = 20 * np.log10(gain)
        if last is not None and gain_db != last[0]:
            slope = min(max((loudness - last[1]) / (gain_db - last[0]), 0.1), 1.0)
        last = (gain_db, loudness)
        gain = float(10 ** ((gain_db + min(max(error / slope, -6.0), 6.0)) / 20))
    return gain


def voice_gain(clips: list[np.ndarray], sample_rate: int, target_lufs: float, ceiling: float) -> float:
    """The gain that brings the limited speech (silence excluded) to `target_lufs`."""
    # Each sentence is followed by silence in the track; measuring it that way keeps the
    # 400 ms measuring blocks that straddle speech and silence, exactly as the final file has them.

    def loudness_at(gain: float) -> float:
        meter = LoudnessMeter(sample_rate)
        for clip in clips:
            meter.feed(limit_peaks(clip * gain, sample_rate, ceiling) if gain != 1.0 else clip)
            meter.feed_silence(sample_rate)  # at least as long as any pause between sentences
        return meter.integrated()

    return search_gain(loudness_at, target_lufs)


class LevelModel:
    """How loud all the limited speech so far would be at one gain, without keeping the speech.

    Each sentence's 400 ms blocks are measured at the gain it was levelled with and 1 dB above;
    near those, a block's level in dB follows the gain in dB in a straight line.
    """

    def __init__(self, sample_rate: int, ceiling: float) -> None:
        self.rate, self.ceiling = sample_rate, ceiling
        self.lead = int(0.3 * sample_rate)  # blocks reaching back into silence
        self.tail = sample_rate  # as long as any gap between sentences
        self.gain_db = self.level_db = self.slope = np.zeros(0)  # per audible block

    def add(self, clip: np.ndarray, gain: float, leveled: np.ndarray) -> None:
        """Remember `clip`, which was levelled at `gain` (then limited) into `leveled`."""
        with np.errstate(divide="ignore"):
            level = 10 * np.log10(self._blocks(leveled))
            above = 10 * np.log10(self._blocks(limit_peaks(clip * (gain * 10 ** (1 / 20)), self.rate, self.ceiling)))
        audible = np.isfinite(level) & np.isfinite(above)
        self.gain_db = np.concatenate([self.gain_db, np.full(int(audible.sum()), 20 * np.log10(gain))])
        self.level_db = np.concatenate([self.level_db, level[audible]])
        self.slope = np.concatenate([self.slope, above[audible] - level[audible]])

    def loudness(self, gain: float) -> float:
        """The integrated loudness all the speech so far would have, levelled at `gain`."""
        return gated_loudness(10 ** ((self.level_db + self.slope * (20 * np.log10(gain) - self.gain_db)) / 10))

    def _blocks(self, leveled: np.ndarray) -> np.ndarray:
        meter = LoudnessMeter(self.rate)
        meter.feed_silence(self.lead)
        meter.feed(leveled)
        meter.feed_silence(self.tail)
        return meter.blocks()


def trim_silence(samples: np.ndarray, sample_rate: int, threshold: float = 0.004, margin: float = 0.05) -> np.ndarray:
    """Drop the quiet the voice model puts before and after a passage (keeping a short margin)."""
    loud = np.flatnonzero(np.abs(samples) > threshold)
    if loud.size == 0:
        return samples[:0]
    pad = int(margin * sample_rate)
    return samples[max(0, loud[0] - pad) : min(len(samples), loud[-1] + pad)]


def clause_breaks(sentence: str) -> int:
    """How many pauses a voice makes inside a sentence: one at each comma, colon, semicolon or dash."""
    return len(_CLAUSE_BREAK.findall(sentence))


def stretch_clause_pauses(
    samples: np.ndarray, sample_rate: int, extra: float, breaks: int, min_gap: float = MIN_CLAUSE_GAP
) -> np.ndarray:
    """Lengthen the pauses a voice leaves at a sentence's clause breaks, so phrases have room to land.

    Only the `breaks` longest quiet stretches are lengthened: a voice also falls quiet for a moment
    between many words and before stops (k, t, p), and stretching those would break up the words.
    """
    if extra <= 0 or breaks <= 0 or samples.size == 0:
        return samples
    window = int(0.01 * sample_rate)
    rms = np.sqrt(np.maximum(moving_average(samples.astype(np.float64) ** 2, window), 0.0))  # no rounding below 0
    quiet = rms < 0.01
    edges = np.flatnonzero(np.diff(quiet.astype(np.int8)))
    starts = edges[quiet[edges + 1]] + 1 if edges.size else np.array([], dtype=int)
    ends = edges[~quiet[edges + 1]] + 1 if edges.size else np.array([], dtype=int)
    gaps = []  # (length, middle) of each quiet stretch inside the speech
    for start in starts:
        following = ends[ends > start]
        if following.size and (following[0] - start) >= min_gap * sample_rate:
            gaps.append((following[0] - start, (start + following[0]) // 2))
    cuts = sorted(middle for _, middle in sorted(gaps, reverse=True)[:breaks])
    if not cuts:
        return samples
    gap = np.zeros(int(extra * sample_rate), dtype=samples.dtype)
    pieces = []
    previous = 0
    for cut in cuts:
        pieces.extend([samples[previous:cut], gap])
        previous = cut
    pieces.append(samples[previous:])
    return np.concatenate(pieces)
