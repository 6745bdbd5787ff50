"""Which skill group a conversation needs, and which agent gets it: skill first, then least load."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kefu.desk.policy import RoutingPolicy
from kefu.desk.ports import AgentLoad
from kefu.domain.desk import AgentStatus, Skill


@dataclass(frozen=True, slots=True)
class Need:
    skill: Skill
    lang: str
    vip: bool


def need_for(intent: str | None, lang: str, vip: str, policy: RoutingPolicy) -> Need:
    """English customers go to English agents whatever they ask; otherwise the intent decides."""
    if lang in policy.english_langs:
        skill = Skill.ENGLISH
    else:
        skill = policy.intent_skills.get(intent or "", policy.default_skill)
    return Need(skill=skill, lang=lang, vip=vip in policy.vip_levels)


def speaks(agent_langs: Iterable[str], lang: str) -> bool:
    """zh-CN and zh-TW agents read each other's script; English is its own family."""
    family = lang.split("-")[0]
    return any(a.split("-")[0] == family for a in agent_langs)


def choose_agent(
    loads: Iterable[AgentLoad],
    skill: str | None,
    lang: str,
    vip: bool,
    not_to: str | None = None,
    vip_reserve: int = 0,
) -> AgentLoad | None:
    """The online agent with the skill (None: any skill) and room for one more; VIP-skilled
    first for VIPs, then the least loaded relative to its limit, then the id for stability.

    A VIP-skilled agent keeps ``vip_reserve`` of its seats for VIPs: at a peak the queue of
    normal customers would otherwise take every seat the moment it frees, and a VIP arriving
    then waits for the next one (the 60-second promise broken by chance, not by load)."""
    candidates = [
        a
        for a in loads
        if a.agent.status is AgentStatus.ONLINE
        and a.load
        < a.agent.max_chats - (0 if vip or Skill.VIP not in a.agent.skills else vip_reserve)
        and a.agent.id != not_to
        and (skill is None or skill in a.agent.skills)
        and speaks(a.agent.langs, lang)
    ]
    if not candidates:
        return None

    def key(a: AgentLoad) -> tuple[int, float, int, str]:
        vip_rank = 0 if (vip and Skill.VIP in a.agent.skills) else 1
        return (vip_rank, a.load / max(1, a.agent.max_chats), a.load, a.agent.id)

    return min(candidates, key=key)


def anyone_speaks(loads: Iterable[AgentLoad], lang: str) -> bool:
    """An online agent reads the customer's language, whatever their skills."""
    return any(a.agent.status is AgentStatus.ONLINE and speaks(a.agent.langs, lang) for a in loads)


def someone_can_serve(loads: Iterable[AgentLoad], skill: str, lang: str) -> bool:
    """An online agent with the skill exists (busy or not): the group is staffed."""
    return any(
        a.agent.status is AgentStatus.ONLINE
        and skill in a.agent.skills
        and speaks(a.agent.langs, lang)
        for a in loads
    )
