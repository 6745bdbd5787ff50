// Running the peak on the dashboard: true outcomes with their definitions, the AI rollout's two
// sides, wait-time promises kept, the staffing plan and the alert feed. Its own module so the
// dashboard's main script stays as it is; it reads the signed-in session the page stored.

import { api, clear, el, formatSeconds, session } from "./common.js";

const $ = (id) => document.getElementById(id);
const pct = (v) => (v === null || v === undefined ? "–" : `${(v * 100).toFixed(1)}%`);
const secs = (v) => (v === null || v === undefined ? "–" : formatSeconds(v));
const ci = (i, fmt) => (i.value === null ? "–" : `${fmt(i.value)} [${i.low === null ? "–" : fmt(i.low)}, ${i.high === null ? "–" : fmt(i.high)}]`);

function table(headers, rows) {
  return el(
    "table",
    {},
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))),
    el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c) => el("td", {}, c ?? "–"))))),
  );
}

function definitions(defs, keys) {
  return el("dl", { class: "definitions" }, keys.flatMap((k) => [el("dt", {}, k), el("dd", {}, defs[k])]));
}

async function load() {
  const s = session();
  if (!s || $("board").hidden) return;
  const hours = $("hours").value;
  const get = (path) => api(path, { token: s.token });
  try {
    const [outcomes, sides, promises, plan, alerts] = await Promise.all([
      get(`/api/v1/analytics/outcomes?hours=${hours}`),
      get(`/api/v1/analytics/rollout?hours=${hours}`),
      get(`/api/v1/analytics/promises?hours=${hours}`),
      get("/api/v1/analytics/plan?hours=12"),
      get("/api/v1/analytics/alerts?limit=20"),
    ]);
    clear($("ops-outcomes")).append(
      table(["", ""], [
        ["bot resolution (need met)", pct(outcomes.bot_resolution_rate)],
        ["first-contact resolution", pct(outcomes.first_contact_resolution)],
        ["containment", pct(outcomes.containment_rate)],
        ["complaint rate", pct(outcomes.complaint_rate)],
        ["repeat within 24 h", pct(outcomes.repeat_rate)],
        ["handoff precision", `${pct(outcomes.handoff_precision)} (${outcomes.handoffs_reviewed} reviewed)`],
        ["ticket SLA compliance", pct(outcomes.ticket_sla.compliance)],
        ["ticket field completeness", pct(outcomes.ticket_field_completeness.share)],
      ]),
      table(["agent", "handled", "resolution", "first response", "handle time", "CSAT"],
        outcomes.per_agent.map((a) => [a.agent_id, a.handled, pct(a.resolution_rate), secs(a.first_response_s), secs(a.handle_time_s), pct(a.csat)])),
      definitions(outcomes.definitions, ["bot_resolution_rate", "first_contact_resolution", "containment_rate", "handoff_precision", "ticket_sla_compliance", "per_agent"]),
    );
    const row = (name, key, fmt) => [name, ci(sides.ai[key], fmt), ci(sides.people[key], fmt), ci(sides.ai_minus_people[key], fmt)];
    clear($("ops-rollout")).append(
      el("p", {}, `AI share ${sides.config.ai_share}% · AI ${sides.ai.conversations} / people ${sides.people.conversations} conversations`),
      table(["95% interval", "AI", "people", "AI − people"], [
        row("resolution", "resolution", pct),
        row("handoff rate", "handoff_rate", pct),
        row("CSAT", "csat", pct),
        row("first response", "first_response_s", secs),
      ]),
      el("p", { class: "definition" }, sides.definition),
    );
    clear($("ops-promises")).append(
      table(["tier", "promise", "met", "missed", "share met"], [
        ...promises.first_response.map((p) => [p.tier, secs(p.target_s), p.met, p.missed, pct(p.share_met)]),
        ["urgent tickets", secs(promises.urgent_tickets.target_s), promises.urgent_tickets.met, promises.urgent_tickets.missed, pct(promises.urgent_tickets.share_met)],
      ]),
      el("p", { class: "definition" }, promises.definitions.first_response),
    );
    const b = plan.backtest;
    clear($("ops-plan")).append(
      el("p", {}, b && b.wape !== null ? `backtest WAPE ${pct(b.wape)}, band covered ${pct(b.band_coverage)}` : "backtest: not enough history yet"),
      table(["hour", "forecast [band]", "to people", "agents"],
        plan.hours.map((h) => [new Date(h.at).toLocaleString(), `${h.expected} [${h.low}–${h.high}]`, h.to_people, h.agents])),
      table(["shift start", "hours", "agents"], plan.shift_plan.shifts.map((x) => [new Date(x.start).toLocaleString(), x.hours, x.agents])),
    );
    clear($("ops-alerts")).append(
      table(["at", "kind", "detail"], alerts.map((a) => [new Date(a.at).toLocaleString(), a.kind, JSON.stringify(a.detail)])),
    );
    document.body.dataset.opsLoaded = "1";
  } catch (exc) {
    clear($("ops-alerts")).append(el("p", { class: "error" }, exc.message));
  }
}

setInterval(load, 15000);
document.addEventListener("DOMContentLoaded", () => {
  $("refresh").addEventListener("click", load);
  $("hours").addEventListener("change", load);
  // the main script shows the board once signed in; load as soon as it does
  new MutationObserver(() => load()).observe($("board"), { attributes: true, attributeFilter: ["hidden"] });
  load();
});
