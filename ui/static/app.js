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
