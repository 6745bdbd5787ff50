"""A customer's data requests (export, erasure), retention, and an agent's full view of personal
data: each one recorded in the audit log. Called by the admin API, the CLI and the job engine."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

from kefu.commerce.ports import CommercePort
from kefu.domain.conversations import Conversation
from kefu.domain.desk import Agent
from kefu.domain.errors import ClientError, Problem
from kefu.privacy.audit import AuditAction, AuditEvent
from kefu.privacy.masking import PersonalField


class RetentionReport(Protocol):
    def to_wire(self) -> dict[str, int]: ...


class PersonalData(Protocol):
    """The personal data held about customers (``kefu.store.privacy_repo.SqlPersonalData``)."""

    def export(self, customer_id: str) -> dict[str, Any] | None: ...

    def erase(self, customer_id: str) -> bool: ...

    def apply_retention(self, cutoff: datetime) -> RetentionReport: ...


class AuditLog(Protocol):
    def record(self, event: AuditEvent) -> None: ...


class DeskAccess(Protocol):
    """Whether an agent may read a conversation (``kefu.desk.service.Desk``)."""

    def check_access(self, agent: Agent, conversation_id: str) -> tuple[Conversation, object]: ...


class RetentionSettings(Protocol):
    @property
    def retention_days(self) -> int: ...


class Host(Protocol):
    """What these requests use of a running kefu (``kefu.wiring.Kefu`` is one). The stores, the
    desk and the settings import this package, so they are named by what is used of them."""

    @property
    def settings(self) -> RetentionSettings: ...

    @property
    def personal_data(self) -> PersonalData: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def desk(self) -> DeskAccess: ...

    @property
    def commerce(self) -> CommercePort: ...


MAX_REASON_CHARS = 200


class CustomerNotFound(ClientError):
    problem = Problem.NOT_FOUND
    code = "not_found"


class ReasonRequired(ClientError):
    problem = Problem.INVALID
    code = "reason_required"


def export_customer(kefu: Host, customer_id: str, actor: str, now: datetime) -> dict[str, Any]:
    """Everything held about the customer; the export itself is audited."""
    data = kefu.personal_data.export(customer_id)
    if data is None:
        raise CustomerNotFound(f"no customer {customer_id}")
    kefu.audit.record(AuditEvent(now, actor, AuditAction.CUSTOMER_EXPORT, "customer", customer_id))
    return {"exported_at": now.isoformat(), **data}


def erase_customer(kefu: Host, customer_id: str, actor: str, now: datetime) -> None:
    """Anonymise the customer everywhere (orders stay, without anything that names them)."""
    if not kefu.personal_data.erase(customer_id):
        raise CustomerNotFound(f"no customer {customer_id}")
    kefu.audit.record(AuditEvent(now, actor, AuditAction.CUSTOMER_ERASE, "customer", customer_id))


def run_retention(kefu: Host, now: datetime) -> dict[str, int]:
    """Anonymise conversations and personal data older than ``retention_days``; for the job
    engine's schedule (daily is plenty) and ``kefu privacy retention``."""
    cutoff = now - timedelta(days=kefu.settings.retention_days)
    report = kefu.personal_data.apply_retention(cutoff).to_wire()
    kefu.audit.record(
        AuditEvent(
            now,
            "system",
            AuditAction.RETENTION,
            "shop",
            "*",
            detail={"cutoff": cutoff.isoformat(), **report},
        )
    )
    return report


def reveal(
    kefu: Host,
    agent: Agent,
    conversation_id: str,
    field: PersonalField,
    reason: str,
    now: datetime,
    order_id: str | None = None,
) -> str:
    """The full phone or address for an agent handling the conversation, with the reason they
    need it (e.g. "courier needs the phone to deliver"); recorded as who, what, when and why."""
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON_CHARS:
        raise ReasonRequired(f"say why the full {field.value} is needed (1-200 characters)")
    conversation, _entry = kefu.desk.check_access(agent, conversation_id)
    customer_id = conversation.customer_id
    if field is PersonalField.PHONE:
        customer = kefu.commerce.get_customer(customer_id)
        value, target_kind, target_id = customer.phone, "customer", customer_id
    else:
        orders = kefu.commerce.list_orders(customer_id)
        # only the conversation's own customer's orders: an agent cannot reach another's address
        if order_id:
            orders = [o for o in orders if o.id == order_id]
        if not orders:
            raise CustomerNotFound("no such order for this conversation's customer")
        order = max(orders, key=lambda o: o.created_at)
        value, target_kind, target_id = order.address, "order", order.id
    kefu.audit.record(
        AuditEvent(
            now,
            agent.id,
            AuditAction.VIEW_PERSONAL_DATA,
            target_kind,
            target_id,
            reason=reason,
            detail={"field": field.value, "conversation_id": conversation_id},
        )
    )
    return value
