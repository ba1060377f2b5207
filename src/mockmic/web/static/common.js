/* Shared by every page: JSON requests, delete with confirmation, unfinished recordings. */
(function () {
  "use strict";

  async function api(method, url, body) {
    var opts = { method: method, credentials: "same-origin", headers: {} };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    var res = await fetch(url, opts);
    var data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (!res.ok) {
      throw new Error((data && data.error) || ("The server answered " + res.status + "."));
    }
    return data;
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function level(v) { return v >= 75 ? "lvl-good" : (v >= 50 ? "lvl-ok" : "lvl-low"); }

  function clock(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  /* A delete button asks once more in place: "Really delete?" and a Cancel. */
  function armDelete(button, onDeleted) {
    button.addEventListener("click", async function () {
      if (!button.classList.contains("really")) {
        button.classList.add("really");
        button.dataset.label = button.textContent;
        button.textContent = "Really delete?";
        var cancel = el("button", { type: "button", "class": "cancel-delete" }, "Cancel");
        cancel.addEventListener("click", function () {
          button.classList.remove("really");
          button.textContent = button.dataset.label;
          cancel.remove();
          button.focus();
        });
        button.after(cancel);
        cancel.focus();
        return;
      }
      button.disabled = true;
      try {
        await api("DELETE", "/api/sessions/" + encodeURIComponent(button.dataset.id));
        onDeleted(button);
      } catch (err) {
        button.disabled = false;
        alertIn(button.parentElement, err.message);
      }
    });
  }

  function alertIn(parent, message) {
    var box = parent.querySelector(".inline-error") || el("div", { "class": "banner error inline-error", role: "alert" });
    box.textContent = message;
    parent.appendChild(box);
  }

  function armUnfinished() {
    document.querySelectorAll(".finish-recording, .discard-recording").forEach(function (b) {
      b.addEventListener("click", async function () {
        var li = b.closest("li");
        var out = li.querySelector(".result");
        var finish = b.classList.contains("finish-recording");
        li.querySelectorAll("button").forEach(function (x) { x.disabled = true; });
        out.textContent = finish ? "Analysing…" : "Discarding…";
        try {
          var data = await api("POST", "/api/recordings/" + encodeURIComponent(b.dataset.id) + (finish ? "/finish" : "/discard"));
          out.textContent = "";
          if (finish) {
            var a = el("a", { href: data.url }, "Stored: open its report");
            out.appendChild(a);
          } else {
            out.textContent = "Discarded.";
          }
        } catch (err) {
          out.textContent = err.message;
          li.querySelectorAll("button").forEach(function (x) { x.disabled = false; });
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", armUnfinished);
  window.mockmic = { api: api, el: el, level: level, clock: clock, armDelete: armDelete, alertIn: alertIn };
})();
