// Enhancement only: the site works without JavaScript.
// Move focus to the error summary so screen readers announce it (GOV.UK pattern).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
});

// Moderation: words selected in an answer or a correction fill in the
// "other words to remove" field (which can also be typed without JavaScript).
document.addEventListener("selectionchange", function () {
  var passage = document.getElementById("passage");
  var sel = window.getSelection();
  if (!passage || !sel || sel.isCollapsed || !sel.anchorNode) { return; }
  var node = sel.anchorNode.nodeType === 1 ? sel.anchorNode : sel.anchorNode.parentElement;
  if (!node || !node.closest("[data-passage-source]")) { return; }
  var text = sel.toString().trim();
  if (text) { passage.value = text; }
});

// Capture: a "Print the slip" button where JavaScript runs (without it,
// the page says to use the browser's Print command; only the slip prints).
document.addEventListener("DOMContentLoaded", function () {
  var button = document.querySelector("[data-print]");
  if (!button) { return; }
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});

// Coding: words selected in an answer become the passage to code (its
// start and end counted in Unicode code points, as the server counts),
// and a filter box narrows a long code list. Without JavaScript, coders
// tick sentences or the whole answer instead.
document.addEventListener("selectionchange", function () {
  var sel = window.getSelection();
  if (!sel || sel.rangeCount === 0 || !sel.anchorNode) { return; }
  var node = sel.anchorNode.nodeType === 1 ? sel.anchorNode : sel.anchorNode.parentElement;
  var box = node && node.closest("[data-answer-text]");
  if (!box) { return; }
  var form = document.querySelector('[data-apply-for="' + box.getAttribute("data-answer-text") + '"]');
  if (!form) { return; }
  var range = sel.getRangeAt(0);
  if (sel.isCollapsed || !box.contains(range.endContainer)) { return; }
  var before = document.createRange();
  before.selectNodeContents(box);
  before.setEnd(range.startContainer, range.startOffset);
  var start = Array.from(before.toString()).length;
  var words = range.toString();
  var end = start + Array.from(words).length;
  form.querySelector("[data-start]").value = start;
  form.querySelector("[data-end]").value = end;
  var note = form.querySelector("[data-selection-note]");
  note.textContent = "\u201c" + words.trim() + "\u201d";
  note.hidden = false;
  var whole = form.querySelector('input[name="whole"]');
  if (whole) { whole.checked = false; }
});
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-code-filter]").forEach(function (input) {
    var select = document.getElementById(input.getAttribute("data-code-filter"));
    if (!select) { return; }
    input.hidden = false;
    var all = Array.from(select.options);
    input.addEventListener("input", function () {
      var q = input.value.toLowerCase();
      all.forEach(function (o) { o.hidden = q !== "" && o.value !== "" && o.text.toLowerCase().indexOf(q) < 0; });
      var first = all.find(function (o) { return !o.hidden && o.value !== ""; });
      if (first && q !== "") { select.value = first.value; }
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); select.focus(); }
    });
  });
});

// Staff timeout warning (GOV.UK pattern): shortly before the session ends
// a dialog offers to stay signed in; if it ends anyway, the dialog says
// that what is on the page is kept when the person saves and signs in.
document.addEventListener("DOMContentLoaded", function () {
  var root = document.querySelector("[data-session-timeout]");
  if (!root || !window.fetch) { return; }
  var dialog = root.querySelector("dialog");
  if (!dialog || !dialog.showModal) { return; }
  var stay = root.querySelector("[data-timeout-stay]");
  var close = root.querySelector("[data-timeout-close]");
  var warn = Number(root.getAttribute("data-warn-seconds")) * 1000;
  var end = Date.now() + Number(root.getAttribute("data-seconds-left")) * 1000;
  var timer;
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(open, Math.max(end - Date.now() - warn, 0));
  }
  function open() {
    if (!dialog.open) { dialog.showModal(); stay.focus(); }
    clearTimeout(timer);
    timer = setTimeout(ended, Math.max(end - Date.now(), 0));
  }
  function ended() {
    clearTimeout(timer);
    root.querySelector("[data-timeout-warning]").hidden = true;
    root.querySelector("[data-timeout-ended]").hidden = false;
    stay.hidden = true;
    close.hidden = false;
    if (!dialog.open) { dialog.showModal(); }
    close.focus();
  }
  function keepAlive() {
    fetch("/staff/session", { method: "POST", credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok && r.headers.get("Content-Type") === "application/json" ? r.json() : Promise.reject(r.status); })
      .then(function (d) { end = Date.now() + d.secondsLeft * 1000; if (dialog.open) { dialog.close(); } schedule(); })
      .catch(ended);
  }
  stay.addEventListener("click", keepAlive);
  close.addEventListener("click", function () { dialog.close(); });
  // Escape means "stay", as GOV.UK's warning treats it, until the end.
  dialog.addEventListener("cancel", function (e) { if (!stay.hidden) { e.preventDefault(); keepAlive(); } });
  schedule();
});
