/* Test countdown: counts down the seconds the server said remain (data-remaining), so a wrong phone clock
   does not matter. At zero it sends the form; the server refuses answers after its own deadline anyway. */
(function () {
  "use strict";
  var box = document.getElementById("countdown");
  if (!box) { return; }
  var end = Date.now() + parseInt(box.getAttribute("data-remaining"), 10) * 1000;
  var sent = false;
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    box.textContent = (h ? h + ":" + pad(m) : m) + ":" + pad(s);
    if (left <= 60) { box.classList.remove("text-bg-warning"); box.classList.add("text-bg-danger"); }
    if (left === 0) {
      box.textContent = box.getAttribute("data-expired-text");
      if (!sent) {
        sent = true;
        var button = document.querySelector("[data-auto-submit]");
        if (button) { button.click(); }
      }
      return;
    }
    window.setTimeout(tick, 1000);
  }
  tick();
})();
