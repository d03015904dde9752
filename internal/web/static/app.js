// Kesher agent desk: the small layer on top of server-rendered pages.
// Forms and links work without it; with it, forms marked data-swap update
// one fragment in place, live events refresh what changed, keyboard
// shortcuts move through the inbox, and reply drafts survive a reload.
"use strict";

(() => {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

  // Fragments. A fragment is an element with an id and a data-src URL that
  // answers with the element's fresh HTML.
  async function refresh(el) {
    if (!el || !el.dataset.src) return;
    const res = await fetch(el.dataset.src, { headers: { "X-Fragment": "1" }, credentials: "same-origin" });
    if (res.status === 401) { location.reload(); return; }
    if (!res.ok) return;
    const html = await res.text();
    // The agent may have started working in it while the answer was on
    // its way.
    if (busy(el)) { el.dataset.stale = "1"; return; }
    replace(el, html);
  }

  function replace(el, html) {
    const tpl = document.createElement("template");
    tpl.innerHTML = html.trim();
    const fresh = tpl.content.firstElementChild;
    if (!fresh) return;
    const focusedId = document.activeElement?.id;
    el.replaceWith(fresh);
    if (focusedId && !document.getElementById(focusedId)) return;
    if (focusedId) document.getElementById(focusedId)?.focus();
    document.dispatchEvent(new CustomEvent("kesher:swapped", { detail: fresh }));
  }

  // Forms marked data-swap="#id" post in the background and replace that
  // fragment with the answer; a redirect answer is followed as a page load.
  document.addEventListener("submit", async (ev) => {
    const form = ev.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.swap) return;
    ev.preventDefault();
    const target = $(form.dataset.swap);
    const body = new URLSearchParams(new FormData(form, ev.submitter));
    form.setAttribute("aria-busy", "true");
    try {
      const res = await fetch(form.action, {
        method: "POST", body, credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf, "X-Fragment": "1" },
      });
      if (res.redirected) {
        // The form was sent; the page it leads to takes over (a reply
        // that made a promise opens the conversation with its proposals).
        if (res.ok) form.dispatchEvent(new CustomEvent("kesher:sent", { bubbles: true }));
        location.href = res.url;
        return;
      }
      if (res.status === 401) { location.reload(); return; }
      const html = await res.text();
      const into = res.headers.get("X-Fragment-Target");
      const el = into ? $(into) : target;
      if (el) replace(el, html);
      if (res.ok) form.dispatchEvent(new CustomEvent("kesher:sent", { bubbles: true }));
    } finally {
      form.removeAttribute("aria-busy");
    }
  });

  // Selects and checkboxes marked data-autosubmit submit their form.
  document.addEventListener("change", (ev) => {
    const el = ev.target;
    if (el.matches?.("[data-autosubmit]")) el.form?.requestSubmit();
  });

  // Live updates over server-sent events. The page names what it shows:
  // data-live-all fragments refresh on any change, data-live-conv="ID"
  // fragments on changes of that conversation.
  // A fragment the agent is working in (focus inside, or edited and not
  // yet sent) is not replaced under their hands: it is marked stale and
  // refreshed when they leave it.
  const timers = new Map();
  function busy(el) { return el.contains(document.activeElement) || el.dataset.dirty === "1"; }
  function soon(el, wait = 250) {
    clearTimeout(timers.get(el.id));
    timers.set(el.id, setTimeout(() => {
      const now = document.getElementById(el.id);
      if (!now) return;
      if (busy(now)) { now.dataset.stale = "1"; return; }
      refresh(now);
    }, wait));
  }
  for (const type of ["input", "change"]) {
    document.addEventListener(type, (ev) => {
      const frag = ev.target.closest?.("[data-src]");
      if (frag && !ev.target.matches("[data-autosubmit]")) frag.dataset.dirty = "1";
    });
  }
  document.addEventListener("focusout", (ev) => {
    const frag = ev.target.closest?.("[data-src]");
    if (!frag || frag.dataset.stale !== "1" || frag.dataset.dirty === "1") return;
    setTimeout(() => { if (!busy(frag)) { delete frag.dataset.stale; refresh(frag); } });
  });
  function startLive() {
    const conv = document.body.dataset.conversation || "";
    const src = new EventSource("/live" + (conv ? "?c=" + encodeURIComponent(conv) : ""));
    src.addEventListener("change", (ev) => {
      const change = JSON.parse(ev.data);
      // A chat's typing and read marks change nothing stored: they show
      // beside the thread and refresh no fragment.
      if (change.type === "chat.typing" || change.type === "chat.read") {
        if (change.actor === "customer" && change.conversation_id === conv) chatSignal(change.type);
        return;
      }
      $$("[data-live-all]").forEach((el) => soon(el));
      if (change.conversation_id) {
        $$(`[data-live-conv="${CSS.escape(change.conversation_id)}"]`).forEach((el) => soon(el, 0));
      }
    });
    src.addEventListener("presence", (ev) => {
      const p = JSON.parse(ev.data);
      const el = $("#presence");
      if (el && p.conversation_id === conv) { el.textContent = p.text; el.hidden = !p.text; }
    });
    const resync = () => $$("[data-live-all], [data-live-conv]").forEach((el) => soon(el));
    src.addEventListener("resync", resync);
    // A stream that broke (a restart, a network change) missed what
    // happened meanwhile: once it is back, the page reads it all again.
    let broken = false;
    src.addEventListener("error", () => { broken = true; });
    src.addEventListener("open", () => { if (broken) { broken = false; resync(); } });
  }
  if (document.body.dataset.live === "on") startLive();

  // Chats: the customer's typing and reading show beside the thread; the
  // agent's typing, and reading what the customer wrote, reach the
  // customer's widget.
  let signalTimer = 0;
  function chatSignal(type) {
    const el = $("#chat-signal");
    if (!el) return;
    el.textContent = type === "chat.typing" ? el.dataset.typing : el.dataset.read;
    el.hidden = false;
    clearTimeout(signalTimer);
    if (type === "chat.typing") signalTimer = setTimeout(() => { el.hidden = true; }, 4000);
  }
  function sendSignal(type, messageID = "") {
    const conv = document.body.dataset.conversation;
    if (!conv || !$("#chat-signal")) return;
    fetch("/conversations/" + encodeURIComponent(conv) + "/chat-signal", {
      method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf },
      body: new URLSearchParams({ type, message_id: messageID }),
    }).catch(() => {});
  }
  let typedAt = 0, readID = "";
  document.addEventListener("input", (ev) => {
    if (!ev.target.closest?.("#composer") || Date.now() - typedAt < 2000) return;
    typedAt = Date.now();
    sendSignal("typing");
  });
  function markRead() {
    const last = $$("#thread li.msg.inbound").pop();
    if (!last || document.visibilityState !== "visible" || last.dataset.message === readID) return;
    readID = last.dataset.message;
    sendSignal("read", readID);
  }
  document.addEventListener("kesher:swapped", markRead);
  document.addEventListener("visibilitychange", markRead);
  markRead();

  // Drafts: a textarea with data-draft="key" keeps its text in localStorage
  // until its form is sent.
  function restoreDrafts(root = document) {
    $$("textarea[data-draft]", root).forEach((ta) => {
      const key = "kesher:draft:" + ta.dataset.draft;
      if (!ta.value) ta.value = localStorage.getItem(key) || "";
      ta.addEventListener("input", () => {
        if (ta.value) localStorage.setItem(key, ta.value); else localStorage.removeItem(key);
      });
      ta.form?.addEventListener("kesher:sent", () => { localStorage.removeItem(key); ta.value = ""; });
    });
  }
  restoreDrafts();
  document.addEventListener("kesher:swapped", (ev) => restoreDrafts(ev.detail));

  // The composer: Ctrl+Enter (or Cmd+Enter) sends; the mode switch marks a note.
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey) && ev.target.matches?.("textarea")) {
      ev.preventDefault();
      ev.target.form?.requestSubmit();
    }
  });
  document.addEventListener("change", (ev) => {
    if (ev.target.name === "direction") {
      ev.target.closest(".composer")?.classList.toggle("is-note", ev.target.value === "note");
    }
  });

  // Keyboard shortcuts, off while typing.
  function typing(el) {
    return el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
  }
  function rows() { return $$("[data-row]"); }
  function select(i) {
    const all = rows();
    if (!all.length) return;
    i = Math.max(0, Math.min(all.length - 1, i));
    all.forEach((r) => r.classList.remove("selected"));
    all[i].classList.add("selected");
    all[i].focus();
  }
  function current() { return rows().findIndex((r) => r.classList.contains("selected") || r === document.activeElement); }
  function composeAs(mode) {
    const radio = $(`.composer input[name="direction"][value="${mode}"]`);
    if (!radio) return false;
    radio.checked = true;
    radio.dispatchEvent(new Event("change", { bubbles: true }));
    $(".composer textarea")?.focus();
    return true;
  }
  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "Escape") {
      if (typing(document.activeElement)) document.activeElement.blur();
      return;
    }
    if (typing(ev.target)) return;
    let done = true;
    switch (ev.key) {
      case "j": select(current() + 1); break;
      case "k": select(current() - 1); break;
      case "Enter": {
        const i = current();
        if (i >= 0) rows()[i].click(); else done = false;
        break;
      }
      case "r": done = composeAs("outbound"); break;
      case "n": done = composeAs("note"); break;
      case "a": { const el = $("[data-key-assign]"); if (el) el.focus(); else done = false; break; }
      case "s": { const el = $("[data-key-solve]"); if (el) el.click(); else done = false; break; }
      case "/": { const el = $("[data-key-search]"); if (el) el.focus(); else done = false; break; }
      case "?": { const d = $("#help"); if (d) (d.open ? d.close() : d.showModal()); break; }
      default: done = false;
    }
    if (done) ev.preventDefault();
  });
  $$("[data-close-dialog]").forEach((b) => b.addEventListener("click", () => b.closest("dialog")?.close()));

  // The knowledge base's editor. The preview pane follows the body as the
  // author types: the server renders it, exactly as the article will be.
  // An uploaded image's Markdown goes in where the cursor is.
  const body = $("textarea[data-preview]");
  if (body) {
    let timer = 0, sent = body.value;
    const preview = async () => {
      if (body.value === sent) return;
      sent = body.value;
      const language = body.form?.elements.language?.value || body.lang;
      const res = await fetch("/kb/preview", {
        method: "POST", credentials: "same-origin", body: new URLSearchParams({ body: sent, language }),
        headers: { "X-CSRF-Token": csrf, "X-Fragment": "1" },
      });
      const pane = $(body.dataset.preview);
      if (res.ok && pane && body.value === sent) replace(pane, await res.text());
    };
    body.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(preview, 300); });
  }
  function insertAtCursor(ta, text) {
    const start = ta.selectionStart ?? ta.value.length, end = ta.selectionEnd ?? start;
    const before = ta.value.slice(0, start), after = ta.value.slice(end);
    const lead = before && !before.endsWith("\n") ? "\n" : "";
    ta.value = before + lead + text + "\n" + after;
    ta.selectionStart = ta.selectionEnd = (before + lead + text + "\n").length;
    ta.dispatchEvent(new Event("input", { bubbles: true }));
    ta.focus();
  }
  $$("form[data-kb-upload]").forEach((form) => form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const status = $(".kb-upload-status", form), target = $(form.dataset.kbUpload);
    form.setAttribute("aria-busy", "true");
    try {
      const res = await fetch(form.action, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf, "X-Fragment": "1" },
      });
      const out = await res.json().catch(() => ({}));
      if (res.ok && out.markdown && target) {
        insertAtCursor(target, out.markdown);
        form.reset();
        status.textContent = form.dataset.done;
      } else {
        status.textContent = out.error || form.dataset.failed;
      }
    } catch {
      status.textContent = form.dataset.failed;
    } finally {
      status.hidden = false;
      form.removeAttribute("aria-busy");
    }
  }));

  // The help centre's search box suggests articles as the visitor types:
  // the server answers the help-suggest fragment of the search page. An
  // answer that arrives after a newer keystroke's is dropped.
  $$("input[data-help-search]").forEach((box) => {
    const form = box.form, list = $("#help-suggest", form);
    let timer = 0, asked = 0;
    const show = (open) => { list.hidden = !open; box.setAttribute("aria-expanded", open ? "true" : "false"); };
    const suggest = async () => {
      const q = box.value.trim(), n = ++asked;
      if (q.length < 2) { show(false); return; }
      const res = await fetch(form.action + "?" + new URLSearchParams({ q, typing: "1" }), { headers: { "X-Fragment": "1" }, credentials: "same-origin" });
      if (!res.ok || n !== asked) return;
      const tpl = document.createElement("template");
      tpl.innerHTML = (await res.text()).trim();
      const fresh = tpl.content.firstElementChild;
      if (!fresh) return;
      list.replaceChildren(...fresh.childNodes);
      show(!fresh.hidden);
    };
    box.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(suggest, 150); });
    box.addEventListener("keydown", (ev) => {
      const links = $$("a", list);
      if (ev.key === "ArrowDown" && links.length && !list.hidden) { ev.preventDefault(); links[0].focus(); }
      if (ev.key === "Escape") show(false);
    });
    list.addEventListener("keydown", (ev) => {
      const links = $$("a", list), i = links.indexOf(document.activeElement);
      if (ev.key === "ArrowDown" && i < links.length - 1) { ev.preventDefault(); links[i + 1].focus(); }
      if (ev.key === "ArrowUp") { ev.preventDefault(); (i > 0 ? links[i - 1] : box).focus(); }
      if (ev.key === "Escape") { show(false); box.focus(); }
    });
  });

  // Fragments marked data-load fill in after the page shows (the articles
  // a conversation suggests). Their data-insert buttons put text into the
  // reply where the cursor is.
  $$("[data-load]").forEach((el) => refresh(el));
  document.addEventListener("kesher:swapped", (ev) => $$("[data-load]", ev.detail).forEach((el) => refresh(el)));
  document.addEventListener("click", (ev) => {
    const btn = ev.target.closest?.("[data-insert]");
    const reply = $("#body");
    if (btn && reply) insertAtCursor(reply, btn.dataset.insert);
  });
})();
