// Playbook editor: line numbers beside the YAML, the faulty line marked, "Go to line N".
// Progressive enhancement only: the page works without it.
(function () {
  "use strict";

  function lineHeight(textarea) {
    var value = parseFloat(window.getComputedStyle(textarea).lineHeight);
    return isNaN(value) ? 20 : value;
  }

  function errorLine() {
    var box = document.getElementById("yaml-error");
    var line = box ? parseInt(box.getAttribute("data-line"), 10) : NaN;
    return isNaN(line) ? 0 : line;
  }

  function renderGutter(textarea, gutter) {
    var count = textarea.value.split("\n").length;
    var bad = errorLine();
    var parts = [];
    for (var n = 1; n <= count; n++) {
      parts.push(n === bad ? '<span class="is-error">' + n + "</span>" : "<span>" + n + "</span>");
    }
    gutter.innerHTML = parts.join("");
    gutter.scrollTop = textarea.scrollTop;
  }

  function goToLine(textarea, line) {
    var lines = textarea.value.split("\n");
    if (line < 1 || line > lines.length) return;
    var start = 0;
    for (var i = 0; i < line - 1; i++) start += lines[i].length + 1;
    textarea.focus();
    textarea.setSelectionRange(start, start + lines[line - 1].length);
    textarea.scrollTop = Math.max(0, (line - 4) * lineHeight(textarea));
  }

  function setup() {
    var textarea = document.querySelector("textarea[data-yaml-editor]");
    if (!textarea || textarea.dataset.ready) return;
    textarea.dataset.ready = "1";
    var editor = textarea.closest(".pb-editor");
    var gutter = editor && editor.querySelector(".pb-gutter");
    if (!gutter) return;
    editor.classList.add("has-gutter");
    var refresh = function () { renderGutter(textarea, gutter); };
    textarea.addEventListener("input", refresh);
    textarea.addEventListener("scroll", function () { gutter.scrollTop = textarea.scrollTop; });
    refresh();
    var bad = errorLine();
    if (bad) textarea.scrollTop = Math.max(0, (bad - 4) * lineHeight(textarea));
    var box = document.getElementById("yaml-error");
    if (box) box.scrollIntoView({ block: "nearest" });

    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest(".yaml-goto");
      if (!link) return;
      event.preventDefault();
      goToLine(textarea, parseInt(link.getAttribute("data-line"), 10));
    });
    // After "Check" swaps in a result: mark (or clear) the faulty line.
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (!event.detail || !event.detail.target || event.detail.target.id !== "yaml-check") return;
      var line = errorLine();
      if (line) {
        textarea.setAttribute("aria-invalid", "true");
        textarea.scrollTop = Math.max(0, (line - 4) * lineHeight(textarea));
      } else {
        textarea.removeAttribute("aria-invalid");
      }
      refresh();
      var result = event.detail.target.firstElementChild;
      if (result) result.scrollIntoView({ block: "nearest" });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
