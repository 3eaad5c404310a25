// Settings: show the "another time zone" box only when "Another time zone" is chosen.
// Without JavaScript the box simply stays visible.
(function () {
  "use strict";
  function sync() {
    var select = document.getElementById("id_time_zone");
    var other = document.querySelector("[data-zone-other]");
    if (!select || !other) return;
    var input = other.querySelector("input");
    var needed = select.value === "other" || (input && input.getAttribute("aria-invalid") === "true");
    other.hidden = !needed;
    if (input) input.required = select.value === "other";
  }
  document.addEventListener("DOMContentLoaded", function () {
    sync();
    var select = document.getElementById("id_time_zone");
    if (select) {
      select.addEventListener("change", function () {
        sync();
        if (select.value === "other") {
          var input = document.getElementById("id_time_zone_other");
          if (input) input.focus();
        }
      });
    }
  });
})();

// Calendar: "Copy the URL" (shown only where the clipboard can be written) and the URL field
// selected whole when focused, so that a long press or Ctrl+C takes all of it.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-select-all]").forEach(function (input) {
      input.addEventListener("focus", function () { input.select(); });
    });
    if (!navigator.clipboard || !window.isSecureContext) return;
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var input = document.getElementById(button.getAttribute("data-copy"));
      if (!input) return;
      var label = button.textContent;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(input.value).then(function () {
          button.textContent = "Copied";
          window.setTimeout(function () { button.textContent = label; }, 2000);
        }, function () {
          input.focus();
          input.select();
          button.textContent = "Selected: copy it yourself";
        });
      });
    });
  });
})();
