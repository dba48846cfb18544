// The capture pages' service worker (docs/offline.md). The server puts
// self.HEARME before this file: the version, the static files to cache,
// the shell page and the scope. It keeps, per version, the static files
// and the shell page (the capture form for no one in particular: no
// personal data) and serves them when the server cannot be reached. A new
// version installs completely (every file, and a fresh shell) before it
// takes over and deletes the older caches; until then the old version
// keeps serving. Posts are not intercepted: the page's script queues a
// capture itself when the browser is offline (offline.js).

var VERSION = self.HEARME.version;
var ASSETS = "hearme-assets-" + VERSION;
var SHELL = "hearme-shell-" + VERSION;

self.addEventListener("install", function (e) {
  // Requests the worker has nothing to do with (posts: sending the queue,
  // keeping the session alive, signing out) go to the network without
  // waking it (the static routing API, where the browser has it).
  if (e.addRoutes) {
    try {
      e.addRoutes([{ condition: { requestMethod: "POST" }, source: "network" }]).catch(function () {});
    } catch (err) { /* an older browser: the fetch handler lets them through */ }
  }
  e.waitUntil((async function () {
    var assets = await caches.open(ASSETS);
    await assets.addAll(self.HEARME.assets); // all or nothing
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

async function pageOrShell(req) {
  if (self.navigator && self.navigator.onLine === false) { return shell(); }
  try {
    return await within(fetch(req), 8000);
  } catch (err) {
    return shell();
  }
}

self.addEventListener("fetch", function (e) {
  var req = e.request, url = new URL(req.url);
  if (url.origin !== self.location.origin) { return; }
  if (req.mode === "navigate" && url.pathname.indexOf(self.HEARME.scope) === 0) {
    if (req.method === "GET") { e.respondWith(pageOrShell(req)); }
    return;
  }
  if (req.method === "GET" && url.pathname.indexOf("/static/") === 0) {
    e.respondWith(caches.open(ASSETS).then(function (c) { return c.match(req, { ignoreVary: true }); }).then(function (hit) { return hit || fetch(req); }));
  }
});
