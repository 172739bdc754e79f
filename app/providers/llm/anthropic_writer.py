"""Scripts from Anthropic's Messages API (official SDK), as JSON."""

from __future__ import annotations

import anthropic

from app.providers.llm import remote
from app.providers.llm.base import Script
from app.services.practice_spec import PracticeSpec


class AnthropicWriter:
    name = "anthropic"

    def __init__(self, *, api_key: str, model: str, base_url: str | None = None, max_retries: int = 2) -> None:
        self.client = anthropic.Anthropic(api_key=api_key, base_url=base_url, max_retries=max_retries, timeout=60.0)
        self.model = model

    def write(self, spec: PracticeSpec, *, seed: int) -> Script:
        return remote.write_checked(lambda: self._ask(spec), spec, writer=self.name)

    def _ask(self, spec: PracticeSpec) -> str:
        try:
            response = self.client.messages.create(
                model=self.model,
                max_tokens=8000,
                system=remote.system_prompt(),
                messages=[{"role": "user", "content": remote.user_prompt(spec)}],
            )
        except (anthropic.RateLimitError, anthropic.APITimeoutError, anthropic.APIConnectionError) as exc:
            raise remote.TransientWriterError(f"Anthropic is unavailable: {exc}") from exc
        except anthropic.InternalServerError as exc:
            raise remote.TransientWriterError(f"Anthropic server error: {exc}") from exc
        except anthropic.APIError as exc:
            raise remote.ScriptWriterError(f"Anthropic refused the request: {exc}") from exc
        return "".join(block.text for block in response.content if getattr(block, "type", "") == "text")
