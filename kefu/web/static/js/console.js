// The agent console: sign in, the queue (polled every 2 s), accept, the conversation with its
// full history (polled), the customer panel, suggested replies, reply, transfer and close.
// Every customer or agent text is put on the page as text (el() / textContent), never as HTML.

import {
  api,
  clear,
  el,
  forget,
  formatSeconds,
  formatTime,
  loadStrings,
  signIn,
  t,
  translatePage,
} from "./common.js";

const $ = (id) => document.getElementById(id);

const state = {
  session: null,
  current: null, // conversation id on screen
  mine: [], // conversation ids this agent accepted in this browser session
  seen: new Set(),
  queueTimer: null,
  convTimer: null,
  lastCustomerMessage: null,
};

const MINE_KEY = "kefu.console.mine";

function authed(path, options = {}) {
  return api(path, { ...options, token: state.session.token }).catch((exc) => {
    if (exc.status === 401) logout();
    throw exc;
  });
}

function logout() {
  forget();
  clearTimeout(state.queueTimer);
  clearTimeout(state.convTimer);
  state.session = null;
  $("desk").hidden = true;
  $("login").hidden = false;
  $("logout").hidden = true;
  $("me").textContent = "";
}

// ---- queue ------------------------------------------------------------------------------------

async function refreshQueue() {
  clearTimeout(state.queueTimer);
  if (!state.session) return;
  try {
    const queue = await authed("/api/v1/agent/queue");
    renderQueue(queue);
    $("desk-error").textContent = "";
  } catch (exc) {
    $("desk-error").textContent = exc.message;
  }
  if (state.session) state.queueTimer = setTimeout(refreshQueue, 2000);
}

function renderQueue(queue) {
  const list = clear($("queue"));
  if (!queue.length) {
    list.append(el("li", { class: "empty" }, t("console.queue_empty")));
    return;
  }
  for (const q of queue) {
    const urgent = q.priority >= 50 ? " urgent" : "";
    list.append(
      el(
        "li",
        { class: `queue-item${urgent}`, dataset: { conversationId: q.conversation_id } },
        el(
          "div",
          { class: "row" },
          el("strong", {}, q.customer_id),
          el("span", { class: "badge" }, q.vip || ""),
          el("span", { class: "badge" }, q.lang || ""),
          el("span", { class: "wait", title: t("console.waiting") }, formatSeconds(q.waiting_seconds)),
        ),
        el(
          "div",
          { class: "row small" },
          `${t("console.priority")} ${q.priority} · ${t("console.reason")} ${q.reason} · ${t("console.skill")} ${q.skill}`,
        ),
        q.summary ? el("div", { class: "summary" }, q.summary) : null,
        el(
          "button",
          { type: "button", testid: "accept", onclick: () => accept(q.conversation_id) },
          t("console.accept"),
        ),
      ),
    );
  }
}

async function accept(conversationId) {
  try {
    await authed(`/api/v1/agent/conversations/${encodeURIComponent(conversationId)}/accept`, {
      method: "POST",
    });
    if (!state.mine.includes(conversationId)) state.mine.push(conversationId);
    saveMine();
    open(conversationId);
    refreshQueue();
  } catch (exc) {
    $("desk-error").textContent = exc.message;
  }
}

function saveMine() {
  sessionStorage.setItem(MINE_KEY, JSON.stringify(state.mine));
  const list = clear($("mine"));
  for (const id of state.mine) {
    list.append(
      el(
        "li",
        { class: id === state.current ? "on" : "" },
        el("button", { type: "button", class: "link", onclick: () => open(id) }, id),
      ),
    );
  }
}

// ---- one conversation -------------------------------------------------------------------------

function open(conversationId) {
  state.current = conversationId;
  state.seen = new Set();
  state.lastCustomerMessage = null;
  clear($("history"));
  clear($("suggestions"));
  $("conv").hidden = false;
  $("empty").hidden = true;
  $("conv-error").textContent = "";
  saveMine();
  refreshConversation(true);
}

async function refreshConversation(first = false) {
  clearTimeout(state.convTimer);
  const id = state.current;
  if (!id || !state.session) return;
  try {
    const view = await authed(`/api/v1/agent/conversations/${encodeURIComponent(id)}`);
    if (id !== state.current) return;
    renderConversation(view, first);
  } catch (exc) {
    $("conv-error").textContent = exc.message;
    if (exc.status === 403 || exc.status === 404) {
      state.mine = state.mine.filter((m) => m !== id);
      saveMine();
      return;
    }
  }
  state.convTimer = setTimeout(() => refreshConversation(false), 2000);
}

function renderConversation(view, first) {
  const conv = view.conversation;
  $("conv-title").textContent = `${conv.customer_id} · ${conv.channel} · ${conv.lang}`;
  $("conv-status").textContent = conv.status;
  $("conv-status").dataset.status = conv.status;
  const history = $("history");
  let newCustomerMessage = false;
  for (const m of view.messages) {
    if (state.seen.has(m.id)) continue;
    state.seen.add(m.id);
    history.append(
      el(
        "li",
        { class: `msg ${m.sender}`, dataset: { id: m.id, sender: m.sender } },
        el("span", { class: "who" }, m.sender === "agent" && m.agent_id ? m.agent_id : m.sender),
        el("span", { class: "text" }, m.text),
        el("time", { class: "at" }, formatTime(m.at)),
      ),
    );
    if (m.sender === "customer") {
      state.lastCustomerMessage = m.id;
      newCustomerMessage = true;
    }
  }
  if (newCustomerMessage || first) history.scrollTop = history.scrollHeight;
  if (first) renderSuggestions(view.suggestions || []);
  else if (newCustomerMessage) loadSuggestions();
  renderCustomer(view);
}

async function loadSuggestions() {
  const id = state.current;
  try {
    const found = await authed(`/api/v1/agent/conversations/${encodeURIComponent(id)}/suggestions`);
    if (id === state.current) renderSuggestions(found);
  } catch {
    // suggestions are a help, not a must: keep the old ones
  }
}

function renderSuggestions(suggestions) {
  const list = clear($("suggestions"));
  for (const s of suggestions) {
    list.append(
      el(
        "li",
        {},
        el(
          "button",
          {
            type: "button",
            class: "suggestion",
            testid: "suggestion",
            title: s.question || s.source || "",
            onclick: () => {
              $("reply-input").value = s.text;
              $("reply-input").focus();
            },
          },
          s.text,
        ),
      ),
    );
  }
}

function renderCustomer(view) {
  const profile = clear($("profile"));
  const c = view.customer;
  if (c) {
    const rows = [
      ["ID", c.id],
      ["name", c.name],
      ["VIP", c.vip],
      ["phone", c.phone],
      ["lang", c.lang],
      ["channels", Object.entries(c.channels || {}).map(([k, v]) => `${k}:${v}`).join(", ")],
    ];
    for (const [k, v] of rows) profile.append(el("dt", {}, k), el("dd", {}, v ?? ""));
  }
  const orders = clear($("orders"));
  for (const o of view.orders || []) {
    const items = (o.items || []).map((i) => `${i.sku}×${i.qty}`).join(", ");
    orders.append(
      el(
        "li",
        {},
        el("strong", {}, o.id),
        ` ${o.status} ¥${o.total} `,
        el("div", { class: "small" }, items),
        o.tracking_no ? el("div", { class: "small" }, `${o.courier} ${o.tracking_no}`) : null,
        o.latest_tracking ? el("div", { class: "small" }, o.latest_tracking) : null,
      ),
    );
  }
  const tickets = clear($("tickets"));
  for (const tk of view.tickets || []) {
    tickets.append(el("li", {}, el("strong", {}, tk.id || ""), ` ${tk.kind || ""} ${tk.status || ""}`));
  }
}

// ---- actions ----------------------------------------------------------------------------------

$("reply").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("reply-input").value.trim();
  if (!text || !state.current) return;
  try {
    await authed(`/api/v1/agent/conversations/${encodeURIComponent(state.current)}/messages`, {
      method: "POST",
      body: { text },
    });
    $("reply-input").value = "";
    $("conv-error").textContent = "";
    clearTimeout(typingTimer);
    agentTyping(false);
    refreshConversation(false);
  } catch (exc) {
    $("conv-error").textContent = exc.message;
  }
});

// the customer's page shows "an agent is typing" while the agent writes
let typingOn = false;
let typingTimer = null;

function agentTyping(on) {
  if (typingOn === on || !state.current) return;
  typingOn = on;
  authed(`/api/v1/agent/conversations/${encodeURIComponent(state.current)}/typing`, {
    method: "POST",
    body: { on },
  }).catch(() => {});
}

$("reply-input").addEventListener("input", () => {
  agentTyping(true);
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => agentTyping(false), 3000);
});

$("reply-input").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) $("reply").requestSubmit();
});

const SKILLS = new Set(["pre_sales", "after_sales", "logistics", "english", "vip"]);

$("transfer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const target = $("transfer-to").value.trim();
  if (!target || !state.current) return;
  const body = SKILLS.has(target) ? { to_skill: target } : { to_agent: target };
  try {
    await authed(`/api/v1/agent/conversations/${encodeURIComponent(state.current)}/transfer`, {
      method: "POST",
      body,
    });
    leave(state.current);
  } catch (exc) {
    $("conv-error").textContent = exc.message;
  }
});

$("close").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!state.current) return;
  try {
    await authed(`/api/v1/agent/conversations/${encodeURIComponent(state.current)}/close`, {
      method: "POST",
      body: { resolution: $("resolution").value.trim() },
    });
    $("resolution").value = "";
    $("conv-status").textContent = t("console.closed");
    leave(state.current);
  } catch (exc) {
    $("conv-error").textContent = exc.message;
  }
});

function leave(conversationId) {
  state.mine = state.mine.filter((m) => m !== conversationId);
  clearTimeout(state.convTimer);
  state.current = null;
  $("conv").hidden = true;
  $("empty").hidden = false;
  saveMine();
  refreshQueue();
}

// ---- start ------------------------------------------------------------------------------------

async function main() {
  await loadStrings(new URLSearchParams(location.search).get("lang") || "zh-CN");
  translatePage();
  $("logout").addEventListener("click", logout);
  signIn($("login"), (session) => {
    state.session = session;
    $("login").hidden = true;
    $("desk").hidden = false;
    $("logout").hidden = false;
    $("me").textContent = `${session.agent_id} (${session.role})`;
    try {
      state.mine = JSON.parse(sessionStorage.getItem(MINE_KEY) || "[]");
    } catch {
      state.mine = [];
    }
    saveMine();
    refreshQueue();
  });
  document.body.dataset.ready = "1";
}

main();
