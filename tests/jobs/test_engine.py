"""The job engine on SQLite and on Redis: retries with growing delays, dead letters, periodic SLA
escalation, and deliveries to one customer kept in order."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kefu.channels.hub import channels_of
from kefu.channels.outbound import RecordingSender, RetryPolicy
from kefu.config import Settings
from kefu.domain.desk import TicketKind, TicketStatus
from kefu.domain.handoff import TicketRequest
from kefu.jobs import Retries
from kefu.wiring import Kefu
from tests.channels.support import eventually
from tests.desk.support import desk_of, new_conversation


def test_a_failing_task_is_retried_with_growing_delays_then_kept_as_a_dead_letter(
    kefu: Kefu,
) -> None:
    tries: list[float] = []

    def call_the_shop(_: Kefu, order_id: str) -> None:
        tries.append(time.monotonic())
        raise RuntimeError(f"shop API down for {order_id}")

    task = kefu.jobs.task("test.call_the_shop", call_the_shop, Retries(2, delay_s=1.0, backoff=2))
    kefu.jobs.start_consumer()
    task.enqueue("E2026111100001")
    letters = eventually(lambda: kefu.jobs.dead_letters.latest(task="test.call_the_shop"), 15)
    assert len(tries) == 3
    first_gap, second_gap = tries[1] - tries[0], tries[2] - tries[1]
    assert first_gap >= 1.0 and second_gap >= 2.0
    (letter,) = letters
    assert letter.args == ["E2026111100001"] and letter.attempts == 3
    assert "shop API down for E2026111100001" in letter.error


def test_a_task_that_succeeds_on_a_retry_leaves_no_dead_letter(kefu: Kefu) -> None:
    done: list[str] = []

    def flaky(_: Kefu, text: str) -> None:
        if not done:
            done.append("failed")
            raise ConnectionError("redis blinked")
        done.append(text)

    task = kefu.jobs.task("test.flaky", flaky, Retries(3, delay_s=0.5))
    kefu.jobs.start_consumer()
    task.enqueue("ok")
    eventually(lambda: "ok" in done, 10)
    assert done == ["failed", "ok"]
    assert kefu.jobs.dead_letters.latest(task="test.flaky") == []


def test_the_consumer_escalates_a_ticket_past_its_sla_on_its_own(kefu: Kefu) -> None:
    desk = desk_of(kefu)
    long_ago = datetime.now(UTC) - timedelta(days=3)
    conversation = new_conversation(kefu.db, "C1003", long_ago)
    ticket_id = desk.open_ticket(
        TicketRequest(
            kind=TicketKind.LOGISTICS,
            customer_id="C1003",
            description="parcel stalled for more than 72 hours",
            at=long_ago,
            order_id="E2026110100004",
            conversation_id=conversation.id,
        )
    )
    assert "desk.run_jobs" in kefu.jobs.periodic_names
    kefu.jobs.start_consumer()  # the scheduler enqueues the periodic tasks as it starts

    def escalated() -> bool:
        record = desk.tickets.get(ticket_id)
        return record is not None and record.ticket.status is TicketStatus.ESCALATED

    eventually(escalated, 10)
    # the customer hears that a supervisor has the ticket (told just after the escalation)
    told = eventually(lambda: kefu.dialogue.store.messages(conversation.id), 5)
    assert ticket_id in told[-1].text


def test_deliveries_to_one_customer_arrive_in_order_when_the_first_is_retried(kefu: Kefu) -> None:
    outbox = channels_of(kefu).outbox
    sender = RecordingSender(fail_times=1)
    outbox.senders["wechat"] = sender
    outbox.policy = RetryPolicy(first_delay_s=1.0, max_attempts=5)
    kefu.jobs.start_consumer()
    now = datetime.now(UTC)
    for text in ("您好，我是客服小李", "您的退款已经提交", "还有什么可以帮您"):
        outbox.enqueue("wechat", "oWx_c1006", {"text": text}, now)
    outbox.enqueue("wechat", "oWx_other", {"text": "另一位顾客"}, now)
    eventually(lambda: len(sender.sent) == 4, 15)
    mine = [d.payload["text"] for d in sender.sent if d.target == "oWx_c1006"]
    assert mine == ["您好，我是客服小李", "您的退款已经提交", "还有什么可以帮您"]
    assert outbox.store.get(sender.sent[-1].id).attempts == 1  # type: ignore[union-attr]


def test_a_delivery_given_up_is_a_dead_letter_and_the_next_one_still_goes(kefu: Kefu) -> None:
    outbox = channels_of(kefu).outbox
    sender = RecordingSender(fail_times=1)
    outbox.senders["wechat"] = sender
    outbox.policy = RetryPolicy(first_delay_s=1.0, max_attempts=1)
    kefu.jobs.start_consumer()
    now = datetime.now(UTC)
    lost = outbox.enqueue("wechat", "oWx_c1006", {"text": "第一条"}, now)
    outbox.enqueue("wechat", "oWx_c1006", {"text": "第二条"}, now)
    eventually(lambda: sender.sent, 10)
    assert [d.payload["text"] for d in sender.sent] == ["第二条"]
    (letter,) = kefu.jobs.dead_letters.latest(task="outbound.deliver")
    assert letter.args == [lost, "wechat"] and "told to fail" in letter.error


@pytest.mark.redis
def test_a_periodic_task_runs_once_a_minute_however_many_consumers_run_the_scheduler(
    redis_url: str, tmp_path: Path
) -> None:
    job_settings = Settings(redis_url=redis_url, jobs_in_process=True, jobs_periodic=True)
    ran: list[str] = []
    instances = [
        Kefu.start(job_settings.model_copy(update={"data_dir": tmp_path / name}))
        for name in ("one", "two")
    ]
    try:
        for k in instances:
            k.jobs.periodic("test.tick", lambda kefu, now: ran.append(str(kefu.settings.data_dir)))
            k.jobs.start_consumer()
        eventually(lambda: ran, 10)
        time.sleep(2.0)  # both schedulers have enqueued this minute's tick by now
        assert len(ran) == 1
    finally:
        for k in instances:
            k.close()
