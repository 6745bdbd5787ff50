"""``kefu plan``'s text: agents per hour and the shifts, in the shop's time zone."""

from __future__ import annotations

from kefu.analytics.planning import StaffPlan
from kefu.texts.zone import shop_zone


def plan_text(plan: StaffPlan) -> str:
    zone = shop_zone()  # the configured shop's (KEFU_SHOP_TIMEZONE), as the forecast's hours
    i = plan.inputs
    lines = [
        f"handle time {i.aht_s:.0f}s, {i.concurrency} chats per agent,"
        f" patience {i.patience_s:.0f}s, {i.people_share:.0%} of conversations reach people;"
        f" target {i.target_level:.0%} answered within {i.target_s:.0f}s",
    ]
    if plan.backtest is not None and plan.backtest.wape is not None:
        b = plan.backtest
        coverage = f"{b.band_coverage:.0%}" if b.band_coverage is not None else "-"
        lines.append(
            f"backtest on the last {b.hours}h held back: WAPE {b.wape:.1%}, band covered {coverage}"
        )
    else:
        lines.append("backtest: not enough history yet (needs two weeks and more)")
    lines += ["", "hour (shop time)   forecast [80% band]   to people  agents  answered  abandon"]
    for h in plan.hours:
        f = h.forecast
        at = f.at.astimezone(zone).strftime("%m-%d %a %H:00")
        band = f"{f.expected:7.1f} [{f.low:.0f}-{f.high:.0f}]"
        lines.append(
            f"{at:<18} {band:<21} {h.to_people:9.1f}  {h.agents:6d}  {h.desk.service_level:8.0%}"
            f"  {h.desk.p_abandon:7.1%}" + (f"  {f.window}" if f.window else "")
        )
    shifts = plan.shifts
    lines += [
        "",
        f"shifts ({shifts.agent_hours} agent-hours for {sum(shifts.needed)} needed):",
    ]
    for s in shifts.shifts:
        begin = s.start.astimezone(zone).strftime("%m-%d %H:00")
        lines.append(f"  {s.agents:3d} × {s.hours}h from {begin}")
    if not shifts.shifts:
        lines.append("  none needed")
    return "\n".join(lines)
