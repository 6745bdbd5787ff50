// The chat inside a shop's page (framed by /widget.js). Who is writing: the shop's signed
// customer token (handed over in the URL fragment, which is never sent to a server, and wiped
// from the address at once), a demo customer id, or a guest whose visitor id this browser keeps
// in localStorage (one guest across reloads). The log shows only what the server sent.

import { api, clear, el, formatTime, loadStrings, t, translatePage, uuid } from "./common.js";

const $ = (id) => document.getElementById(id);
const logNode = $("log");
const input = $("input");
const params = new URLSearchParams(location.search);
const fragment = new URLSearchParams(location.hash.slice(1));
if (location.hash) history.replaceState(null, "", location.pathname + location.search);

const VISITOR_KEY = "kefu.widget.visitor";
const EMOJI = ["😀", "😂", "😊", "😍", "🤔", "😅", "😭", "😡", "👍", "👌", "🙏", "👏", "🎉", "❤️", "💔", "🔥",
  "😢", "😮", "😴", "🤝", "✅", "❌", "📦", "🚚"];

const state = {
  token: fragment.get("token") || null,
  customerId: params.get("customer") || null, // demo mode only: the server refuses it in production
  visitor: null,
  product: params.get("product") || null,
  config: null,
  conversationId: null,
  status: "bot",
  lastSeq: 0,
  readSeq: 0,
  seen: new Set(),
  pending: new Map(), // client_msg_id -> {text, node, sent}
  ws: null,
  ready: false,
  failures: 0,
  rated: false,
  score: 0,
  resolved: null,
};

function visitorId() {
  let id = null;
  try {
    id = localStorage.getItem(VISITOR_KEY);
    if (!id) {
      id = `v-${uuid()}`;
      localStorage.setItem(VISITOR_KEY, id);
    }
  } catch {
    id = id || `v-${uuid()}`; // storage blocked: a guest for this page view only
  }
  return id;
}

if (!state.token && !state.customerId) state.visitor = visitorId();

function format(key, values) {
  return String(t(key)).replace(/\{(\w+)\}/g, (_, name) => (name in values ? values[name] : `{${name}}`));
}

/** Who this is, for the widget API (the token goes in the Authorization header). */
function identity() {
  if (state.token) return {};
  if (state.customerId) return { customer_id: state.customerId };
  return { visitor: state.visitor };
}

function query(extra = {}) {
  return new URLSearchParams({ lang: document.documentElement.lang, ...identity(), ...extra }).toString();
}

// ---- the log ----------------------------------------------------------------------------------

function scrollDown() {
  logNode.scrollTop = logNode.scrollHeight;
}

function receipt(node) {
  const seq = Number(node.dataset.seq || 0);
  const mark = node.querySelector(".receipt");
  if (!mark || !seq) return;
  const read = seq <= state.readSeq;
  // 未读 only means something while a person is (or will be) on the other side
  const people = state.status === "waiting_agent" || state.status === "with_agent";
  mark.dataset.read = read ? "1" : "0";
  mark.textContent = read ? t("widget.read") : people ? t("widget.unread") : "";
}

function receipts() {
  for (const node of logNode.querySelectorAll("li.customer[data-seq]")) receipt(node);
}

function bubble(sender, text, { id, seq, at, pending, image } = {}) {
  const meta = el("span", { class: "meta" }, el("time", {}, pending ? "" : formatTime(at)));
  if (sender === "customer" && !pending) meta.append(el("span", { class: "receipt", testid: "receipt" }));
  const item = el(
    "li",
    { class: `w-msg ${sender}${pending ? " pending" : ""}`, dataset: { sender } },
    sender === "customer" ? null : el("span", { class: "who" }, t(`chat.sender.${sender}`)),
    image
      ? el("img", { class: "photo", alt: t("chat.image"), src: `/api/v1/images/${encodeURIComponent(image.id)}?${query(state.token ? { token: state.token } : {})}` })
      : el("span", { class: "text" }, text),
    meta,
  );
  if (id) item.dataset.id = id;
  if (seq) item.dataset.seq = String(seq);
  logNode.append(item);
  receipt(item);
  scrollDown();
  return item;
}

function notice(text, testid) {
  logNode.append(el("li", { class: "w-msg notice", testid }, el("span", { class: "text" }, text)));
  scrollDown();
}

function showMessage(frame) {
  if (!frame.id || state.seen.has(frame.id)) return;
  state.seen.add(frame.id);
  if (typeof frame.seq === "number") state.lastSeq = Math.max(state.lastSeq, frame.seq);
  for (const [clientId, p] of state.pending) {
    if (p.messageId === frame.id) {
      p.node.remove();
      state.pending.delete(clientId);
    }
  }
  bubble(frame.sender, frame.text, { id: frame.id, seq: frame.seq, at: frame.at, image: frame.image });
  if (frame.sender !== "customer") {
    showChips(frame.quick_replies);
    tellParent({ type: "kefu:message" });
  }
  if (frame.kind === "survey") showRating();
}

function showChips(replies) {
  const chips = clear($("chips"));
  for (const text of Array.isArray(replies) ? replies : []) {
    const label = typeof text === "string" ? text : text.text || text.label || "";
    if (label) chips.append(el("button", { type: "button", class: "w-chip", onclick: () => send(label) }, label));
  }
}

function setStatus(status) {
  if (!status) return;
  state.status = status;
  receipts();
  if (status === "closed") showRating();
}

// ---- cards the customer taps ------------------------------------------------------------------

async function productCard() {
  if (!state.product) return;
  let product;
  try {
    product = await api(`/api/v1/widget/products/${encodeURIComponent(state.product)}?${query()}`);
  } catch {
    return; // an unknown product on the shop's page: no card
  }
  const sub = product.in_stock ? format("widget.product.price", product) : t("widget.product.out");
  const card = el(
    "button",
    {
      type: "button",
      class: "w-card",
      testid: "widget-product-card",
      onclick: () => send(format("widget.product.message", product)),
    },
    el("span", {}, el("span", { class: "name" }, product.name), el("br"), el("span", { class: "sub" }, sub)),
    el("span", { class: "sub" }, t("widget.product.ask")),
  );
  $("welcome-slot").append(card);
}

async function orderCards() {
  if (!state.token && !state.customerId) return; // a guest has no orders until signed in
  let orders;
  try {
    orders = await api(`/api/v1/widget/orders?${query()}`, { token: state.token });
  } catch {
    return;
  }
  if (!orders.length) return;
  const row = el("div", { class: "w-orders", testid: "widget-orders" });
  for (const order of orders) {
    row.append(
      el(
        "button",
        {
          type: "button",
          class: "w-card",
          testid: "widget-order-card",
          dataset: { order: order.order_id },
          onclick: () => send(format("widget.order.message", { id: order.order_id })),
        },
        el("span", { class: "name" }, `${t(`order.${order.status}`)} · ${order.order_id}`),
        el("span", { class: "sub" }, order.items.join("、")),
        el("span", { class: "sub" }, format("widget.order.total", order)),
      ),
    );
  }
  $("welcome-slot").append(el("p", { class: "w-section" }, t("widget.orders")), row);
}

// ---- sending ----------------------------------------------------------------------------------

function send(text) {
  const clean = String(text || "").trim();
  if (!clean) return;
  const clientId = uuid();
  const node = bubble("customer", clean, { pending: true });
  state.pending.set(clientId, { text: clean, node, sent: false, messageId: null });
  flush();
}

function flush() {
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
  $("emoji-panel").hidden = true;
  clearTimeout(typingTimer);
  sendTyping(false);
});

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("composer").requestSubmit();
  }
});

// the agent's console shows "typing…" while the shopper writes
let typingSent = false;
let typingTimer = null;

function sendTyping(on) {
  if (typingSent === on) return;
  typingSent = on;
  const ws = state.ws;
  if (ws && ws.readyState === WebSocket.OPEN && state.ready) ws.send(JSON.stringify({ type: "typing", on }));
}

input.addEventListener("input", () => {
  sendTyping(true);
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => sendTyping(false), 3000);
});

// the keyboard of a phone shrinks the frame: keep the newest message in sight
input.addEventListener("focus", () => setTimeout(scrollDown, 300));

function emojiPanel() {
  const panel = $("emoji-panel");
  for (const e of EMOJI) {
    panel.append(
      el(
        "button",
        {
          type: "button",
          "aria-label": e,
          onclick: () => {
            const at = input.selectionStart ?? input.value.length;
            input.value = input.value.slice(0, at) + e + input.value.slice(input.selectionEnd ?? at);
            input.focus();
            input.selectionStart = input.selectionEnd = at + e.length;
          },
        },
        e,
      ),
    );
  }
  $("emoji").addEventListener("click", () => {
    panel.hidden = !panel.hidden;
  });
}

// ---- photos (a defect, a wrong item): type and size checked here, and again by the server -------

const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

function photos() {
  $("photo").addEventListener("click", () => $("photo-input").click());
  $("photo-input").addEventListener("change", async () => {
    const file = $("photo-input").files && $("photo-input").files[0];
    $("photo-input").value = "";
    if (!file) return;
    if (!IMAGE_TYPES.has(file.type)) return notice(t("chat.image_type"));
    if (file.size > MAX_IMAGE_BYTES) return notice(t("chat.image_too_big"));
    if (!state.conversationId) return notice(t("chat.image_first"));
    try {
      const message = await api(`/api/v1/conversations/${encodeURIComponent(state.conversationId)}/images?${query()}`, {
        method: "POST",
        raw: file,
        contentType: file.type,
        token: state.token,
      });
      showMessage(message);
    } catch (exc) {
      notice(`${t("chat.error")}${exc.message}`);
    }
  });
}

// ---- 留言 --------------------------------------------------------------------------------------

function leaveForm() {
  const form = $("leave");
  $("leave-open").addEventListener("click", () => {
    form.hidden = false;
    $("leave-text").focus();
  });
  $("leave-cancel").addEventListener("click", () => {
    form.hidden = true;
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("leave-error");
    error.textContent = "";
    const text = $("leave-text").value.trim();
    if (!text) {
      error.textContent = t("widget.leave.empty");
      return;
    }
    const body = { text, ...identity() };
    const phone = $("leave-phone").value.trim();
    if (phone) body.phone = phone;
    if (state.conversationId && state.status === "waiting_agent") body.conversation_id = state.conversationId;
    try {
      const done = await api("/api/v1/widget/left-messages", { method: "POST", body, token: state.token });
      form.hidden = true;
      $("leave-text").value = "";
      notice(format("widget.leave.done", { id: done.ticket_id }), "widget-leave-done");
    } catch (exc) {
      error.textContent = exc.message;
    }
  });
}

// ---- the rating card --------------------------------------------------------------------------

function showRating() {
  if (state.rated || !state.conversationId) return;
  const form = $("rating");
  if (!form.hidden) return;
  form.hidden = false;
  const stars = clear($("stars"));
  for (let n = 1; n <= 5; n += 1) {
    stars.append(
      el(
        "button",
        {
          type: "button",
          class: "w-star",
          role: "radio",
          "aria-checked": "false",
          "aria-label": `${n} · ${t(`chat.rating.label.${n}`)}`,
          testid: `widget-rating-${n}`,
          onclick: () => {
            state.score = n;
            for (const b of stars.children) b.setAttribute("aria-checked", String(Number(b.dataset.n) <= n));
            $("rating-label").textContent = t(`chat.rating.label.${n}`);
          },
          dataset: { n: String(n) },
        },
        "★",
        el("small", {}, t(`chat.rating.label.${n}`)),
      ),
    );
  }
  scrollDown();
}

function ratingForm() {
  const form = $("rating");
  for (const button of form.querySelectorAll("[data-resolved]")) {
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", () => {
      state.resolved = button.dataset.resolved === "yes";
      for (const b of form.querySelectorAll("[data-resolved]")) b.setAttribute("aria-pressed", String(b === button));
    });
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("rating-error");
    error.textContent = "";
    if (!state.score) {
      error.textContent = t("chat.rating.pick");
      return;
    }
    const comment = $("rating-comment").value.trim();
    const body = { conversation_id: state.conversationId, score: state.score, ...identity() };
    if (state.resolved !== null) body.resolved = state.resolved;
    if (comment) body.comment = comment;
    try {
      await api("/api/v1/widget/rating", { method: "POST", body, token: state.token });
      state.rated = true;
      form.hidden = true;
    } catch (exc) {
      error.textContent = exc.message;
    }
  });
}

// ---- the socket -------------------------------------------------------------------------------

function socketUrl() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const q = new URLSearchParams({ channel: "web" });
  if (state.customerId && !state.token) q.set("customer_id", state.customerId);
  if (state.visitor) q.set("visitor", state.visitor);
  if (state.conversationId) q.set("conversation_id", state.conversationId);
  if (state.lastSeq) q.set("after", String(state.lastSeq));
  return `${scheme}://${location.host}/api/v1/ws/chat?${q}`;
}

function setConnection(key) {
  $("connection").textContent = key ? t(key) : "";
}

function connect() {
  state.ready = false;
  const ws = new WebSocket(socketUrl());
  state.ws = ws;
  ws.addEventListener("open", () => {
    if (state.token) ws.send(JSON.stringify({ type: "auth", token: state.token }));
    state.failures = 0;
  });
  ws.addEventListener("message", (event) => {
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    onFrame(frame);
  });
  ws.addEventListener("close", () => {
    state.ready = false;
    for (const p of state.pending.values()) if (!p.messageId) p.sent = false;
    state.failures += 1;
    setConnection("chat.reconnecting");
    const delay = Math.min(8000, 400 * 2 ** Math.min(state.failures, 5)) * (0.75 + Math.random() / 2);
    setTimeout(connect, delay);
  });
}

function onFrame(frame) {
  switch (frame.type) {
    case "ready":
      state.conversationId = frame.conversation_id || state.conversationId;
      state.readSeq = Math.max(state.readSeq, frame.read_seq || 0);
      state.ready = true;
      setConnection("");
      setStatus(frame.status);
      flush();
      document.body.dataset.ready = "1";
      break;
    case "message":
      showMessage(frame);
      if (frame.sender !== "customer") $("typing").hidden = true;
      break;
    case "ack": {
      if (frame.conversation_id) state.conversationId = frame.conversation_id;
      const p = state.pending.get(frame.client_msg_id);
      if (!p) break;
      if (state.seen.has(frame.message_id)) {
        p.node.remove();
        state.pending.delete(frame.client_msg_id);
      } else {
        p.messageId = frame.message_id;
      }
      break;
    }
    case "read":
      state.readSeq = Math.max(state.readSeq, frame.seq || 0);
      receipts();
      break;
    case "typing":
      $("typing").hidden = !frame.on;
      $("typing").textContent = frame.on ? t(`chat.typing.${frame.sender === "agent" ? "agent" : "bot"}`) : "";
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

// ---- the frame and the shop's page ------------------------------------------------------------

function tellParent(message) {
  if (window.parent !== window) window.parent.postMessage(message, "*"); // nothing secret in it
}

async function main() {
  await loadStrings(params.get("lang") || "zh-CN");
  translatePage();
  for (const node of document.querySelectorAll("[data-i18n-label]")) {
    node.setAttribute("aria-label", t(node.dataset.i18nLabel));
  }
  logNode.append(el("li", { id: "welcome-slot" }));
  $("close").addEventListener("click", () => tellParent({ type: "kefu:close" }));
  emojiPanel();
  photos();
  leaveForm();
  ratingForm();
  try {
    state.config = await api(`/api/v1/widget/config?lang=${encodeURIComponent(document.documentElement.lang)}`);
  } catch {
    state.config = null;
  }
  if (state.config) {
    $("shop-name").textContent = state.config.shop_name;
    document.title = state.config.shop_name;
    const hours = state.config.hours_text;
    $("hours").textContent = state.config.open_now ? hours : `${t("widget.closed_now")} · ${hours}`;
    $("welcome-slot").append(el("p", { class: "w-welcome", testid: "widget-welcome" }, state.config.welcome));
    if (!state.config.agents_online || !state.config.open_now) {
      $("leave-open").hidden = false;
      $("welcome-slot").append(el("p", { class: "w-welcome", testid: "widget-nobody" }, t("widget.nobody_online")));
    }
  }
  await Promise.all([productCard(), orderCards()]);
  connect();
}

main();
