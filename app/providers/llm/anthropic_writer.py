"""Scripts from Anthropic's Messages API (official SDK), as JSON."""

from __future__ import annotations

import logging

import anthropic

from app.providers.llm import remote
from app.providers.llm.base import Script
from app.services.practice_spec import PracticeSpec

log = logging.getLogger(__name__)


class AnthropicWriter:
    name = "anthropic"

    def __init__(self, *, api_key: str, model: str, base_url: str | None = None, max_retries: int = 2) -> None:
        self.client = anthropic.Anthropic(api_key=api_key, base_url=base_url, max_retries=max_retries, timeout=60.0)
        self.model = model

    def write(self, spec: PracticeSpec, *, seed: int) -> Script:
        problem = None
        for attempt in (1, 2):  # one retry when the answer is malformed, then a clear failure
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
            text = "".join(block.text for block in response.content if getattr(block, "type", "") == "text")
            try:
                return remote.parse_script(text, spec, writer=self.name)
            except remote.ScriptFormatError as exc:
                problem = exc
                log.warning("Anthropic script unusable (attempt %d): %s", attempt, exc)
        raise remote.ScriptWriterError(f"Anthropic returned an unusable script twice: {problem}")
