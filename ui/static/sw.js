// The capture pages' service worker (docs/offline.md). The server puts
// self.HEARME before this file: the version, the static files to cache,
// the shell page, the scope and the queue's script. It keeps, per
// version, the static files and the shell page (the capture form for no
// one in particular: no personal data) and serves them when the server
// cannot be reached. A new version installs completely (every file, and
// a fresh shell) before it takes over and deletes the older caches; until
// then the old version keeps serving.
//
// The capture form's post: offline, the page's script queues the record
// itself (offline.js). When the browser believes it is online but the
// post fails at the network level (the server is down, the connection is
// reset or hangs: a captive portal, a signal that drops mid-post), the
// worker puts the record in the same encrypted queue (capture-queue.js)
// and sends the page to the shell, which says it is saved on this phone.

importScripts(self.HEARME.queue);

var VERSION = self.HEARME.version;
var ASSETS = "hearme-assets-" + VERSION;
var SHELL = "hearme-shell-" + VERSION;

self.addEventListener("install", function (e) {
  // The static routing API, where the browser has it: requests the
  // worker has nothing to do with (posts other than a form's: sending the
  // queue, keeping the session alive) go to the network, and the static
  // files come straight from this version's cache (a miss goes to the
  // network), without waking the worker: opening the page offline then
  // costs one answer from the worker (the page) and not one per file.
  if (e.addRoutes) {
    var routes = ["cors", "same-origin", "no-cors"].map(function (m) {
      return { condition: { requestMethod: "POST", requestMode: m }, source: "network" };
    });
    routes.push({ condition: { requestMethod: "GET", urlPattern: new URLPattern({ pathname: "/static/*" }) }, source: { cacheName: ASSETS } });
    try {
      e.addRoutes(routes).catch(function () {});
    } catch (err) { /* an older browser: the fetch handler does the same */ }
  }
  e.waitUntil((async function () {
    // Every file or none (as addAll): fetched first, kept only when all
    // came. Kept without their Vary header (the server says every answer
    // varies by language and cookie; a static file does not), so that the
    // static route's cache look-up, which cannot ignore Vary, finds them.
    var files = await Promise.all(self.HEARME.assets.map(function (u) {
      return fetch(u, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) { throw new Error(u + ": " + r.status); }
        var h = new Headers(r.headers);
        h.delete("Vary");
        return r.blob().then(function (b) { return [u, new Response(b, { status: r.status, statusText: r.statusText, headers: h })]; });
      });
    }));
    var assets = await caches.open(ASSETS);
    await Promise.all(files.map(function (f) { return assets.put(f[0], f[1]); }));
    var r = await fetch(self.HEARME.shell, { credentials: "same-origin", cache: "no-store" });
    if (!r.ok || r.redirected) { throw new Error("shell: " + r.status); } // signed out: stay on the old version
    var shell = await caches.open(SHELL);
    await shell.put(self.HEARME.shell, r);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", function (e) {
  e.waitUntil((async function () {
    var names = await caches.keys();
    await Promise.all(names.filter(function (n) { return n.indexOf("hearme-") === 0 && n !== ASSETS && n !== SHELL; })
      .map(function (n) { return caches.delete(n); }));
    await self.clients.claim();
  })());
});

function within(p, ms) {
  return new Promise(function (resolve, reject) {
    var t = setTimeout(function () { reject(new Error("timeout")); }, ms);
    p.then(function (v) { clearTimeout(t); resolve(v); }, function (err) { clearTimeout(t); reject(err); });
  });
}

async function shell() {
  var c = await caches.open(SHELL);
  // ignoreVary: every response says it varies by language and cookie;
  // the cached copies are the ones made for this phone.
  return (await c.match(self.HEARME.shell, { ignoreVary: true })) || Response.error();
}

// queuedAt is when the worker last queued a post the server did not
// answer: the page it then sends to (?queued=1) opens from the shell at
// once rather than waiting for the network again.
var queuedAt = 0;

async function pageOrShell(req) {
  if (self.navigator && self.navigator.onLine === false) { return shell(); }
  if (new URL(req.url).searchParams.get("queued") === "1" && Date.now() - queuedAt < 15000) { return shell(); }
  try {
    return await within(fetch(req), 8000);
  } catch (err) {
    return shell();
  }
}

// postOrQueue sends the capture form's post; when it fails at the network
// level (no answer within 10 s, or none at all), the record goes into the
// encrypted queue under the id the page gave it, so that if the server
// did store it after all, sending it later answers the first receipt.
async function postOrQueue(req) {
  var copy = req.clone();
  try {
    return await within(fetch(req), 10000);
  } catch (err) { /* not sent: keep it */ }
  try {
    var form = await copy.formData();
    var id = form.get("record_id");
    if (typeof id !== "string" || !id) { return Response.error(); } // no script on the page: as without a worker
    await self.HearmeQueue.add(id, form.entries());
    queuedAt = Date.now();
    return Response.redirect(new URL(self.HEARME.scope + "?queued=1", self.location.href).href, 303);
  } catch (err) {
    return notSaved();
  }
}

// notSaved is the answer when the record could be neither sent nor kept
// (no queue key yet, a full or broken store): the words are the page's.
async function notSaved() {
  var m = {};
  try { m = (await self.HearmeQueue.meta("messages")) || {}; } catch (err) { m = {}; }
  var text = m.not_saved || "Not sent and not saved on this phone. Press Back to return to what you typed.";
  var esc = function (s) { return String(s).replace(/[&<>"]/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }); };
  var html = "<!doctype html><html lang=\"" + esc(m.lang || "en") + "\" dir=\"" + esc(m.dir || "ltr") + "\"><meta charset=\"utf-8\">" +
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" + esc(text) + "</title><main><p>" + esc(text) + "</p></main></html>";
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } });
}

self.addEventListener("fetch", function (e) {
  var req = e.request, url = new URL(req.url);
  if (url.origin !== self.location.origin) { return; }
  if (req.mode === "navigate" && url.pathname.indexOf(self.HEARME.scope) === 0) {
    if (req.method === "GET") { e.respondWith(pageOrShell(req)); }
    if (req.method === "POST" && url.pathname === self.HEARME.scope) { e.respondWith(postOrQueue(req)); }
    return;
  }
  if (req.method === "GET" && url.pathname.indexOf("/static/") === 0) {
    e.respondWith(caches.open(ASSETS).then(function (c) { return c.match(req, { ignoreVary: true }); }).then(function (hit) { return hit || fetch(req); }));
  }
});
