"""Script writers: the embedded composer (default), OpenAI and Anthropic."""

from __future__ import annotations

from flask import current_app

from app.providers.llm.base import Script, ScriptWriter, Section, Segment

__all__ = ["Script", "ScriptWriter", "Section", "Segment", "get_script_writer", "writer_name"]


def writer_name() -> str:
    cfg = current_app.config
    if cfg.get("SCRIPT_WRITER"):
        return cfg["SCRIPT_WRITER"]
    if cfg.get("OPENAI_API_KEY"):
        return "openai"
    if cfg.get("ANTHROPIC_API_KEY"):
        return "anthropic"
    return "embedded"


def get_script_writer() -> ScriptWriter:
    cfg = current_app.config
    name = writer_name()
    if name == "openai":
        from app.providers.llm.openai_writer import OpenAIWriter

        return OpenAIWriter(
            api_key=cfg["OPENAI_API_KEY"],
            model=cfg["OPENAI_MODEL"],
            base_url=cfg.get("OPENAI_BASE_URL"),
            max_retries=cfg["LLM_MAX_RETRIES"],
        )
    if name == "anthropic":
        from app.providers.llm.anthropic_writer import AnthropicWriter

        return AnthropicWriter(
            api_key=cfg["ANTHROPIC_API_KEY"],
            model=cfg["ANTHROPIC_MODEL"],
            base_url=cfg.get("ANTHROPIC_BASE_URL"),
            max_retries=cfg["LLM_MAX_RETRIES"],
        )
    if name == "embedded":
        from app.providers.llm.composer import EmbeddedComposer

        return EmbeddedComposer()
    raise RuntimeError(f"Unknown SCRIPT_WRITER {name!r}: use embedded, openai or anthropic.")
