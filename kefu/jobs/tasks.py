"""kefu's own tasks and periodic tasks, registered on every ``Jobs`` by ``Kefu.start``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kefu.jobs.engine import Jobs, Retries, Task
from kefu.jobs.host import Host


@dataclass(frozen=True)
class KefuTasks:
    """Typed handles of kefu's tasks: ``kefu.jobs.tasks.deliver.enqueue(delivery_id)``."""

    deliver: Task[[str]]
    recover_inbound: Task[[str, str]]


def _deliver(kefu: Host, delivery_id: str) -> None:
    from kefu.channels.hub import channels_of

    channels_of(kefu).outbox.deliver(delivery_id)


def _recover_inbound(kefu: Host, channel: str, external_id: str) -> None:
    from kefu.channels.hub import channels_of

    channels = channels_of(kefu)
    if channel == "wechat":
        channels.wechat.recover(external_id)
    else:
        channels.webhook.recover(channel, external_id)


def run_desk_jobs(kefu: Host, now: datetime) -> dict[str, int]:
    """SLA escalation and reassignment of stalled offers and unanswered chats."""
    return kefu.desk.run_jobs(now)


def sweep_deliveries(kefu: Host, now: datetime) -> dict[str, int]:
    """Deliveries whose task was lost with a worker that died: sent from here."""
    from kefu.channels.hub import channels_of

    return channels_of(kefu).outbox.deliver_due(now)


def check_promises(kefu: Host, now: datetime) -> dict[str, int]:
    """Wait-time promises: overflow before a breach, alerts when one is missed."""
    from kefu.ops.promises import check_wait_promises

    return check_wait_promises(kefu, now).to_dict()


def check_staffing(kefu: Host, now: datetime) -> int:
    """An alert when the next hours' forecast needs more agents than the adopted plan."""
    from kefu.ops.planning import check_staff_short

    return check_staff_short(kefu, now)


def announce_queue_moves(kefu: Host, now: datetime) -> int:
    """Waiting customers whose place in the queue moved meaningfully are told."""
    return kefu.dialogue.announce_queue_moves(now)


def dispatch_notices(kefu: Host, now: datetime) -> object:
    """Proactive notices that are due (quiet hours over, events arrived)."""
    from kefu.jobs.notices import dispatch_notices as dispatch

    return dispatch(kefu, now)


def ask_after_bot_conversations(kefu: Host, now: datetime) -> object:
    """A satisfaction question after a bot-only conversation has gone quiet."""
    from kefu.jobs.notices import ask_after_bot_conversations as ask

    return ask(kefu, now)


def find_stalled_parcels(kefu: Host, now: datetime) -> object:
    """Parcels with no tracking update for the policy's hours: a ticket, and the customer told."""
    from kefu.jobs.notices import find_stalled_parcels as find

    return find(kefu, now)


def run_retention(kefu: Host, now: datetime) -> object:
    """Conversations and personal data past the shop's retention age are anonymised."""
    from kefu.privacy.requests import run_retention as retention

    return retention(kefu, now)


def heartbeat(kefu: Host, now: datetime) -> None:
    """The job runner is alive: readiness and the jobs alert read this."""
    from kefu.runtime.heartbeat import JOBS, beat

    beat(kefu.state, JOBS, now)


def propose_gap_answers(kefu: Host, now: datetime) -> object:
    """The shop's model drafts answers for frequent uncovered questions, into review."""
    from kefu.llm.desk import propose_gap_answers as propose

    return propose(kefu, now)


def register_kefu_tasks(jobs: Jobs[Host]) -> KefuTasks:
    jobs.periodic("desk.run_jobs", run_desk_jobs)
    jobs.periodic("outbound.sweep", sweep_deliveries)
    jobs.periodic("ops.wait_promises", check_promises)
    jobs.periodic("ops.staff_short", check_staffing, minute="5")
    jobs.periodic("dialogue.queue_moves", announce_queue_moves)
    jobs.periodic("notices.dispatch", dispatch_notices)
    jobs.periodic("notices.surveys", ask_after_bot_conversations, minute="*/5")
    jobs.periodic("notices.stalled", find_stalled_parcels, minute="*/15")
    jobs.periodic("privacy.retention", run_retention, minute="17", hour="3")
    jobs.periodic("jobs.heartbeat", heartbeat)
    jobs.periodic("llm.gap_answers", propose_gap_answers, minute="41", hour="4")
    return KefuTasks(
        # the outbox keeps its own attempts and back-off per delivery (RetryPolicy); the task
        # retries only when the database itself failed under it
        deliver=jobs.task(
            "outbound.deliver", _deliver, Retries(times=5, delay_s=2.0, backoff=2.0), priority=10
        ),
        # a live worker's lease raises StillRunning: look again after the lease could lapse
        recover_inbound=jobs.task(
            "inbound.recover",
            _recover_inbound,
            Retries(times=8, delay_s=5.0, backoff=1.5),
            priority=20,
        ),
    )
