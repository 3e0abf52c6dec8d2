// keepwarm workspace: ticking timers and live updates. No framework; the pages work without it.
(function () {
  "use strict";
  var body = document.body;
  // The server's clock may be simulated: tick from its "now", not the browser's.
  var serverNow = Number(body.getAttribute("data-now")) || Date.now();
  var offset = serverNow - Date.now();
  function now() { return Date.now() + offset; }

  function words(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return s + " s";
    var m = Math.floor(s / 60);
    if (m < 60) return m + " min " + String(s % 60).padStart(2, "0") + " s";
    var h = Math.floor(m / 60);
    if (h < 48) return h + " h " + (m % 60) + " min";
    return Math.floor(h / 24) + " days";
  }

  function tick() {
    var timers = document.querySelectorAll("[data-since]");
    for (var i = 0; i < timers.length; i++) {
      var el = timers[i];
      var since = Number(el.getAttribute("data-since"));
      var due = Number(el.getAttribute("data-due"));
      el.textContent = words(now() - since);
      if (due && now() > due) { el.classList.add("late"); }
    }
  }
  setInterval(tick, 1000);
  tick();

  // Regions marked data-live="URL" are redrawn from URL whenever the server says something changed.
  var regions = document.querySelectorAll("[data-live]");
  if (regions.length && window.EventSource) {
    var source = new EventSource("/live");
    var pending = false;
    source.addEventListener("changed", function () {
      if (pending) return;
      pending = true;
      setTimeout(function () {
        pending = false;
        for (var i = 0; i < regions.length; i++) { redraw(regions[i]); }
      }, 100);
    });
  }
  function redraw(region) {
    fetch(region.getAttribute("data-live"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById(region.id);
        if (fresh) { region.innerHTML = fresh.innerHTML; tick(); }
      })
      .catch(function () {});
  }
})();
