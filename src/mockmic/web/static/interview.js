/* The interview page: follows the server's interview over one WebSocket.
 *
 * The server asks ("choose" before each question, "record" for each answer); the page shows
 * the question, counts down, streams the microphone, shows the words and the report, and
 * answers with the person's choices. Space starts and stops an answer, Enter goes on.
 */
(function () {
  "use strict";
  var m = window.mockmic;
  var root, ws, mic = null;
  var state = "connecting";
  var pendingChoose = null;      // a "choose" waiting until the person has read the report
  var pendingQuestion = null;
  var recordAsk = null;          // the "record" message being answered
  var countdownTimer = null, tickTimer = null;
  var maxSeconds = 180;
  var reportShown = false, finished = false, startedAt = 0;
  var serverReady = false, queued = [];

  function $(id) { return document.getElementById(id); }
  function panels(name) {
    ["panel-choose", "panel-final", "panel-countdown", "panel-record", "panel-followup-offer"].forEach(function (p) {
      $(p).classList.toggle("hidden", p !== name);
    });
  }
  function status(text, bad) {
    var s = $("status");
    s.textContent = text || "";
    s.classList.toggle("bad", !!bad);
  }
  function busy(text) {
    var s = $("status");
    s.textContent = "";
    s.classList.remove("bad");
    s.appendChild(m.el("span", { "class": "spinner", "aria-hidden": "true" }));
    s.appendChild(document.createTextNode(text));
  }
  function send(obj) { if (ws && ws.readyState === 1) ws.send(JSON.stringify(obj)); }

  function showQuestion(q, followUp, why) {
    $("progress").textContent = "Question " + q.number + " of " + q.total;
    $("category").textContent = q.category ? q.category.replace(/_/g, " ") : "";
    $("question-text").textContent = q.text;
    $("followup-line").classList.toggle("hidden", !followUp);
    $("followup-why").textContent = why ? "because " + why : "";
    $("followup-of").classList.toggle("hidden", !followUp || !pendingQuestion);
    $("followup-of").textContent = followUp && pendingQuestion ? "Asked about your answer to: " + pendingQuestion.text : "";
  }

  // --- the server's messages ---

  var handlers = {
    start: function (msg) { maxSeconds = msg.max_seconds; status(""); },
    question: function (msg) {
      pendingQuestion = msg;
      if (!reportShown) showQuestion(msg, false);
    },
    choose: function (msg) {
      if (reportShown && msg.final) { finalPanel(msg); return; }
      if (reportShown) { pendingChoose = msg; $("panel-next").classList.remove("hidden"); $("btn-next").focus(); state = "report"; return; }
      choose(msg);
    },
    record: function (msg) {
      recordAsk = msg;
      maxSeconds = msg.max_seconds;
      if (msg.follow_up) {
        state = "followup-offer";
        panels("panel-followup-offer");
        status("The interviewer asks a follow-up. Answer it, or skip it.");
        $("btn-fu-answer").focus();
        return;
      }
      // A redo from the last panel comes straight here, with the last report still in view.
      if (pendingQuestion) showQuestion(pendingQuestion, false);
      countdown(msg.countdown_s);
    },
    follow_up: function (msg) {
      showQuestion({ number: pendingQuestion ? pendingQuestion.number : msg.number,
                     total: pendingQuestion ? pendingQuestion.total : root.dataset.total, text: msg.text,
                     category: pendingQuestion ? pendingQuestion.category : "" }, true, msg.reason);
    },
    recording: function () {
      serverReady = true;
      queued.forEach(function (b) { ws.send(b); });
      queued = [];
    },
    saved: function (msg) { $("saved").textContent = "Saved on this computer: " + m.clock(msg.seconds) + " of audio"; },
    words: function (msg) {
      var live = $("live");
      var hint = live.querySelector(".hint");
      if (hint) hint.remove();
      live.appendChild(document.createTextNode((live.textContent ? " " : "") + msg.words.map(function (w) { return w.text; }).join(" ")));
    },
    limit: function () { stop("max_seconds"); },
    stopped: function (msg) { busy("Recorded " + msg.duration_s.toFixed(1) + " s. Preparing your report…"); },
    answered: function (msg) { showReport(msg); },
    outcome: function (msg) { addOutcome(msg); },
    note: function (msg) { status(msg.message, true); },
    error: function (msg) { status(msg.message, true); },
    summary: function (msg) {
      finished = true;
      if (mic) { mic.stop(); mic = null; }
      clearInterval(tickTimer); clearInterval(countdownTimer);
      if (!msg.error) { location.href = msg.url; return; }
      // Stopped early: say why, and let the person read it before the summary.
      state = "done";
      panels("");
      status(msg.error, true);
      var box = m.el("div", { "class": "actions", id: "to-summary" });
      var link = m.el("a", { href: msg.url, "class": "button primary" }, "See the summary");
      box.appendChild(link);
      $("status").after(box);
      link.focus();
    },
  };

  function choose(msg) {
    pendingChoose = null;
    reportShown = false;
    $("report").classList.add("hidden");
    $("panel-next").classList.add("hidden");
    if (pendingQuestion && !msg.final) showQuestion(pendingQuestion, false);
    if (msg.final) {
      finalPanel(msg);
    } else {
      state = "choose";
      $("btn-retry").classList.toggle("hidden", !msg.can_retry);
      $("btn-retry").textContent = "Redo question " + (msg.number - 1);
      panels("panel-choose");
      $("btn-answer").focus();
    }
    status("");
  }

  /* After the last question: finish (the summary) or redo it; its report stays in view. */
  function finalPanel(msg) {
    pendingChoose = null;
    state = "final";
    $("panel-next").classList.add("hidden");
    $("progress").textContent = "All " + msg.total + " question" + (msg.total === 1 ? "" : "s") + " done";
    $("question-text").textContent = "That was the last question.";
    $("category").textContent = "";
    $("followup-line").classList.add("hidden");
    $("followup-of").classList.add("hidden");
    $("btn-final-retry").classList.toggle("hidden", !msg.can_retry);
    panels("panel-final");
    $("btn-finish").focus();
  }

  function answer(value) {
    if (state !== "choose" && state !== "final") return;
    state = "waiting";
    panels("");
    send({ type: "choice", value: value });
  }

  // --- countdown and recording ---

  function countdown(seconds) {
    state = "countdown";
    $("report").classList.add("hidden");
    reportShown = false;
    var left = Math.round(seconds);
    if (left <= 0) { record(); return; }
    panels("panel-countdown");
    status("");
    $("countdown").textContent = left;
    countdownTimer = setInterval(function () {
      left -= 1;
      if (left <= 0) { clearInterval(countdownTimer); record(); } else { $("countdown").textContent = left; }
    }, 1000);
  }

  async function record() {
    clearInterval(countdownTimer);
    state = "recording";
    panels("panel-record");
    $("live").textContent = "";
    $("live").appendChild(m.el("span", { "class": "hint" }, "Your words appear here as they are transcribed."));
    $("saved").textContent = "Starting the microphone…";
    $("timer").firstChild.textContent = "0:00 ";
    $("timer").querySelector(".limit").textContent = "/ " + m.clock(maxSeconds);
    $("meter-fill").style.width = "0%";
    status("");
    serverReady = false;
    queued = [];
    var first = true;
    mic = new window.MockmicMic(function (buffer) {
      if (first) { first = false; startedAt = performance.now(); status("Recording: speak now. Space or Stop ends the answer."); }
      if (serverReady) ws.send(buffer); else queued.push(buffer);
      if (mic && mic.seconds() >= maxSeconds) stop("max_seconds");
    }, function (dbfs) {
      var pct = Math.max(0, Math.min(100, (dbfs + 60) / 60 * 100));
      $("meter-fill").style.width = pct.toFixed(0) + "%";
      $("meter").setAttribute("aria-valuenow", Math.round(dbfs));
    });
    try {
      await mic.start();
    } catch (err) {
      mic = null;
      state = "mic-failed";
      panels("");
      status(err.message, true);
      offerRetry();
      return;
    }
    send({ type: "start_recording" });
    root.dataset.capture = mic.kind;
    tickTimer = setInterval(function () {
      if (!mic) return;
      $("timer").firstChild.textContent = m.clock(mic.seconds()) + " ";
    }, 200);
    $("btn-stop").focus();
  }

  function offerRetry() {
    var box = m.el("div", { "class": "actions", id: "mic-retry" });
    var again = m.el("button", { type: "button", "class": "primary" }, "Try the microphone again");
    var skip = m.el("button", { type: "button" }, "Skip this answer");
    again.addEventListener("click", function () { box.remove(); record(); });
    skip.addEventListener("click", function () { box.remove(); state = "waiting"; send({ type: "no_answer" }); });
    box.appendChild(again); box.appendChild(skip);
    $("status").after(box);
    again.focus();
  }

  function stop(reason) {
    if (state !== "recording" || !mic) return;
    state = "analysing";
    clearInterval(tickTimer);
    var secs = mic.seconds();
    mic.stop();  // the last chunk goes out before the stop message: the socket keeps order
    mic = null;
    if (!serverReady) {
      // The server has not opened the file yet: it will, and then take the queued audio.
      var wait = setInterval(function () {
        if (serverReady) { clearInterval(wait); send({ type: "stop", reason: reason }); }
      }, 50);
    } else {
      send({ type: "stop", reason: reason });
    }
    panels("");
    busy("Recorded " + secs.toFixed(1) + " s. Preparing your report…");
  }

  // --- the report ---

  function showReport(msg) {
    var r = msg.report;
    reportShown = true;
    state = "report";
    $("report").classList.remove("hidden");
    $("report-title").textContent = msg.follow_up ? "Your answer to the follow-up" : "Your answer to question " + msg.number;
    $("report-link").href = "/sessions/" + r.session_id;
    var scores = $("report-scores");
    scores.textContent = "";
    if (!r.scores.length) scores.appendChild(m.el("p", { "class": "muted" }, "No scores: nothing was said."));
    r.scores.forEach(function (pair) {
      var box = m.el("div", { "class": "score" });
      box.appendChild(m.el("div", { "class": "v " + m.level(pair[1]) }, String(pair[1])));
      box.appendChild(m.el("div", { "class": "k" }, pair[0] + " / 100"));
      scores.appendChild(box);
    });
    var star = $("report-star");
    star.textContent = "";
    if (r.star) Object.keys(r.star).forEach(function (part) {
      star.appendChild(m.el("span", { "class": r.star[part] ? "yes" : "no" },
        part.charAt(0).toUpperCase() + part.slice(1) + (r.star[part] ? " ✓" : " missing")));
    });
    var notes = $("report-notes");
    notes.textContent = "";
    r.notices.forEach(function (n) { notes.appendChild(m.el("li", { "class": "high" }, n)); });
    r.notes.forEach(function (n) {
      var li = m.el("li", { "class": n.severity });
      li.appendChild(m.el("span", { "class": "sev" }, n.severity + " · " + n.area));
      li.appendChild(document.createTextNode(n.message));
      notes.appendChild(li);
    });
    $("report-transcript").textContent = r.transcript || "(nothing was transcribed)";
    var ready = r.ready_after_stop_s;
    $("report-ready").textContent = (ready !== null && ready !== undefined ? "Ready " + ready.toFixed(1) + " s after you stopped · " : "") +
      r.duration_s.toFixed(0) + " s answer · " + r.words + " words";
    status("");
    root.dataset.lastSession = r.session_id;
    root.dataset.readyAfterStop = ready;
    $("report").scrollIntoView({ block: "nearest" });
  }

  function addOutcome(msg) {
    $("so-far").classList.remove("hidden");
    var list = $("answers");
    var existing = list.querySelector('[data-number="' + msg.number + '"]');
    var li = m.el("li", { "data-number": msg.number });
    var label = (pendingQuestion && pendingQuestion.number === msg.number ? pendingQuestion.text : "Question " + msg.number);
    li.appendChild(m.el("span", null, msg.number + ". " + label));
    var result = msg.scores && msg.scores.overall !== null ? msg.scores.overall + "/100" : msg.status.replace(/_/g, " ");
    li.appendChild(m.el("strong", null, result));
    if (existing) existing.replaceWith(li); else list.appendChild(li);
  }

  function goOn() {
    if (state !== "report" || !pendingChoose) return;
    choose(pendingChoose);
  }

  // --- keys and buttons ---

  function onKey(ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    var t = ev.target;
    var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
    if (typing) return;
    var onButton = t && (t.tagName === "BUTTON" || t.tagName === "A" || t.tagName === "SUMMARY");
    if (ev.code === "Space" || ev.key === " ") {
      if (onButton && state !== "recording" && state !== "countdown") return;  // the button's own Space
      ev.preventDefault();
      if (state === "choose") answer("answer");
      else if (state === "countdown") record();
      else if (state === "recording") stop("key");
      else if (state === "followup-offer") followUpAnswer();
      else if (state === "report" && pendingChoose) goOn();
    } else if (ev.key === "Enter") {
      if (onButton) return;  // the focused button's own Enter
      if (state === "report" && pendingChoose) { ev.preventDefault(); goOn(); }
      else if (state === "followup-offer") { ev.preventDefault(); followUpAnswer(); }
      else if (state === "final") { ev.preventDefault(); answer("quit"); }
    }
  }

  function followUpAnswer() {
    if (state !== "followup-offer" || !recordAsk) return;
    countdown(recordAsk.countdown_s);
  }

  function connect() {
    var proto = location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(proto + "//" + location.host + "/ws/interviews/" + encodeURIComponent(root.dataset.id));
    ws.binaryType = "arraybuffer";
    ws.onopen = function () { busy("Connected. Loading the first question…"); };
    ws.onmessage = function (ev) {
      var msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      var h = handlers[msg.type];
      if (h) h(msg);
    };
    ws.onclose = function () {
      if (finished) return;
      if (mic) { mic.stop(); mic = null; }
      clearInterval(tickTimer); clearInterval(countdownTimer);
      state = "closed";
      panels("");
      status("The connection to mockmic was lost. Everything recorded so far is kept on this computer: " +
             "open Practice or History to finish it.", true);
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    root = $("interview");
    $("btn-answer").addEventListener("click", function () { answer("answer"); });
    $("btn-skip").addEventListener("click", function () { answer("skip"); });
    $("btn-retry").addEventListener("click", function () { answer("retry"); });
    $("btn-quit").addEventListener("click", function () { answer("quit"); });
    $("btn-finish").addEventListener("click", function () { answer("quit"); });
    $("btn-final-retry").addEventListener("click", function () { answer("retry"); });
    $("btn-stop").addEventListener("click", function () { stop("button"); });
    $("btn-next").addEventListener("click", goOn);
    $("btn-fu-answer").addEventListener("click", followUpAnswer);
    $("btn-fu-skip").addEventListener("click", function () {
      if (state !== "followup-offer") return;
      state = "waiting"; panels(""); send({ type: "no_answer" });
    });
    document.addEventListener("keydown", onKey);
    connect();
  });
})();
