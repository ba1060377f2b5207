/* Upload: one or more files, sent one after another, each with its progress and its report. */
(function () {
  "use strict";
  var m = window.mockmic;
  var queue = [], running = false;
  var STAGES = { queued: "Waiting…", decode: "Reading the audio", "load model": "Loading the model",
                 transcribe: "Transcribing", analyse: "Analysing", stored: "Stored" };

  function item(file) {
    var li = m.el("li");
    li.appendChild(m.el("div", { "class": "name" }, file.name));
    var bar = m.el("progress", { max: "100", value: "0", "aria-label": "Progress of " + file.name });
    var line = m.el("div", { "class": "small muted state" }, "Waiting…");
    li.appendChild(bar); li.appendChild(line);
    document.getElementById("uploads").appendChild(li);
    return { li: li, bar: bar, line: line };
  }

  function fail(ui, message) {
    ui.bar.remove();
    ui.line.className = "error";
    ui.line.textContent = message;
    ui.li.dataset.state = "failed";
  }

  function done(ui, job) {
    ui.bar.remove();
    ui.li.dataset.state = "done";
    ui.li.dataset.session = job.session_id;
    ui.line.className = "small";
    ui.line.textContent = "";
    var r = job.report;
    var scores = m.el("div", { "class": "scores" });
    r.scores.forEach(function (pair) {
      var box = m.el("div", { "class": "score" });
      box.appendChild(m.el("div", { "class": "v " + m.level(pair[1]) }, String(pair[1])));
      box.appendChild(m.el("div", { "class": "k" }, pair[0] + " / 100"));
      scores.appendChild(box);
    });
    var wrap = m.el("div", { "class": "report-card" });
    wrap.appendChild(scores);
    r.notices.forEach(function (n) { wrap.appendChild(m.el("p", { "class": "lvl-low" }, n)); });
    var link = m.el("a", { href: "/sessions/" + job.session_id, "class": "button" }, "Open the report");
    wrap.appendChild(link);
    ui.line.appendChild(wrap);
  }

  function send(file, question, ui) {
    return new Promise(function (resolve) {
      var form = new FormData();
      form.append("question", question);
      form.append("file", file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/uploads");
      xhr.upload.onprogress = function (ev) {
        if (ev.lengthComputable) {
          ui.bar.value = ev.loaded / ev.total * 30;
          ui.line.textContent = "Uploading " + Math.round(ev.loaded / ev.total * 100) + "%";
        }
      };
      xhr.onload = function () {
        var data = null;
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
        if (xhr.status !== 202 || !data) { fail(ui, (data && data.error) || "The upload failed (" + xhr.status + ")."); resolve(); return; }
        poll(data.id, ui, resolve);
      };
      xhr.onerror = function () { fail(ui, "The upload was cut off: is mockmic serve still running?"); resolve(); };
      xhr.send(form);
    });
  }

  function poll(id, ui, resolve) {
    var timer = setInterval(async function () {
      var job;
      try { job = await m.api("GET", "/api/jobs/" + encodeURIComponent(id)); } catch (err) {
        clearInterval(timer); fail(ui, err.message); resolve(); return;
      }
      if (job.state === "failed") { clearInterval(timer); fail(ui, job.error); resolve(); return; }
      if (job.state === "done") { clearInterval(timer); done(ui, job); resolve(); return; }
      var frac = job.total_s ? Math.min(1, job.done_s / job.total_s) : 0;
      var base = { decode: 30, "load model": 40, transcribe: 40, analyse: 92 }[job.stage] || 30;
      var span = job.stage === "transcribe" ? 50 : (job.stage === "decode" ? 10 : 0);
      ui.bar.value = base + span * frac;
      var label = STAGES[job.stage] || "Working";
      ui.line.textContent = label + (job.total_s && (job.stage === "transcribe" || job.stage === "decode")
        ? " · " + m.clock(job.done_s) + " of " + m.clock(job.total_s) : "") + "…";
    }, 400);
  }

  async function run() {
    if (running) return;
    running = true;
    while (queue.length) {
      var next = queue.shift();
      await send(next.file, next.question, next.ui);
    }
    running = false;
  }

  function add(files) {
    var form = document.getElementById("upload-form");
    var max = parseInt(form.dataset.maxBytes, 10);
    var question = document.getElementById("question").value.trim();
    Array.prototype.forEach.call(files, function (file) {
      var ui = item(file);
      if (file.size > max) {
        fail(ui, file.name + " is larger than " + Math.round(max / 1e6) + " MB, the most the web app takes: use `mockmic analyze` for larger files.");
        return;
      }
      queue.push({ file: file, question: question, ui: ui });
    });
    run();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var drop = document.getElementById("drop");
    var input = document.getElementById("files");
    input.addEventListener("change", function () { add(input.files); input.value = ""; });
    drop.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); input.click(); }
    });
    ["dragenter", "dragover"].forEach(function (t) {
      drop.addEventListener(t, function (ev) { ev.preventDefault(); drop.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      drop.addEventListener(t, function (ev) { ev.preventDefault(); drop.classList.remove("over"); });
    });
    drop.addEventListener("drop", function (ev) { if (ev.dataTransfer && ev.dataTransfer.files) add(ev.dataTransfer.files); });
    document.getElementById("upload-form").addEventListener("submit", function (ev) { ev.preventDefault(); });
  });
})();
