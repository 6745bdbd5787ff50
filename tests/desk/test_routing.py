"""Routing: the intent's skill group first, English to English agents, then the least loaded."""

from __future__ import annotations

from kefu.desk.policy import load_policy
from kefu.desk.ports import AgentLoad
from kefu.desk.routing import choose_agent, need_for
from kefu.domain.desk import Agent, AgentRole, AgentStatus, Skill

POLICY = load_policy().routing


def _load(
    agent_id: str,
    skills: tuple[Skill, ...],
    active: int = 0,
    status: AgentStatus = AgentStatus.ONLINE,
    langs: tuple[str, ...] = ("zh-CN",),
    max_chats: int = 5,
) -> AgentLoad:
    agent = Agent(agent_id, agent_id, AgentRole.AGENT, skills, max_chats, status, langs)
    return AgentLoad(agent=agent, active=active, offered=0)


def test_intents_map_to_their_skill_groups() -> None:
    assert need_for("logistics", "zh-CN", "normal", POLICY).skill is Skill.LOGISTICS
    for intent in ("return_refund", "exchange", "invoice"):
        assert need_for(intent, "zh-CN", "normal", POLICY).skill is Skill.AFTER_SALES
    for intent in ("product_info", "stock", "promotion", "coupon"):
        assert need_for(intent, "zh-CN", "normal", POLICY).skill is Skill.PRE_SALES


def test_english_customers_go_to_the_english_group_whatever_they_ask() -> None:
    assert need_for("return_refund", "en", "normal", POLICY).skill is Skill.ENGLISH


def test_the_least_loaded_agent_with_the_skill_gets_it() -> None:
    loads = [
        _load("busy", (Skill.AFTER_SALES,), active=3),
        _load("free", (Skill.AFTER_SALES,), active=1),
        _load("idle-other-skill", (Skill.PRE_SALES,)),
    ]
    chosen = choose_agent(loads, "after_sales", "zh-CN", vip=False)
    assert chosen is not None and chosen.agent.id == "free"


def test_vip_customers_prefer_vip_agents_even_if_busier() -> None:
    loads = [
        _load("plain", (Skill.AFTER_SALES,), active=0),
        _load("vip", (Skill.AFTER_SALES, Skill.VIP), active=2),
    ]
    chosen = choose_agent(loads, "after_sales", "zh-CN", vip=True)
    assert chosen is not None and chosen.agent.id == "vip"


def test_full_away_offline_or_foreign_language_agents_get_nothing() -> None:
    loads = [
        _load("full", (Skill.PRE_SALES,), active=5),
        _load("away", (Skill.PRE_SALES,), status=AgentStatus.AWAY),
        _load("offline", (Skill.PRE_SALES,), status=AgentStatus.OFFLINE),
        _load("english-only", (Skill.PRE_SALES,), langs=("en",)),
    ]
    assert choose_agent(loads, "pre_sales", "zh-CN", vip=False) is None


def test_an_agent_just_left_is_not_chosen_again() -> None:
    loads = [_load("left", (Skill.PRE_SALES,)), _load("other", (Skill.PRE_SALES,), active=4)]
    chosen = choose_agent(loads, "pre_sales", "zh-TW", vip=False, not_to="left")
    assert chosen is not None and chosen.agent.id == "other"
