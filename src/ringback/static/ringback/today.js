// Keyboard shortcuts on the Today page: j/k move between cards, 1-7 press the current card's
// buttons in order, Enter calls, ? shows the list, Esc closes. Keys typed into a field are ignored.
(function () {
  "use strict";
  var current = 0;

  function cards() {
    return Array.prototype.slice.call(document.querySelectorAll("#agenda [data-card]"));
  }

  function mark(list) {
    list.forEach(function (card, i) {
      card.classList.toggle("is-current", i === current);
      card.querySelectorAll("[data-action]").forEach(function (button, n) {
        if (n < 9) { button.setAttribute("data-key", String(n + 1)); }
      });
    });
  }

  function select(index, focus) {
    var list = cards();
    if (!list.length) { return; }
    current = Math.max(0, Math.min(index, list.length - 1));
    mark(list);
    if (focus) {
      list[current].focus({ preventScroll: true });
      list[current].scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
  }

  function typing(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function dialog() { return document.getElementById("today-shortcuts"); }

  function showHelp() {
    var d = dialog();
    if (d && !d.open && d.showModal) { d.showModal(); }
  }

  function closeExtra(extra) {
    if (!extra) { return false; }
    var card = extra.closest("[data-card]");
    extra.innerHTML = "";
    if (card) { card.focus({ preventScroll: true }); }
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var d = dialog();
    if (d && d.open) { return; }  // the dialog handles Esc itself
    if (event.key === "Escape") {
      var form = event.target.closest && event.target.closest(".card-extra");
      if (form && form.innerHTML.trim()) { event.preventDefault(); closeExtra(form); }
      return;
    }
    if (typing(event.target)) { return; }
    var list = cards();
    if (/^[jk?1-9]$/.test(event.key)) { document.body.classList.add("keys-on"); }
    if (event.key === "?") { event.preventDefault(); showHelp(); return; }
    if (!list.length) { return; }
    // Start from the card that has focus, if any.
    var focused = event.target.closest && event.target.closest("[data-card]");
    if (focused) { current = Math.max(0, list.indexOf(focused)); }
    if (event.key === "j") { event.preventDefault(); select(current + 1, true); return; }
    if (event.key === "k") { event.preventDefault(); select(current - 1, true); return; }
    var card = list[current];
    if (!card) { return; }
    if (/^[1-9]$/.test(event.key)) {
      var buttons = card.querySelectorAll("[data-action]");
      var button = buttons[Number(event.key) - 1];
      if (button && !button.disabled) { event.preventDefault(); mark(list); button.click(); }
      return;
    }
    if (event.key === "Enter" && event.target === card) {
      var dial = card.querySelector("[data-dial]");
      if (dial) { event.preventDefault(); dial.click(); }
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) { return; }
    if (target.closest("[data-shortcuts-open]")) { showHelp(); return; }
    if (target.closest("[data-shortcuts-close]")) { var d = dialog(); if (d) { d.close(); } return; }
    var close = target.closest("[data-close-extra]");
    if (close) {
      var extra = close.closest(".card-extra");
      if (extra) { event.preventDefault(); closeExtra(extra); }
      return;
    }
    var card = target.closest("#agenda [data-card]");
    if (card) { current = Math.max(0, cards().indexOf(card)); mark(cards()); }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target) { return; }
    if (target.classList && target.classList.contains("card-extra")) {
      // A form opened in a card: start typing in its first field.
      var field = target.querySelector("textarea, input:not([type=hidden])");
      if (field) { field.focus(); }
      return;
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    // The agenda was swapped: the next card now sits where the logged one was.
    if (target && target.id === "agenda") {
      select(current, !document.activeElement || document.activeElement === document.body);
    }
  });

  function say(text) {
    var status = document.getElementById("today-status");
    if (!status) { return; }
    var span = document.createElement("span");
    span.className = "status-error";
    span.textContent = text;
    status.replaceChildren(span);
  }

  // Signed out meanwhile (the session expired): go to the login page rather than swap it in.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail && event.detail.xhr;
    var url = xhr && xhr.responseURL ? new URL(xhr.responseURL) : null;
    if (url && url.pathname.endsWith("/login/")) {
      event.preventDefault();
      window.location.assign(url.pathname + "?next=" + encodeURIComponent(window.location.pathname));
    }
  });

  // A request that failed swaps nothing: say so instead of leaving the seller guessing.
  document.addEventListener("htmx:responseError", function (event) {
    var code = event.detail && event.detail.xhr ? event.detail.xhr.status : 0;
    say(code === 404
      ? "That card is gone (the contact may have been removed). Reload the page to see today's list."
      : "Something went wrong and this may not have been saved. Reload the page and check the contact's timeline.");
  });
  document.addEventListener("htmx:sendError", function () {
    say("No connection: nothing was saved. Try again when you are back online.");
  });

  document.addEventListener("DOMContentLoaded", function () { select(0, false); });
})();
