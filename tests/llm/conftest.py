"""A scripted OpenAI-compatible server for the module (tests.llm.standin) and a kefu started on
the tests' shared model cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kefu.config import Settings
from kefu.wiring import Kefu
from tests.llm.standin import Script, serve

MODELS = Path(__file__).resolve().parents[2] / "var" / "test-models"


@pytest.fixture(scope="module")
def script() -> Script:
    return Script()


@pytest.fixture(scope="module")
def model_url(script: Script) -> Iterator[str]:
    with serve(script) as url:
        yield url


def start_kefu(data_dir: Path, **llm: Any) -> Kefu:
    MODELS.mkdir(parents=True, exist_ok=True)
    return Kefu.start(Settings(data_dir=data_dir, model_dir=MODELS, **llm))
