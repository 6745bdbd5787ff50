"""A running kefu whose job engine is on each backend: the SQLite file and Redis."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kefu.config import Settings
from kefu.wiring import Kefu


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def job_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    # the server consumes in-process here on both backends, as `make run` and the tests need
    return Settings(
        data_dir=tmp_path, redis_url=redis_url, jobs_in_process=True, jobs_periodic=True
    )


@pytest.fixture
def kefu(job_settings: Settings) -> Iterator[Kefu]:
    k = Kefu.start(job_settings)
    yield k
    k.close()
