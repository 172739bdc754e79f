"""ElevenLabs voices through the official SDK, fetched as raw 22.05 kHz PCM."""

from __future__ import annotations

import httpx
import numpy as np

from app.providers.tts.base import TransientTTSError, TTSError, pcm16_to_float

# ElevenLabs speaks at a natural pace; slower pace comes from the assembler's pauses and this setting.
SPEED = {"slow": 0.85, "normal": 0.92, "fast": 1.0}


class ElevenLabsEngine:
    name = "elevenlabs"
    sample_rate = 22050

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None = None,
        model_id: str = "eleven_multilingual_v2",
        max_retries: int = 2,
    ) -> None:
        from elevenlabs.client import ElevenLabs

        kwargs = {"api_key": api_key, "timeout": 60.0}
        if base_url:
            kwargs["base_url"] = base_url
        self.client = ElevenLabs(**kwargs)
        self.model_id = model_id
        self.max_retries = max_retries

    def synthesize(self, text: str, *, voice_id: str, pace: str = "normal") -> np.ndarray:
        from elevenlabs.core.api_error import ApiError
        from elevenlabs.types import VoiceSettings

        try:
            chunks = self.client.text_to_speech.convert(
                voice_id,
                text=text,
                model_id=self.model_id,
                output_format="pcm_22050",
                voice_settings=VoiceSettings(stability=0.7, similarity_boost=0.75, speed=SPEED.get(pace, 0.92)),
                request_options={"max_retries": self.max_retries},
            )
            data = b"".join(chunks)
        except ApiError as exc:
            if exc.status_code in (408, 409, 425, 429) or (exc.status_code or 0) >= 500:
                raise TransientTTSError(f"ElevenLabs is unavailable ({exc.status_code}).") from exc
            raise TTSError(f"ElevenLabs refused the request ({exc.status_code}): {exc.body}") from exc
        except httpx.TransportError as exc:
            raise TransientTTSError(f"ElevenLabs could not be reached: {exc}") from exc
        if len(data) % 2:
            data = data[:-1]
        return pcm16_to_float(data)
