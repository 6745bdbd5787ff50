"""No phone, ID number, address, token or signature in a log line, whatever the logger."""

from __future__ import annotations

import io
import json
import logging

import pytest

from kefu.api.auth import issue_token
from kefu.edge.identity import issue_customer_token
from kefu.log_masking import MaskingFilter, mask
from kefu.logging_setup import configure_logging

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
