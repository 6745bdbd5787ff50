"""The shop's optional language model (contract 5: ``KEFU_LLM_BASE_URL``, ``KEFU_LLM_MODEL``,
``KEFU_LLM_API_KEY``): better wording and a second opinion, never a fact of its own."""

from __future__ import annotations

from collections.abc import Callable

from kefu.config import Settings
from kefu.llm.assist import LlmAssist, LlmMetrics, Switches
from kefu.llm.client import OpenAiChat
from kefu.runtime.ports import SharedState


def build_llm(
    settings: Settings,
    state: SharedState,
    overloaded: Callable[[], bool],
    low_confidence: float,
) -> LlmAssist | None:
    """The configured model's uses, or None when no model is set (kefu as without one)."""
    if not settings.llm_base_url or not settings.llm_model:
        return None
    chat = OpenAiChat(
        settings.llm_base_url,
        settings.llm_model,
        settings.llm_api_key,
        timeout_s=settings.llm_desk_timeout_s,
        max_concurrency=settings.llm_max_concurrency,
        breaker_fail_max=settings.llm_breaker_fail_max,
        breaker_reset_s=settings.llm_breaker_reset_s,
    )
    return LlmAssist(
        chat,
        switches=Switches(
            phrasing=settings.llm_phrasing,
            understanding=settings.llm_understanding,
            desk=settings.llm_desk,
            gaps=settings.llm_gaps,
        ),
        turn_budget_s=settings.llm_turn_budget_ms / 1000,
        desk_timeout_s=settings.llm_desk_timeout_s,
        overloaded=overloaded,
        metrics=LlmMetrics(state),
        mask=settings.llm_mask_personal_data,
        low_confidence=low_confidence,
    )


__all__ = ["LlmAssist", "LlmMetrics", "Switches", "build_llm"]
