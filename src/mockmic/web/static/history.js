/* History and a session's page: compare two ticked sessions, delete with confirmation. */
(function () {
  "use strict";
  var m = window.mockmic;
  document.addEventListener("DOMContentLoaded", function () {
    var compare = document.getElementById("compare-btn");
    var picks = Array.prototype.slice.call(document.querySelectorAll("input.pick"));
    function ticked() { return picks.filter(function (p) { return p.checked; }); }
    function update() { if (compare) compare.disabled = ticked().length !== 2; }
    picks.forEach(function (p) { p.addEventListener("change", update); });
    if (compare) compare.addEventListener("click", function () {
      var t = ticked();
      if (t.length !== 2) return;
      // The table is newest first: the lower row is the earlier attempt.
      location.href = "/compare?a=" + encodeURIComponent(t[1].value) + "&b=" + encodeURIComponent(t[0].value);
    });
    document.querySelectorAll("button.delete-session").forEach(function (b) {
      m.armDelete(b, function (button) {
        if (button.dataset.then) { location.href = button.dataset.then; return; }
        var row = button.closest("tr");
        var pick = row.querySelector("input.pick");
        if (pick) picks.splice(picks.indexOf(pick), 1);
        row.remove();
        update();
      });
    });
    update();
  });
})();
