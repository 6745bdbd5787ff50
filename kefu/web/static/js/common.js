// Shared helpers of kefu's pages: DOM building (text only, never HTML), strings, API calls,
// and the agent sign-in the console, dashboard and admin share.

let strings = {};
let lang = "zh-CN";

/** Build an element; children that are strings become text nodes, so no text is parsed as HTML. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "testid") node.dataset.testid = value;
    else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export async function loadStrings(wanted) {
  const response = await fetch("/static/i18n.json");
  strings = await response.json();
  lang = strings[wanted] ? wanted : "zh-CN";
  document.documentElement.lang = lang;
  return lang;
}

const LANG_KEY = "kefu.staff.lang";
const STAFF_LANGS = [
  ["zh-CN", "简体中文"],
  ["zh-TW", "繁體中文"],
  ["en", "English"],
];

/** The language of a staff page: ?lang= first, then the one chosen before on this browser. */
export function staffLang() {
  const asked = new URLSearchParams(location.search).get("lang");
  if (asked) localStorage.setItem(LANG_KEY, asked);
  return asked || localStorage.getItem(LANG_KEY) || "zh-CN";
}

/** A language picker for the header of the console, dashboard and admin (reloads the page). */
export function langPicker() {
  const select = el(
    "select",
    {
      testid: "lang",
      "aria-label": "语言 / Language",
      onchange: () => {
        localStorage.setItem(LANG_KEY, select.value);
        const url = new URL(location.href);
        url.searchParams.set("lang", select.value);
        location.assign(url.toString());
      },
    },
    STAFF_LANGS.map(([code, name]) => el("option", { value: code, selected: code === lang }, name)),
  );
  return select;
}

export function setLang(wanted) {
  lang = strings[wanted] ? wanted : "zh-CN";
  document.documentElement.lang = lang;
}

/** The string in the page's language, else English, else the key itself. */
export function t(key) {
  const mine = strings[lang] || {};
  if (key in mine) return mine[key];
  const en = strings.en || {};
  return key in en ? en[key] : key;
}

/** Fill every element carrying data-i18n (text) or data-i18n-placeholder. */
export function translatePage(root = document) {
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll("[data-i18n-placeholder]")) {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  }
}

/** The server's error in the page's language: "error.<code>" strings, "{detail}" = its message. */
export function localError(code, message) {
  const key = `error.${code}`;
  const local = t(key);
  if (local === key || lang === "en") return message;
  return local.replace("{detail}", message);
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** JSON over fetch; a non-2xx answer throws ApiError with the server's error message. */
export async function api(path, { method = "GET", body, token, raw, contentType, blob } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  let payload;
  if (raw !== undefined) {
    payload = raw;
    headers["content-type"] = contentType || "text/plain";
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers["content-type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: payload });
  } catch (exc) {
    throw new ApiError(0, "network", localError("network", String(exc && exc.message ? exc.message : exc)));
  }
  if (response.status === 204) return null;
  if (blob && response.ok) return response.blob();
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (!response.ok) {
    const err = data && data.error ? data.error : {};
    const message = err.message || (typeof data === "string" && data) || response.statusText;
    const code = err.code || "http_error";
    throw new ApiError(response.status, code, localError(code, message));
  }
  return data;
}

export function uuid() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function formatSeconds(seconds) {
  const s = Math.max(0, Math.round(Number(seconds) || 0));
  const m = Math.floor(s / 60);
  return m ? `${m}:${String(s % 60).padStart(2, "0")}` : `${s}s`;
}

export function formatTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleTimeString();
}

// ---- agent session (console, dashboard, admin) ----------------------------------------------

const SESSION_KEY = "kefu.agent";

export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
  } catch {
    return null;
  }
}

export function forget() {
  sessionStorage.removeItem(SESSION_KEY);
}

/**
 * Wire the shared sign-in form (login-agent, login-password, login-submit) and call onReady
 * with the session once signed in; a stored session is reused until the API says 401.
 */
export function signIn(form, onReady, { keepStatus = false } = {}) {
  const error = form.querySelector(".error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const agentId = form.querySelector("[data-testid=login-agent]").value.trim();
    const password = form.querySelector("[data-testid=login-password]").value;
    try {
      const data = await api("/api/v1/agent/login", {
        method: "POST",
        // keepStatus: a page for reading (dashboard, admin) must not put anyone in line for chats
        body: { agent_id: agentId, password, keep_status: keepStatus },
      });
      const stored = { token: data.token, agent_id: data.agent_id, role: data.role };
      sessionStorage.setItem(SESSION_KEY, JSON.stringify(stored));
      onReady(stored);
    } catch (exc) {
      error.textContent = exc.message;
    }
  });
  const existing = session();
  if (existing) onReady(existing);
}

export function showError(node, exc) {
  node.textContent = exc && exc.message ? exc.message : String(exc);
}
