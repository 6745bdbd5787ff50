// The promotion form of the admin: one form for every kind of rule and coupon, with date pickers,
// checks and messages in the operator's language before anything is sent, and a sample cart
// priced by the live engine right after saving (what a customer would pay now).

import { api, el, t } from "./common.js";

// each kind's own fields: [name, type, minimum]; the id and the window are common to all
const COUPON = [
  ["threshold", "money", 0],
  ["off", "money", 0.01],
  ["excludes_skus", "list"],
  ["not_with", "list"],
];
export const KIND_FIELDS = {
  cross_store_threshold: [["every", "money", 0.01], ["off", "money", 0.01], ["excludes_skus", "list"], ["excludes_flash_sale", "bool"]],
  nth_item_discount: [["sku", "sku"], ["nth", "int", 2], ["rate", "rate"]],
  buy_x_get_y: [["sku", "sku"], ["buy", "int", 1], ["get", "int", 1]],
  flash_sale: [["sku", "sku"], ["price", "money", 0.01], ["limit_per_customer", "int", 1]],
  presale: [["sku", "sku"], ["deposit", "money", 0.01], ["deposit_worth", "money", 0.01], ["balance_start", "datetime"], ["balance_end", "datetime"]],
  group_buy: [["sku", "sku"], ["group_size", "int", 2], ["group_price", "money", 0.01], ["fill_within_hours", "int", 1]],
  store_coupon: COUPON,
  platform_coupon: COUPON,
  new_customer_coupon: COUPON,
  free_shipping: [["threshold", "money", 0], ["fee", "money", 0]],
};
// a flash sale without an end is a permanent price cut, not a flash sale
const WINDOW_REQUIRED = new Set(["flash_sale"]);
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => (key in values ? values[key] : ""));
}

function iso(local) {
  // a datetime-local value is the operator's wall-clock time; the API wants an aware timestamp
  const at = new Date(local);
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}

function splitList(text) {
  return String(text || "")
    .split(/[\s,，、;；]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Read and check one field; returns [value, problem]. */
function readField(kind, name, type, min, node) {
  const label = t(`promo.field.${name}`);
  const raw = type === "bool" ? node.checked : node.value.trim();
  if (type === "bool") return [raw, null];
  if (type === "list") return [splitList(raw), null];
  if (!raw) return [null, fill(t("promo.error.required"), { field: label })];
  if (type === "sku" || type === "datetime") {
    if (type === "datetime" && !iso(raw)) return [null, fill(t("promo.error.date"), { field: label })];
    return [type === "datetime" ? iso(raw) : raw, null];
  }
  if (type === "int") {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) return [null, fill(t("promo.error.int"), { field: label, min })];
    return [n, null];
  }
  if (type === "rate") {
    const n = Number(raw);
    if (!(n > 0 && n < 1)) return [null, fill(t("promo.error.rate"), { field: label })];
    return [raw, null];
  }
  // money: a decimal string with at most two places, never a float
  if (!/^\d+(\.\d{1,2})?$/.test(raw) || Number(raw) < min) {
    return [null, fill(t("promo.error.money"), { field: label, min })];
  }
  return [Number(raw).toFixed(2), null];
}

/** The form; ``onSaved`` runs after the rule is stored (the caller reloads its list). */
export function promotionForm(token, onSaved) {
  const status = el("div", { class: "small", role: "status", testid: "promo-status" });
  const kind = el(
    "select",
    { testid: "promo-kind", id: "promo-kind" },
    Object.keys(KIND_FIELDS).map((k) => el("option", { value: k }, t(`promo.kind.${k}`))),
  );
  const id = el("input", { testid: "promo-id", id: "promo-id", maxlength: 64, placeholder: "SALE-1111" });
  const start = el("input", { type: "datetime-local", testid: "promo-start", id: "promo-start" });
  const end = el("input", { type: "datetime-local", testid: "promo-end", id: "promo-end" });
  const specific = el("div", { class: "form-grid" });
  let inputs = {};

  const field = (name, node, hint) =>
    el("label", { class: "field" }, el("span", {}, t(`promo.field.${name}`)), node, hint ? el("small", {}, hint) : null);

  const renderKind = () => {
    inputs = {};
    specific.replaceChildren();
    for (const [name, type, min] of KIND_FIELDS[kind.value]) {
      let node;
      if (type === "bool") node = el("input", { type: "checkbox", checked: true });
      else if (type === "datetime") node = el("input", { type: "datetime-local" });
      else if (type === "int") node = el("input", { type: "number", step: 1, min });
      else if (type === "money") node = el("input", { inputmode: "decimal", placeholder: "0.00" });
      else if (type === "rate") node = el("input", { inputmode: "decimal", placeholder: "0.8" });
      else node = el("input", {});
      node.dataset.testid = `promo-${name}`;
      inputs[name] = { node, type, min };
      specific.append(field(name, node, t(`promo.hint.${name}`) === `promo.hint.${name}` ? "" : t(`promo.hint.${name}`)));
    }
  };
  kind.addEventListener("change", renderKind);
  renderKind();

  function build() {
    const problems = [];
    const rule = { id: id.value.trim(), kind: kind.value };
    if (!ID_PATTERN.test(rule.id)) problems.push(t("promo.error.id"));
    for (const [name, spec] of Object.entries(inputs)) {
      const [value, problem] = readField(kind.value, name, spec.type, spec.min, spec.node);
      if (problem) problems.push(problem);
      else rule[name] = value;
    }
    if (rule.balance_start !== undefined) {
      rule.balance_window = { start: rule.balance_start, end: rule.balance_end };
      delete rule.balance_start;
      delete rule.balance_end;
      if (rule.balance_window.end <= rule.balance_window.start) problems.push(t("promo.error.window"));
    }
    if (start.value || end.value || WINDOW_REQUIRED.has(kind.value)) {
      const from = iso(start.value);
      const to = iso(end.value);
      if (!from || !to) problems.push(t("promo.error.window_missing"));
      else if (to <= from) problems.push(t("promo.error.window"));
      else rule.window = { start: from, end: to };
    }
    return [rule, problems];
  }

  // a sample cart priced by the live engine: what a customer pays with this rule in force
  const sampleCustomer = el("input", { testid: "promo-sample-customer", placeholder: "C1001", size: 8 });
  // the demo shop offers its customers; a real shop's operator types one of theirs
  api("/api/v1/demo/customers")
    .then((list) => {
      if (!sampleCustomer.value && list.length) sampleCustomer.value = list[0].id;
    })
    .catch(() => {});
  const sampleSku = el("input", { testid: "promo-sample-sku", placeholder: "P1005", size: 8 });
  const sampleQty = el("input", { type: "number", min: 1, max: 99, value: 2, testid: "promo-sample-qty", size: 3 });
  const preview = el("div", { testid: "promo-preview", "aria-live": "polite" });
  async function quote() {
    const sku = sampleSku.value.trim();
    const customer = sampleCustomer.value.trim();
    if (!sku || !customer) {
      preview.replaceChildren(el("p", { class: "error" }, t("promo.preview.need")));
      return;
    }
    try {
      const q = await api("/api/v1/promotions/quote", {
        method: "POST",
        body: { customer_id: customer, items: [{ sku, qty: Number(sampleQty.value) || 1 }], coupons: [] },
      });
      preview.replaceChildren(
        el("p", {}, `${t("promo.preview.subtotal")} ¥${q.subtotal} · ${t("promo.preview.shipping")} ¥${q.shipping}`),
        ...q.discounts.map((d) => el("p", { class: "small" }, `${d.id}：-¥${d.amount} ${d.explanation || ""}`)),
        el("p", {}, el("strong", { testid: "promo-preview-total" }, `${t("promo.preview.total")} ¥${q.total}`)),
        q.explanation_zh ? el("p", { class: "small" }, q.explanation_zh) : null,
      );
    } catch (exc) {
      preview.replaceChildren(el("p", { class: "error" }, exc.message));
    }
  }

  const form = el(
    "form",
    {
      class: "editor",
      testid: "promo-form",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        const [rule, problems] = build();
        if (problems.length) {
          status.replaceChildren(...problems.map((p) => el("p", { class: "error", testid: "promo-error" }, p)));
          return;
        }
        try {
          await api("/api/v1/admin/promotions", { method: "POST", body: rule, token });
          status.replaceChildren(el("p", { testid: "promo-saved" }, fill(t("promo.saved"), { id: rule.id })));
          if (!sampleSku.value && rule.sku) sampleSku.value = rule.sku;
          await quote();
          onSaved(rule);
        } catch (exc) {
          status.replaceChildren(el("p", { class: "error", testid: "promo-error" }, exc.message));
        }
      },
    },
    el("h3", {}, t("promo.form_title")),
    el("div", { class: "form-grid" }, field("kind", kind), field("id", id), field("start", start), field("end", end)),
    specific,
    el("button", { type: "submit", testid: "promo-save" }, t("common.save")),
    status,
    el("h3", {}, t("promo.preview.title")),
    el(
      "div",
      { class: "toolbar" },
      field("sample_customer", sampleCustomer),
      field("sample_sku", sampleSku),
      field("sample_qty", sampleQty),
      el("button", { type: "button", testid: "promo-quote", onclick: quote }, t("promo.preview.quote")),
    ),
    preview,
  );
  return form;
}
