// The analytics dashboard: KPIs, charts (chart.js from static/vendor when installed) and the same
// numbers as tables, refreshed every 15 s from /api/v1/analytics/overview (supervisors, admins).

import { api, clear, el, forget, formatSeconds, loadStrings, signIn, t, translatePage } from "./common.js";

const $ = (id) => document.getElementById(id);
const charts = {};
let session = null;
let timer = null;

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

function render(o) {
  const tiles = clear($("tiles"));
  tiles.append(
    tile("会话 conversations", String(o.totals.conversations), "kpi-conversations"),
    tile("客户消息 customer messages", String(o.totals.customer_messages), "kpi-customer-messages"),
    tile("机器人解决率 bot resolution", pct(o.bot_resolution_rate), "kpi-bot-resolution"),
    tile("转人工率 handoff rate", pct(o.handoff_rate), "kpi-handoff-rate"),
    tile("首次响应 first response (median)", secs(o.first_response_s.median), "kpi-first-response"),
    tile("人工首响 agent first response", secs(o.agent_first_response_s.median), "kpi-agent-first-response"),
    tile("排队中 waiting now", String(o.queue.waiting), "kpi-waiting"),
    tile("最长等待 longest wait", secs(o.queue.longest_wait_s), "kpi-longest-wait"),
    tile("满意度 CSAT", pct(o.satisfaction.csat), "kpi-csat"),
    tile("平均评分 avg score", o.satisfaction.average === null ? "–" : o.satisfaction.average.toFixed(2), "kpi-score"),
  );

  const labels = o.series.map((b) => new Date(b.start).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }));
  draw("chart-volume", {
    type: "line",
    data: {
      labels,
      datasets: [
        { label: "total / min", data: o.series.map((b) => b.per_minute), borderColor: "#e4393c", pointRadius: 0 },
        { label: "customer", data: o.series.map((b) => b.customer), borderColor: "#2563eb", pointRadius: 0 },
        { label: "agent", data: o.series.map((b) => b.agent), borderColor: "#059669", pointRadius: 0 },
      ],
    },
  });
  draw("chart-rates", {
    type: "bar",
    data: {
      labels: ["bot resolution", "handoff", "CSAT"],
      datasets: [
        {
          label: "%",
          data: [o.bot_resolution_rate, o.handoff_rate, o.satisfaction.csat].map((v) => (v === null ? 0 : v * 100)),
          backgroundColor: ["#059669", "#e4393c", "#f59e0b"],
        },
      ],
    },
    options: { scales: { y: { min: 0, max: 100 } } },
  });
  draw("chart-intents", {
    type: "bar",
    data: {
      labels: o.top_intents.map((i) => i.intent),
      datasets: [{ label: "messages", data: o.top_intents.map((i) => i.count), backgroundColor: "#2563eb" }],
    },
    options: { indexAxis: "y" },
  });
  draw("chart-csat", {
    type: "bar",
    data: {
      labels: ["1", "2", "3", "4", "5"],
      datasets: [{ label: "ratings", data: [1, 2, 3, 4, 5].map((n) => o.satisfaction.distribution[String(n)] || 0), backgroundColor: "#f59e0b" }],
    },
  });

  clear($("table-intents")).append(table(["intent", "count"], o.top_intents.map((i) => [i.intent, i.count])));
  clear($("table-uncovered")).append(
    table(["question", "count", "last"], o.uncovered.map((u) => [u.text, u.count, new Date(u.last_at).toLocaleString()])),
  );
  const q = o.queue;
  clear($("table-queue")).append(
    table(
      ["", ""],
      [
        ["waiting", q.waiting],
        ["active", q.active],
        ["longest wait", secs(q.longest_wait_s)],
        ["wait to accept (median)", secs(q.waits.median)],
        ["wait to accept (p90)", secs(q.waits.p90)],
        ...Object.entries(q.waiting_by_skill).map(([skill, n]) => [`waiting · ${skill}`, n]),
      ],
    ),
  );
  const busy = o.series.filter((b) => b.customer + b.bot + b.agent > 0).slice(-12);
  clear($("table-volume")).append(
    table(["from", "per min", "customer", "bot", "agent"], busy.map((b) => [new Date(b.start).toLocaleString(), b.per_minute, b.customer, b.bot, b.agent])),
  );
  const f = o.forecast;
  clear($("forecast-out")).append(
    table(
      ["", ""],
      [
        ["busiest hour seen (conversations)", f.baseline_peak_per_hour],
        ["surge ×", f.surge],
        ["forecast peak / hour", f.peak_per_hour],
        ["to agents / hour", f.to_agents_per_hour],
        ["agents needed", f.staffing.agents],
        ["service level", pct(f.staffing.service_level)],
        ["occupancy", pct(f.staffing.occupancy)],
      ],
    ),
  );
  document.body.dataset.loaded = "1";
}

async function refresh() {
  clearTimeout(timer);
  if (!session) return;
  const params = new URLSearchParams({
    hours: $("hours").value,
    surge: $("surge").value || "5",
    concurrency: $("concurrency").value || "3",
  });
  try {
    render(await api(`/api/v1/analytics/overview?${params}`, { token: session.token }));
    $("board-error").textContent = "";
  } catch (exc) {
    $("board-error").textContent = exc.message;
    if (exc.status === 401) return logout();
  }
  timer = setTimeout(refresh, 15000);
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
          ["erlangs", s.traffic_erlangs],
          ["seats", s.seats],
          ["agents needed", s.agents],
          ["service level", pct(s.service_level)],
          ["average wait", secs(s.average_wait_s)],
          ["occupancy", pct(s.occupancy)],
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
  await loadStrings(new URLSearchParams(location.search).get("lang") || "zh-CN");
  translatePage();
  $("no-charts").hidden = Boolean(window.Chart);
  $("hours").addEventListener("change", refresh);
  $("refresh").addEventListener("click", refresh);
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
  });
  document.body.dataset.ready = "1";
}

main();
