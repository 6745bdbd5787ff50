"""No phone, ID number, address, token or signature in a log line, whatever the logger."""

from __future__ import annotations

import io
import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from urllib.parse import quote, quote_plus

import httpx
import pytest
import uvicorn

from kefu.api.app import create_app
from kefu.api.auth import issue_token
from kefu.config import Settings
from kefu.edge.identity import issue_customer_token
from kefu.log_masking import MaskingFilter, mask
from kefu.logging_setup import configure_logging
from kefu.wiring import Kefu

SECRETS = [
    ("mainland mobile", "13800138000"),
    ("mainland mobile, spaced", "138 0013 8000"),
    ("mainland with +86", "+86 138-0013-8000"),
    ("Hong Kong", "+852 6123 4567"),
    ("Hong Kong, local", "6123 4567"),
    ("Taiwan", "0912-345-678"),
    ("Taiwan, international", "+886 912 345 678"),
    ("international", "+44 20 7946 0958"),
    ("mainland landline", "021-62345678"),
    ("mainland ID", "11010519491231002X"),
    ("Taiwan ID", "A123456789"),
    ("Hong Kong ID", "A123456(7)"),
    ("Chinese address", "上海市浦东新区世纪大道100号3楼"),
    ("Traditional address", "台北市信義區信義路五段7號"),
    ("English address", "12 Queen's Road Central"),
]


@pytest.mark.parametrize(("what", "value"), SECRETS)
def test_personal_data_is_masked_in_messages(what: str, value: str) -> None:
    masked = mask(f"客户说：我的资料是{value}，谢谢")
    assert value not in masked, what
    assert "客户说" in masked  # the rest of the line stays readable


def test_what_is_not_personal_stays_readable() -> None:
    line = "order E2026111100001 tracking SF1234567890 total 158.00 took 12.5ms rid 5a9123456b7c"
    assert mask(line) == line


def test_tokens_and_signed_query_strings_are_masked() -> None:
    customer = issue_customer_token("C1001", "k" * 40, ttl_s=60)
    agent = issue_token("A01", "agent", "k" * 40, ttl_s=60)
    line = mask(
        f"GET /channels/wechat?signature=abc123&timestamp=1&nonce=99&echostr=xyz "
        f"Authorization: Bearer {agent} token {customer} /ws?token={customer}"
    )
    for secret in ("abc123", "echostr=xyz", agent, customer, "nonce=99"):
        assert secret not in line


def _capture(level: str = "INFO", log_format: str = "text") -> io.StringIO:
    configure_logging(level, log_format)
    out = io.StringIO()
    logging.getLogger("kefu").handlers[0].setStream(out)  # type: ignore[attr-defined]
    return out


def test_arguments_and_tracebacks_are_masked_not_only_the_format_string() -> None:
    out = _capture()
    log = logging.getLogger("kefu.test")
    log.info("customer %s changed phone to %s", "C1001", "13800138000")
    log.info("address %(addr)s", {"addr": "北京市朝阳区建国路88号"})
    try:
        raise ValueError("bad phone 0912-345-678")
    except ValueError:
        log.exception("failed for %s", "+852 6123 4567")
    text = out.getvalue()
    for secret in ("13800138000", "建国路88号", "0912-345-678", "6123 4567"):
        assert secret not in text
    assert "C1001" in text and "***8000" in text


def test_json_lines_are_masked_too() -> None:
    out = _capture(log_format="json")
    logging.getLogger("kefu.test").warning("call 13912345678 at 上海市徐汇区漕溪北路1号")
    line = json.loads(out.getvalue().strip())
    assert line["level"] == "WARNING" and "13912345678" not in line["message"]
    assert "漕溪北路" not in line["message"]


def test_the_access_log_keeps_no_signature_or_token() -> None:
    configure_logging()
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("10.0.0.1:5000", "GET", "/channels/wechat?signature=s3cr3t&echostr=e", "1.1", 200),
        None,
    )
    access = logging.getLogger("uvicorn.access")
    assert all(f.filter(record) for f in access.filters if isinstance(f, MaskingFilter))
    assert any(isinstance(f, MaskingFilter) for f in access.filters)
    line = record.getMessage()
    assert "s3cr3t" not in line and "200" in line  # the shape uvicorn's formatter needs is kept


PHONE, ADDRESS = "13912345678", "上海市徐汇区漕溪北路1号"
HK_PHONE, HK_ADDRESS = "+852 6123 4567", "12 Queen's Road Central"


def _served(settings: Settings, requests: Callable[[httpx.Client], None]) -> tuple[str, str]:
    """The kefu and uvicorn.access log lines of ``requests``, served by uvicorn as in production:
    uvicorn's logging config first, then the app's (``kefu serve`` loads the app the same way)."""
    kefu = Kefu.start(settings)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        lambda: create_app(kefu=kefu), factory=True, host="127.0.0.1", port=port, log_level="info"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    kefu_log, access_log = io.StringIO(), io.StringIO()
    try:
        deadline = time.time() + 20
        while not server.started and time.time() < deadline:
            time.sleep(0.05)
        assert server.started
        logging.getLogger("kefu").handlers[0].setStream(kefu_log)  # type: ignore[attr-defined]
        logging.getLogger("uvicorn.access").handlers[0].setStream(access_log)  # type: ignore[attr-defined]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            requests(http)
    finally:
        server.should_exit = True
        thread.join(10)
        kefu.close()
    return kefu_log.getvalue(), access_log.getvalue()


def _absent(values: list[str], logged: str) -> None:
    for value in values:
        for form in {value, quote(value), quote_plus(value)}:  # as typed, or as a URL has it
            assert form not in logged, f"{form!r} in the log"


@pytest.mark.parametrize(
    ("log_format", "level"),
    [("text", "INFO"), ("json", "INFO"), ("text", "DEBUG"), ("json", "DEBUG")],
)
def test_a_log_of_real_requests_holds_no_token_phone_or_address(
    sqlite_settings: Settings, log_format: str, level: str
) -> None:
    """Customer tokens in headers and query strings, phones and addresses in messages, a phone
    in a query string: none of them in the app's log lines or uvicorn's access lines."""
    settings = sqlite_settings.model_copy(update={"log_format": log_format, "log_level": level})
    token = issue_customer_token("C1001", settings.secret_key)
    other = issue_customer_token("C1004", settings.secret_key)

    def requests(http: httpx.Client) -> None:
        said = http.post(
            "/api/v1/messages",
            params={"token": token},
            headers={"Authorization": f"Bearer {token}"},
            json={
                "channel": "web",
                "customer_id": "C1001",
                "text": f"地址改成{ADDRESS}，电话{PHONE}",
            },
        )
        assert said.status_code == 200, said.text
        english = http.post(
            "/api/v1/messages",
            params={"token": other},
            json={
                "channel": "web",
                "customer_id": "C1004",
                "text": f"please send it to {HK_ADDRESS}, call me on {HK_PHONE}",
            },
        )
        assert english.status_code == 200, english.text
        history = f"/api/v1/conversations/{said.json()['conversation_id']}/messages"
        read = http.get(history, params={"customer_id": "C1001", "token": token, "phone": PHONE})
        assert read.status_code == 200
        # another customer's token for C1001's conversation: refused
        assert http.get(history, params={"customer_id": "C1001", "token": other}).status_code == 401
        prefs = http.put(
            "/api/v1/notices/preferences",
            params={"token": token, "phone": PHONE},
            json={"customer_id": "C1001", "opted_out": []},
        )
        assert prefs.status_code == 200

    app_log, access = _served(settings, requests)
    assert access.count("POST /api/v1/messages") == 2 and "/notices/preferences" in access
    assert app_log.strip()  # the app's own lines were captured too
    if level == "DEBUG":
        assert "PUT /api/v1/notices/preferences" in app_log
    _absent([token, other, PHONE, ADDRESS, HK_PHONE, HK_ADDRESS], app_log + access)
    assert "6123 4567" not in app_log + access and "61234567" not in app_log + access


def test_an_address_in_a_query_string_is_not_in_the_access_log(sqlite_settings: Settings) -> None:
    token = issue_customer_token("C1001", sqlite_settings.secret_key)

    def requests(http: httpx.Client) -> None:
        prefs = http.put(
            "/api/v1/notices/preferences",
            params={"token": token, "address": ADDRESS},
            json={"customer_id": "C1001", "opted_out": []},
        )
        assert prefs.status_code == 200

    _, access = _served(sqlite_settings, requests)
    assert "/notices/preferences" in access
    _absent([token, ADDRESS], access)
