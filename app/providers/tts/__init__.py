"""Voices: Piper (embedded neural default), espeak-ng ("classic") and ElevenLabs."""

from __future__ import annotations

from flask import current_app

from app.providers.tts.base import TransientTTSError, TTSEngine, TTSError

__all__ = ["TTSEngine", "TTSError", "TransientTTSError", "get_engine"]

_local_engines: dict[str, TTSEngine] = {}


def get_engine(provider: str) -> TTSEngine:
    """The engine for a `voices.provider`; local engines are built once per process."""
    if provider == "elevenlabs":
        cfg = current_app.config
        if not cfg.get("ELEVENLABS_API_KEY"):
            raise TTSError("ElevenLabs voices need ELEVENLABS_API_KEY.")
        from app.providers.tts.elevenlabs_engine import ElevenLabsEngine

        return ElevenLabsEngine(
            api_key=cfg["ELEVENLABS_API_KEY"],
            base_url=cfg.get("ELEVENLABS_BASE_URL"),
            model_id=cfg["ELEVENLABS_MODEL"],
            max_retries=cfg["LLM_MAX_RETRIES"],
        )
    if provider not in _local_engines:
        if provider == "piper":
            from app.providers.tts.piper_engine import PiperEngine

            _local_engines[provider] = PiperEngine()
        elif provider == "espeak":
            from app.providers.tts.espeak_engine import EspeakEngine

            _local_engines[provider] = EspeakEngine()
        else:
            raise TTSError(f"Unknown voice provider {provider!r}.")
    return _local_engines[provider]
