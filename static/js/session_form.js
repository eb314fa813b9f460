/* Session form: suggests the JP (jam pelajaran) from the start and end typed (data on #jp-hint). */
(function () {
  "use strict";
  var start = document.getElementById("starts_at"), end = document.getElementById("ends_at");
  var hint = document.getElementById("jp-hint");
  if (!start || !end || !hint) { return; }
  var perJp = parseInt(hint.dataset.jpMinutes, 10) || 45;
  function update() {
    if (!start.value || !end.value) { return; }
    var minutes = Math.round((new Date(end.value) - new Date(start.value)) / 60000);
    if (!(minutes > 0)) { hint.textContent = ""; return; }
    hint.textContent = hint.dataset.template.replace("__M__", minutes).replace("__JP__", Math.floor(minutes / perJp));
  }
  start.addEventListener("change", update);
  end.addEventListener("change", update);
})();
