"""Audio assembly: voice each passage, lay real silence between them, level, and encode.

Memory stays flat for long tracks: passages are kept as int16 clips, silence is never stored,
and the encoder is fed in 64k-frame chunks.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf
from pyloudnorm.iirfilter import IIRfilter
from scipy.ndimage import maximum_filter1d, uniform_filter1d
from scipy.signal import lfilter, lfilter_zi, resample_poly

from app.providers.llm.base import Script
from app.providers.tts.base import TTSEngine

log = logging.getLogger(__name__)

TARGET_LUFS = -16.0
TRUE_PEAK_CEILING_DB = -1.0
TRUE_PEAK_TARGET_DB = TRUE_PEAK_CEILING_DB - 1.5  # MP3 coding can add over 1 dB of overshoot
CHUNK_FRAMES = 65_536
# Silence after each sentence, and extra silence stretched into each comma-length pause, by pace (s).
# With Piper's length scales this puts speech at about 108 (slow), 118 (normal) and 129 (fast)
# words a minute, counting the pause after each sentence.
SENTENCE_GAP = {"slow": 0.85, "normal": 0.8, "fast": 0.7}
CLAUSE_STRETCH = {"slow": 0.3, "normal": 0.2, "fast": 0.15}
MIN_PAUSE = 3.0
LEAD_IN = 1.5  # seconds before the first word (3 s when a bell rings first)
BELL_SECONDS = 6.0
BELL_LEAD_IN = 3.0
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


@dataclass
class Clip:
    start: int  # sample index
    samples: np.ndarray  # int16


@dataclass
class AssembledAudio:
    sample_rate: int
    total_samples: int
    clips: list[Clip]
    sections: list[dict]
    speech_seconds: float
    words: int
    metrics: dict = field(default_factory=dict)

    @property
    def duration(self) -> float:
        return self.total_samples / self.sample_rate

    def frames(self, fade_in: float = 1.0, fade_out: float = 3.0) -> Iterator[np.ndarray]:
        """The whole track as float32 chunks, silence included, with fades at both ends."""
        sr = self.sample_rate
        fade_in_n, fade_out_n = int(fade_in * sr), int(fade_out * sr)
        clips = sorted(self.clips, key=lambda c: c.start)
        index = 0
        for begin in range(0, self.total_samples, CHUNK_FRAMES):
            end = min(begin + CHUNK_FRAMES, self.total_samples)
            chunk = np.zeros(end - begin, dtype=np.float32)
            while index < len(clips) and clips[index].start + len(clips[index].samples) <= begin:
                index += 1
            j = index
            while j < len(clips) and clips[j].start < end:
                clip = clips[j]
                lo, hi = max(begin, clip.start), min(end, clip.start + len(clip.samples))
                if hi > lo:
                    chunk[lo - begin : hi - begin] += clip.samples[lo - clip.start : hi - clip.start] / 32768.0
                j += 1
            positions = np.arange(begin, end)
            if begin < fade_in_n:
                chunk *= np.clip(positions / max(fade_in_n, 1), 0.0, 1.0)
            if end > self.total_samples - fade_out_n:
                chunk *= np.clip((self.total_samples - positions) / max(fade_out_n, 1), 0.0, 1.0)
            yield chunk


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def trim_silence(samples: np.ndarray, sample_rate: int, threshold: float = 0.004, margin: float = 0.05) -> np.ndarray:
    """Drop the quiet the voice model puts before and after a passage (keeping a short margin)."""
    loud = np.flatnonzero(np.abs(samples) > threshold)
    if loud.size == 0:
        return samples[:0]
    pad = int(margin * sample_rate)
    return samples[max(0, loud[0] - pad) : min(len(samples), loud[-1] + pad)]


def stretch_clause_pauses(samples: np.ndarray, sample_rate: int, extra: float, min_gap: float = 0.09) -> np.ndarray:
    """Lengthen the short silences a voice leaves at commas, so phrases have room to land."""
    if extra <= 0 or samples.size == 0:
        return samples
    window = int(0.01 * sample_rate)
    rms = np.sqrt(uniform_filter1d(samples.astype(np.float64) ** 2, size=window))
    quiet = rms < 0.01
    edges = np.flatnonzero(np.diff(quiet.astype(np.int8)))
    starts = edges[quiet[edges + 1]] + 1 if edges.size else np.array([], dtype=int)
    ends = edges[~quiet[edges + 1]] + 1 if edges.size else np.array([], dtype=int)
    cuts = []
    for start in starts:
        following = ends[ends > start]
        if following.size and (following[0] - start) >= min_gap * sample_rate:
            cuts.append((start + following[0]) // 2)
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


def bell(sample_rate: int, seconds: float = BELL_SECONDS, pitch: float = 432.0, level_db: float = -22.0) -> np.ndarray:
    """A soft singing-bowl tone: inharmonic partials with a slow exponential decay."""
    t = np.arange(int(seconds * sample_rate), dtype=np.float32) / sample_rate
    partials = [(1.0, 1.0, 1.6), (2.71, 0.45, 1.1), (5.12, 0.22, 0.7), (8.3, 0.1, 0.45)]
    tone = np.zeros_like(t)
    for ratio, amplitude, decay in partials:
        beat = 1.0 + 0.08 * np.sin(2 * np.pi * 0.9 * t)
        tone += amplitude * beat * np.exp(-t / decay) * np.sin(2 * np.pi * pitch * ratio * t)
    attack = np.clip(t / 0.01, 0.0, 1.0)
    tone *= attack
    tone /= np.max(np.abs(tone))
    return (tone * 10 ** (level_db / 20)).astype(np.float32)


def limit_peaks(samples: np.ndarray, sample_rate: int, ceiling: float) -> np.ndarray:
    """A look-ahead peak limiter: the gain dips smoothly around anything above `ceiling`."""
    window = max(3, int(0.005 * sample_rate))
    envelope = maximum_filter1d(np.abs(samples), size=2 * window + 1)
    gain = uniform_filter1d(np.minimum(1.0, ceiling / np.maximum(envelope, 1e-9)), size=window)
    # The smoothed gain already holds every peak under the ceiling; this only guards rounding.
    gain = np.minimum(gain, ceiling / np.maximum(np.abs(samples), 1e-9))
    return (samples * gain).astype(np.float32)


class LoudnessMeter:
    """ITU-R BS.1770 integrated loudness, fed block by block so long tracks need little memory."""

    def __init__(self, sample_rate: int) -> None:
        self.rate = sample_rate
        self.filters = [
            IIRfilter(4.0, 1 / np.sqrt(2), 1500.0, sample_rate, "high_shelf"),
            IIRfilter(0.0, 0.5, 38.0, sample_rate, "high_pass"),
        ]
        self.states = [lfilter_zi(f.b, f.a) * 0.0 for f in self.filters]
        self.step = int(0.1 * sample_rate)  # 100 ms: blocks of 400 ms overlap by 75 %
        self.pending = np.zeros(0)
        self.steps: list[float] = []  # mean square of each 100 ms step

    def feed(self, samples: np.ndarray) -> None:
        data = samples.astype(np.float64)
        for i, f in enumerate(self.filters):
            data, self.states[i] = lfilter(f.b, f.a, data, zi=self.states[i])
        data = np.concatenate([self.pending, data])
        whole = len(data) // self.step * self.step
        if whole:
            self.steps.extend(np.mean(data[:whole].reshape(-1, self.step) ** 2, axis=1).tolist())
        self.pending = data[whole:]

    def integrated(self) -> float:
        steps = np.asarray(self.steps)
        if len(steps) < 4:
            return float("-inf")
        blocks = (steps[:-3] + steps[1:-2] + steps[2:-1] + steps[3:]) / 4
        with np.errstate(divide="ignore"):
            loudness = -0.691 + 10 * np.log10(blocks)
        gated = blocks[loudness > -70.0]
        if gated.size == 0:
            return float("-inf")
        relative = -0.691 + 10 * np.log10(np.mean(gated)) - 10.0
        with np.errstate(divide="ignore"):
            gated = gated[-0.691 + 10 * np.log10(gated) > relative]
        return float(-0.691 + 10 * np.log10(np.mean(gated)))


def true_peak_db(samples: np.ndarray) -> float:
    """Peak of the 4× oversampled signal (ITU-R BS.1770 true peak, approximately), in dBFS."""
    if samples.size == 0:
        return -np.inf
    peak = float(np.max(np.abs(resample_poly(samples, 4, 1))))
    return float(20 * np.log10(max(peak, 1e-12)))


def assemble(
    script: Script,
    engine: TTSEngine,
    *,
    voice_id: str,
    pace: str,
    target_seconds: float,
    with_bells: bool,
    progress: Callable[[float], None] | None = None,
) -> AssembledAudio:
    """Voice every segment of the script and lay it out on a timeline of the requested length."""
    sr = engine.sample_rate
    gap = SENTENCE_GAP.get(pace, SENTENCE_GAP["normal"])
    total_segments = sum(len(s.segments) for s in script.sections) or 1
    voiced: list[list[np.ndarray]] = []  # per segment, its sentences (int16)
    done = 0
    for section in script.sections:
        for segment in section.segments:
            sentences = []
            for sentence in split_sentences(segment.text):
                audio = trim_silence(engine.synthesize(sentence, voice_id=voice_id, pace=pace), sr)
                audio = stretch_clause_pauses(audio, sr, CLAUSE_STRETCH.get(pace, CLAUSE_STRETCH["normal"]))
                if audio.size:
                    sentences.append(_to_int16(audio))  # half the memory of float32 until levelling
            voiced.append(sentences)
            done += 1
            if progress:
                progress(done / total_segments)

    speech_samples = sum(len(a) for sentences in voiced for a in sentences)
    sentence_count = sum(len(sentences) for sentences in voiced)
    gap_samples = sum(max(0, len(sentences) - 1) for sentences in voiced) * int(gap * sr)
    lead = BELL_LEAD_IN if with_bells else LEAD_IN
    # The last passage's pause gives way to the closing silence.
    planned_pauses = [seg.pause for s in script.sections for seg in s.segments][:-1]
    fixed = (speech_samples + gap_samples) / sr + lead + script.closing_silence
    available = max(0.0, target_seconds - fixed)
    scale = available / sum(planned_pauses) if sum(planned_pauses) else 1.0
    scale = min(max(scale, 0.5), 2.5)  # keep pauses natural even when the voice ran long or short

    # Sample peaks sit 0.5 dB under the true-peak target; the rare sentence that still overshoots
    # between samples is lowered on its own below.
    ceiling = 10 ** ((TRUE_PEAK_TARGET_DB - 0.5) / 20)
    gain = _voice_gain(voiced, sr, ceiling)
    clips: list[Clip] = []
    sections: list[dict] = []
    loudest = -np.inf
    cursor = int(lead * sr)
    if with_bells:
        clips.append(Clip(int(0.3 * sr), _to_int16(bell(sr))))
    index = 0
    for section in script.sections:
        section_start = cursor
        for segment in section.segments:
            sentences, voiced[index] = voiced[index], []  # each raw clip is freed once levelled
            for n, sentence in enumerate(sentences):
                if n:
                    cursor += int(gap * sr)
                leveled = limit_peaks(sentence.astype(np.float32) * (gain / 32768.0), sr, ceiling)
                peak = true_peak_db(leveled)
                if peak > TRUE_PEAK_TARGET_DB:  # a rare overshoot between samples: lower this sentence a touch
                    leveled *= 10 ** ((TRUE_PEAK_TARGET_DB - peak) / 20)
                    peak = TRUE_PEAK_TARGET_DB
                loudest = max(loudest, peak)
                clips.append(Clip(cursor, _to_int16(leveled)))
                cursor += len(sentence)
            pause = max(MIN_PAUSE, segment.pause * scale)
            cursor += int(pause * sr)
            index += 1
        sections.append({"name": section.name, "start": round(section_start / sr, 2), "end": round(cursor / sr, 2)})
    # The last segment's pause is replaced by the closing silence.
    cursor -= int(max(MIN_PAUSE, script.sections[-1].segments[-1].pause * scale) * sr) if voiced else 0
    if with_bells:
        # The closing bell rings inside the closing silence and has faded by its end.
        ring_at = cursor + int(max(1.0, script.closing_silence - BELL_SECONDS) * sr)
        clips.append(Clip(ring_at, _to_int16(bell(sr))))
    cursor += int(max(script.closing_silence, BELL_SECONDS + 1.0 if with_bells else 0.0) * sr)
    if sections:
        sections[-1]["end"] = round(cursor / sr, 2)
    # Speaking time counts the pause after every sentence, as a narrator's pace does.
    speech_seconds = speech_samples / sr + sentence_count * gap
    result = AssembledAudio(sr, cursor, clips, sections, speech_seconds, script.words)
    result.metrics = {
        "speech_wpm": round(script.words / (speech_seconds / 60), 1) if speech_seconds else 0.0,
        "total_silence_seconds": round(result.duration - speech_samples / sr, 1),
        "pause_scale": round(scale, 3),
        "voice_gain_db": round(float(20 * np.log10(gain)), 2),
        "true_peak_dbfs": round(float(loudest), 2),
    }
    return result


def _voice_gain(voiced: list[list[np.ndarray]], sample_rate: int, ceiling: float) -> float:
    """The gain that brings the limited speech (silence excluded) to the target loudness.

    Limiting the peaks lowers the loudness a little, so the gain is refined on the limited signal.
    """
    gain = 1.0
    # Each sentence is followed by silence in the track; measuring it that way keeps the
    # 400 ms measuring blocks that straddle speech and silence, exactly as the final file has them.
    gap = np.zeros(sample_rate, dtype=np.float32)  # at least as long as any pause between sentences
    for _ in range(5):
        meter = LoudnessMeter(sample_rate)
        for sentences in voiced:
            for clip in sentences:
                samples = clip.astype(np.float32) * (gain / 32768.0)
                meter.feed(limit_peaks(samples, sample_rate, ceiling) if gain != 1.0 else samples)
                meter.feed(gap)
        loudness = meter.integrated()
        if not np.isfinite(loudness):
            return 1.0
        correction = TARGET_LUFS - loudness
        if abs(correction) < 0.15:
            break
        # The limiter eats part of any boost, so aim a little past the target.
        gain *= float(10 ** (correction * (1.25 if correction > 0 and gain != 1.0 else 1.0) / 20))
    return gain


def _to_int16(samples: np.ndarray) -> np.ndarray:
    return np.clip(np.round(samples * 32767.0), -32768, 32767).astype(np.int16)


def encode(audio: AssembledAudio, path: Path, *, fmt: str = "MP3") -> dict:
    """Write the track in chunks (one large write has crashed libsndfile's OGG encoder).

    Returns the integrated loudness of exactly what was encoded, measured on the way through
    (the true peak is known per sentence from assembly).
    """
    subtype = "MPEG_LAYER_III" if fmt == "MP3" else "VORBIS"
    meter = LoudnessMeter(audio.sample_rate)
    with sf.SoundFile(path, "w", samplerate=audio.sample_rate, channels=1, format=fmt, subtype=subtype) as out:
        for chunk in audio.frames():
            meter.feed(chunk)
            out.write(chunk)
    return {"integrated_lufs": round(meter.integrated(), 2)}


def measure(path: Path) -> dict:
    """Duration, integrated loudness and true peak of an encoded file, decoded in one read.

    (Reading an MP3 in several calls makes libsndfile seek between them, which restarts the
    decoder mid-stream; one read decodes it as a player would.)
    """
    data, rate = sf.read(path, dtype="float32", always_2d=False)
    if data.ndim > 1:
        data = data.mean(axis=1)
    meter = LoudnessMeter(rate)
    meter.feed(data)
    return {
        "duration": round(len(data) / rate, 3),
        "integrated_lufs": round(meter.integrated(), 2),
        "true_peak_dbfs": round(true_peak_db(data), 2),
        "sample_rate": rate,
    }
