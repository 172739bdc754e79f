"""The "classic" voice: espeak-ng through the library the espeakng-loader wheel ships.

espeak-ng is a process-wide singleton, so every call holds one lock.
"""

from __future__ import annotations

import ctypes
import threading

import numpy as np

from app.providers.tts.base import TTSError

AUDIO_OUTPUT_SYNCHRONOUS = 2
ESPEAK_CHARS_UTF8 = 1
POS_CHARACTER = 1
PARAM_RATE = 1
PARAM_PITCH = 3
RATE_WPM = {"slow": 120, "normal": 135, "fast": 155}

_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
_lock = threading.Lock()
_state: dict[str, object] = {}


def _library() -> tuple[ctypes.CDLL, int]:
    if "lib" not in _state:
        import espeakng_loader

        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
        rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), 0)
        if rate <= 0:
            raise TTSError("espeak-ng could not start.")
        buffer: list[np.ndarray] = []

        @_CALLBACK
        def on_audio(wav, count, _events):  # type: ignore[no-untyped-def]
            if count > 0 and wav:
                buffer.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
            return 0

        lib.espeak_SetSynthCallback(on_audio)
        _state.update(lib=lib, rate=rate, buffer=buffer, callback=on_audio)
    return _state["lib"], int(_state["rate"])  # type: ignore[return-value]


class EspeakEngine:
    name = "espeak"

    @property
    def sample_rate(self) -> int:
        with _lock:
            return _library()[1]

    def synthesize(self, text: str, *, voice_id: str = "en-us", pace: str = "normal") -> np.ndarray:
        with _lock:
            lib, _rate = _library()
            buffer: list[np.ndarray] = _state["buffer"]  # type: ignore[assignment]
            buffer.clear()
            if lib.espeak_SetVoiceByName(voice_id.encode()) != 0:
                raise TTSError(f"Unknown espeak-ng voice {voice_id!r}.")
            lib.espeak_SetParameter(PARAM_RATE, RATE_WPM.get(pace, RATE_WPM["normal"]), 0)
            lib.espeak_SetParameter(PARAM_PITCH, 40, 0)
            data = text.encode("utf-8") + b"\0"
            status = lib.espeak_Synth(data, len(data), 0, POS_CHARACTER, 0, ESPEAK_CHARS_UTF8, None, None)
            if status != 0:
                raise TTSError(f"espeak-ng failed to synthesise (status {status}).")
            samples = np.concatenate(buffer) if buffer else np.zeros(0, dtype=np.int16)
            buffer.clear()
        return samples.astype(np.float32) / 32768.0
