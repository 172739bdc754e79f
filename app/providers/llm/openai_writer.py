"""Scripts from OpenAI's chat completions (official SDK), as structured JSON."""

from __future__ import annotations

import openai

from app.providers.llm import remote
from app.providers.llm.base import Script
from app.services.practice_spec import PracticeSpec


class OpenAIWriter:
    name = "openai"

    def __init__(self, *, api_key: str, model: str, base_url: str | None = None, max_retries: int = 2) -> None:
        self.client = openai.OpenAI(api_key=api_key, base_url=base_url, max_retries=max_retries, timeout=60.0)
        self.model = model

    def write(self, spec: PracticeSpec, *, seed: int) -> Script:
        return remote.write_checked(lambda: self._ask(spec, seed), spec, writer=self.name)

    def _ask(self, spec: PracticeSpec, seed: int) -> str:
        try:
            response = self.client.chat.completions.create(
                model=self.model,
                seed=seed,
                temperature=0.8,
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": "script", "schema": remote.response_schema(), "strict": True},
                },
                messages=[
                    {"role": "system", "content": remote.system_prompt()},
                    {"role": "user", "content": remote.user_prompt(spec)},
                ],
            )
        except (openai.RateLimitError, openai.APITimeoutError, openai.APIConnectionError) as exc:
            raise remote.TransientWriterError(f"OpenAI is unavailable: {exc}") from exc
        except openai.InternalServerError as exc:
            raise remote.TransientWriterError(f"OpenAI server error: {exc}") from exc
        except openai.APIError as exc:
            raise remote.ScriptWriterError(f"OpenAI refused the request: {exc}") from exc
        return (response.choices[0].message.content if response.choices else None) or ""
