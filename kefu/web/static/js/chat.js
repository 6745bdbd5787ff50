// The customer chat demo: a WebSocket per conversation, driven by the server's frames.
// The log shows only what the server sent (deduplicated by message id); messages typed while
// disconnected wait in a queue and are resent with the same client_msg_id after reconnecting.
// If the WebSocket route cannot be reached at all, the page falls back to POST + polling.

import { api, clear, el, formatTime, loadStrings, setLang, t, translatePage, uuid } from "./common.js";

const $ = (id) => document.getElementById(id);
const logNode = $("log");
const input = $("input");

const state = {
  customers: [],
  customer: null,
  channel: "web",
  conversationId: null,
  status: "bot",
  lastSeq: 0,
  seen: new Set(),
  pending: new Map(), // client_msg_id -> {text, node, messageId}
  ws: null,
  mode: "ws", // "ws" | "http"
  everOpened: false,
  failures: 0,
  retryTimer: null,
  pollTimer: null,
  // a signed customer token from the shop's own page (production); it travels in the socket's
  // first frame, never in the URL that proxies and access logs keep
  token: window.kefuCustomerToken || null,
  generation: 0, // bumps on every customer/channel switch: stale sockets ignore themselves
  typingSent: false,
  typingTimer: null,
  rated: false,
};

// ---- log --------------------------------------------------------------------------------------

function imageUrl(image) {
  const who = encodeURIComponent(state.customer ? state.customer.id : "");
  return `/api/v1/images/${encodeURIComponent(image.id)}?customer_id=${who}`;
}

function bubble(sender, text, { id, at, pending, image } = {}) {
  const item = el(
    "li",
    { class: `msg ${sender}${pending ? " pending" : ""}`, dataset: { sender } },
    el("span", { class: "who" }, t(`chat.sender.${sender}`)),
    image
      ? el("img", { class: "photo", src: imageUrl(image), alt: t("chat.image"), testid: "chat-photo" })
      : el("span", { class: "text" }, text),
    el("time", { class: "at" }, pending ? t("chat.queued") : formatTime(at)),
  );
  if (id) item.dataset.id = id;
  logNode.append(item);
  logNode.scrollTop = logNode.scrollHeight;
  return item;
}

function showMessage(frame) {
  if (!frame.id || state.seen.has(frame.id)) return;
  state.seen.add(frame.id);
  if (typeof frame.seq === "number") state.lastSeq = Math.max(state.lastSeq, frame.seq);
  // the customer's own message coming back: replace its pending bubble, if it is still here
  for (const [clientId, p] of state.pending) {
    if (p.messageId === frame.id) {
      p.node.remove();
      state.pending.delete(clientId);
    }
  }
  bubble(frame.sender, frame.text, { id: frame.id, at: frame.at, image: frame.image });
  if (frame.sender !== "customer") showChips(frame.quick_replies);
  if (frame.kind === "survey") showRating();
}

function notice(text) {
  const item = el("li", { class: "msg notice" }, el("span", { class: "text" }, text));
  logNode.append(item);
  logNode.scrollTop = logNode.scrollHeight;
}

function showChips(replies) {
  state.lastReplies = replies;
  const chips = $("chips");
  clear(chips);
  const list = Array.isArray(replies) && replies.length ? replies : t("chat.starters");
  // with a person already (or on the way), asking for one again makes no sense
  const withPeople = state.status === "waiting_agent" || state.status === "with_agent";
  for (const text of Array.isArray(list) ? list : []) {
    const label = typeof text === "string" ? text : text.text || text.label || "";
    if (!label) continue;
    if (withPeople && label === t("chat.starter_human")) continue;
    chips.append(el("button", { type: "button", class: "chip", onclick: () => send(label) }, label));
  }
}

function setConnection(key) {
  $("connection").textContent = key ? t(key) : "";
  $("connection").dataset.state = key || "";
}

function setStatus(status) {
  if (!status) return;
  state.status = status;
  $("status").textContent = t(`chat.status.${status}`);
  $("status").dataset.status = status;
  if ($("chips").childElementCount) showChips(state.lastReplies);
  if (status === "closed") showRating();
}

function showTyping(sender, on) {
  const node = $("typing");
  node.hidden = !on;
  node.textContent = on ? t(`chat.typing.${sender === "agent" ? "agent" : "bot"}`) : "";
}

// ---- rating -----------------------------------------------------------------------------------

let score = 0;

function showRating() {
  if (state.rated || !state.conversationId) return;
  const form = $("rating");
  form.hidden = false;
  const stars = clear($("stars"));
  for (let n = 1; n <= 5; n += 1) {
    stars.append(
      el(
        "button",
        {
          type: "button",
          class: "star",
          "aria-label": `${n} · ${t(`chat.rating.label.${n}`)}`,
          title: t(`chat.rating.label.${n}`),
          testid: `rating-${n}`,
          onclick: () => {
            score = n;
            for (const b of stars.children) b.classList.toggle("on", Number(b.textContent) <= n);
            $("rating-label").textContent = t(`chat.rating.label.${n}`);
          },
        },
        String(n),
      ),
    );
  }
}

$("rating").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = $("rating-error");
  error.textContent = "";
  if (!score) {
    error.textContent = t("chat.rating.pick");
    return;
  }
  const comment = $("rating-comment").value.trim();
  try {
    await api(`/api/v1/conversations/${encodeURIComponent(state.conversationId)}/rating`, {
      method: "POST",
      body: { customer_id: state.customer.id, score, comment: comment || null },
    });
    state.rated = true;
    $("rating").hidden = true;
    notice(t("chat.rating.thanks"));
  } catch (exc) {
    error.textContent = exc.message;
  }
});

// ---- sending ----------------------------------------------------------------------------------

function send(text) {
  const clean = String(text || "").trim();
  if (!clean || !state.customer) return;
  const clientId = uuid();
  const node = bubble("customer", clean, { pending: true });
  state.pending.set(clientId, { text: clean, node, messageId: null });
  flush();
}

function flush() {
  if (state.mode === "http") return flushHttp();
  const ws = state.ws;
  if (!ws || ws.readyState !== WebSocket.OPEN || !state.ready) return;
  for (const [clientId, p] of state.pending) {
    if (p.sent) continue;
    p.sent = true;
    ws.send(JSON.stringify({ type: "message", text: p.text, client_msg_id: clientId }));
  }
}

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  send(input.value);
  input.value = "";
  sendTyping(false);
});

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("composer").requestSubmit();
  }
});

input.addEventListener("input", () => {
  sendTyping(true);
  clearTimeout(state.typingTimer);
  state.typingTimer = setTimeout(() => sendTyping(false), 3000);
});

function sendTyping(on) {
  if (state.typingSent === on) return;
  state.typingSent = on;
  const ws = state.ws;
  if (state.mode === "ws" && ws && ws.readyState === WebSocket.OPEN) {
    ws.send(JSON.stringify({ type: "typing", on }));
  }
}

// ---- photos -----------------------------------------------------------------------------------

const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

$("image-button").addEventListener("click", () => $("image-input").click());

$("image-input").addEventListener("change", async () => {
  const file = $("image-input").files && $("image-input").files[0];
  $("image-input").value = "";
  if (!file || !state.customer) return;
  // checked here for a quick answer; the server checks the bytes again
  if (!IMAGE_TYPES.has(file.type)) return notice(t("chat.image_type"));
  if (file.size > MAX_IMAGE_BYTES) return notice(t("chat.image_too_big"));
  if (!state.conversationId) return notice(t("chat.image_first"));
  const id = encodeURIComponent(state.conversationId);
  const who = encodeURIComponent(state.customer.id);
  try {
    const message = await api(`/api/v1/conversations/${id}/images?customer_id=${who}`, {
      method: "POST",
      raw: file,
      contentType: file.type,
    });
    showMessage(message);
  } catch (exc) {
    notice(`${t("chat.error")}${exc.message}`);
  }
});

// ---- WebSocket transport ----------------------------------------------------------------------

function socketUrl() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const params = new URLSearchParams({ channel: state.channel });
  if (!state.token) params.set("customer_id", state.customer.id);
  if (state.conversationId) params.set("conversation_id", state.conversationId);
  if (state.lastSeq) params.set("after", String(state.lastSeq));
  return `${scheme}://${location.host}/api/v1/ws/chat?${params}`;
}

function connect() {
  const generation = state.generation;
  setConnection(state.everOpened ? "chat.reconnecting" : "chat.connecting");
  state.ready = false;
  let ws;
  try {
    ws = new WebSocket(socketUrl());
  } catch {
    return scheduleReconnect(generation);
  }
  state.ws = ws;
  ws.addEventListener("open", () => {
    if (generation !== state.generation) return ws.close();
    if (state.token) ws.send(JSON.stringify({ type: "auth", token: state.token }));
    state.everOpened = true;
    state.failures = 0;
  });
  ws.addEventListener("message", (event) => {
    if (generation !== state.generation) return;
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    onFrame(frame);
  });
  ws.addEventListener("close", () => {
    if (generation !== state.generation) return;
    state.ready = false;
    // a message sent on the dead socket may not have arrived: resend it (the server dedupes)
    for (const p of state.pending.values()) if (!p.messageId) p.sent = false;
    scheduleReconnect(generation);
  });
}

function scheduleReconnect(generation) {
  if (generation !== state.generation) return;
  state.failures += 1;
  if (!state.everOpened && state.failures >= 3) return startHttp();
  setConnection("chat.reconnecting");
  const delay = Math.min(8000, 400 * 2 ** Math.min(state.failures, 5)) * (0.75 + Math.random() / 2);
  clearTimeout(state.retryTimer);
  state.retryTimer = setTimeout(() => generation === state.generation && connect(), delay);
}

function onFrame(frame) {
  switch (frame.type) {
    case "ready":
      state.conversationId = frame.conversation_id || state.conversationId;
      remember();
      state.ready = true;
      setConnection("chat.connected");
      setStatus(frame.status);
      flush();
      break;
    case "message":
      showMessage(frame);
      if (frame.sender !== "customer") showTyping(frame.sender, false);
      break;
    case "ack": {
      const p = state.pending.get(frame.client_msg_id);
      if (frame.conversation_id) {
        state.conversationId = frame.conversation_id;
        remember();
      }
      if (!p) break;
      if (state.seen.has(frame.message_id)) {
        p.node.remove();
        state.pending.delete(frame.client_msg_id);
      } else {
        p.messageId = frame.message_id;
        p.node.querySelector(".at").textContent = "";
      }
      break;
    }
    case "typing":
      showTyping(frame.sender, Boolean(frame.on));
      break;
    case "status":
      setStatus(frame.status);
      break;
    case "error":
      notice(`${t("chat.error")}${frame.message || frame.code || ""}`);
      break;
    default:
      break;
  }
}

// ---- HTTP fallback: POST /api/v1/messages and polling the customer's history ------------------

function startHttp() {
  state.mode = "http";
  setConnection("chat.offline_mode");
  flushHttp();
  poll();
}

let posting = false;

async function flushHttp() {
  if (posting) return;
  posting = true;
  const generation = state.generation;
  try {
    for (const [clientId, p] of state.pending) {
      const body = { channel: state.channel, customer_id: state.customer.id, text: p.text };
      if (state.conversationId) body.conversation_id = state.conversationId;
      let result;
      try {
        result = await api("/api/v1/messages", { method: "POST", body });
      } catch (exc) {
        if (exc.status && exc.status < 500) {
          p.node.remove();
          state.pending.delete(clientId);
          notice(`${t("chat.error")}${exc.message}`);
          continue;
        }
        setTimeout(flushHttp, 2000); // the server is away: keep the queue and retry
        return;
      }
      if (generation !== state.generation) return;
      state.conversationId = result.conversation_id;
      remember();
      p.messageId = result.message_id;
      if (state.seen.has(result.message_id)) p.node.remove();
      state.pending.delete(clientId);
      if (!state.seen.has(result.message_id)) {
        state.seen.add(result.message_id);
        p.node.classList.remove("pending");
        p.node.dataset.id = result.message_id;
        p.node.querySelector(".at").textContent = "";
      }
      setStatus(result.status);
      await pollOnce();
    }
  } finally {
    posting = false;
  }
}

async function pollOnce() {
  if (!state.conversationId || !state.customer) return;
  const id = encodeURIComponent(state.conversationId);
  const who = encodeURIComponent(state.customer.id);
  try {
    const messages = await api(`/api/v1/conversations/${id}/messages?customer_id=${who}`);
    for (const m of messages) showMessage(m);
    const conv = await api(`/api/v1/demo/conversations/${id}?customer_id=${who}`);
    if (conv.status !== state.status) setStatus(conv.status);
  } catch {
    // the next poll tries again
  }
}

function poll() {
  clearTimeout(state.pollTimer);
  const generation = state.generation;
  pollOnce().finally(() => {
    if (generation === state.generation && state.mode === "http") {
      state.pollTimer = setTimeout(poll, 1500);
    }
  });
}

// ---- choosing a customer and a channel ----------------------------------------------------------

function storageKey() {
  return `kefu.chat.${state.customer.id}.${state.channel}`;
}

function remember() {
  if (state.customer && state.conversationId) {
    sessionStorage.setItem(storageKey(), state.conversationId);
  }
}

function start({ fresh = false } = {}) {
  state.generation += 1;
  clearTimeout(state.retryTimer);
  clearTimeout(state.pollTimer);
  if (state.ws) {
    try {
      state.ws.close();
    } catch {
      // already closed
    }
  }
  state.ws = null;
  state.customer = state.customers.find((c) => c.id === $("customer").value) || null;
  state.channel = $("channel").value;
  if (!state.customer) return;
  if (fresh) sessionStorage.removeItem(storageKey());
  state.conversationId = sessionStorage.getItem(storageKey());
  state.lastSeq = 0;
  state.seen = new Set();
  state.pending = new Map();
  state.everOpened = false;
  state.failures = 0;
  state.rated = false;
  state.status = "bot";
  $("rating").hidden = true;
  clear(logNode);
  setLang(state.customer.lang);
  translatePage();
  setStatus("bot");
  showTyping("bot", false);
  showChips([]);
  if (state.mode === "http") startHttp();
  else connect();
}

async function main() {
  await loadStrings("zh-CN");
  translatePage();
  try {
    state.customers = await api("/api/v1/demo/customers");
  } catch (exc) {
    notice(`${t("chat.error")}${exc.message}`);
    return;
  }
  const select = $("customer");
  for (const c of state.customers) {
    select.append(el("option", { value: c.id }, `${c.name} (${c.id}, ${c.vip}, ${c.lang})`));
  }
  const params = new URLSearchParams(location.search);
  if (params.get("customer")) select.value = params.get("customer");
  if (params.get("channel")) $("channel").value = params.get("channel");
  if (params.get("transport") === "http") state.mode = "http";
  select.addEventListener("change", () => start());
  $("channel").addEventListener("change", () => start());
  $("new-chat").addEventListener("click", () => start({ fresh: true }));
  start();
  document.body.dataset.ready = "1";
}

main();
