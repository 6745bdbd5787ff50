"""The model for people: a hand-over summary and a reply draft for the agent in the console, and
draft answers for frequent uncovered questions into the knowledge base's review queue (never live).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import Any, Protocol

from kefu.desk.service import Desk
from kefu.domain.desk import Agent
from kefu.knowledge.entry import LANGS
from kefu.knowledge.service import KnowledgeService
from kefu.llm.assist import LlmAssist
from kefu.runtime.ports import SharedState

log = logging.getLogger("kefu.llm")

GAP_AUTHOR = "llm"  # proposals the model drafted, as the review queue shows their author
_GAP_SEEN_S = 30 * 24 * 3600  # a cluster drafted once is not drafted again for a month


class Host(Protocol):
    """What the model's work for people uses of a running kefu (``kefu.wiring.Kefu`` is one)."""

    @property
    def llm(self) -> LlmAssist | None: ...

    @property
    def knowledge(self) -> KnowledgeService: ...

    @property
    def state(self) -> SharedState: ...


def assist_for(kefu: Host, desk: Desk, agent: Agent, conversation_id: str) -> dict[str, Any]:
    """Summary and drafts for a conversation the agent may read (the desk checks that)."""
    conversation, _ = desk.check_access(agent, conversation_id)
    llm = kefu.llm
    if llm is None or not llm.switches.desk:
        return {"available": False, "summary": None, "drafts": []}
    messages = desk.conversations.messages(conversation_id, limit=200)
    history = [{"sender": m.sender.value, "text": m.text} for m in messages]
    customer = desk.customer(conversation.customer_id)
    orders = desk.orders(conversation.customer_id)
    known = [customer.name, customer.phone] if customer else []
    known += [o.address for o in orders]
    facts = [
        " ".join(
            [o.id, o.status.value, str(o.goods_total)]
            + ([o.shipment.courier.value, o.shipment.tracking_no] if o.shipment else [])
        )
        for o in orders
    ]
    summary = llm.summary(history, conversation.lang, known)
    draft = llm.draft(history, conversation.lang, facts, known)
    return {"available": True, "summary": summary, "drafts": [draft] if draft else []}


def propose_gap_answers(kefu: Host, now: datetime, limit: int = 5) -> int:
    """Draft answers for the most frequent uncovered questions, into review; returns how many."""
    llm = kefu.llm
    if llm is None or not llm.switches.gaps:
        return 0
    proposed = 0
    for cluster in kefu.knowledge.gaps(limit=limit):
        lang = next((lang for lang in cluster.langs if lang in LANGS), "zh-CN")
        key = hashlib.sha256(cluster.representative.encode()).hexdigest()[:24]
        if not kefu.state.set_once(f"llm:gap:{key}", now.isoformat(), _GAP_SEEN_S):
            continue  # drafted already: people are reviewing it or turned it down
        answer = llm.gap_answer(cluster.representative, cluster.examples, lang)
        if answer is None:
            continue
        kefu.knowledge.propose(cluster.representative, answer, lang, GAP_AUTHOR, None, now=now)
        proposed += 1
    return proposed
