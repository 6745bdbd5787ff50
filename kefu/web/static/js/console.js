// The agent console: sign in, presence, the queue and the agent's open chats (both from the
// server, polled every 2 s), accept, the conversation with its full history (polled), the
// customer panel, suggested replies, reply, transfer and close. A customer message in a chat the
// agent is not looking at raises an unread badge, the count in the tab title, a sound (mutable)
// and a desktop notification (when permitted).
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
  uuid,
  langPicker,
  staffLang,
} from "./common.js";

const $ = (id) => document.getElementById(id);

const state = {
  session: null,
  current: null, // conversation id on screen
  chats: [], // the agent's open chats, as the server lists them
  unread: new Map(), // conversation id -> unread count last shown (to notice new ones)
  seen: new Set(),
  queueTimer: null,
  convTimer: null,
  lastCustomerMessage: null,
  lastCustomerText: "",
};

const PRESENCE_KEY = "kefu.console.presence";
const MUTE_KEY = "kefu.console.muted";
const TAB_ID = uuid();
const BASE_TITLE = document.title;
// how often the queue and the chat list are read; a test may speed it up with ?poll_ms=
const POLL_MS = Math.max(200, Number(new URLSearchParams(location.search).get("poll_ms")) || 2000);

function authed(path, options = {}) {
  return api(path, { ...options, token: state.session.token }).catch((exc) => {
    if (exc.status === 401) logout();
    throw exc;
  });
}

// signing out goes offline on the server (no new chats); a 401 only forgets the session here
async function signOut() {
  if (state.session) {
    try {
      await api("/api/v1/agent/logout", { method: "POST", token: state.session.token });
    } catch {
      // the token expired already: the server cannot be told, the session is forgotten anyway
    }
  }
  forgetTab();
  sessionStorage.removeItem(PRESENCE_KEY);
  logout();
}

function logout() {
  forget();
  clearTimeout(state.queueTimer);
  clearTimeout(state.convTimer);
  state.session = null;
  state.current = null;
  state.chats = [];
  state.unread = new Map();
  document.title = BASE_TITLE;
  $("desk").hidden = true;
  $("login").hidden = false;
  $("logout").hidden = true;
  $("presence-box").hidden = true;
  $("supervise").hidden = true;
  $("mute").hidden = true;
  $("notify").hidden = true;
  $("me").textContent = "";
}

// ---- presence ---------------------------------------------------------------------------------

async function setPresence(status) {
  try {
    await authed("/api/v1/agent/status", { method: "POST", body: { status } });
    sessionStorage.setItem(PRESENCE_KEY, status);
    $("presence").value = status;
    $("presence").dataset.status = status;
    $("desk-error").textContent = "";
  } catch (exc) {
    $("desk-error").textContent = exc.message;
  }
}

async function loadPresence() {
  try {
    const me = await authed("/api/v1/agent/me");
    const chosen = sessionStorage.getItem(PRESENCE_KEY);
    // a reload: the closing tab went offline; come back as the agent had chosen
    if (chosen && chosen !== me.status) return setPresence(chosen);
    $("presence").value = me.status;
    $("presence").dataset.status = me.status;
    sessionStorage.setItem(PRESENCE_KEY, me.status);
  } catch (exc) {
    $("desk-error").textContent = exc.message;
  }
}

// Open console tabs of this browser, each beating in localStorage; the last one to close tells
// the server the agent is gone (a beacon: it still leaves while the page unloads).
function tabsKey() {
  return `kefu.console.tabs.${state.session ? state.session.agent_id : ""}`;
}

function readTabs() {
  try {
    return JSON.parse(localStorage.getItem(tabsKey()) || "{}");
  } catch {
    return {};
  }
}

function beatTab() {
  const tabs = readTabs();
  tabs[TAB_ID] = Date.now();
  localStorage.setItem(tabsKey(), JSON.stringify(tabs));
}

function forgetTab() {
  const tabs = readTabs();
  delete tabs[TAB_ID];
  const fresh = Object.fromEntries(
    Object.entries(tabs).filter(([, at]) => Date.now() - at < Math.max(6000, 3 * POLL_MS)),
  );
  localStorage.setItem(tabsKey(), JSON.stringify(fresh));
  return Object.keys(fresh).length;
}

window.addEventListener("pagehide", () => {
  if (!state.session) return;
  if (forgetTab() > 0) return;
  const body = new Blob([JSON.stringify({ token: state.session.token })], { type: "application/json" });
  navigator.sendBeacon("/api/v1/agent/console-closed", body);
});

// ---- notifications ----------------------------------------------------------------------------

function muted() {
  return localStorage.getItem(MUTE_KEY) === "1";
}

function renderMute() {
  const on = muted();
  $("mute").textContent = on ? t("console.unmute") : t("console.mute");
  $("mute").setAttribute("aria-pressed", String(on));
  $("mute").dataset.muted = on ? "1" : "0";
}

let audio = null;

function ding() {
  if (muted()) return;
  try {
    audio = audio || new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.15, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.3);
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.3);
    document.body.dataset.dings = String(Number(document.body.dataset.dings || 0) + 1);
  } catch {
    // no audio device: the badge and the title still tell
  }
}

function desktopNotice(chat) {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  const who = chat.customer_name || chat.customer_id;
  const text = chat.last_message ? chat.last_message.text : "";
  try {
    const note = new Notification(`${t("console.notification_title")} · ${who}`, {
      body: text.slice(0, 120),
      tag: chat.conversation_id,
    });
    note.onclick = () => {
      window.focus();
      open(chat.conversation_id);
    };
  } catch {
    // some browsers only notify from a service worker: the page still shows the badge
  }
}

function updateTitle() {
  const total = state.chats
    .filter((c) => c.conversation_id !== state.current)
    .reduce((n, c) => n + c.unread, 0);
  document.title = total ? `(${total}) ${t("console.new_message_title")} · ${BASE_TITLE}` : BASE_TITLE;
  document.body.dataset.unread = String(total);
}

// ---- queue ------------------------------------------------------------------------------------

async function refreshQueue() {
  clearTimeout(state.queueTimer);
  if (!state.session) return;
  beatTab();
  try {
    const [queue, chats] = await Promise.all([
      authed("/api/v1/agent/queue"),
      authed("/api/v1/agent/conversations"),
    ]);
    renderQueue(queue);
    renderChats(chats);
    if (state.session.role !== "agent") refreshLive();
    $("desk-error").textContent = "";
  } catch (exc) {
    $("desk-error").textContent = exc.message;
  }
  if (state.session) state.queueTimer = setTimeout(refreshQueue, POLL_MS);
}

// the supervisor's view: every chat being served, by whom, and moving one to another agent
async function refreshLive() {
  $("supervise").hidden = false;
  try {
    const [chats, people, alerts] = await Promise.all([
      authed("/api/v1/agent/supervisor/chats"),
      authed("/api/v1/agent/colleagues"),
      authed(`/api/v1/analytics/alerts?limit=${ALERTS_SHOWN}`),
    ]);
    renderAlerts(alerts);
    const online = people.filter((a) => a.status === "online");
    const list = clear($("live"));
    if (!chats.length) list.append(el("li", { class: "empty" }, t("console.no_chats")));
    for (const c of chats) {
      const move = el(
        "select",
        {
          testid: "reassign",
          "aria-label": t("console.reassign"),
          onchange: async () => {
            if (!move.value) return;
            try {
              await authed(`/api/v1/agent/supervisor/conversations/${encodeURIComponent(c.conversation_id)}/reassign`, {
                method: "POST",
                body: { agent_id: move.value },
              });
              refreshLive();
            } catch (exc) {
              $("desk-error").textContent = exc.message;
            }
          },
        },
        el("option", { value: "" }, t("console.reassign")),
        online.filter((a) => a.agent_id !== c.agent_id).map((a) => el("option", { value: a.agent_id }, `${a.name}（${a.agent_id}）`)),
      );
      list.append(
        el(
          "li",
          { class: "chat-item", dataset: { conversationId: c.conversation_id } },
          el(
            "button",
            { type: "button", class: "chat-open", testid: "watch-chat", onclick: () => open(c.conversation_id) },
            el("span", { class: "row" }, el("strong", {}, c.customer_id), el("span", { class: "badge" }, label("vip", c.vip))),
            el("span", { class: "small" }, `${c.agent_name}（${c.agent_id}）· ${label("presence", c.agent_status)}`),
          ),
          move,
        ),
      );
    }
  } catch (exc) {
    $("desk-error").textContent = exc.message;
  }
}

// the newest alerts raised for supervisors (wait-time promises broken, staff short of the
// forecast), refreshed with the live chats; a broken promise on a chat opens that chat
const ALERTS_SHOWN = 5;

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

function renderAlerts(alerts) {
  const list = clear($("alerts"));
  if (!alerts.length) {
    list.append(el("li", { class: "empty" }, t("alert.none")));
    return;
  }
  for (const a of alerts) {
    const d = a.detail || {};
    const when = new Date(a.at).toLocaleTimeString();
    const what =
      a.kind === "staff_short"
        ? fill(t("alert.staff_short"), { hour: new Date(d.hour).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }), needed: d.agents_needed, planned: d.agents_planned })
        : fill(t("alert.wait_breach"), { tier: label("alert.tier", d.tier), waited: Math.round(d.waited_s), target: d.target_s });
    const about = d.conversation_id
      ? el("button", { type: "button", class: "chat-open", testid: "alert-open", onclick: () => open(d.conversation_id) }, d.conversation_id)
      : el("span", { class: "small" }, d.ticket_id || "");
    list.append(el("li", { class: "alert", dataset: { kind: a.kind } }, el("strong", {}, what), el("span", { class: "small" }, ` ${when} `), about));
  }
}

function label(prefix, code) {
  const key = `${prefix}.${code}`;
  const text = t(key);
  return text === key ? code : text;
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
          `${t("console.priority")} ${q.priority} · ${t("console.reason")} ${label("reason", q.reason)} · ${t("console.skill")} ${label("skill", q.skill)}`,
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
    open(conversationId);
    refreshQueue();
  } catch (exc) {
    $("desk-error").textContent = exc.message;
  }
}

function renderChats(chats) {
  state.chats = chats;
  const list = clear($("mine"));
  if (!chats.length) list.append(el("li", { class: "empty" }, t("console.no_chats")));
  for (const c of chats) {
    const id = c.conversation_id;
    const unread = id === state.current ? 0 : c.unread;
    const before = state.unread.get(id) || 0;
    if (unread > before) {
      ding();
      desktopNotice(c);
    }
    state.unread.set(id, unread);
    const last = c.last_message;
    list.append(
      el(
        "li",
        { class: `chat-item${id === state.current ? " on" : ""}`, dataset: { conversationId: id } },
        el(
          "button",
          { type: "button", class: "chat-open", testid: "open-chat", onclick: () => open(id) },
          el(
            "span",
            { class: "row" },
            el("strong", { class: "name" }, c.customer_name || c.customer_id),
            c.vip && c.vip !== "normal" ? el("span", { class: "badge vip" }, c.vip) : null,
            unread
              ? el("span", { class: "badge unread", testid: "unread", "aria-label": t("console.unread") }, String(unread))
              : null,
          ),
          last
            ? el(
                "span",
                { class: "last small", testid: "last-message" },
                `${label("sender", last.sender)}：${last.text}`,
              )
            : null,
        ),
      ),
    );
  }
  updateTitle();
}

// ---- one conversation -------------------------------------------------------------------------

function open(conversationId) {
  state.current = conversationId;
  state.seen = new Set();
  state.lastCustomerMessage = null;
  state.lastCustomerText = "";
  clear($("history"));
  clear($("suggestions"));
  $("conv").hidden = false;
  $("empty").hidden = true;
  $("conv-error").textContent = "";
  state.unread.set(conversationId, 0);
  for (const item of $("mine").children) {
    item.classList.toggle("on", item.dataset.conversationId === conversationId);
    if (item.dataset.conversationId === conversationId) item.querySelector(".unread")?.remove();
  }
  const chat = state.chats.find((c) => c.conversation_id === conversationId);
  if (chat) chat.unread = 0;
  updateTitle();
  loadTransferTargets();
  loadCanned(conversationId);
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
    if (exc.status === 403 || exc.status === 404) return;
  }
  state.convTimer = setTimeout(() => refreshConversation(false), 2000);
}

function renderConversation(view, first) {
  const conv = view.conversation;
  const name = view.customer && view.customer.name ? `${view.customer.name}（${conv.customer_id}）` : conv.customer_id;
  $("conv-title").textContent = `${name} · ${conv.channel} · ${conv.lang}`;
  $("conv-status").textContent = label("status", conv.status);
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
        el("span", { class: "who" }, m.sender === "agent" && m.agent_id ? m.agent_id : label("sender", m.sender)),
        m.image ? photo(m.image) : el("span", { class: "text" }, m.text),
        el("time", { class: "at" }, formatTime(m.at)),
        m.sender === "agent" ? proposeButton(m.text, state.lastCustomerText) : null,
      ),
    );
    if (m.sender === "customer") {
      if (!m.image) state.lastCustomerText = m.text;
      state.lastCustomerMessage = m.id;
      newCustomerMessage = true;
    }
  }
  if (newCustomerMessage || first) history.scrollTop = history.scrollHeight;
  if (first) renderSuggestions(view.suggestions || []);
  else if (newCustomerMessage) loadSuggestions();
  renderCustomer(view);
}

// "propose to the knowledge base" on any reply sent: the question the customer asked and this
// answer go to the admins' review queue (nothing changes for customers until approved)
function proposeButton(answerText, questionText) {
  const holder = el("div", { class: "propose" });
  const openForm = () => {
    const question = el("input", { value: questionText || "", maxlength: 4000, testid: "propose-question" });
    const answer = el("textarea", { maxlength: 4000, testid: "propose-answer" }, answerText);
    const note = el("span", { class: "small", role: "status" });
    holder.replaceChildren(
      el(
        "form",
        {
          class: "propose-form",
          onsubmit: async (event) => {
            event.preventDefault();
            try {
              await authed(`/api/v1/agent/conversations/${encodeURIComponent(state.current)}/propose`, {
                method: "POST",
                body: { question: question.value.trim(), answer: answer.value.trim() },
              });
              holder.replaceChildren(el("span", { class: "small", testid: "proposed" }, t("console.proposed")));
            } catch (exc) {
              note.textContent = exc.message;
            }
          },
        },
        el("label", {}, el("span", { class: "small" }, t("console.propose_question")), question),
        el("label", {}, el("span", { class: "small" }, t("console.propose_answer")), answer),
        el("button", { type: "submit", testid: "propose-submit" }, t("console.propose_send")),
        note,
      ),
    );
    question.focus();
  };
  holder.append(el("button", { type: "button", class: "link small", testid: "propose", onclick: openForm }, t("console.propose")));
  return holder;
}

// a customer's photo: fetched with the agent's token (an <img src> cannot send it), shown from memory
function photo(image) {
  const img = el("img", { class: "photo", alt: t("chat.image"), testid: "history-image" });
  const link = el("a", { target: "_blank", rel: "noopener" }, img);
  authed(`/api/v1/agent/images/${encodeURIComponent(image.id)}`, { blob: true })
    .then((blob) => {
      const url = URL.createObjectURL(blob);
      img.src = url;
      link.href = url;
    })
    .catch(() => {
      img.alt = t("console.image_failed");
    });
  return link;
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
      [t("profile.id"), c.id],
      [t("profile.name"), c.name],
      [t("profile.vip"), label("vip", c.vip)],
      [t("profile.phone"), c.phone],
      [t("profile.lang"), label("lang", c.lang)],
      [t("profile.channels"), Object.keys(c.channels || {}).map((k) => label("channel", k)).join("、")],
    ];
    for (const [k, v] of rows) profile.append(el("dt", {}, k), el("dd", {}, v ?? ""));
  }
  const english = document.documentElement.lang === "en";
  const orders = clear($("orders"));
  for (const o of view.orders || []) {
    const items = (o.items || [])
      .map((i) => `${(english ? i.name_en : i.name) || i.sku}${i.size ? `（${i.size}）` : ""} ×${i.qty}`)
      .join("，");
    orders.append(
      el(
        "li",
        {},
        el("strong", {}, o.id),
        " ",
        el("span", { class: "badge", dataset: { status: o.status } }, label("order", o.status)),
        ` ¥${o.total}`,
        el("div", { class: "small" }, items),
        o.tracking_no ? el("div", { class: "small" }, `${label("courier", o.courier)} ${o.tracking_no}`) : null,
        o.latest_tracking ? el("div", { class: "small" }, o.latest_tracking) : null,
      ),
    );
  }
  const tickets = clear($("tickets"));
  for (const tk of view.tickets || []) {
    tickets.append(
      el("li", {}, el("strong", {}, tk.id || ""), ` ${label("ticket_kind", tk.kind || "")} · ${label("ticket_status", tk.status || "")}`),
    );
  }
  renderPast(view.past_conversations || []);
  renderNotes(view);
}

// ---- the customer's other conversations, and the desk's own notes and tags ---------------------

function renderPast(past) {
  const list = clear($("past"));
  if (!past.length) list.append(el("li", { class: "empty" }, t("console.no_past")));
  for (const c of past) {
    list.append(
      el(
        "li",
        { dataset: { conversationId: c.id } },
        el("span", { class: "small" }, `${new Date(c.created_at).toLocaleString()} · ${label("channel", c.channel)} · ${label("status", c.status)}`),
        c.summary ? el("div", {}, c.summary) : null,
      ),
    );
  }
}

function renderNotes(view) {
  $("desk-notes").hidden = false;
  $("whisper-form").hidden = !(state.session && state.session.role !== "agent" && view.conversation.agent_id && view.conversation.agent_id !== state.session.agent_id);
  const tags = clear($("tags"));
  for (const tag of view.tags || []) {
    tags.append(
      el(
        "span",
        { class: "badge tag", testid: "conv-tag" },
        tag,
        el("button", { type: "button", class: "tag-x", "aria-label": `${t("console.tag_remove")} ${tag}`, onclick: () => saveTags((view.tags || []).filter((x) => x !== tag)) }, "×"),
      ),
    );
  }
  state.tags = view.tags || [];
  const notes = clear($("notes"));
  if (!(view.notes || []).length) notes.append(el("li", { class: "empty" }, t("console.no_notes")));
  for (const n of view.notes || []) {
    const who = n.kind === "whisper" ? `${t("console.whisper_from")} · ${n.author}` : n.author;
    notes.append(
      el(
        "li",
        { class: `note ${n.kind}`, testid: n.kind === "whisper" ? "conv-whisper" : "conv-note" },
        el("span", { class: "small" }, `${who} · ${formatTime(n.at)}`),
        el("div", {}, n.text),
      ),
    );
  }
}

async function saveTags(tags) {
  if (!state.current) return;
  try {
    const saved = await authed(`/api/v1/agent/conversations/${encodeURIComponent(state.current)}/tags`, { method: "PUT", body: { tags } });
    state.tags = saved.tags;
    $("notes-error").textContent = "";
    refreshConversation(false);
  } catch (exc) {
    $("notes-error").textContent = exc.message;
  }
}

$("tag-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const tag = $("tag-input").value.trim();
  if (!tag) return;
  $("tag-input").value = "";
  saveTags([...(state.tags || []), tag]);
});

async function postNote(path, input) {
  const text = input.value.trim();
  if (!text || !state.current) return;
  try {
    await authed(path, { method: "POST", body: { text } });
    input.value = "";
    $("notes-error").textContent = "";
    refreshConversation(false);
  } catch (exc) {
    $("notes-error").textContent = exc.message;
  }
}

$("note-form").addEventListener("submit", (event) => {
  event.preventDefault();
  postNote(`/api/v1/agent/conversations/${encodeURIComponent(state.current)}/notes`, $("note-input"));
});

$("whisper-form").addEventListener("submit", (event) => {
  event.preventDefault();
  postNote(`/api/v1/agent/supervisor/conversations/${encodeURIComponent(state.current)}/whisper`, $("whisper-input"));
});

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

// 快捷语: "/" and a shortcut (or part of a title) in the reply box lists the canned replies,
// already filled from this customer and order; Enter or Tab takes the first, a click any
let canned = [];

async function loadCanned(conversationId) {
  canned = [];
  try {
    const found = await authed(`/api/v1/agent/conversations/${encodeURIComponent(conversationId)}/canned-replies`);
    if (conversationId === state.current) canned = found;
  } catch {
    // canned replies are a help: typing still works
  }
}

function cannedMatches() {
  const value = $("reply-input").value;
  if (!value.startsWith("/")) return [];
  const q = value.slice(1).trim().toLowerCase();
  return canned.filter((c) => !q || c.shortcut.toLowerCase().startsWith(q) || c.title.includes(q));
}

function useCanned(reply) {
  $("reply-input").value = reply.text;
  $("canned").hidden = true;
  $("reply-input").focus();
}

function renderCanned() {
  const list = clear($("canned"));
  const matches = cannedMatches();
  list.hidden = !matches.length;
  for (const c of matches) {
    list.append(
      el(
        "li",
        { role: "option" },
        el(
          "button",
          { type: "button", class: "canned-item", testid: "canned-item", onclick: () => useCanned(c) },
          el("strong", {}, `/${c.shortcut} ${c.title}`),
          el("span", { class: "small" }, c.text),
        ),
      ),
    );
  }
}

$("reply-input").addEventListener("input", renderCanned);

$("reply-input").addEventListener("keydown", (event) => {
  const matches = $("canned").hidden ? [] : cannedMatches();
  if (matches.length && (event.key === "Tab" || (event.key === "Enter" && !event.isComposing))) {
    event.preventDefault();
    useCanned(matches[0]);
    return;
  }
  if (event.key === "Escape") $("canned").hidden = true;
  // Enter sends, Shift+Enter is a new line (an IME's Enter only confirms the characters)
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("reply").requestSubmit();
  }
});

// transfer: to a skill group (routed to its best agent) or to a colleague who is online, with a
// note the next agent reads on the queue card
const SKILLS = ["pre_sales", "after_sales", "logistics", "english", "vip"];

async function loadTransferTargets() {
  const select = clear($("transfer-to"));
  select.append(el("option", { value: "" }, t("console.transfer_pick")));
  const groups = el("optgroup", { label: t("console.transfer_groups") });
  for (const skill of SKILLS) groups.append(el("option", { value: `skill:${skill}` }, label("skill", skill)));
  select.append(groups);
  try {
    const people = (await authed("/api/v1/agent/colleagues")).filter((a) => a.status === "online");
    const online = el("optgroup", { label: t("console.transfer_agents") });
    for (const a of people) {
      const full = a.load >= a.max_chats ? ` · ${t("console.full")}` : "";
      online.append(
        el("option", { value: `agent:${a.agent_id}` }, `${a.name}（${a.agent_id}）${a.load}/${a.max_chats}${full}`),
      );
    }
    if (people.length) select.append(online);
  } catch {
    // the groups alone still work
  }
}

$("transfer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const [type, target] = $("transfer-to").value.split(":");
  if (!target || !state.current) return;
  const note = $("transfer-note").value.trim();
  const body = type === "skill" ? { to_skill: target, note } : { to_agent: target, note };
  try {
    await authed(`/api/v1/agent/conversations/${encodeURIComponent(state.current)}/transfer`, {
      method: "POST",
      body,
    });
    $("transfer-note").value = "";
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
  state.chats = state.chats.filter((c) => c.conversation_id !== conversationId);
  clearTimeout(state.convTimer);
  state.current = null;
  $("conv").hidden = true;
  $("empty").hidden = false;
  refreshQueue();
}

// ---- keyboard ---------------------------------------------------------------------------------
// Alt+A takes the first chat in the queue; Alt+↓ / Alt+↑ move between the agent's open chats

document.addEventListener("keydown", (event) => {
  if (!state.session || !event.altKey) return;
  if (event.key === "a" || event.key === "A" || event.code === "KeyA") {
    const first = $("queue").querySelector("[data-testid=accept]");
    if (first) {
      event.preventDefault();
      first.click();
    }
    return;
  }
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
  const ids = state.chats.map((c) => c.conversation_id);
  if (!ids.length) return;
  event.preventDefault();
  const at = ids.indexOf(state.current);
  const step = event.key === "ArrowDown" ? 1 : -1;
  const next = at < 0 ? 0 : (at + step + ids.length) % ids.length;
  open(ids[next]);
  $("reply-input").focus();
});

// ---- start ------------------------------------------------------------------------------------

async function main() {
  await loadStrings(staffLang());
  translatePage();
  document.querySelector("header.bar").append(langPicker());
  $("logout").addEventListener("click", signOut);
  $("presence").addEventListener("change", () => setPresence($("presence").value));
  $("mute").addEventListener("click", () => {
    localStorage.setItem(MUTE_KEY, muted() ? "0" : "1");
    renderMute();
  });
  $("notify").addEventListener("click", async () => {
    if ("Notification" in window) await Notification.requestPermission();
    $("notify").hidden = !("Notification" in window) || Notification.permission !== "default";
  });
  signIn($("login"), (session) => {
    state.session = session;
    $("login").hidden = true;
    $("desk").hidden = false;
    $("logout").hidden = false;
    $("presence-box").hidden = false;
    $("presence-hint").hidden = session.role === "agent";
    $("mute").hidden = false;
    renderMute();
    $("notify").hidden = !("Notification" in window) || Notification.permission !== "default";
    $("me").textContent = `${session.agent_id} (${label("role", session.role)})`;
    beatTab();
    loadPresence();
    refreshQueue();
  });
  document.body.dataset.ready = "1";
}

main();
