"""Audio: voice each passage, lay real silence between them, level, and encode, all as one stream.

The calling thread voices the script sentence by sentence while a mixer thread lays each sentence
on the timeline, levels it and feeds the encoder. Neither the track nor its speech is ever held
whole, so memory stays flat however long the practice, and encoding overlaps the voicing.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

from app.providers.llm.base import Script
from app.providers.tts.base import TTSEngine
from app.services.levels import (
    LevelModel,
    LoudnessMeter,
    clause_breaks,
    limit_peaks,
    search_gain,
    stretch_clause_pauses,
    trim_silence,
    true_peak_db,
    voice_gain,
)

TARGET_LUFS = -16.0
TRUE_PEAK_CEILING_DB = -1.0
TRUE_PEAK_TARGET_DB = TRUE_PEAK_CEILING_DB - 1.5  # MP3 coding can add over 1 dB of overshoot
CHUNK_FRAMES = 65_536
# LAME's VBR at about V2 (libsndfile's default is about V4): the coder's peak overshoot halves, to
# about 1 dB, for files a fifth larger (about 36 kbit/s for this mono 22 kHz speech).
MP3_QUALITY = {"bitrate_mode": "VARIABLE", "compression_level": 0.2}
# The narration's pace in words a minute, counting the breath after each sentence, by pace. A voice
# reads some sentences faster than others (short words, few commas), so the breath after each
# sentence is set to keep the narration so far at this pace, within a natural range (s).
NARRATION_WPM = {"slow": 108, "normal": 114, "fast": 120}
BREATH = {"slow": (0.6, 1.1, 2.0), "normal": (0.5, 1.0, 1.9), "fast": (0.4, 0.9, 1.8)}  # shortest, usual, longest
BREATH_CATCH_UP = 0.3  # the share of what the earlier breaths missed that the next one makes up
# Extra silence stretched into each pause the voice makes at a comma, colon or dash, by pace (s).
CLAUSE_STRETCH = {"slow": 0.3, "normal": 0.2, "fast": 0.15}
MIN_PAUSE = 3.0
LEAD_IN = 1.5  # seconds before the first word (3 s when a bell rings first)
BELL_SECONDS = 6.0
BELL_LEAD_IN = 3.0
FADE_IN, FADE_OUT = 1.0, 3.0
# The voice's level is first set from this much speech (the first sentences wait for it); after
# that each sentence takes the gain that keeps all the speech voiced so far at the target.
SETTLE_SECONDS = 30.0
MIXER_NICENESS = 10
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_END_OF_SEGMENT, _DONE, _STOP = object(), object(), object()


@dataclass
class Track:
    """A rendered track: its length, where each section starts, and how it measured."""

    sample_rate: int
    total_samples: int
    sections: list[dict]
    speech_seconds: float
    words: int
    metrics: dict = field(default_factory=dict)

    @property
    def duration(self) -> float:
        return self.total_samples / self.sample_rate


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


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


def render(
    script: Script,
    engine: TTSEngine,
    path: Path,
    *,
    voice_id: str,
    pace: str,
    target_seconds: float,
    with_bells: bool,
    progress: Callable[[float], None] | None = None,
) -> Track:
    """Voice every segment of the script and write it to `path` as a track of the requested length."""
    mixer = _Mixer(script, engine.sample_rate, path, pace=pace, target_seconds=target_seconds, bells=with_bells)
    mixer.start()
    segments = [segment for section in script.sections for segment in section.segments]
    try:
        for done, segment in enumerate(segments, 1):
            for sentence in split_sentences(segment.text):
                mixer.send((sentence, engine.synthesize(sentence, voice_id=voice_id, pace=pace)))
            mixer.send(_END_OF_SEGMENT)
            if progress:
                progress(done / len(segments))
    except BaseException:
        mixer.stop()
        raise
    return mixer.finish()


class _Stopped(Exception):
    """The voicing stopped before the script was done."""


class _Mixer(threading.Thread):
    """Lays voiced sentences on the timeline, levels them and streams the track into the encoder."""

    def __init__(
        self, script: Script, sample_rate: int, path: Path, *, pace: str, target_seconds: float, bells: bool
    ) -> None:
        super().__init__(name="audio-mixer", daemon=True)
        self.script, self.rate, self.path = script, sample_rate, path
        self.pace, self.target, self.bells = pace, target_seconds, bells
        self.inbox: queue.Queue[object] = queue.Queue(maxsize=16)
        self.ended = False
        self.error: BaseException | None = None
        self.track: Track | None = None
        self.wpm = NARRATION_WPM.get(pace, NARRATION_WPM["normal"])
        self.breath_range = [int(s * sample_rate) for s in BREATH.get(pace, BREATH["normal"])]
        self.words_said = self.spoken = self.sentences_said = 0  # words, samples and sentences voiced so far
        self.breathed = 0  # samples of breath after them
        segments = [segment for section in script.sections for segment in section.segments]
        # For timing the pauses: each passage's length in characters (a close measure of its speaking
        # time) and its number of sentences (each followed by a breath).
        self.chars = [len(segment.text) for segment in segments]
        self.sentences = [len(split_sentences(segment.text)) for segment in segments]
        self.planned = [segment.pause for segment in segments][:-1]  # the last gives way to the closing silence
        self.scales: list[float] = []
        self.speech = 0  # samples of speech placed so far
        # Sample peaks sit 0.5 dB under the true-peak target; the rare sentence that still overshoots
        # between samples is lowered on its own.
        self.ceiling = 10 ** ((TRUE_PEAK_TARGET_DB - 0.5) / 20)
        self.levels = LevelModel(sample_rate, self.ceiling)
        self.pending: list[tuple[int, np.ndarray]] = []  # placed, waiting for the voice's level to settle
        self.settled = False
        self.gain = 1.0
        self.loudest = -np.inf

    # -- called from the voicing thread

    def send(self, item: object) -> None:
        if self.error is not None:
            raise self.error
        self.inbox.put(item)

    def stop(self) -> None:
        self.inbox.put(_STOP)
        self.join()

    def finish(self) -> Track:
        self.inbox.put(_DONE)
        self.join()
        if self.error is not None:
            raise self.error
        assert self.track is not None
        return self.track

    # -- the mixer thread

    def run(self) -> None:
        if sys.platform == "linux":  # where each thread has its own nice value
            # The voice comes first: the mixer works in the gaps it leaves, and catches up at the end.
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), MIXER_NICENESS)
        try:
            with sf.SoundFile(
                self.path, "w", samplerate=self.rate, channels=1, format="MP3", subtype="MPEG_LAYER_III", **MP3_QUALITY
            ) as out:
                self.timeline = _Timeline(out, self.rate)
                self.track = self._mix()
        except BaseException as exc:
            self.error = exc
            while not self.ended:  # let the voicing thread's sends through until it stops
                self._take()

    def _take(self) -> object:
        item = self.inbox.get()
        self.ended = item is _DONE or item is _STOP
        return item

    def _receive(self) -> object:
        item = self._take()
        if item is _STOP:
            raise _Stopped
        return item

    def _mix(self) -> Track:
        sr, script = self.rate, self.script
        cursor = int((BELL_LEAD_IN if self.bells else LEAD_IN) * sr)
        if self.bells:
            self.timeline.add(int(0.3 * sr), bell(sr))
        index = 0
        sections: list[dict] = []
        passages = self._passages(len(self.chars))
        clips = next(passages, [])
        for section in script.sections:
            section_start = cursor
            for _segment in section.segments:
                for n, (clip, breath) in enumerate(clips):
                    self._place(cursor, clip)
                    cursor += len(clip) + (breath if n + 1 < len(clips) else 0)  # the last gives way to the pause
                    self.speech += len(clip)
                upcoming = next(passages, None)
                if upcoming is not None:
                    cursor += self._pause(index, cursor, upcoming)
                clips, index = upcoming or [], index + 1
            sections.append({"name": section.name, "start": round(section_start / sr, 2), "end": round(cursor / sr, 2)})
        self._receive()  # the end of the script
        self._level_pending(settle=not self.settled)
        if self.bells:
            # The closing bell rings inside the closing silence and has faded by its end.
            self.timeline.add(cursor + int(max(1.0, script.closing_silence - BELL_SECONDS) * sr), bell(sr))
        total = cursor + int(max(script.closing_silence, BELL_SECONDS + 1.0 if self.bells else 0.0) * sr)
        if sections:
            sections[-1]["end"] = round(total / sr, 2)
        self.timeline.finish(total)
        # Speaking time counts the breath after every sentence, as a narrator's pace does.
        speech_seconds = (self.speech + self.breathed) / sr
        metrics = {
            "speech_wpm": round(script.words / (speech_seconds / 60), 1) if speech_seconds else 0.0,
            "total_silence_seconds": round((total - self.speech) / sr, 1),
            "pause_scale": round(float(np.mean(self.scales)), 3) if self.scales else 1.0,
            "voice_gain_db": round(float(20 * np.log10(self.gain)), 2),
            "true_peak_dbfs": round(float(self.loudest), 2),
            "integrated_lufs": round(self.timeline.meter.integrated(), 2),
        }
        return Track(sr, total, sections, speech_seconds, script.words, metrics)

    def _passages(self, count: int) -> Iterator[list[tuple[np.ndarray, int]]]:
        """Each passage's sentences once all are voiced: trimmed, commas stretched, empty ones dropped,
        each with the breath that follows it."""
        stretch = CLAUSE_STRETCH.get(self.pace, CLAUSE_STRETCH["normal"])
        for _ in range(count):
            clips = []
            while (item := self._receive()) is not _END_OF_SEGMENT:
                sentence, voiced = item  # type: ignore[misc]
                clip = trim_silence(voiced, self.rate)
                clip = stretch_clause_pauses(clip, self.rate, stretch, clause_breaks(sentence))
                if clip.size:
                    clips.append((clip, self._breath(len(sentence.split()), len(clip))))
            yield clips

    def _breath(self, words: int, samples: int) -> int:
        """The breath after a sentence (samples), keeping the narration so far at the pace's words a minute.

        It is the even breath that would put every sentence so far at that pace (weighed with one
        usual breath, so the first sentences alone do not decide it), plus a share of what the
        breaths before it fell short or over, held inside the natural range.
        """
        low, usual, high = self.breath_range
        self.words_said, self.spoken, self.sentences_said = (
            self.words_said + words,
            self.spoken + samples,
            self.sentences_said + 1,
        )
        n = self.sentences_said
        even = (self.words_said * 60 / self.wpm * self.rate - self.spoken + usual) / (n + 1)
        breath = int(min(max(even + BREATH_CATCH_UP * ((n - 1) * even - self.breathed), low), high))
        self.breathed += breath
        return breath

    def _pause(self, index: int, cursor: int, upcoming: list[tuple[np.ndarray, int]]) -> int:
        """The pause after passage `index`, scaled so that the track ends on time.

        The next passage is already voiced, with its breaths; the speech after it is estimated from
        the speaking time per character so far, and its breaths from the breaths so far. Each pause
        corrects the estimates made before it, and the last is exact.
        """
        sr, ahead = self.rate, index + 2
        voiced = sum(len(clip) for clip, _ in upcoming)
        laid = voiced + sum(breath for _, breath in upcoming[:-1])  # the next passage as it will be laid
        per_char = (self.speech + voiced) / max(sum(self.chars[:ahead]), 1)
        breaths = sum(max(n - 1, 0) for n in self.sentences[ahead:]) * self.breathed / max(self.sentences_said, 1)
        later = laid + per_char * sum(self.chars[ahead:]) + breaths
        planned = sum(self.planned[index:])
        left = self.target - (cursor + later) / sr - self.script.closing_silence
        scale = min(max(left / planned, 0.5), 2.5) if planned else 1.0  # natural even when the voice runs long
        self.scales.append(scale)
        return int(max(MIN_PAUSE, self.planned[index] * scale) * sr)

    def _place(self, start: int, clip: np.ndarray) -> None:
        self.pending.append((start, clip))
        if self.settled or sum(len(c) for _, c in self.pending) >= SETTLE_SECONDS * self.rate:
            self._level_pending(settle=not self.settled)
        # Nothing still to come starts before the first waiting sentence or the end of this one.
        self.timeline.flush(self.pending[0][0] if self.pending else start + len(clip))

    def _level_pending(self, *, settle: bool) -> None:
        """Level the waiting sentences: the first ones together, at the gain that suits them all, then
        each at the gain that brings all the speech before it to the target loudness."""
        if settle:
            self.gain = voice_gain([clip for _, clip in self.pending], self.rate, TARGET_LUFS, self.ceiling)
            self.settled = True
        for start, clip in self.pending:
            if not settle:
                self.gain = search_gain(self.levels.loudness, TARGET_LUFS, self.gain)
            leveled = limit_peaks(clip * self.gain, self.rate, self.ceiling)
            peak = true_peak_db(leveled)
            if peak > TRUE_PEAK_TARGET_DB:  # a rare overshoot between samples: lower this sentence a touch
                leveled *= 10 ** ((TRUE_PEAK_TARGET_DB - peak) / 20)
                peak = TRUE_PEAK_TARGET_DB
            self.loudest = max(self.loudest, peak)
            self.levels.add(clip, self.gain, leveled)
            self.timeline.add(start, leveled)
        self.pending = []


class _Timeline:
    """The track as a stream: clips at sample positions, written in order with the silence between."""

    def __init__(self, out: sf.SoundFile, sample_rate: int) -> None:
        self.out = out
        self.meter = LoudnessMeter(sample_rate)  # exactly what was encoded
        self.clips: list[tuple[int, np.ndarray]] = []
        self.written = 0
        self.fade_in, self.fade_out = int(FADE_IN * sample_rate), int(FADE_OUT * sample_rate)

    def add(self, start: int, samples: np.ndarray) -> None:
        self.clips.append((start, samples))

    def flush(self, upto: int) -> None:
        """Write what lies before `upto`, less the last seconds the fade-out may still reach."""
        self._write(upto - self.fade_out, None)

    def finish(self, total: int) -> None:
        self._write(total, total)

    def _write(self, upto: int, total: int | None) -> None:
        while self.written < upto:
            begin, end = self.written, min(upto, self.written + CHUNK_FRAMES)
            chunk = np.zeros(end - begin, dtype=np.float32)
            sounding = False
            for start, samples in self.clips:
                lo, hi = max(begin, start), min(end, start + len(samples))
                if hi > lo:
                    chunk[lo - begin : hi - begin] += samples[lo - start : hi - start]
                    sounding = True
            if begin < self.fade_in:
                chunk *= np.clip(np.arange(begin, end) / self.fade_in, 0.0, 1.0)
            if total is not None and end > total - self.fade_out:
                chunk *= np.clip((total - np.arange(begin, end)) / self.fade_out, 0.0, 1.0)
            if sounding:
                self.meter.feed(chunk)
            else:
                self.meter.feed_silence(len(chunk))
            self.out.write(chunk)
            self.written = end
            self.clips = [(start, samples) for start, samples in self.clips if start + len(samples) > end]


def measure(path: Path) -> dict:
    """Duration, integrated loudness and true peak of an encoded file, decoded in one read.

    (Reading an MP3 in several calls makes libsndfile seek between them, which restarts the
    decoder mid-stream; one read decodes it as a player would.)
    """
    data, rate = sf.read(path, dtype="float32", always_2d=False)
    if data.ndim > 1:
        data = data.mean(axis=1)
    meter = LoudnessMeter(rate)
    for begin in range(0, len(data), CHUNK_FRAMES):
        meter.feed(data[begin : begin + CHUNK_FRAMES])
    return {
        "duration": round(len(data) / rate, 3),
        "integrated_lufs": round(meter.integrated(), 2),
        "true_peak_dbfs": round(true_peak_db(data), 2),
        "sample_rate": rate,
    }
