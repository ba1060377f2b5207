/* The practice form: which questions, then start the interview. */
(function () {
  "use strict";
  var m = window.mockmic;
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("setup");
    var error = document.getElementById("setup-error");
    function mode() { return form.querySelector("input[name=mode]:checked").value; }
    function show() {
      form.querySelectorAll("[data-mode]").forEach(function (d) { d.classList.toggle("hidden", d.dataset.mode !== mode()); });
    }
    form.querySelectorAll("input[name=mode]").forEach(function (r) { r.addEventListener("change", show); });
    show();
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      error.classList.add("hidden");
      var body = {
        follow_ups: document.getElementById("follow_ups").checked,
        max_seconds: parseFloat(document.getElementById("max_seconds").value) || 180,
        countdown_s: parseFloat(document.getElementById("countdown_s").value),
      };
      if (isNaN(body.countdown_s)) body.countdown_s = 3;
      if (mode() === "bank") {
        body.category = document.getElementById("category").value;
        var count = parseInt(document.getElementById("count").value, 10);
        body.count = isNaN(count) ? null : count;
      } else if (mode() === "pick") {
        body.ids = Array.prototype.map.call(form.querySelectorAll("input[name=ids]:checked"), function (c) { return c.value; });
        if (!body.ids.length) { error.textContent = "Tick at least one question."; error.classList.remove("hidden"); return; }
      } else {
        body.own = document.getElementById("own").value;
        if (!body.own.trim()) { error.textContent = "Write at least one question, one a line."; error.classList.remove("hidden"); return; }
      }
      var start = document.getElementById("start");
      start.disabled = true;
      try {
        var data = await m.api("POST", "/api/interviews", body);
        location.href = data.url;
      } catch (err) {
        error.textContent = err.message;
        error.classList.remove("hidden");
        start.disabled = false;
      }
    });
  });
})();
