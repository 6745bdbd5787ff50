// The back office: knowledge base (with the review queue of agents' proposals), promotions,
// coupons, sensitive words, agents and skills. Each section loads on its own and shows its API's
// error as a message, so one missing or failing API never breaks the rest of the page.

import { api, clear, el, forget, langPicker, loadStrings, signIn, staffLang, t, translatePage } from "./common.js";
import { promotionForm } from "./promotion_form.js";

const $ = (id) => document.getElementById(id);
let session = null;

const call = (path, options = {}) =>
  api(path, { ...options, token: session.token }).catch((exc) => {
    if (exc.status === 401) logout();
    throw exc;
  });

function errorBox(exc) {
  return el("p", { class: "error", role: "alert", testid: "section-error" }, exc.message || String(exc));
}

/** Run a section's loader; any failure becomes a message inside that section only. */
async function section(id, loader) {
  const root = $(`tab-${id}`);
  clear(root).append(el("p", { class: "small" }, t("common.loading")));
  try {
    const content = await loader();
    clear(root).append(...content);
  } catch (exc) {
    clear(root).append(errorBox(exc));
  }
}

function table(headers, rows) {
  return el(
    "table",
    {},
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))),
    el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((c) => el("td", {}, c ?? ""))))),
  );
}

function button(label, onclick, testid) {
  return el("button", { type: "button", onclick, testid }, label);
}

function lines(text) {
  return String(text || "")
    .split(/\n|,/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function input(attrs) {
  return el("input", attrs);
}

// ---- knowledge base ---------------------------------------------------------------------------

let kbEntries = [];
let kbShadow = null; // the last saved entry's shadow check, shown once the list reloads

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => (key in values ? values[key] : ""));
}

/** Does the bot answer this entry's questions from a promotion rule or the catalogue instead? */
async function shadowOf(entry) {
  const questions = [entry.question, ...(entry.variants || [])].filter(Boolean);
  if (!questions.length) return null;
  const found = await call("/api/v1/admin/kb/shadow", { method: "POST", body: { questions, lang: document.documentElement.lang || "zh-CN" } });
  return found && found.shadowed ? { ...found, entry: entry.id } : null;
}

function shadowWarning(found) {
  const text = fill(t(`kb.shadow.${found.source}`), { question: found.question, entry: found.entry });
  return el(
    "div",
    { class: "notice warning", role: "alert", testid: "kb-shadow-warning" },
    el("p", {}, text),
    found.bot_answer ? el("p", {}, `${t("kb.shadow.bot_says")}${found.bot_answer}`) : null,
  );
}

async function loadKb() {
  kbEntries = await call("/api/v1/admin/kb/entries");
  const status = el("p", { class: "small", role: "status" });
  const list = el("div", { testid: "kb-list" });
  const search = input({ type: "search", placeholder: t("common.search"), testid: "kb-search" });
  const editor = kbEditor(status);
  const renderList = () => {
    const q = search.value.trim().toLowerCase();
    const shown = kbEntries.filter((e) => !q || JSON.stringify(e).toLowerCase().includes(q));
    clear(list).append(
      table(
        [t("kb.col.id"), t("kb.col.question"), t("kb.col.answer"), t("kb.col.tags"), t("kb.col.version"), ""],
        shown.map((e) => [
          e.id,
          e.question,
          (e.answers && e.answers["zh-CN"]) || "",
          (e.tags || []).join(", "),
          String(e.version),
          el(
            "span",
            {},
            button("✎", () => editor.fill(e), "kb-edit"),
            button(t("common.delete"), async () => {
              if (!confirm(`${t("common.delete")} ${e.id}?`)) return;
              try {
                await call(`/api/v1/admin/kb/entries/${encodeURIComponent(e.id)}`, { method: "DELETE" });
                section("kb", loadKb);
              } catch (exc) {
                status.textContent = exc.message;
              }
            }, "kb-delete"),
          ),
        ]),
      ),
    );
  };
  search.addEventListener("input", renderList);
  renderList();

  const preview = el("div", { testid: "kb-preview" });
  const previewInput = input({ placeholder: t("kb.preview_placeholder"), testid: "kb-preview-input" });
  const previewForm = el(
    "form",
    {
      class: "toolbar",
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          const found = await call("/api/v1/admin/kb/search", { method: "POST", body: { text: previewInput.value } });
          clear(preview).append(el("pre", {}, JSON.stringify(found, null, 2)));
        } catch (exc) {
          clear(preview).append(errorBox(exc));
        }
      },
    },
    previewInput,
    el("button", { type: "submit" }, t("common.search")),
  );

  // from the dashboard's "uncovered questions": a new entry, its question already written
  const asked = new URLSearchParams(location.search).get("kb_question");
  if (asked) {
    const url = new URL(location.href);
    url.searchParams.delete("kb_question");
    history.replaceState(null, "", url.toString());
    editor.fill(null);
    editor.node.querySelector("[data-testid=kb-question]").value = asked.slice(0, 500);
    status.textContent = t("kb.from_uncovered");
  }
  const warning = kbShadow ? shadowWarning(kbShadow) : null;
  kbShadow = null;
  return [
    el("div", { class: "toolbar" }, search, button(t("common.new"), () => editor.fill(null), "kb-new")),
    warning,
    status,
    editor.node,
    list,
    el("h3", {}, t("kb.preview")),
    previewForm,
    preview,
    el("h3", {}, `${t("common.import")} JSON / CSV`),
    kbImport(status),
  ];
}

function kbEditor(status) {
  const fields = {
    id: input({ placeholder: "id", testid: "kb-id" }),
    question: input({ placeholder: "question", testid: "kb-question" }),
    variants: el("textarea", { placeholder: "variants, one per line", testid: "kb-variants" }),
    zhCN: el("textarea", { placeholder: "answer zh-CN", testid: "kb-answer-zh-CN" }),
    zhTW: el("textarea", { placeholder: "answer zh-TW" }),
    en: el("textarea", { placeholder: "answer en" }),
    tags: input({ placeholder: "tags, comma separated" }),
  };
  let editing = null;
  const shadowBox = el("div", {});
  const node = el(
    "form",
    {
      class: "editor",
      hidden: true,
      testid: "kb-editor",
      onsubmit: async (event) => {
        event.preventDefault();
        const answers = {};
        if (fields.zhCN.value.trim()) answers["zh-CN"] = fields.zhCN.value.trim();
        if (fields.zhTW.value.trim()) answers["zh-TW"] = fields.zhTW.value.trim();
        if (fields.en.value.trim()) answers.en = fields.en.value.trim();
        const body = {
          ...(editing || {}),
          id: fields.id.value.trim(),
          question: fields.question.value.trim(),
          variants: lines(fields.variants.value.replace(/,/g, "\n")),
          answers,
          tags: lines(fields.tags.value),
        };
        for (const key of ["version", "deleted", "updated_at", "updated_by"]) delete body[key];
        try {
          if (editing) {
            const path = `/api/v1/admin/kb/entries/${encodeURIComponent(editing.id)}?expected_version=${editing.version}`;
            await call(path, { method: "PUT", body });
          } else {
            await call("/api/v1/admin/kb/entries", { method: "POST", body });
          }
          try {
            kbShadow = await shadowOf(body);
          } catch {
            kbShadow = null; // the check is a help: the entry is saved either way
          }
          section("kb", loadKb);
        } catch (exc) {
          status.textContent = exc.message;
        }
      },
    },
    shadowBox,
    fields.id,
    fields.question,
    fields.variants,
    fields.zhCN,
    fields.zhTW,
    fields.en,
    fields.tags,
    el("button", { type: "submit", testid: "kb-save" }, t("common.save")),
  );
  return {
    node,
    fill(entry) {
      editing = entry;
      node.hidden = false;
      fields.id.value = entry ? entry.id : "";
      fields.id.disabled = Boolean(entry);
      fields.question.value = entry ? entry.question : "";
      fields.variants.value = entry ? (entry.variants || []).join("\n") : "";
      fields.zhCN.value = (entry && entry.answers && entry.answers["zh-CN"]) || "";
      fields.zhTW.value = (entry && entry.answers && entry.answers["zh-TW"]) || "";
      fields.en.value = (entry && entry.answers && entry.answers.en) || "";
      fields.tags.value = entry ? (entry.tags || []).join(", ") : "";
      fields.question.focus();
      // warn before the edit, too: the operator should not spend time on an answer nobody gets
      clear(shadowBox);
      if (entry) {
        shadowOf(entry)
          .then((found) => found && shadowBox.append(shadowWarning(found)))
          .catch(() => {});
      }
    },
  };
}

function kbImport(status) {
  const text = el("textarea", { placeholder: "[{\"id\": …, \"question\": …, \"answers\": {…}}] or CSV", testid: "kb-import-text" });
  const format = el("select", {}, el("option", { value: "json" }, "json"), el("option", { value: "csv" }, "csv"));
  const file = input({ type: "file", accept: ".json,.csv" });
  file.addEventListener("change", async () => {
    const f = file.files && file.files[0];
    if (!f) return;
    text.value = await f.text();
    format.value = f.name.endsWith(".csv") ? "csv" : "json";
  });
  return el(
    "form",
    {
      class: "editor",
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          const result = await call(`/api/v1/admin/kb/import?format=${format.value}`, {
            method: "POST",
            raw: text.value,
            contentType: format.value === "csv" ? "text/csv" : "application/json",
          });
          status.textContent = JSON.stringify(result);
          kbEntries = await call("/api/v1/admin/kb/entries");
        } catch (exc) {
          status.textContent = exc.message;
        }
      },
    },
    el("div", { class: "toolbar" }, file, format),
    text,
    el("button", { type: "submit" }, t("common.import")),
  );
}

async function loadProposals() {
  const proposals = await call("/api/v1/admin/kb/proposals?status=pending");
  const review = (p, action) => async () => {
    try {
      await call(`/api/v1/admin/kb/proposals/${encodeURIComponent(p.id)}/${action}`, { method: "POST" });
      section("proposals", loadProposals);
    } catch (exc) {
      $("tab-proposals").prepend(errorBox(exc));
    }
  };
  if (!proposals.length) return [el("p", { class: "empty" }, t("proposal.none"))];
  // each proposal beside what customers get now: the entry's current answer in that language
  const entries = new Map((await call("/api/v1/admin/kb/entries")).map((e) => [e.id, e]));
  const current = (p) => {
    const entry = p.entry_id ? entries.get(p.entry_id) : null;
    if (!entry) return el("span", { class: "small" }, t("proposal.new_entry"));
    return el("span", { class: "current", testid: "proposal-current" }, (entry.answers || {})[p.lang] || "—");
  };
  return [
    table(
      [t("proposal.col.agent"), t("proposal.col.entry"), t("kb.col.question"), t("proposal.col.current"), t("proposal.col.proposed"), t("profile.lang"), ""],
      proposals.map((p) => [
        p.agent_id,
        p.entry_id || t("proposal.new_entry"),
        p.question,
        current(p),
        el("span", { class: "proposed" }, p.answer),
        label("lang", p.lang),
        el("span", {}, button(t("common.approve"), review(p, "approve"), "approve"), button(t("common.reject"), review(p, "reject"), "reject")),
      ]),
    ),
  ];
}

// ---- promotions and coupons -------------------------------------------------------------------

async function loadPromotions() {
  const listBox = el("div", { testid: "promotion-list" });
  const detail = el("pre", { testid: "promotion-detail" });
  const status = el("p", { class: "small", role: "status" });
  const refreshList = async () => {
    const rules = await call("/api/v1/admin/promotions");
    listBox.replaceChildren(
      table(
        [t("promo.col.id"), t("promo.col.kind"), t("promo.col.window"), t("promo.col.active"), t("promo.col.in_effect"), t("promo.col.version"), ""],
        rules.map((r) => [
          el("button", { type: "button", class: "link", onclick: show(r) }, r.id),
          kindLabel(r.kind),
          r.window ? `${new Date(r.window.start).toLocaleString()} → ${new Date(r.window.end).toLocaleString()}` : t("promo.always"),
          r.active ? "✔" : "✘",
          r.in_effect ? "✔" : "",
          String(r.version),
          button(r.active ? t("common.deactivate") : t("common.activate"), switcher(r), "promotion-switch"),
        ]),
      ),
    );
  };
  const switcher = (rule) => async () => {
    const action = rule.active ? "deactivate" : "activate";
    try {
      await call(`/api/v1/admin/promotions/${encodeURIComponent(rule.id)}/${action}`, { method: "POST" });
      await refreshList();
    } catch (exc) {
      status.textContent = exc.message;
    }
  };
  const show = (rule) => async () => {
    try {
      detail.textContent = JSON.stringify(await call(`/api/v1/admin/promotions/${encodeURIComponent(rule.id)}`), null, 2);
    } catch (exc) {
      detail.textContent = exc.message;
    }
  };
  await refreshList();
  // bulk import stays for files exported elsewhere; the form is how an operator makes a rule
  const body = el("textarea", { placeholder: t("promo.import_placeholder"), testid: "promotion-json" });
  const importer = el(
    "form",
    {
      class: "editor",
      onsubmit: async (event) => {
        event.preventDefault();
        let parsed;
        try {
          parsed = JSON.parse(body.value);
        } catch (exc) {
          status.textContent = `JSON: ${exc.message}`;
          return;
        }
        const many = Array.isArray(parsed) || (parsed && Array.isArray(parsed.rules));
        try {
          const result = await call(many ? "/api/v1/admin/promotions/import" : "/api/v1/admin/promotions", {
            method: "POST",
            body: parsed,
          });
          status.textContent = JSON.stringify(result).slice(0, 300);
          await refreshList();
        } catch (exc) {
          status.textContent = exc.message;
        }
      },
    },
    body,
    el("button", { type: "submit" }, t("common.import")),
  );
  return [
    promotionForm(session.token, () => refreshList().catch((exc) => (status.textContent = exc.message))),
    status,
    listBox,
    detail,
    el("details", {}, el("summary", {}, t("promo.import_title")), importer),
  ];
}

function label(prefix, code) {
  const key = `${prefix}.${code}`;
  return t(key) === key ? code : t(key);
}

function kindLabel(kind) {
  const key = `promo.kind.${kind}`;
  return t(key) === key ? kind : t(key);
}

async function loadCoupons() {
  const coupons = await call("/api/v1/admin/coupons");
  return [
    table(
      [t("promo.col.id"), t("promo.col.kind"), t("promo.col.slot"), t("promo.col.active"), t("promo.col.in_effect"), t("promo.col.rule")],
      coupons.map((c) => [
        c.id,
        kindLabel(c.kind),
        c.slot,
        c.active ? "✔" : "✘",
        c.in_effect ? "✔" : "",
        c.rule ? `${t("promo.field.threshold")} ¥${c.rule.threshold ?? "0.00"} · ${t("promo.field.off")} ¥${c.rule.off ?? ""}` : "",
      ]),
    ),
  ];
}

// ---- sensitive words ----------------------------------------------------------------------------

async function loadWords() {
  const words = await call("/api/v1/admin/sensitive-words");
  const status = el("p", { class: "small", role: "status" });
  const categories = [...new Set(words.map((w) => w.category))].sort();
  const word = input({ placeholder: "word", testid: "word-input" });
  const category = el("select", { testid: "word-category" }, categories.map((c) => el("option", { value: c }, c)));
  const replacement = input({ placeholder: "replacement (optional)" });
  const add = el(
    "form",
    {
      class: "toolbar",
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          await call("/api/v1/admin/sensitive-words", {
            method: "POST",
            body: { word: word.value, category: category.value, replacement: replacement.value || null },
          });
          section("words", loadWords);
        } catch (exc) {
          status.textContent = exc.message;
        }
      },
    },
    word,
    category,
    replacement,
    el("button", { type: "submit" }, t("common.add")),
  );
  const remove = (w) => async () => {
    try {
      await call(`/api/v1/admin/sensitive-words/${encodeURIComponent(w.word)}`, { method: "DELETE" });
      section("words", loadWords);
    } catch (exc) {
      status.textContent = exc.message;
    }
  };
  const shop = words.filter((w) => w.source === "shop");
  return [
    add,
    status,
    el("h3", {}, `shop (${shop.length})`),
    table(["word", "category", "replacement", ""], shop.map((w) => [w.word, w.category, w.replacement, button(t("common.delete"), remove(w))])),
    el("h3", {}, `shipped (${words.length - shop.length})`),
    table(["word", "category", "replacement"], words.filter((w) => w.source !== "shop").map((w) => [w.word, w.category, w.replacement])),
  ];
}

// ---- agents and skills --------------------------------------------------------------------------

async function loadAgents() {
  const agents = await call("/api/v1/admin/agents");
  let known = { skills: [], langs: [], roles: [], statuses: [] };
  try {
    known = await call("/api/v1/admin/agents/skills");
  } catch {
    // the forms still work with free text
  }
  const status = el("p", { class: "small", role: "status" });
  const patch = (a, body) =>
    call(`/api/v1/admin/agents/${encodeURIComponent(a.id)}`, { method: "PATCH", body })
      .then(() => section("agents", loadAgents))
      .catch((exc) => {
        status.textContent = exc.message;
      });
  const rows = agents.map((a) => {
    const skills = input({ value: (a.skills || []).join(", "), size: 28 });
    const maxChats = input({ type: "number", min: 1, max: 50, value: a.max_chats, size: 4 });
    const state = el(
      "select",
      { onchange: (e) => patch(a, { status: e.target.value }) },
      (known.statuses.length ? known.statuses : [a.status]).map((s) => el("option", { value: s, selected: s === a.status }, s)),
    );
    return [
      a.id,
      a.name,
      a.role,
      skills,
      (a.langs || []).join(", "),
      maxChats,
      state,
      `${a.active}/${a.max_chats}`,
      button(t("common.save"), () => patch(a, { skills: lines(skills.value), max_chats: Number(maxChats.value) })),
    ];
  });
  const f = {
    id: input({ placeholder: "id" }),
    name: input({ placeholder: "name" }),
    password: input({ placeholder: "password", type: "password" }),
    role: el("select", {}, (known.roles.length ? known.roles : ["agent", "supervisor", "admin"]).map((r) => el("option", { value: r }, r))),
    skills: input({ placeholder: `skills: ${known.skills.join(", ")}` }),
    langs: input({ placeholder: "langs: zh-CN, zh-TW, en", value: "zh-CN" }),
  };
  const create = el(
    "form",
    {
      class: "toolbar",
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          await call("/api/v1/admin/agents", {
            method: "POST",
            body: {
              id: f.id.value.trim(),
              name: f.name.value.trim(),
              password: f.password.value,
              role: f.role.value,
              skills: lines(f.skills.value),
              langs: lines(f.langs.value),
            },
          });
          section("agents", loadAgents);
        } catch (exc) {
          status.textContent = exc.message;
        }
      },
    },
    Object.values(f),
    el("button", { type: "submit" }, t("common.add")),
  );
  return [
    status,
    table([t("agents.col.id"), t("profile.name"), t("agents.col.role"), t("agents.col.skills"), t("profile.lang"), t("agents.col.max_chats"), t("presence.label"), t("agents.col.load"), ""], rows),
    el("h3", {}, t("common.new")),
    create,
  ];
}

// ---- tabs and sign-in -----------------------------------------------------------------------------

const LOADERS = {
  kb: loadKb,
  proposals: loadProposals,
  promotions: loadPromotions,
  coupons: loadCoupons,
  words: loadWords,
  agents: loadAgents,
};

function showTab(name) {
  for (const b of $("tabs").querySelectorAll("button")) b.classList.toggle("on", b.dataset.tab === name);
  for (const s of document.querySelectorAll(".tab")) s.hidden = s.id !== `tab-${name}`;
  section(name, LOADERS[name]);
}

function logout() {
  forget();
  session = null;
  $("admin").hidden = true;
  $("login").hidden = false;
  $("logout").hidden = true;
}

async function main() {
  await loadStrings(staffLang());
  translatePage();
  document.querySelector("header.bar").append(langPicker());
  $("logout").addEventListener("click", logout);
  for (const b of $("tabs").querySelectorAll("button")) b.addEventListener("click", () => showTab(b.dataset.tab));
  signIn($("login"), (s) => {
    session = s;
    $("login").hidden = true;
    $("admin").hidden = false;
    $("logout").hidden = false;
    $("me").textContent = `${s.agent_id} (${s.role})`;
    showTab("kb");
  }, { keepStatus: true });
  document.body.dataset.ready = "1";
}

main();
