"""Wire models of the operations side: the dashboard's analytics, planning and outcomes, the
rollout, health, privacy requests, order events and notices, imports and photos.

Response models forbid extra keys: a key a handler returns but the model forgets fails the route
in tests instead of vanishing from the wire. A number the core computes as ``round(x, n)`` keeps
the type it had (``round`` of an int is an int), so fields that may be either are ``Number``:
pydantic's union keeps the input's own type where ``float`` would turn ``10`` into ``10.0``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from kefu.commerce.events import OrderEventType
from kefu.commerce.import_rows import ImportKind
from kefu.domain.orders import OrderStatus
from kefu.notify.policy import NoticeCategory
from kefu.privacy.audit import AuditAction

Number = int | float


class Out(BaseModel):
    """A response: every key the handler returns must be declared here."""

    model_config = ConfigDict(extra="forbid")


class WindowOut(Out):
    start: str
    end: str


# ---- analytics: overview, agents, staffing -------------------------------------------------


class OverviewWindowOut(Out):
    start: str
    end: str
    bucket_minutes: int


class TotalsOut(Out):
    conversations: int
    conversations_with_customer_messages: int
    messages: int
    customer_messages: int
    handoffs: int


class SummaryOut(Out):
    """Count, mean, median and 90th percentile of a sample (None without one)."""

    count: int
    mean: Number | None
    median: Number | None
    p90: Number | None


class QueueOut(Out):
    waiting: int
    active: int
    longest_wait_s: Number | None
    waits: SummaryOut
    waiting_by_skill: dict[str, int]


class SatisfactionOut(Out):
    sent: int
    answered: int
    average: Number | None
    csat: float | None
    response_rate: float | None
    distribution: dict[str, int]  # score "1".."5" -> ratings


class SeriesPointOut(Out):
    start: str
    per_minute: Number
    customer: int
    bot: int
    agent: int


class IntentCountOut(Out):
    intent: str
    count: int


class UncoveredOut(Out):
    text: str
    count: int
    last_at: str


class StaffingOut(Out):
    """Agents needed for an arrival rate (Erlang C)."""

    arrivals_per_hour: Number
    traffic_erlangs: Number
    seats: int
    agents: int
    service_level: Number
    average_wait_s: Number | None  # None: the queue never empties
    occupancy: Number


class ForecastOut(Out):
    baseline_peak_per_hour: Number
    surge: Number
    peak_per_hour: Number
    handoff_rate: Number
    to_agents_per_hour: Number
    staffing: StaffingOut


class OverviewOut(Out):
    window: OverviewWindowOut
    totals: TotalsOut
    bot_resolution_rate: float | None
    handoff_rate: float | None
    first_response_s: SummaryOut
    agent_first_response_s: SummaryOut
    handle_time_s: SummaryOut
    queue: QueueOut
    satisfaction: SatisfactionOut
    series: list[SeriesPointOut]
    top_intents: list[IntentCountOut]
    uncovered: list[UncoveredOut]
    channels: dict[str, int]
    forecast: ForecastOut


class AgentFigureOut(Out):
    agent_id: str
    name: str
    chats_closed: int
    avg_handle_s: Number | None
    replies: int
    chats_replied: int
    ratings: int
    avg_score: Number | None


class AgentFiguresOut(Out):
    start: str
    end: str
    agents: list[AgentFigureOut]


# ---- planning: plan, alerts, promises ------------------------------------------------------


class PlanQuery(BaseModel):
    """``GET /api/v1/analytics/plan``: the hours to plan and the what-ifs (left out: the shop's
    own settings)."""

    start: str | None = None  # an ISO time with its UTC offset; now when left out
    hours: int = Field(default=24, ge=1, le=24 * 14)
    concurrency: int | None = Field(default=None, ge=1, le=20)
    patience_s: float | None = Field(default=None, gt=0, le=3600)
    target_s: float | None = Field(default=None, gt=0, le=3600)
    target_level: float | None = Field(default=None, gt=0, lt=1)
    shift_hours: str = "8,4"  # shift lengths to choose from, e.g. "8,4"
    save: bool = False  # adopt the plan for the staff-short alert


class AuditQuery(BaseModel):
    """``GET /api/v1/admin/audit``: filters, newest first."""

    actor: str | None = Field(default=None, max_length=64)
    target_kind: str | None = Field(default=None, max_length=32)
    target_id: str | None = Field(default=None, max_length=64)
    limit: int = Field(default=100, ge=1, le=1000)


class PlanInputsOut(Out):
    people_share: Number
    aht_s: Number
    patience_s: Number
    concurrency: int
    target_s: Number
    target_level: Number
    max_abandon: Number
    shift_hours: list[int]


class MultiplierOut(Out):
    value: Number
    learned: bool


class BandOut(Out):
    low_ratio: Number
    high_ratio: Number


class VolumeModelOut(Out):
    fitted_hours: int
    multipliers: dict[str, MultiplierOut]  # per calendar window kind
    band: BandOut


class BacktestOut(Out):
    holdout_start: str
    hours: int
    actual_total: int
    wape: Number | None
    band_coverage: Number | None


class HourPlanOut(Out):
    at: str
    expected: Number
    low: Number
    high: Number
    window: str | None  # the calendar window that shapes the hour, if any
    to_people: Number
    agents: int
    seats: int
    service_level: Number
    p_abandon: Number


class ShiftOut(Out):
    start: str
    hours: int
    agents: int


class ShiftPlanOut(Out):
    start: str
    needed: list[int]
    staffed: list[int]
    agent_hours: int
    needed_agent_hours: int
    shifts: list[ShiftOut]


class PlanOut(Out):
    inputs: PlanInputsOut
    model: VolumeModelOut
    backtest: BacktestOut | None  # None while the history is too short to hold a week back
    hours: list[HourPlanOut]
    shift_plan: ShiftPlanOut


class AlertOut(Out):
    id: int
    kind: str
    at: str
    detail: dict[str, Any]  # what the alert's kind reports (tier, wait, promise, staff short…)


class PromiseKeptOut(Out):
    tier: str
    target_s: Number
    met: int
    missed: int
    share_met: float | None


class PromisesOut(Out):
    window: WindowOut
    first_response: list[PromiseKeptOut]
    urgent_tickets: PromiseKeptOut
    definitions: dict[str, str]


# ---- outcomes and the rollout's sides ------------------------------------------------------


class TicketSlaOut(Out):
    met: int
    missed: int
    compliance: float | None


class FieldCompletenessOut(Out):
    share: Number | None
    tickets: int


class OutcomeAgentOut(Out):
    agent_id: str
    handled: int
    resolution_rate: float | None
    first_response_s: Number | None
    handle_time_s: Number | None
    csat: float | None
    ratings: int


class OutcomesOut(Out):
    window: WindowOut
    conversations: int
    bot_resolution_rate: float | None
    first_contact_resolution: float | None
    containment_rate: float | None
    complaint_rate: float | None
    repeat_rate: float | None
    fallback_rate: float | None
    negative_rating_rate: float | None
    handoff_precision: float | None
    handoffs_reviewed: int
    ticket_sla: TicketSlaOut
    ticket_field_completeness: FieldCompletenessOut
    per_agent: list[OutcomeAgentOut]
    definitions: dict[str, str]


class IntervalOut(Out):
    """A number with its 95% interval over ``n`` cases (all None without a case)."""

    value: Number | None
    low: Number | None
    high: Number | None
    n: int


class SideOut(Out):
    conversations: int
    resolution: IntervalOut
    handoff_rate: IntervalOut
    csat: IntervalOut
    first_response_s: IntervalOut


class SidesDifferenceOut(Out):
    resolution: IntervalOut
    handoff_rate: IntervalOut
    csat: IntervalOut
    first_response_s: IntervalOut


MAX_REVIEW_NOTE = 500


class HandoffReviewIn(BaseModel):
    """``{"needless": true, "note": "…"}``: the bot could have answered this one."""

    model_config = ConfigDict(extra="ignore", strict=True)

    needless: StrictBool
    note: StrictStr = Field(default="", max_length=MAX_REVIEW_NOTE)


class HandoffReviewOut(Out):
    conversation_id: str
    needless: bool


# ---- rollout -------------------------------------------------------------------------------


class RolloutIn(BaseModel):
    """The fields to change; those left out keep their value."""

    model_config = ConfigDict(extra="forbid", strict=True)

    ai_share: StrictInt | None = Field(default=None, ge=0, le=100)
    ai_off_channels: list[StrictStr] | None = None
    ai_off_intents: list[StrictStr] | None = None


class RolloutOut(Out):
    ai_share: int
    ai_off_channels: list[str]
    ai_off_intents: list[str]
    updated_at: str | None  # None until the first change
    updated_by: str | None


class RolloutSwitchesOut(Out):
    ai_share: int
    ai_off_channels: list[str]
    ai_off_intents: list[str]


class RolloutAuditOut(Out):
    at: str
    actor: str
    before: RolloutSwitchesOut
    after: RolloutSwitchesOut


class RolloutSidesOut(Out):
    window: WindowOut
    config: RolloutOut
    ai: SideOut
    people: SideOut
    ai_minus_people: SidesDifferenceOut
    definition: str


# ---- health --------------------------------------------------------------------------------


class HealthOut(Out):
    status: Literal["ok"]


class HealthErrorOut(Out):
    code: str
    message: str


class HealthDownOut(Out):
    status: Literal["unavailable"]
    error: HealthErrorOut


class LiveOut(Out):
    status: Literal["alive"]


class DatabaseCheckOut(Out):
    ok: bool
    error: str | None = None  # the exception's name, only when the check failed


class SharedStateCheckOut(Out):
    ok: bool
    backend: Literal["redis", "in_process"]
    error: str | None = None  # only when the check failed


class JobsCheckOut(Out):
    ok: bool
    required: bool
    seconds_since_last_round: Number | None


class ReadyChecksOut(Out):
    database: DatabaseCheckOut
    shared_state: SharedStateCheckOut
    jobs: JobsCheckOut


class ReadyOut(Out):
    status: Literal["ready", "unavailable"]
    checks: ReadyChecksOut


# ---- privacy -------------------------------------------------------------------------------


class RevealIn(BaseModel):
    field: Literal["phone", "address"]
    reason: str = Field(min_length=1, max_length=200)
    order_id: str | None = Field(default=None, max_length=32)


class RevealOut(Out):
    field: Literal["phone", "address"]
    value: str


class AuditEventOut(Out):
    at: str
    actor: str
    action: AuditAction
    target_kind: str
    target_id: str
    reason: str
    detail: dict[str, Any]


class ExportCustomerOut(Out):
    id: str
    name: str
    phone: str
    email: str | None
    lang: str
    vip: str
    created_at: str
    channels: dict[str, str]  # channel -> the customer's id there


class ExportOrderItemOut(Out):
    sku: str
    qty: int
    unit_price: str  # money: a decimal string


class ExportOrderOut(Out):
    id: str
    status: str
    address: str
    created_at: str
    items: list[ExportOrderItemOut]


class ExportRequestOut(Out):
    id: str
    kind: str
    order_id: str
    status: str
    created_at: str
    details: dict[str, Any]


class ExportMessageOut(Out):
    sender: Literal["customer", "bot", "agent", "system"]
    text: str
    at: str


class ExportConversationOut(Out):
    id: str
    channel: str
    status: Literal["bot", "waiting_agent", "with_agent", "closed"]
    created_at: str
    messages: list[ExportMessageOut]


class ExportTicketOut(Out):
    id: str
    kind: str
    status: str
    description: str
    fields: dict[str, Any]
    created_at: str


class CustomerExportOut(Out):
    exported_at: str
    customer: ExportCustomerOut
    orders: list[ExportOrderOut]
    requests: list[ExportRequestOut]
    conversations: list[ExportConversationOut]
    tickets: list[ExportTicketOut]


class ErasedOut(Out):
    customer_id: str
    erased: bool


class RetentionOut(Out):
    """Rows anonymised by this run."""

    messages: int
    orders: int
    requests: int
    customers: int


# ---- order events and notices --------------------------------------------------------------


class OrderEventIn(BaseModel):
    """``POST /api/v1/events/orders`` (CONTRACT 5). Documentation only: the signature covers the
    raw bytes, so the route verifies them before the core's parser reads the event."""

    event_id: str
    type: OrderEventType
    order_id: str = Field(max_length=32)
    customer_id: str = Field(max_length=32)
    at: str
    data: dict[str, Any] = Field(default_factory=dict)


class NoticeOutcomeOut(Out):
    status: Literal["pending", "sent", "held", "suppressed"]
    reason: str | None  # why it was suppressed (a rule's name)


class OrderEventOut(Out):
    event_id: str
    accepted: bool
    duplicate: bool
    stale: bool  # an older state than the order's: kept, the order not rolled back
    order_status: OrderStatus
    notice: NoticeOutcomeOut | None  # None: the event calls for no notice


class PreferencesIn(BaseModel):
    """``{"customer_id", "time_zone"?, "opted_out": ["balance_due", ...]}``."""

    model_config = ConfigDict(extra="ignore", strict=True)

    customer_id: str | None = None  # production: the signed token names the customer instead
    time_zone: str | None = None
    opted_out: list[NoticeCategory] = Field(default_factory=list)


class PreferencesOut(Out):
    customer_id: str
    time_zone: str | None
    opted_out: list[str]


class ParcelQuestionsOut(Out):
    notified_customers: int
    notified_who_asked: int
    notified_ask_rate: float | None
    unnotified_customers: int
    unnotified_who_asked: int
    unnotified_ask_rate: float | None


class NoticeNumbersOut(Out):
    sent: int
    held: int
    suppressed: int
    suppressed_by_rule: dict[str, int]
    by_category: dict[str, dict[str, int]]  # category -> status -> notices
    where_is_my_parcel: ParcelQuestionsOut
    repeat_questions_saved: Number | None


# ---- imports and photos --------------------------------------------------------------------


class ImportErrorOut(Out):
    line: int
    reason: str


class ImportReportOut(Out):
    kind: ImportKind
    rows: int
    imported: int
    rejected: int
    errors: list[ImportErrorOut]  # the first rejected rows, with their line
    errors_truncated: bool


class ImageRefOut(Out):
    id: str
    content_type: str
    size: int


class ImageMessageOut(Out):
    id: str
    seq: int
    sender: Literal["customer", "bot", "agent", "system"]
    text: str
    at: str
    kind: str
    agent_id: str | None
    image: ImageRefOut | None
