/*
 * kefu's chat widget for a shop's own site: one tag, served by kefu as /widget.js.
 *
 *   <script src="https://kefu.shop.example/widget.js" async
 *           data-token="c1.…"          (the shop's signed customer token; omit for a guest)
 *           data-lang="zh-CN"          (zh-CN, zh-TW or en; default: the page's language)
 *           data-product="P1003"></script>  (optional: the product this page shows, as a card)
 *
 * It draws a launcher bubble with the shop's name, welcome line and working hours (read from
 * kefu's widget API, which answers only the origins in KEFU_WIDGET_ORIGINS) and opens the chat
 * in a frame served by kefu. The host page's CSP must allow this origin in script-src,
 * connect-src and frame-src. Styles are set through the CSSOM, which a strict style-src allows;
 * nothing here touches the host page outside its own two elements.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__kefuWidget) return;
  window.__kefuWidget = true;
  var base = new URL(script.src).origin;
  var data = script.dataset;
  var pageLang = (document.documentElement.lang || navigator.language || "zh-CN").toLowerCase();
  var lang = data.lang || (pageLang.indexOf("en") === 0 ? "en" : /^zh-(tw|hk|hant)/.test(pageLang) ? "zh-TW" : "zh-CN");
  var frame = null;
  var open = false;

  function css(node, styles) {
    for (var key in styles) node.style[key] = styles[key];
    return node;
  }

  var root = css(document.createElement("div"), {
    position: "fixed", right: "16px", bottom: "16px", zIndex: "2147483000",
    display: "flex", flexDirection: "column", alignItems: "flex-end", gap: "8px",
    fontFamily: "system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif",
  });
  root.setAttribute("data-kefu", "widget");

  var card = css(document.createElement("div"), {
    maxWidth: "260px", background: "#fff", color: "#1f2329", borderRadius: "10px",
    boxShadow: "0 4px 16px rgba(0,0,0,.15)", padding: "10px 12px", fontSize: "13px", lineHeight: "1.4",
    display: "none",
  });
  card.setAttribute("data-kefu", "welcome");
  var welcome = document.createElement("div");
  var hours = css(document.createElement("div"), { color: "#5f6672", fontSize: "12px", marginTop: "4px" });
  hours.setAttribute("data-kefu", "hours");
  card.appendChild(welcome);
  card.appendChild(hours);

  var bubble = css(document.createElement("button"), {
    background: "#d62f32", color: "#fff", border: "0", borderRadius: "24px", padding: "12px 18px",
    fontSize: "15px", fontWeight: "600", boxShadow: "0 4px 16px rgba(0,0,0,.2)", cursor: "pointer",
    maxWidth: "240px", whiteSpace: "nowrap", overflow: "hidden", textOverflow: "ellipsis",
  });
  bubble.type = "button";
  bubble.setAttribute("data-kefu", "launcher");
  bubble.setAttribute("aria-expanded", "false");
  bubble.textContent = "💬";
  var badge = css(document.createElement("span"), {
    display: "none", marginLeft: "8px", background: "#fff", color: "#d62f32", borderRadius: "10px",
    padding: "0 6px", fontSize: "12px",
  });
  badge.setAttribute("data-kefu", "badge");

  root.appendChild(card);
  root.appendChild(bubble);

  function place() {
    if (!frame) return;
    var phone = window.innerWidth < 600;
    // on a phone the chat takes the whole screen; the frame resizes with the keyboard
    css(frame, phone
      ? { position: "fixed", left: "0", top: "0", right: "0", bottom: "0", width: "100%", height: "100%", borderRadius: "0" }
      : { position: "fixed", left: "auto", top: "auto", right: "16px", bottom: "80px", width: "380px",
          height: "min(620px, calc(100vh - 100px))", borderRadius: "12px" });
    css(bubble, { display: open && phone ? "none" : "block" });
  }

  function frameUrl() {
    var q = new URLSearchParams({ lang: lang });
    if (data.product) q.set("product", data.product);
    if (data.customer) q.set("customer", data.customer); // demo mode only
    // the token rides in the fragment: never sent to a server, never in a Referer or access log
    return base + "/widget?" + q.toString() + (data.token ? "#token=" + encodeURIComponent(data.token) : "");
  }

  function toggle(show) {
    open = show;
    if (show && !frame) {
      frame = css(document.createElement("iframe"), {
        border: "0", boxShadow: "0 8px 32px rgba(0,0,0,.25)", background: "#fff", zIndex: "2147483001",
      });
      frame.title = bubble.title || "chat";
      frame.setAttribute("data-kefu", "frame");
      frame.setAttribute("allow", "clipboard-write");
      frame.src = frameUrl();
      document.body.appendChild(frame);
    }
    if (frame) css(frame, { display: show ? "block" : "none" });
    css(card, { display: "none" });
    bubble.setAttribute("aria-expanded", String(show));
    if (show) css(badge, { display: "none" });
    place();
  }

  bubble.addEventListener("click", function () {
    toggle(!open);
  });
  window.addEventListener("resize", place);
  window.addEventListener("message", function (event) {
    if (event.origin !== base || !frame || event.source !== frame.contentWindow) return;
    var message = event.data || {};
    if (message.type === "kefu:close") toggle(false);
    if (message.type === "kefu:message" && !open) {
      badge.textContent = String((Number(badge.textContent) || 0) + 1);
      css(badge, { display: "inline" });
      if (badge.parentNode !== bubble) bubble.appendChild(badge);
    }
  });

  fetch(base + "/api/v1/widget/config?lang=" + encodeURIComponent(lang))
    .then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    })
    .then(function (config) {
      bubble.textContent = "💬 " + config.shop_name;
      bubble.title = config.shop_name;
      bubble.setAttribute("aria-label", config.shop_name + " · " + config.welcome);
      welcome.textContent = config.welcome;
      hours.textContent = config.hours_text;
      if (!open) css(card, { display: "block" });
    })
    .catch(function () {
      // not allowed from this origin, or kefu is away: the bubble still opens the chat
    });

  function attach() {
    document.body.appendChild(root);
  }
  if (document.body) attach();
  else document.addEventListener("DOMContentLoaded", attach);
})();
