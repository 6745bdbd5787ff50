// The analytics dashboard: KPIs, charts (chart.js from static/vendor when installed) and the same
// numbers as tables, refreshed every 15 s from /api/v1/analytics/overview (supervisors, admins).

import { api, clear, el, forget, formatSeconds, langPicker, loadStrings, signIn, staffLang, t, translatePage } from "./common.js";

const $ = (id) => document.getElementById(id);
const charts = {};
let session = null;
let timer = null;
const REFRESH_MS = 15000;

function pct(value) {
  return value === null || value === undefined ? "–" : `${(value * 100).toFixed(1)}%`;
}

function secs(value) {
  return value === null || value === undefined ? "–" : formatSeconds(value);
}

function table(headers, rows) {
  return el(
    "table",
    {},
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))),
    el(
      "tbody",
      {},
      rows.map((r) => el("tr", {}, r.map((c) => el("td", { class: typeof c === "number" ? "num" : "" }, c ?? "–")))),
    ),
  );
}

function tile(label, value, testid) {
  return el("div", { class: "tile", testid }, el("div", { class: "label" }, label), el("div", { class: "value" }, value));
}

function draw(id, config) {
  if (!window.Chart) return;
  if (charts[id]) {
    charts[id].data = config.data;
    charts[id].update("none");
    return;
  }
  charts[id] = new window.Chart($(id), {
    ...config,
    options: { animation: false, responsive: true, maintainAspectRatio: false, ...(config.options || {}) },
  });
}

// human names for the API's codes; an unknown code is shown as it is rather than hidden
function intentLabel(code) {
  const key = `intent.${code}`;
  const label = t(key);
  return label === key ? code : label;
}

function labelOf(prefix, code) {
  const key = `${prefix}.${code}`;
  return t(key) === key ? code : t(key);
}

function skillLabel(code) {
  const key = `skill.${code}`;
  const label = t(key);
  return label === key ? code : label;
}

function render(o) {
  const tiles = clear($("tiles"));
  tiles.append(
    tile(t("kpi.conversations"), String(o.totals.conversations), "kpi-conversations"),
    tile(t("kpi.customer_messages"), String(o.totals.customer_messages), "kpi-customer-messages"),
    tile(t("kpi.bot_resolution"), pct(o.bot_resolution_rate), "kpi-bot-resolution"),
    tile(t("kpi.handoff_rate"), pct(o.handoff_rate), "kpi-handoff-rate"),
    tile(t("kpi.first_response"), secs(o.first_response_s.median), "kpi-first-response"),
    tile(t("kpi.agent_first_response"), secs(o.agent_first_response_s.median), "kpi-agent-first-response"),
    tile(t("kpi.waiting"), String(o.queue.waiting), "kpi-waiting"),
    tile(t("kpi.longest_wait"), secs(o.queue.longest_wait_s), "kpi-longest-wait"),
    tile(t("kpi.csat"), pct(o.satisfaction.csat), "kpi-csat"),
    tile(t("kpi.score"), o.satisfaction.average === null ? "–" : o.satisfaction.average.toFixed(2), "kpi-score"),
  );

  // one unit on the volume axis: every line is messages per minute, whatever the bucket size
  const minutes = Math.max(1, Number(o.window && o.window.bucket_minutes) || 1);
  const perMinute = (n) => Math.round((n / minutes) * 100) / 100;
  const labels = o.series.map((b) => new Date(b.start).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }));
  const perMinuteAxis = { y: { beginAtZero: true, title: { display: true, text: t("dashboard.unit.per_minute") } } };
  draw("chart-volume", {
    type: "line",
    data: {
      labels,
      datasets: [
        { label: t("dashboard.series.total"), data: o.series.map((b) => b.per_minute), borderColor: "#e4393c", pointRadius: 0 },
        { label: t("dashboard.series.customer"), data: o.series.map((b) => perMinute(b.customer)), borderColor: "#2563eb", pointRadius: 0 },
        { label: t("dashboard.series.bot"), data: o.series.map((b) => perMinute(b.bot)), borderColor: "#7c3aed", pointRadius: 0 },
        { label: t("dashboard.series.agent"), data: o.series.map((b) => perMinute(b.agent)), borderColor: "#059669", pointRadius: 0 },
      ],
    },
    options: { scales: perMinuteAxis },
  });
  draw("chart-rates", {
    type: "bar",
    data: {
      labels: [t("kpi.bot_resolution"), t("kpi.handoff_rate"), t("kpi.csat")],
      datasets: [
        {
          label: "%",
          data: [o.bot_resolution_rate, o.handoff_rate, o.satisfaction.csat].map((v) => (v === null ? 0 : Math.round(v * 1000) / 10)),
          backgroundColor: ["#059669", "#e4393c", "#f59e0b"],
        },
      ],
    },
    options: { plugins: { legend: { display: false } }, scales: { y: { min: 0, max: 100, title: { display: true, text: "%" } } } },
  });
  draw("chart-intents", {
    type: "bar",
    data: {
      labels: o.top_intents.map((i) => intentLabel(i.intent)),
      datasets: [{ label: t("dashboard.unit.messages"), data: o.top_intents.map((i) => i.count), backgroundColor: "#2563eb" }],
    },
    options: {
      indexAxis: "y",
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, title: { display: true, text: t("dashboard.unit.messages") } } },
    },
  });
  draw("chart-csat", {
    type: "bar",
    data: {
      labels: [1, 2, 3, 4, 5].map((n) => t(`dashboard.score.${n}`)),
      datasets: [{ label: t("dashboard.unit.ratings"), data: [1, 2, 3, 4, 5].map((n) => o.satisfaction.distribution[String(n)] || 0), backgroundColor: "#f59e0b" }],
    },
    options: {
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: t("dashboard.unit.ratings") } } },
    },
  });

  clear($("table-intents")).append(
    table([t("dashboard.col.question_type"), t("dashboard.col.count")], o.top_intents.map((i) => [intentLabel(i.intent), i.count])),
  );
  clear($("table-uncovered")).append(
    table(
      [t("dashboard.col.question"), t("dashboard.col.count"), t("dashboard.col.last"), ""],
      // one click from a question the knowledge base missed to the entry form, filled in
      o.uncovered.map((u) => [
        u.text,
        u.count,
        new Date(u.last_at).toLocaleString(),
        el("a", { href: `/admin?kb_question=${encodeURIComponent(u.text)}`, class: "button", testid: "uncovered-to-kb" }, t("dashboard.to_kb")),
      ]),
    ),
  );
  const q = o.queue;
  clear($("table-queue")).append(
    table(
      ["", ""],
      [
        [t("queue.waiting"), q.waiting],
        [t("queue.active"), q.active],
        [t("kpi.longest_wait"), secs(q.longest_wait_s)],
        [t("queue.wait_median"), secs(q.waits.median)],
        [t("queue.wait_p90"), secs(q.waits.p90)],
        ...Object.entries(q.waiting_by_skill).map(([skill, n]) => [`${t("queue.waiting")} · ${skillLabel(skill)}`, n]),
      ],
    ),
  );
  const busy = o.series.filter((b) => b.customer + b.bot + b.agent > 0).slice(-12);
  clear($("table-volume")).append(
    table(
      [t("dashboard.col.from"), t("dashboard.unit.per_minute"), t("dashboard.series.customer"), t("dashboard.series.bot"), t("dashboard.series.agent")],
      busy.map((b) => [new Date(b.start).toLocaleString(), b.per_minute, b.customer, b.bot, b.agent]),
    ),
  );
  const channels = Object.entries(o.channels || {}).sort((a, b) => b[1] - a[1]);
  clear($("table-channels")).append(
    table([t("profile.channels"), t("kpi.conversations")], channels.map(([c, n]) => [labelOf("channel", c), n])),
  );
  const f = o.forecast;
  clear($("forecast-out")).append(
    table(
      ["", ""],
      [
        [t("forecast.baseline"), f.baseline_peak_per_hour],
        [t("forecast.surge"), f.surge],
        [t("forecast.peak"), f.peak_per_hour],
        [t("forecast.to_agents"), f.to_agents_per_hour],
        [t("forecast.agents"), f.staffing.agents],
        [t("forecast.service_level"), pct(f.staffing.service_level)],
        [t("forecast.occupancy"), pct(f.staffing.occupancy)],
      ],
    ),
  );
  document.body.dataset.loaded = "1";
  document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes || 0) + 1);
}

// agents' status and load: who is online, away or offline now, and how full they are
async function refreshAgents() {
  try {
    const agents = await api("/api/v1/agent/supervisor/agents", { token: session.token });
    clear($("table-agents")).append(
      table(
        [t("profile.name"), t("presence.label"), t("agents.col.load")],
        agents.map((a) => [`${a.name}（${a.agent_id}）`, labelOf("presence", a.status), `${a.load}/${a.max_chats}`]),
      ),
    );
  } catch (exc) {
    clear($("table-agents")).append(el("p", { class: "error" }, exc.message));
  }
}

// each agent's figures over the same window (chats closed, handle time, replies, ratings)
async function refreshAgentFigures(params) {
  try {
    const found = await api(`/api/v1/analytics/agents?${params}`, { token: session.token });
    clear($("table-agent-figures")).append(
      table(
        [t("profile.name"), t("agents.col.closed"), t("agents.col.handle"), t("agents.col.replies"), t("agents.col.ratings"), t("agents.col.score")],
        found.agents.map((a) => [
          `${a.name}（${a.agent_id}）`,
          a.chats_closed,
          secs(a.avg_handle_s),
          a.replies,
          a.ratings,
          a.avg_score === null ? "–" : a.avg_score.toFixed(2),
        ]),
      ),
    );
  } catch (exc) {
    clear($("table-agent-figures")).append(el("p", { class: "error" }, exc.message));
  }
}

/** The window asked for: a date range when one is set, else the last N hours. */
function windowParams() {
  const start = $("range-start").value;
  const end = $("range-end").value;
  if (state.range && start && end) return { start, end };
  return { hours: $("hours").value };
}

const state = { range: false };

// every table on the board as one CSV (UTF-8 with a BOM so a spreadsheet reads the Chinese)
function exportCsv() {
  const quote = (v) => `"${String(v).replace(/"/g, '""')}"`;
  const lines = [];
  for (const panel of document.querySelectorAll("#board .panel")) {
    const title = panel.querySelector("h3");
    for (const tbl of panel.querySelectorAll("table")) {
      lines.push(quote(title ? title.textContent : ""));
      for (const row of tbl.querySelectorAll("tr")) {
        lines.push([...row.children].map((c) => quote(c.textContent)).join(","));
      }
      lines.push("");
    }
  }
  const blob = new Blob(["\ufeff", lines.join("\r\n")], { type: "text/csv;charset=utf-8" });
  const w = windowParams();
  const name = w.start ? `${w.start}_${w.end}` : `${w.hours}h`;
  const link = el("a", { href: URL.createObjectURL(blob), download: `kefu-dashboard-${name}.csv` });
  document.body.append(link);
  link.click();
  link.remove();
}

async function refresh() {
  clearTimeout(timer);
  if (!session) return;
  refreshAgents();
  const params = new URLSearchParams({
    ...windowParams(),
    surge: $("surge").value || "5",
    concurrency: $("concurrency").value || "3",
  });
  refreshAgentFigures(new URLSearchParams(windowParams()));
  try {
    render(await api(`/api/v1/analytics/overview?${params}`, { token: session.token }));
    $("board-error").textContent = "";
  } catch (exc) {
    $("board-error").textContent = exc.message;
    if (exc.status === 401) return logout();
  }
  if (!state.range) timer = setTimeout(refresh, REFRESH_MS); // a past range does not change
}

async function whatIf(event) {
  event.preventDefault();
  const params = new URLSearchParams({
    arrivals_per_hour: $("wi-arrivals").value,
    aht_s: $("wi-aht").value,
    target_s: $("wi-target").value,
    target_level: $("wi-level").value,
    concurrency: $("concurrency").value || "3",
  });
  try {
    const s = await api(`/api/v1/analytics/staffing?${params}`, { token: session.token });
    clear($("whatif-out")).append(
      table(
        ["", ""],
        [
          [t("forecast.erlangs"), s.traffic_erlangs],
          [t("forecast.seats"), s.seats],
          [t("forecast.agents"), s.agents],
          [t("forecast.service_level"), pct(s.service_level)],
          [t("forecast.average_wait"), secs(s.average_wait_s)],
          [t("forecast.occupancy"), pct(s.occupancy)],
        ],
      ),
    );
  } catch (exc) {
    clear($("whatif-out")).append(el("p", { class: "error" }, exc.message));
  }
}

function logout() {
  forget();
  session = null;
  clearTimeout(timer);
  $("board").hidden = true;
  $("login").hidden = false;
  $("logout").hidden = true;
}

async function main() {
  await loadStrings(staffLang());
  translatePage();
  document.querySelector("header.bar").append(langPicker());
  $("no-charts").hidden = Boolean(window.Chart);
  $("hours").addEventListener("change", () => {
    state.range = false;
    $("range-clear").hidden = true;
    refresh();
  });
  $("range").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!$("range-start").value || !$("range-end").value) {
      $("board-error").textContent = t("dashboard.range_needed");
      return;
    }
    state.range = true;
    $("range-clear").hidden = false;
    refresh();
  });
  $("range-clear").addEventListener("click", () => {
    state.range = false;
    $("range-clear").hidden = true;
    refresh();
  });
  $("refresh").addEventListener("click", refresh);
  $("export").addEventListener("click", exportCsv);
  $("forecast").addEventListener("submit", (e) => {
    e.preventDefault();
    refresh();
  });
  $("whatif").addEventListener("submit", whatIf);
  $("logout").addEventListener("click", logout);
  signIn($("login"), (s) => {
    session = s;
    $("login").hidden = true;
    $("board").hidden = false;
    $("logout").hidden = false;
    $("me").textContent = `${s.agent_id} (${s.role})`;
    refresh();
  }, { keepStatus: true });
  document.body.dataset.ready = "1";
}

main();
