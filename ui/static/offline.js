// The capture queue on the page (docs/offline.md). Enhancement only:
// without JavaScript, or without IndexedDB and WebCrypto, the capture
// form posts to the server as it always has.
//
// On a capture page: registers the service worker; gives the form a
// record id (so a double tap or a retry is stored once); keeps the queue
// key and the words of these messages for the service worker; when the
// page cannot reach the server, encrypts the record into the queue and
// says so; sends what waits, one record at a time, backing off while the
// server does not answer; shows what the server refused, to fix or
// discard; saves the waiting records as an encrypted file.
// On every staff page: refuses to sign out while records wait, and sends
// them once the person is signed in again.
(function () {
  "use strict";
  var Q = window.HearmeQueue;
  var banner = document.querySelector("[data-queue-banner]");
  if (!Q || !banner || !window.indexedDB || !window.crypto || !crypto.subtle || !window.fetch) { return; }
  var msgs = {};
  try { msgs = JSON.parse(banner.getAttribute("data-offline-messages")) || {}; } catch (e) { msgs = {}; }
  function msg(key, vars) {
    var s = msgs[key] || key;
    Object.keys(vars || {}).forEach(function (k) { s = s.split("{" + k + "}").join(String(vars[k])); });
    return s;
  }
  var form = document.querySelector("form[data-capture-form]");
  var panel = document.querySelector("[data-queue-panel]");
  var shell = !!(form && form.hasAttribute("data-shell"));
  var state = { waiting: 0, problems: [], sent: [], signedOut: false, retryIn: 0, broken: false, notice: "" };
  var fixing = null;

  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text) { e.textContent = text; }
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }

  function render() {
    var lines = [];
    if (state.notice) { lines.push(state.notice); }
    if (state.broken) { lines.push(msg("store_broken")); }
    if (state.waiting > 0) { lines.push(msg("waiting", { n: state.waiting })); }
    if (state.signedOut && state.waiting > 0) { lines.push(msg("signed_out")); }
    if (state.retryIn > 0 && state.waiting > 0) { lines.push(msg("server_busy", { s: state.retryIn })); }
    if (!panel && state.waiting > 0 && !state.signedOut) { lines.push(msg("banner")); }
    banner.textContent = "";
    lines.forEach(function (l) { banner.appendChild(el("p", l)); });
    if (state.signedOut && state.waiting > 0) {
      var p = el("p");
      p.appendChild(el("a", msg("sign_in"), { href: "/login" }));
      banner.appendChild(p);
    }
    banner.hidden = lines.length === 0;
    if (!panel) { return; }
    panel.hidden = false;
    var count = panel.querySelector("[data-queue-count]");
    count.textContent = state.waiting > 0 ? msg("waiting", { n: state.waiting }) : msg("none_waiting");
    panel.querySelector("[data-queue-actions]").hidden = state.waiting === 0;
    var problems = panel.querySelector("[data-queue-problems]");
    problems.textContent = "";
    state.problems.forEach(function (rec, i) {
      var li = el("li", null, { "data-problem": rec.id });
      li.appendChild(el("p", msg("refused") + " " + msg(rec.problem.status) , { "class": "problem-reason" }));
      if (rec.problem.messages && rec.problem.messages.length) {
        var ul = el("ul");
        rec.problem.messages.forEach(function (m) { ul.appendChild(el("li", m)); });
        li.appendChild(ul);
      }
      var actions = el("div", null, { "class": "actions" });
      if (rec.problem.status !== "unreadable" && rec.problem.status !== "not_yours") {
        var fix = el("button", msg("fix"), { type: "button", "class": "button secondary", "data-fix": rec.id });
        fix.addEventListener("click", function () { fixRecord(rec); });
        actions.appendChild(fix);
      }
      var discard = el("button", msg("discard"), { type: "button", "class": "button warning", "data-discard": rec.id });
      discard.addEventListener("click", function () {
        if (window.confirm(msg("discard_confirm"))) { Q.remove(rec.id).then(refresh); }
      });
      actions.appendChild(discard);
      li.appendChild(actions);
      problems.appendChild(li);
    });
    var sent = panel.querySelector("[data-queue-sent]");
    sent.textContent = "";
    state.sent.forEach(function (s) { sent.appendChild(el("li", msg("sent_codes", { ref: s.reference, secret: s.secret }))); });
  }

  function refresh() {
    return Q.list().then(function (all) {
      state.broken = false;
      state.waiting = all.filter(function (r) { return r.state === "waiting" || r.state === "problem"; }).length;
      state.problems = all.filter(function (r) { return r.state === "problem"; });
      render();
      return all;
    }, function () { state.broken = true; render(); return []; });
  }

  // Sending: one record at a time; the record leaves the phone only when
  // the server has stored it (its answer names the reference).
  var sending = false, delay = 0, timer = null, tick = null;
  function backOff() {
    delay = Math.min(delay ? delay * 2 : 2000, 30000);
    var until = Date.now() + delay;
    clearTimeout(timer); clearInterval(tick);
    state.retryIn = Math.ceil(delay / 1000);
    tick = setInterval(function () { state.retryIn = Math.max(0, Math.ceil((until - Date.now()) / 1000)); render(); }, 1000);
    timer = setTimeout(function () { clearInterval(tick); sendAll(); }, delay);
    render();
  }
  async function send(rec) {
    var body = JSON.stringify({ id: rec.id, kid: rec.kid, epk: rec.epk, iv: rec.iv, ct: rec.ct, sent_at: new Date().toISOString() });
    var res = await fetch("/staff/capture/records", { method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "Accept": "application/json" }, body: body });
    var ans = null;
    try { ans = await res.json(); } catch (e) { ans = null; }
    return { status: res.status, ans: ans || {} };
  }
  async function sendAll() {
    if (sending) { return; }
    sending = true;
    clearTimeout(timer); clearInterval(tick);
    state.retryIn = 0;
    try {
      var all = await refresh();
      for (var rec of all) {
        if (rec.state !== "waiting" || rec.id === fixing) { continue; }
        var r;
        try { r = await send(rec); } catch (e) { backOff(); return; }
        if (r.status === 200 && r.ans.status === "stored") {
          await Q.remove(rec.id);
          state.sent.unshift({ reference: r.ans.reference, secret: r.ans.secret });
          state.signedOut = false; delay = 0;
          state.waiting = Math.max(0, state.waiting - 1);
          render();
          continue;
        }
        if (r.status === 401) { state.signedOut = true; render(); return; }
        if (["refused", "consent_changed", "unreadable", "not_yours"].indexOf(r.ans.status) >= 0) {
          rec.state = "problem";
          rec.problem = { status: r.ans.status, messages: (r.ans.errors || []).map(function (e) { return e.message; }) };
          await Q.put(rec);
          await refresh();
          continue;
        }
        backOff(); // 5xx, 413, a proxy's page: keep it and try later
        return;
      }
      await refresh();
    } catch (e) {
      state.broken = true; render();
    } finally {
      sending = false;
    }
  }

  // Fixing a refused record: the server opens it and returns the answers
  // (the phone cannot read it); they go into the form, only in memory.
  async function fixRecord(rec) {
    var r;
    try { r = await send(rec); } catch (e) { backOff(); return; }
    if (r.status === 200 && r.ans.status === "stored") { await Q.remove(rec.id); refresh(); return; }
    if (!r.ans.answers || !form) { return; }
    fill(form, r.ans.answers);
    fixing = rec.id;
    form.querySelector("[name=record_id]").value = rec.id;
    state.notice = msg("fixing");
    render();
    form.scrollIntoView();
    var first = form.querySelector("input:not([type=hidden]), select, textarea");
    if (first) { first.focus(); }
  }
  function fill(f, answers) {
    Array.prototype.forEach.call(f.elements, function (e) {
      if (!e.name || e.name === "record_id" || e.type === "submit" || e.type === "button") { return; }
      var vals = answers[e.name] || [];
      if (e.type === "checkbox" || e.type === "radio") { e.checked = vals.indexOf(e.value) >= 0; }
      else if (e.type !== "hidden" || e.name === "event_id") { e.value = vals[0] || ""; }
    });
  }

  function newRecordID() {
    if (!form) { return; }
    var input = form.querySelector("input[name=record_id]");
    if (!input) { input = el("input", null, { type: "hidden", name: "record_id" }); form.appendChild(input); }
    input.value = Q.newID();
  }

  async function queueForm() {
    var id = form.querySelector("[name=record_id]").value;
    var wasFixing = fixing;
    try {
      if (wasFixing) { await Q.remove(wasFixing); }
      await Q.add(id, new FormData(form).entries());
    } catch (e) {
      state.notice = e && e.name === "QuotaExceededError" ? msg("full") : msg("store_broken");
      render();
      banner.focus();
      return false; // the answers stay in the form
    }
    fixing = null;
    form.reset();
    newRecordID();
    state.notice = msg("saved_offline");
    await refresh();
    askPersistence();
    banner.setAttribute("tabindex", "-1");
    banner.focus();
    window.scrollTo(0, 0);
    if (navigator.onLine && !shell) { sendAll(); }
    return true;
  }

  function askPersistence() {
    if (!panel || !navigator.storage || !navigator.storage.persisted) { return; }
    var out = panel.querySelector("[data-queue-storage]");
    navigator.storage.persisted().then(function (yes) {
      return yes || (navigator.storage.persist ? navigator.storage.persist() : false);
    }).then(function (yes) {
      out.textContent = msg(yes ? "storage_persisted" : "storage_not_persisted");
    }, function () { out.textContent = msg("storage_unknown"); });
  }

  // Export: the waiting records, still encrypted, as a file to upload
  // later at /staff/capture/upload. Exported records may be signed out of.
  async function exportQueue() {
    var all = (await Q.list()).filter(function (r) { return r.state === "waiting" || r.state === "problem"; });
    if (!all.length) { return; }
    var file = { format: "hearme-capture-queue-v1", records: all.map(function (r) {
      return { id: r.id, kid: r.kid, epk: r.epk, iv: r.iv, ct: r.ct, sent_at: new Date().toISOString() };
    }) };
    var a = el("a", null, { download: "hearme-waiting-" + new Date().toISOString().slice(0, 10) + ".json" });
    a.href = URL.createObjectURL(new Blob([JSON.stringify(file)], { type: "application/json" }));
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    for (var r of all) { r.exported = true; await Q.put(r); }
    state.notice = msg("exported", { n: all.length });
    refresh();
  }

  // Sign-out is refused while records wait unsent (and not saved to a
  // file); the server's answer then clears everything the site keeps.
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (!f || f.getAttribute("action") !== "/logout") { return; }
    e.preventDefault();
    Q.exists().then(function (yes) { return yes ? Q.list() : []; }).then(function (all) {
      var unsent = all.filter(function (r) { return !r.exported; }).length;
      if (unsent === 0) { f.submit(); return; }
      state.notice = msg("signout_refused", { n: unsent });
      render();
      banner.setAttribute("tabindex", "-1");
      banner.focus();
    }, function () { f.submit(); });
  }, true);

  // Start. The form is usable as soon as it is drawn: the work that can
  // wait (the store, the worker's registration, asking for persistent
  // storage, counting what waits) starts after the load event, so that
  // opening the page, offline on a slow phone, costs only the page.
  function afterLoad(fn) {
    if (document.readyState === "complete") { setTimeout(fn, 0); return; }
    window.addEventListener("load", function () { setTimeout(fn, 0); }, { once: true });
  }
  var queued = /[?&]queued=1/.test(location.search);
  if (form) {
    newRecordID();
    var key = { kid: form.getAttribute("data-queue-kid"), version: form.getAttribute("data-consent-version") };
    try { key.jwk = JSON.parse(form.getAttribute("data-queue-key")); } catch (e) { key.jwk = null; }
    var words = { not_saved: msg("not_saved"), lang: document.documentElement.lang, dir: document.documentElement.dir };
    // The queue key and the words the worker needs, written (durably)
    // only when they changed.
    var keep = function (name, value) {
      return Q.meta(name).then(function (old) { return JSON.stringify(old) === JSON.stringify(value) ? null : Q.setMeta(name, value); });
    };
    var ready = new Promise(afterLoad).then(function () {
      return key.jwk ? keep("key", key).then(function () { return keep("messages", words); }) : null;
    });
    ready.catch(function () { state.broken = true; render(); });
    form.addEventListener("submit", function (e) {
      // Online, the form posts as it always has (if the post fails at the
      // network level, the service worker puts it in the queue: sw.js);
      // offline, it goes to the queue here.
      if (!shell && navigator.onLine && !fixing) { return; }
      e.preventDefault();
      ready.then(queueForm);
    });
    if (panel) {
      panel.querySelector("[data-queue-send]").addEventListener("click", function () { delay = 0; sendAll(); });
      panel.querySelector("[data-queue-export]").addEventListener("click", exportQueue);
    }
    if (queued) { state.notice = msg("saved_offline"); }
    if (shell && !navigator.onLine) { state.notice = state.notice || msg("offline_now"); }
    afterLoad(function () {
      if ("serviceWorker" in navigator) {
        navigator.serviceWorker.register("/staff/sw.js", { scope: "/staff/capture" }).catch(function () {});
      }
      askPersistence();
    });
  }
  window.addEventListener("online", function () { delay = 0; sendAll(); });
  afterLoad(function () {
    Q.exists().then(function (yes) {
      if (!yes && !form) { return; }
      refresh().then(function () {
        // When the page first showed what waits (docs/performance.md).
        if (performance.mark && !performance.getEntriesByName("hearme-queue-shown").length) { performance.mark("hearme-queue-shown"); }
        if (state.waiting > 0) { sendAll(); }
      });
    });
  });
})();
