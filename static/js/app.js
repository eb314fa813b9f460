/* Behaviour every page shares, kept out of the HTML so the Content-Security-Policy can forbid inline
   script and inline style (lms/security.py):
   - a form with data-confirm asks before it is sent (delete buttons);
   - an element with data-width="42" gets that width in percent (progress bars), through the CSSOM. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  function applyWidths(root) {
    var scope = root && root.querySelectorAll ? root : document;
    if (scope.matches && scope.matches("[data-width]")) { scope.style.width = scope.dataset.width + "%"; }
    scope.querySelectorAll("[data-width]").forEach(function (el) {
      var value = parseFloat(el.dataset.width);
      if (!isNaN(value)) { el.style.width = Math.max(0, Math.min(100, value)) + "%"; }
    });
  }
  applyWidths(document);
  document.addEventListener("htmx:load", function (event) { applyWidths(event.target); });
})();
