// The voicemail timer on Today's call cards (R2: a voicemail lasts 20-40 seconds). One tap starts
// a bar that fills over 40 seconds with the seconds shown: grey before 20 s, green from 20 to 40 s,
// red after; another tap stops it (the length stays shown), the next starts again from 0. One
// timer runs at a time. Widths are set through the CSSOM, which the strict CSP allows.
(function () {
  "use strict";
  var BAND = 20, FULL = 40, LIMIT = 120;
  var running = null;  // {root, started, interval}

  function part(root, name) { return root.querySelector("[data-vm-timer-" + name + "]"); }

  function phase(seconds) { return seconds > FULL ? "over" : seconds >= BAND ? "band" : "short"; }

  var STATUS = {
    short: "Keep going: aim for 20–40 seconds.",
    band: "In the band: 20–40 seconds.",
    over: "Over 40 seconds: wrap up with your number."
  };

  function show(root, seconds) {
    var now = phase(seconds);
    part(root, "seconds").textContent = String(seconds);
    part(root, "fill").style.width = Math.min(100, seconds / FULL * 100) + "%";
    root.classList.toggle("is-band", now === "band");
    root.classList.toggle("is-over", now === "over");
    if (root.getAttribute("data-phase") !== now) {
      root.setAttribute("data-phase", now);
      part(root, "status").textContent = STATUS[now];  // announced once per change, not every second
    }
  }

  function stop(done) {
    if (!running) { return; }
    var timer = running;
    running = null;
    window.clearInterval(timer.interval);
    var root = timer.root;
    var toggle = part(root, "toggle");
    root.classList.remove("is-running");
    if (toggle) { toggle.setAttribute("aria-pressed", "false"); toggle.textContent = "Time it again"; }
    if (done && root.isConnected) {
      var seconds = Number(part(root, "seconds").textContent);
      var verdict = phase(seconds) === "band" ? "right in the band." :
        phase(seconds) === "over" ? "over 40: try it shorter." : "under 20: say a little more.";
      part(root, "status").textContent = "Stopped at " + seconds + " seconds, " + verdict;
    }
  }

  function tick() {
    if (!running) { return; }
    if (!running.root.isConnected) { stop(false); return; }  // the card was logged and swapped out
    var seconds = Math.floor((Date.now() - running.started) / 1000);
    show(running.root, Math.min(seconds, LIMIT));
    if (seconds >= LIMIT) { stop(true); }
  }

  function start(root) {
    stop(true);
    var toggle = part(root, "toggle");
    root.removeAttribute("data-phase");
    show(root, 0);
    root.classList.add("is-running");
    toggle.setAttribute("aria-pressed", "true");
    toggle.textContent = "Stop timer";
    running = { root: root, started: Date.now(), interval: window.setInterval(tick, 250) };
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("[data-vm-timer-toggle]");
    if (!toggle) { return; }
    var root = toggle.closest("[data-vm-timer]");
    if (!root) { return; }
    event.preventDefault();
    if (running && running.root === root) { stop(true); } else { start(root); }
  });
})();
