"""The shop's language model over the OpenAI-compatible chat API (Qwen, DeepSeek, vLLM, llama.cpp).

A turn never waits longer than it can afford: each call has a hard deadline (the caller gets
``LlmUnavailable`` when it passes, whatever the server does), a fixed number of calls run at once
(one more is refused at once rather than queued behind slow ones), and a circuit breaker stops
calling a server that keeps failing or timing out until it has had time to recover.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, Protocol

import pybreaker
from openai import OpenAI

# a call with less time than this left is not worth starting (connect + first token)
_MIN_CALL_S = 0.05


class LlmUnavailable(Exception):
    """No answer from the model in time; ``reason`` is a metric label."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Chat(Protocol):
    """What kefu asks of a language model: one chat completion within a deadline."""

    def complete(
        self, messages: Sequence[dict[str, str]], *, timeout_s: float, max_tokens: int = 400
    ) -> str: ...

    @property
    def is_open(self) -> bool: ...

    def close(self) -> None: ...


class OpenAiChat:
    """The ``openai`` client with the limits above; ``max_retries=0``: a retry would only spend
    the turn's budget twice."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        *,
        timeout_s: float = 10.0,
        max_concurrency: int = 8,
        breaker_fail_max: int = 5,
        breaker_reset_s: float = 30.0,
        temperature: float = 0.2,
    ) -> None:
        # local servers (llama.cpp, vLLM) accept any key; the client library insists on one
        self.client = OpenAI(
            base_url=base_url, api_key=api_key or "not-needed", timeout=timeout_s, max_retries=0
        )
        self.model = model
        self.temperature = temperature
        self.breaker = pybreaker.CircuitBreaker(
            fail_max=breaker_fail_max, reset_timeout=breaker_reset_s
        )
        self._slots = threading.BoundedSemaphore(max_concurrency)
        self._pool = ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="kefu-llm")

    @property
    def is_open(self) -> bool:
        return bool(self.breaker.current_state == pybreaker.STATE_OPEN)

    def complete(
        self, messages: Sequence[dict[str, str]], *, timeout_s: float, max_tokens: int = 400
    ) -> str:
        if timeout_s < _MIN_CALL_S:
            raise LlmUnavailable("budget")
        if self.is_open:
            raise LlmUnavailable("breaker_open")
        # a slot is held until the server call really ends, even after the caller gave up on it:
        # a slow server then fills the slots and further calls are refused, not piled up
        if not self._slots.acquire(blocking=False):
            raise LlmUnavailable("busy")
        try:
            future: Future[str] = self._pool.submit(
                self.breaker.call, self._request, list(messages), timeout_s, max_tokens
            )
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())
        try:
            return future.result(timeout=timeout_s)
        except FutureTimeout:
            raise LlmUnavailable("timeout") from None
        except pybreaker.CircuitBreakerError:
            raise LlmUnavailable("breaker_open") from None
        except Exception as exc:
            # the server's own timeout (seen as an APITimeoutError) is the same miss
            reason = "timeout" if "Timeout" in type(exc).__name__ else "error"
            raise LlmUnavailable(reason) from exc

    def _request(self, messages: list[Any], timeout_s: float, max_tokens: int) -> str:
        response = self.client.with_options(timeout=timeout_s).chat.completions.create(
            model=self.model,
            messages=messages,
            temperature=self.temperature,
            max_tokens=max_tokens,
        )
        if not response.choices or not response.choices[0].message.content:
            raise ValueError("the model answered with no text")
        return str(response.choices[0].message.content)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.client.close()
