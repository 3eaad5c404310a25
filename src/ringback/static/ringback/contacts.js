// Contacts: "tick all on this page" for bulk actions, and tidy addresses for searches.
// Everything works without it.
(function () {
  "use strict";
  function setUp(root) {
    root.querySelectorAll("[data-select-all]").forEach(function (box) {
      if (box.dataset.ready) return;
      box.dataset.ready = "1";
      var label = box.closest("label");
      if (label) label.hidden = false;
      box.addEventListener("change", function () {
        var form = box.closest("form");
        if (!form) return;
        form.querySelectorAll('input[name="bulk-ids"]').forEach(function (pick) {
          pick.checked = box.checked;
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:afterSwap", function (event) {
    setUp(document);
    // Tell screen readers what the new results are, without reading the whole list.
    var status = document.getElementById("results-status");
    var target = event.detail && event.detail.target;
    if (status && target && target.id === "results") {
      var summary = target.querySelector(".bulk-result p, .showing, .empty p");
      status.textContent = summary ? summary.textContent.trim() : "";
    }
  });
  // A search or a preview needs no empty fields and no CSRF token in its address.
  document.addEventListener("htmx:configRequest", function (event) {
    var data = event.detail.formData;
    if (event.detail.verb !== "get" || !data || typeof data.keys !== "function") return;
    Array.from(data.keys()).forEach(function (key) {
      if (key === "csrfmiddlewaretoken" || data.getAll(key).every(function (v) { return v === ""; })) {
        data.delete(key);
      }
    });
  });
})();
