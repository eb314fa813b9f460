/* Course module page: a file or link is marked done when it is opened; show the new progress once it has been. */
(function () {
  "use strict";
  document.querySelectorAll("[data-refresh-after-open]").forEach(function (link) {
    link.addEventListener("click", function () { window.setTimeout(function () { window.location.reload(); }, 1500); });
  });
  window.addEventListener("pageshow", function (e) { if (e.persisted) { window.location.reload(); } });
})();
