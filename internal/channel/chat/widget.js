// Kesher chat widget. Embed it with one tag:
//   <script src="https://desk.example.com/widget.js" data-lang="he" data-prechat="true" async></script>
// data-lang is "he" or "en" (default: the page's lang, else Hebrew);
// data-prechat="true" asks for a name and an email address before the
// first message. Plain JavaScript, no dependencies. The visitor's secret
// and unsent messages live in localStorage, so the chat survives reloads
// and page changes; every message carries an id made here, and the server
// stores a message sent twice once, so a message re-sent after a lost
// connection is neither lost nor doubled.
(function () {
  "use strict";
  var CFG = /*CONFIG*/{};
  var script = document.currentScript;
  if (!script || window.KesherChat) return;
  var base = script.src.replace(/\/widget\.js(\?.*)?$/, "");
  var ds = script.dataset;
  var lang = (ds.lang || document.documentElement.lang || "he").slice(0, 2).toLowerCase();
  if (!CFG.words[lang]) lang = "he";
  var W = CFG.words[lang];
  var storeKey = "kesher.chat:" + base;
  var openKey = storeKey + ":open";
  var state = load();
  var ws = null, online = true, attempt = 0, connected = false, typingSent = 0, readSent = "", typingTimer = 0;
  var ui = {};

  function load() {
    var s = null;
    try { s = JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (e) { s = null; }
    s = s || {};
    s.msgs = s.msgs || [];
    s.pending = s.pending || [];
    return s;
  }
  function save() {
    state.msgs = state.msgs.slice(-200);
    try { localStorage.setItem(storeKey, JSON.stringify(state)); } catch (e) { /* private mode: the chat lasts for this page */ }
  }
  function newID() {
    var b = new Uint8Array(12);
    crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  // The widget lives in a shadow root, so the site's styles and ours do
  // not meet. Logical properties keep it right in both directions.
  var CSS = ":host{all:initial;font:14px/1.45 system-ui,sans-serif;color:#1d2330}" +
    ".kc-launch{position:fixed;inset-block-end:20px;inset-inline-end:20px;border:0;border-radius:28px;padding:12px 18px;background:#2455c3;color:#fff;font:inherit;cursor:pointer;box-shadow:0 4px 14px #0003;z-index:2147483000}" +
    ".kc-panel{position:fixed;inset-block-end:80px;inset-inline-end:20px;inline-size:min(360px,calc(100vw - 40px));block-size:min(520px,calc(100vh - 110px));display:flex;flex-direction:column;background:#fff;border-radius:12px;box-shadow:0 8px 30px #0004;overflow:hidden;z-index:2147483000}" +
    ".kc-panel[hidden]{display:none}.kc-head{display:flex;justify-content:space-between;align-items:center;padding:10px 14px;background:#2455c3;color:#fff;font-weight:600}" +
    ".kc-head button{background:none;border:0;color:#fff;font-size:18px;cursor:pointer}" +
    ".kc-list{flex:1;overflow-y:auto;margin:0;padding:10px;list-style:none;display:flex;flex-direction:column;gap:6px}" +
    ".kc-msg{max-inline-size:80%;padding:7px 10px;border-radius:10px;white-space:pre-wrap;overflow-wrap:anywhere}" +
    ".kc-msg[data-dir=inbound]{align-self:flex-end;background:#dbe6ff}.kc-msg[data-dir=outbound]{align-self:flex-start;background:#f0f1f4}" +
    ".kc-msg p{margin:0}.kc-meta{display:block;font-size:11px;color:#5b6270;margin-block-start:2px}" +
    ".kc-note{padding:6px 12px;font-size:12px;color:#5b6270}.kc-note[hidden]{display:none}" +
    ".kc-box{padding:10px 12px;border-block-start:1px solid #e3e5ea;display:flex;flex-direction:column;gap:6px}.kc-box[hidden]{display:none}" +
    ".kc-box input,.kc-form textarea{font:inherit;padding:6px 8px;border:1px solid #c5c9d3;border-radius:6px}" +
    ".kc-form{display:flex;gap:6px;padding:8px;border-block-start:1px solid #e3e5ea;align-items:flex-end}" +
    ".kc-form textarea{flex:1;resize:none;block-size:40px}.kc-btn{font:inherit;border:0;border-radius:6px;padding:7px 12px;background:#2455c3;color:#fff;cursor:pointer}" +
    ".kc-file{font:inherit;background:none;border:1px solid #c5c9d3;border-radius:6px;padding:6px 8px;cursor:pointer}";

  function build() {
    var host = el("div");
    host.id = "kesher-chat";
    var root = host.attachShadow({ mode: "open" });
    var style = el("style");
    style.textContent = CSS;
    root.appendChild(style);
    var wrap = el("div");
    wrap.dir = lang === "he" ? "rtl" : "ltr";
    wrap.lang = lang;
    root.appendChild(wrap);
    ui.launch = el("button", "kc-launch", W.open);
    ui.launch.type = "button";
    ui.launch.setAttribute("aria-expanded", "false");
    ui.panel = el("section", "kc-panel");
    ui.panel.hidden = true;
    ui.panel.setAttribute("aria-label", W.title);
    var head = el("div", "kc-head");
    head.appendChild(el("span", "", W.title));
    var close = el("button", "", "×");
    close.type = "button";
    close.setAttribute("aria-label", W.close);
    head.appendChild(close);
    ui.list = el("ol", "kc-list");
    ui.list.setAttribute("aria-live", "polite");
    ui.status = el("p", "kc-note");
    ui.status.setAttribute("role", "status");
    ui.status.hidden = true;
    ui.typing = el("p", "kc-note", W.typing);
    ui.typing.hidden = true;
    ui.offline = contactBox(W.offline, true);
    ui.prechat = contactBox(W.prechat, false);
    ui.form = el("form", "kc-form");
    ui.text = el("textarea");
    ui.text.placeholder = W.placeholder;
    ui.text.maxLength = CFG.maxText;
    ui.text.setAttribute("aria-label", W.placeholder);
    ui.file = el("input");
    ui.file.type = "file";
    ui.file.accept = CFG.accept.join(",");
    ui.file.hidden = true;
    var attach = el("button", "kc-file", "📎");
    attach.type = "button";
    attach.title = W.attach + " — " + W.limits;
    attach.setAttribute("aria-label", W.attach);
    var send = el("button", "kc-btn", W.send);
    send.type = "submit";
    ui.form.append(ui.text, ui.file, attach, send);
    ui.panel.append(head, ui.list, ui.typing, ui.status, ui.offline.box, ui.prechat.box, ui.form);
    wrap.append(ui.panel, ui.launch);
    document.body.appendChild(host);

    ui.launch.addEventListener("click", function () { show(ui.panel.hidden); });
    close.addEventListener("click", function () { show(false); });
    ui.form.addEventListener("submit", function (ev) { ev.preventDefault(); submit(); });
    ui.text.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); submit(); }
    });
    ui.text.addEventListener("input", function () {
      var now = Date.now();
      if (now - typingSent > 2000) { typingSent = now; frame({ t: "typing" }); }
    });
    attach.addEventListener("click", function () { ui.file.click(); });
    ui.file.addEventListener("change", function () { if (ui.file.files[0]) upload(ui.file.files[0]); ui.file.value = ""; });
    document.addEventListener("visibilitychange", markRead);
    state.msgs.forEach(render);
    state.pending.forEach(function (p) { render({ cid: p.cid, dir: "inbound", text: p.text }); });
    show(sessionStorage.getItem(openKey) === "1");
  }

  // contactBox is the pre-chat form and, when nobody is online, the offer
  // to continue by email: name and address, and a button.
  function contactBox(intro, replies) {
    var box = el("form", "kc-box");
    box.hidden = true;
    box.appendChild(el("p", "", intro));
    var name = el("input");
    name.placeholder = W.name;
    name.setAttribute("aria-label", W.name);
    name.maxLength = 200;
    var email = el("input");
    email.type = "email";
    email.placeholder = W.email;
    email.setAttribute("aria-label", W.email);
    email.required = replies;
    var go = el("button", "kc-btn", replies ? W.save : W.start);
    go.type = "submit";
    box.append(name, email, go);
    box.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (!replies && !email.value && !name.value) { done(); return; }
      state.contact = { t: "contact", name: name.value, email: email.value, replies: replies };
      save();
      frame(state.contact);
      done();
    });
    function done() {
      state.prechatDone = true;
      if (replies) state.replies = true;
      save();
      boxes();
    }
    return { box: box };
  }

  function show(open) {
    ui.panel.hidden = !open;
    ui.launch.setAttribute("aria-expanded", String(open));
    sessionStorage.setItem(openKey, open ? "1" : "");
    if (open) {
      boxes();
      ui.text.focus();
      markRead();
      ui.list.scrollTop = ui.list.scrollHeight;
    }
  }
  function boxes() {
    ui.prechat.box.hidden = !(ds.prechat === "true" && !state.prechatDone && !state.msgs.length);
    ui.offline.box.hidden = online || !!state.replies;
  }
  function status(text) {
    ui.status.textContent = text || "";
    ui.status.hidden = !text;
  }

  function render(m) {
    var li = m.id ? ui.list.querySelector('[data-id="' + m.id + '"]') : null;
    if (!li && m.cid) li = ui.list.querySelector('[data-cid="' + m.cid + '"]');
    if (!li) {
      li = el("li", "kc-msg");
      ui.list.appendChild(li);
    }
    li.textContent = "";
    li.dataset.dir = m.dir;
    if (m.cid) li.dataset.cid = m.cid;
    if (m.id) { li.dataset.id = m.id; li.removeAttribute("data-pending"); } else li.dataset.pending = "1";
    var p = el("p", "", m.text || "");
    p.dir = "auto";
    li.appendChild(p);
    (m.files || []).forEach(function (f) { li.appendChild(el("span", "kc-meta", "📎 " + f.name)); });
    if (m.dir === "inbound") li.appendChild(el("span", "kc-meta", m.failed ? W.error : !m.id ? W.sending : m.read ? W.read : W.sent));
    ui.list.scrollTop = ui.list.scrollHeight;
  }
  function add(m, cid) {
    if (cid) m.cid = cid;
    for (var i = 0; i < state.msgs.length; i++) {
      if (state.msgs[i].id === m.id) return;
    }
    state.msgs.push(m);
    state.last = m.id;
    save();
    render(m);
    if (m.dir === "outbound") { ui.typing.hidden = true; markRead(); }
  }

  function submit() {
    var text = ui.text.value.trim();
    if (!text) return;
    ui.text.value = "";
    var p = { t: "msg", cid: newID(), text: text };
    state.pending.push(p);
    save();
    render({ cid: p.cid, dir: "inbound", text: text });
    frame(p);
  }
  function frame(f) {
    if (ws && connected) ws.send(JSON.stringify(f));
  }
  function settle(cid) {
    state.pending = state.pending.filter(function (p) { return p.cid !== cid; });
    save();
  }

  function upload(file) {
    if (file.size > CFG.maxFile) { status(W.file_too_large + " " + W.limits); return; }
    if (file.type && CFG.accept.indexOf(file.type) < 0) { status(W.file_type + " " + W.limits); return; }
    if (!state.token) { status(W.reconnecting); return; }
    var cid = newID();
    render({ cid: cid, dir: "inbound", text: "", files: [{ name: file.name }] });
    fetch(base + "/chat/upload?cid=" + cid + "&name=" + encodeURIComponent(file.name), {
      method: "POST", body: file, headers: { Authorization: "Bearer " + state.token },
    }).then(function (res) { return res.json(); }).then(function (f) {
      if (f.t === "ack") { add(f.msg, cid); return; }
      render({ cid: cid, dir: "inbound", text: "", files: [{ name: file.name }], failed: true });
      status(f.code === "too_large" ? W.file_too_large : f.code === "validation_failed" ? W.file_type : W.error);
    }, function () { status(W.error); });
  }

  // Read marks: the newest agent message, once the visitor can see it.
  function markRead() {
    if (ui.panel.hidden || document.visibilityState !== "visible") return;
    var last = "";
    state.msgs.forEach(function (m) { if (m.dir === "outbound") last = m.id; });
    if (last && last !== readSent && connected) { readSent = last; frame({ t: "read", id: last }); }
  }
  function agentRead(id) {
    var upTo = -1;
    state.msgs.forEach(function (m, i) { if (m.id === id) upTo = i; });
    if (upTo < 0) upTo = state.msgs.length - 1;
    for (var i = 0; i <= upTo; i++) {
      if (state.msgs[i].dir === "inbound" && !state.msgs[i].read) { state.msgs[i].read = true; render(state.msgs[i]); }
    }
    save();
  }

  function connect() {
    ws = new WebSocket(base.replace(/^http/, "ws") + "/chat/ws?lang=" + lang);
    ws.onopen = function () {
      connected = true;
      ws.send(JSON.stringify({ t: "hello", token: state.token || "", after: state.last || "" }));
    };
    ws.onmessage = function (ev) {
      var f = JSON.parse(ev.data);
      switch (f.t) {
        case "welcome":
          attempt = 0;
          status("");
          if (f.token) { state.token = f.token; state.msgs = []; state.last = ""; ui.list.textContent = ""; save(); }
          online = f.online;
          boxes();
          (f.msgs || []).forEach(function (m) { add(m); });
          if (state.contact) frame(state.contact);
          // What was never acknowledged goes again, in order; the server
          // keeps the first copy of each.
          state.pending.forEach(function (p) { render({ cid: p.cid, dir: "inbound", text: p.text }); frame(p); });
          markRead();
          break;
        case "ack":
          settle(f.cid);
          add(f.msg, f.cid);
          break;
        case "msg":
          add(f.msg);
          break;
        case "sync":
          (f.msgs || []).forEach(function (m) { add(m); });
          break;
        case "typing":
          ui.typing.hidden = false;
          clearTimeout(typingTimer);
          typingTimer = setTimeout(function () { ui.typing.hidden = true; }, 4000);
          break;
        case "read":
          agentRead(f.id);
          break;
        case "contact":
          delete state.contact;
          save();
          status(f.proof ? W.verify_sent : state.replies ? W.offline_saved : "");
          break;
        case "error":
          if (f.code === "rate_limited") { status(W.rate_limited); setTimeout(function () { state.pending.forEach(frame); }, 2000); }
          else if (f.cid) {
            var lost = state.pending.filter(function (p) { return p.cid === f.cid; })[0];
            settle(f.cid);
            render({ cid: f.cid, dir: "inbound", text: lost ? lost.text : "", failed: true });
          } else if (f.code) status(W.error);
          break;
      }
    };
    ws.onclose = function () {
      connected = false;
      ws = null;
      status(W.reconnecting);
      // Backoff with jitter, so thousands of widgets do not return at the
      // same instant after a restart.
      var wait = Math.min(8000, 250 * Math.pow(2, attempt++)) * (0.5 + Math.random() / 2);
      setTimeout(connect, wait);
    };
  }

  window.KesherChat = { open: function () { show(true); } };
  function start() { build(); connect(); }
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
