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
