"""The voice port: text in, mono float32 samples out."""

from __future__ import annotations

from typing import Protocol

import numpy as np

PACES = ("slow", "normal", "fast")


class TTSError(Exception):
    """Synthesis failed for good (bad voice id, refused text)."""


class TransientTTSError(TTSError):
    """Synthesis failed in a way worth retrying (rate limit, timeout, 5xx)."""


class TTSEngine(Protocol):
    name: str
    sample_rate: int

    def synthesize(self, text: str, *, voice_id: str, pace: str) -> np.ndarray:
        """Mono float32 samples in [-1, 1] at `sample_rate`, one passage of speech."""
        ...


def pcm16_to_float(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
