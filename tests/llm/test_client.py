"""The client's limits, against the real stand-in server: a hard deadline per call, and calls
beyond the concurrency limit refused at once while slow ones still hold their slots."""

from __future__ import annotations

import time

import pytest

from kefu.llm.client import LlmUnavailable, OpenAiChat
from tests.llm.standin import Script, serve

ASK = [{"role": "user", "content": "ANSWER (the facts):\n好的\n\nFacts it was built from:\n-"}]


def test_a_call_answers_and_a_slow_one_is_cut_at_its_deadline() -> None:
    script = Script(mode="good", slow_s=2.0)
    with serve(script) as url:
        chat = OpenAiChat(url, "standin", "sk-test", max_concurrency=1)
        try:
            assert chat.complete(ASK, timeout_s=2.0) == "亲，好的"
            assert script.keys == ["Bearer sk-test"]  # KEFU_LLM_API_KEY goes to the server
            script.mode = "slow"
            started = time.perf_counter()
            with pytest.raises(LlmUnavailable) as missed:
                chat.complete(ASK, timeout_s=0.3)
            assert missed.value.reason == "timeout"
            assert time.perf_counter() - started < 0.6
            # the abandoned call still holds the only slot: the next is refused, not queued
            with pytest.raises(LlmUnavailable) as refused:
                chat.complete(ASK, timeout_s=0.3)
            assert refused.value.reason == "busy"
            with pytest.raises(LlmUnavailable) as spent:
                chat.complete(ASK, timeout_s=0.0)
            assert spent.value.reason == "budget"
        finally:
            chat.close()
