"""Every route of the OpenAPI schema fuzzed with schemathesis: no 5xx, responses as documented.

Property-based (hypothesis): for each operation, a bounded number of generated requests, valid
and invalid, each sent with a supervisor's token so the fuzzer reaches past the 401 into the
routes themselves. ``KEFU_FUZZ_EXAMPLES`` raises the bound for a longer hunt.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from kefu.api.app import create_app
from kefu.config import Settings
from kefu.wiring import Kefu

EXAMPLES = int(os.environ.get("KEFU_FUZZ_EXAMPLES", "8"))


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kefu]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("fuzz"),
        ip_messages_per_minute=0,  # the fuzzer is one address sending thousands of requests
        customer_messages_per_minute=100_000,
    )
    kefu = Kefu.start(settings)
    kefu.dialogue.nlu  # noqa: B018
    kefu.knowledge.warm()  # built once here, not inside the first fuzzed request's time limit
    yield kefu
    kefu.close()


# the schema is read at collection (no kefu needed for it); the shop is started by the fixture
app: FastAPI = create_app(settings=Settings(ip_messages_per_minute=0))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module")
def supervisor_token(shop: Kefu) -> Iterator[str]:
    app.state.kefu = shop  # what the lifespan would do, with this test's own shop
    with TestClient(app) as client:
        answer = client.post("/api/v1/agent/login", json={"agent_id": "S01", "password": "demo"})
    yield answer.json()["token"]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same requests on every run: a failure in CI reproduces here
)
def test_no_route_answers_5xx_or_off_schema(case: schemathesis.Case, supervisor_token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {supervisor_token}"},
        checks=[not_a_server_error, response_schema_conformance],
        timeout=60,
    )
