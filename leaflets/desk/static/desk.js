// Clinic desk: small improvements over the server-rendered forms, which work without
// this script. Filters the leaflet list while the user types, and moves focus to the
// list of errors when a form comes back with some.
"use strict";
(function () {
  function filterLeaflets() {
    var box = document.getElementById("q");
    var list = document.getElementById("leaflet-list");
    var count = document.getElementById("leaflet-count");
    if (!box || !list || !count) { return; }
    var update = function () {
      var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      list.querySelectorAll("li").forEach(function (item) {
        var text = item.getAttribute("data-search") || "";
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        item.hidden = !match;
        if (match) { shown += 1; }
      });
      count.textContent = shown + (shown === 1 ? " leaflet matches" : " leaflets match") +
        (words.length ? " \u201c" + box.value.trim() + "\u201d." : ".");
    };
    box.addEventListener("input", update);
  }
  function focusErrors() {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    filterLeaflets();
    focusErrors();
  });
}());
