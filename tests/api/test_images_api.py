"""Photos over HTTP: type read from the bytes, a size cap, stored with the conversation, and
readable only by its customer and the agents who may read the conversation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from kefu.domain.images import MAX_IMAGE_BYTES, ImageRefused, accept_image, sniff
from kefu.wiring import Kefu
from tests.desk.support import desk_of, handoff, new_conversation
from tests.web.test_chat_image import png


@pytest.fixture
def api(kefu: Kefu) -> Iterator[TestClient]:
    desk_of(kefu)
    from kefu.api.app import create_app

    with TestClient(create_app(kefu=kefu), raise_server_exceptions=False) as c:
        yield c


def _upload(api: TestClient, conv: str, customer: str, data: bytes, kind: str = "image/png"):  # type: ignore[no-untyped-def]
    return api.post(
        f"/api/v1/conversations/{conv}/images",
        params={"customer_id": customer},
        content=data,
        headers={"content-type": kind},
    )


def _login(api: TestClient, agent_id: str) -> dict[str, str]:
    r = api.post("/api/v1/agent/login", json={"agent_id": agent_id, "password": "demo"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_the_type_is_read_from_the_bytes_not_the_name() -> None:
    assert sniff(png()) == "image/png"
    assert sniff(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    for bad, code in ((b"", "empty"), (b"<script>alert(1)</script>", "bad_type")):
        with pytest.raises(ImageRefused) as refused:
            accept_image(bad)
        assert refused.value.code == code
    with pytest.raises(ImageRefused) as refused:
        accept_image(png() + b"\x00" * MAX_IMAGE_BYTES)
    assert refused.value.code == "too_large"


def test_a_photo_is_stored_shown_to_its_customer_and_the_agent_and_nobody_else(
    kefu: Kefu, api: TestClient
) -> None:
    now = datetime.now(UTC)
    conv = new_conversation(kefu.db, "C1002", now, text="我要找人工")
    kefu.desk.hand_off(handoff(conv, now, intent="return_refund"))
    sent = _upload(api, conv.id, "C1002", png())
    assert sent.status_code == 201, sent.text
    image = sent.json()["image"]
    assert image["content_type"] == "image/png" and image["size"] == len(png())

    mine = api.get(f"/api/v1/images/{image['id']}", params={"customer_id": "C1002"})
    assert mine.status_code == 200 and mine.content == png()
    assert mine.headers["content-type"] == "image/png"
    assert mine.headers["x-content-type-options"] == "nosniff"
    history = api.get(f"/api/v1/conversations/{conv.id}/messages", params={"customer_id": "C1002"})
    assert history.json()[-1]["image"]["id"] == image["id"]

    # another customer neither reads it nor posts into the conversation
    other = api.get(f"/api/v1/images/{image['id']}", params={"customer_id": "C1003"})
    assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"
    assert _upload(api, conv.id, "C1003", png()).status_code == 404

    # the agent it is routed to reads it; an agent of another group does not; nobody without a token
    a02 = _login(api, "A02")
    assert api.post(f"/api/v1/agent/conversations/{conv.id}/accept", headers=a02).status_code == 200
    assert api.get(f"/api/v1/agent/images/{image['id']}", headers=a02).content == png()
    a01 = _login(api, "A01")
    assert api.get(f"/api/v1/agent/images/{image['id']}", headers=a01).status_code == 403
    assert api.get(f"/api/v1/agent/images/{image['id']}").status_code == 401


def test_what_is_not_an_image_or_too_large_is_refused_and_nothing_is_stored(
    kefu: Kefu, api: TestClient
) -> None:
    conv = new_conversation(kefu.db, "C1004", datetime.now(UTC), text="hello")
    script = _upload(api, conv.id, "C1004", b"<html><script>x</script></html>", "image/png")
    assert script.status_code == 415 and script.json()["error"]["code"] == "bad_type"
    huge = _upload(api, conv.id, "C1004", png() + b"\x00" * MAX_IMAGE_BYTES)
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "too_large"
    empty = _upload(api, conv.id, "C1004", b"")
    assert empty.status_code == 422
    assert (
        api.get(
            f"/api/v1/conversations/{conv.id}/messages", params={"customer_id": "C1004"}
        ).json()[-1]["text"]
        == "hello"
    )
    missing = api.post(f"/api/v1/conversations/{conv.id}/images", content=png())
    assert missing.status_code == 422
