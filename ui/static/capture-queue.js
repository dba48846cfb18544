// The capture queue (docs/offline.md), shared by the capture pages
// (offline.js) and the service worker (sw.js). A record waits on the
// phone in IndexedDB only encrypted: to the server's queue key (ECDH
// P-256) with a key pair of the record's own, through HKDF-SHA-256, with
// AES-256-GCM and the record's id as additional data. The phone can add
// records but cannot read them back: only the server holds the private
// half. Nothing here holds a person's words in the clear.
(function (g) {
  "use strict";
  var DB = "hearme-capture", RECORDS = "records", META = "meta";
  var enc = new TextEncoder();

  function request(r) {
    return new Promise(function (resolve, reject) {
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
  }

  var opened = null;
  function open() {
    if (!opened) {
      opened = new Promise(function (resolve, reject) {
        var r = indexedDB.open(DB, 1);
        r.onupgradeneeded = function () {
          r.result.createObjectStore(RECORDS, { keyPath: "id" });
          r.result.createObjectStore(META);
        };
        r.onsuccess = function () {
          var db = r.result;
          db.onversionchange = function () { db.close(); opened = null; };
          db.onclose = function () { opened = null; };
          resolve(db);
        };
        r.onerror = function () { opened = null; reject(r.error); };
        r.onblocked = function () { opened = null; reject(new Error("blocked")); };
      });
    }
    return opened;
  }

  // run does one change and resolves once it is durable ("strict": on
  // disk, not only in the browser's memory).
  function run(store, mode, fn, durability) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(store, mode, { durability: durability || "strict" });
        var out;
        request(fn(t.objectStore(store))).then(function (v) { out = v; }, function () {});
        t.oncomplete = function () { resolve(out); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error || new Error("aborted")); };
      });
    });
  }

  function b64u(buf) {
    var b = new Uint8Array(buf), s = "";
    for (var i = 0; i < b.length; i++) { s += String.fromCharCode(b[i]); }
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // seal encrypts a record to the queue key {kid, jwk}.
  async function seal(key, record) {
    var subtle = crypto.subtle;
    var pub = await subtle.importKey("jwk", key.jwk, { name: "ECDH", namedCurve: "P-256" }, false, []);
    var mine = await subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
    var shared = await subtle.deriveBits({ name: "ECDH", public: pub }, mine.privateKey, 256);
    var hk = await subtle.importKey("raw", shared, "HKDF", false, ["deriveKey"]);
    var aes = await subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: enc.encode("hearme capture queue v1 " + key.kid) },
      hk, { name: "AES-GCM", length: 256 }, false, ["encrypt"]);
    var iv = crypto.getRandomValues(new Uint8Array(12));
    var ct = await subtle.encrypt({ name: "AES-GCM", iv: iv, additionalData: enc.encode(record.id) }, aes, enc.encode(JSON.stringify(record)));
    return { id: record.id, kid: key.kid, epk: b64u(await subtle.exportKey("raw", mine.publicKey)), iv: b64u(iv), ct: b64u(ct) };
  }

  // answers turns a form's fields into the lists a form post carries.
  function answers(entries) {
    var out = {};
    for (var pair of entries) {
      var name = pair[0], value = pair[1];
      if (typeof value !== "string" || name === "record_id" || name === "next") { continue; }
      (out[name] = out[name] || []).push(value);
    }
    return out;
  }

  g.HearmeQueue = {
    // add encrypts the answers and keeps them; the queue key and consent
    // version are those the page was shown (kept in meta by the page).
    add: async function (id, fields, capturedAt) {
      var key = await this.meta("key");
      if (!key) { throw new Error("no queue key"); }
      var rec = await seal(key, { id: id, captured_at: capturedAt || new Date().toISOString(), consent_version: key.version, answers: answers(fields) });
      rec.created = Date.now();
      rec.state = "waiting";
      await run(RECORDS, "readwrite", function (s) { return s.put(rec); });
      return rec;
    },
    put: function (rec) { return run(RECORDS, "readwrite", function (s) { return s.put(rec); }); },
    // remove need not wait for the disk: a removal lost in a crash only
    // sends the record again, and the server answers its first receipt.
    remove: function (id) { return run(RECORDS, "readwrite", function (s) { return s.delete(id); }, "relaxed"); },
    list: function () {
      return run(RECORDS, "readonly", function (s) { return s.getAll(); }).then(function (all) {
        return (all || []).sort(function (a, b) { return a.created - b.created; });
      });
    },
    meta: function (name) { return run(META, "readonly", function (s) { return s.get(name); }); },
    setMeta: function (name, value) { return run(META, "readwrite", function (s) { return s.put(value, name); }); },
    // exists says whether this browser has a queue at all, without making one.
    exists: function () {
      if (!indexedDB.databases) { return Promise.resolve(true); }
      return indexedDB.databases().then(function (dbs) { return dbs.some(function (d) { return d.name === DB; }); });
    },
    newID: function () {
      if (crypto.randomUUID) { return crypto.randomUUID(); }
      var b = crypto.getRandomValues(new Uint8Array(16)), h = "";
      b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
      for (var i = 0; i < 16; i++) { h += (b[i] + 0x100).toString(16).slice(1); if (i === 3 || i === 5 || i === 7 || i === 9) { h += "-"; } }
      return h;
    }
  };
})(self);
