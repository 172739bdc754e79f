"""OpenAI, Anthropic and ElevenLabs through their real SDKs, against local servers speaking their wire format."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.providers.llm import remote
from app.providers.llm.anthropic_writer import AnthropicWriter
from app.providers.llm.openai_writer import OpenAIWriter
from app.providers.tts.base import TransientTTSError, TTSError
from app.providers.tts.elevenlabs_engine import ElevenLabsEngine
from app.services.practice_spec import PracticeSpec
from tests.fakes import FakeProvider, Reply

SPEC = PracticeSpec.from_dict(
    {
        "content_type": "guided_meditation",
        "intent": "letting go of a stressful workday",
        "duration_minutes": 1,
        "context": {"time_of_day": "evening", "place": "at home"},
    }
)
SCRIPT = {
    "title": "Letting Go of the Workday",
    "closing_silence": 20,
    "sections": [
        {"name": "arrival", "segments": [{"text": "Welcome. Let yourself arrive, here, this evening.", "pause": 5}]},
        {
            "name": "breath",
            "segments": [
                {"text": "Breathe in slowly. And breathe out, letting the workday go.", "pause": 8},
                {"text": "Again, <b>in</b>, and [softly] out", "pause": 1},
            ],
        },
        {"name": "closing", "segments": [{"text": "When you are ready, come back gently.", "pause": 4}]},
    ],
}
FAST_RETRY = {"retry-after-ms": "5"}


def chat_completion(content: str) -> dict:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-test",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def anthropic_message(text: str) -> dict:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-test",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }


@pytest.fixture
def fake():
    with FakeProvider() as server:
        yield server


def _openai(fake: FakeProvider) -> OpenAIWriter:
    return OpenAIWriter(api_key="sk-test", model="gpt-test", base_url=fake.url + "/v1", max_retries=2)


def _anthropic(fake: FakeProvider) -> AnthropicWriter:
    return AnthropicWriter(api_key="ak-test", model="claude-test", base_url=fake.url, max_retries=2)


def test_openai_writes_a_validated_script(fake):
    fake.on("POST", "/v1/chat/completions", Reply(body=chat_completion(json.dumps(SCRIPT))))
    script = _openai(fake).write(SPEC, seed=7)
    assert script.title == "Letting Go of the Workday"
    assert [s.name for s in script.sections] == ["arrival", "breath", "closing"]
    cleaned = script.sections[1].segments[1]
    assert cleaned.text == "Again, in, and out."  # markup and stage directions removed, punctuation added
    assert cleaned.pause == 3.0  # never under the three-second minimum
    assert script.meta["writer"] == "openai"
    sent = fake.calls("/v1/chat/completions")[0]
    body = sent.json()
    assert body["model"] == "gpt-test" and body["seed"] == 7
    assert body["response_format"]["type"] == "json_schema"
    assert "letting go of a stressful workday" in body["messages"][1]["content"]
    assert sent.headers["authorization"] == "Bearer sk-test"


def test_openai_rate_limit_then_success(fake):
    fake.on(
        "POST",
        "/v1/chat/completions",
        Reply(429, {"error": {"message": "slow down", "type": "rate_limit"}}, headers=FAST_RETRY),
        Reply(500, {"error": {"message": "oops"}}, headers=FAST_RETRY),
        Reply(body=chat_completion(json.dumps(SCRIPT))),
    )
    assert _openai(fake).write(SPEC, seed=1).title == "Letting Go of the Workday"
    assert len(fake.calls("/v1/chat/completions")) == 3


def test_openai_persistent_server_errors_are_transient(fake):
    fake.on("POST", "/v1/chat/completions", Reply(503, {"error": {"message": "down"}}, headers=FAST_RETRY))
    with pytest.raises(remote.TransientWriterError):
        _openai(fake).write(SPEC, seed=1)
    assert len(fake.calls("/v1/chat/completions")) == 3  # the first try and two SDK retries


def test_openai_malformed_output_gets_one_retry_then_a_clear_failure(fake):
    fake.on("POST", "/v1/chat/completions", Reply(body=chat_completion("Sure! Here is your meditation: ...")))
    with pytest.raises(remote.ScriptWriterError, match="unusable script twice"):
        _openai(fake).write(SPEC, seed=1)
    assert len(fake.calls("/v1/chat/completions")) == 2


def test_openai_malformed_then_good(fake):
    fake.on(
        "POST",
        "/v1/chat/completions",
        Reply(body=chat_completion(json.dumps({"title": "x", "sections": []}))),
        Reply(body=chat_completion(json.dumps(SCRIPT))),
    )
    assert _openai(fake).write(SPEC, seed=1).words > 20


def test_openai_refusal_is_a_permanent_error(fake):
    fake.on("POST", "/v1/chat/completions", Reply(401, {"error": {"message": "bad key"}}))
    with pytest.raises(remote.ScriptWriterError) as info:
        _openai(fake).write(SPEC, seed=1)
    assert not isinstance(info.value, remote.TransientWriterError)


def test_anthropic_writes_a_validated_script(fake):
    fake.on("POST", "/v1/messages", Reply(body=anthropic_message("```json\n" + json.dumps(SCRIPT) + "\n```")))
    script = _anthropic(fake).write(SPEC, seed=3)
    assert script.sections[0].segments[0].text.startswith("Welcome.")
    sent = fake.calls("/v1/messages")[0]
    sent_key = sent.headers.get("x-api-key") or sent.headers.get("authorization", "").removeprefix("Bearer ")
    assert sent_key == "ak-test"
    assert "letting go of a stressful workday" in sent.json()["messages"][0]["content"]


def test_anthropic_overload_then_success(fake):
    fake.on(
        "POST",
        "/v1/messages",
        Reply(529, {"type": "error", "error": {"type": "overloaded_error", "message": "busy"}}, headers=FAST_RETRY),
        Reply(body=anthropic_message(json.dumps(SCRIPT))),
    )
    assert _anthropic(fake).write(SPEC, seed=3).title == "Letting Go of the Workday"


def test_anthropic_malformed_twice_fails_clearly(fake):
    fake.on("POST", "/v1/messages", Reply(body=anthropic_message("{not json")))
    with pytest.raises(remote.ScriptWriterError):
        _anthropic(fake).write(SPEC, seed=3)
    assert len(fake.calls("/v1/messages")) == 2


def test_over_budget_scripts_are_refused():
    long = {**SCRIPT, "sections": [{"name": "x", "segments": [{"text": "word " * 90 + ".", "pause": 3}] * 20}]}
    with pytest.raises(remote.ScriptFormatError, match="over the budget"):
        remote.parse_script(json.dumps(long), SPEC, writer="test")


def _pcm(seconds: float) -> bytes:
    t = np.arange(int(22050 * seconds)) / 22050
    return (np.sin(2 * np.pi * 220 * t) * 8000).astype("<i2").tobytes()


def test_elevenlabs_returns_pcm_as_samples(fake):
    fake.on("POST", "/v1/text-to-speech/voice-abc", Reply(body=_pcm(1.5), content_type="audio/pcm"))
    engine = ElevenLabsEngine(api_key="el-test", base_url=fake.url, max_retries=0)
    samples = engine.synthesize("Breathe in.", voice_id="voice-abc", pace="slow")
    assert samples.dtype == np.float32
    assert len(samples) == int(22050 * 1.5)
    assert 0.2 < float(np.abs(samples).max()) < 0.3
    sent = fake.calls("/v1/text-to-speech/voice-abc")[0]
    assert sent.headers["xi-api-key"] == "el-test"
    assert sent.json()["text"] == "Breathe in."
    assert sent.json()["voice_settings"]["speed"] == 0.85  # slow pace


def test_elevenlabs_errors(fake):
    fake.on("POST", "/v1/text-to-speech/v-rate", Reply(429, {"detail": "too many"}))
    fake.on("POST", "/v1/text-to-speech/v-bad", Reply(401, {"detail": "bad key"}))
    engine = ElevenLabsEngine(api_key="el-test", base_url=fake.url, max_retries=0)
    with pytest.raises(TransientTTSError):
        engine.synthesize("Hello.", voice_id="v-rate")
    with pytest.raises(TTSError) as info:
        engine.synthesize("Hello.", voice_id="v-bad")
    assert not isinstance(info.value, TransientTTSError)
