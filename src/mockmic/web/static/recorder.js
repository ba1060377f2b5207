/* The browser's microphone as 16 kHz mono 16-bit PCM, in chunks of about a quarter second.
 *
 * An AudioWorklet (or, where there is none, a ScriptProcessor) hands over the device's samples;
 * a windowed-sinc resampler brings them to 16 kHz (the rate every analysis stage uses) with an
 * anti-aliasing low-pass, and each chunk goes to onChunk as an ArrayBuffer, ready for the
 * WebSocket. onLevel gets the level in dBFS about 20 times a second, for the meter.
 */
(function () {
  "use strict";
  var OUT_RATE = 16000;   // Hz
  var CHUNK = 4000;       // samples: 250 ms
  var HALF = 16;          // resampler taps on each side

  function Resampler(inRate) {
    this.step = inRate / OUT_RATE;
    this.same = Math.abs(inRate - OUT_RATE) < 1;
    this.cutoff = 0.92 * Math.min(1, OUT_RATE / inRate) / 2;  // cycles per input sample
    this.buf = new Float32Array(0);
    this.pos = HALF;  // fractional index in buf of the next output sample
  }
  Resampler.prototype.push = function (x) {
    if (this.same) return x;
    var joined = new Float32Array(this.buf.length + x.length);
    joined.set(this.buf); joined.set(x, this.buf.length);
    var buf = joined, out = [], fc = this.cutoff, pos = this.pos;
    while (pos + HALF < buf.length) {
      var centre = Math.floor(pos), frac = pos - centre, acc = 0, norm = 0;
      for (var k = -HALF + 1; k <= HALF; k++) {
        var t = k - frac;
        var sinc = t === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * t) / (Math.PI * t);
        var w = 0.42 + 0.5 * Math.cos(Math.PI * t / HALF) + 0.08 * Math.cos(2 * Math.PI * t / HALF);  // Blackman
        var h = sinc * w;
        acc += buf[centre + k] * h;
        norm += h;
      }
      out.push(norm ? acc / norm : 0);
      pos += this.step;
    }
    var keep = Math.max(0, Math.floor(pos) - HALF);
    this.buf = buf.slice(keep);
    this.pos = pos - keep;
    return Float32Array.from(out);
  };

  function Mic(onChunk, onLevel) {
    this.onChunk = onChunk;
    this.onLevel = onLevel || function () {};
    this.pending = [];
    this.pendingN = 0;
    this.samplesSent = 0;
    this.levelAcc = 0; this.levelN = 0; this.peak = 0;
    this.stopped = false;
  }

  Mic.prototype.start = async function () {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw new Error("This browser cannot record here: open the page at http://127.0.0.1 (or localhost) in a current browser.");
    }
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ audio: {
        channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
    } catch (e) {
      var why = e && e.name === "NotAllowedError" ? "permission was refused: allow the microphone for this page"
        : (e && e.name === "NotFoundError" ? "no microphone was found: connect one" : (e && e.message) || "it failed");
      throw new Error("The microphone could not be opened (" + why + ").");
    }
    var Ctx = window.AudioContext || window.webkitAudioContext;
    this.ctx = new Ctx();
    if (this.ctx.state === "suspended") await this.ctx.resume();
    this.resampler = new Resampler(this.ctx.sampleRate);
    this.source = this.ctx.createMediaStreamSource(this.stream);
    this.mute = this.ctx.createGain();
    this.mute.gain.value = 0;
    this.mute.connect(this.ctx.destination);
    var self = this;
    if (this.ctx.audioWorklet && window.AudioWorkletNode) {
      await this.ctx.audioWorklet.addModule("/static/pcm-worklet.js");
      this.node = new AudioWorkletNode(this.ctx, "pcm-capture", { numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1 });
      this.node.port.onmessage = function (ev) { self._input(ev.data); };
    } else {
      this.node = this.ctx.createScriptProcessor(4096, 1, 1);
      this.node.onaudioprocess = function (ev) { self._input(ev.inputBuffer.getChannelData(0).slice(0)); };
    }
    this.source.connect(this.node);
    this.node.connect(this.mute);
    this.kind = this.node instanceof (window.AudioWorkletNode || function () {}) ? "AudioWorklet" : "ScriptProcessor";
  };

  Mic.prototype._input = function (block) {
    if (this.stopped) return;
    for (var i = 0; i < block.length; i++) {
      var v = block[i];
      this.levelAcc += v * v;
      var a = v < 0 ? -v : v;
      if (a > this.peak) this.peak = a;
    }
    this.levelN += block.length;
    if (this.levelN >= this.ctx.sampleRate / 20) {
      var rms = Math.sqrt(this.levelAcc / this.levelN);
      this.onLevel(rms > 0 ? 20 * Math.log10(rms) : -100, this.peak > 0 ? 20 * Math.log10(this.peak) : -100);
      this.levelAcc = 0; this.levelN = 0; this.peak = 0;
    }
    var out = this.resampler.push(block);
    if (out.length) {
      this.pending.push(out);
      this.pendingN += out.length;
    }
    if (this.pendingN >= CHUNK) this._flush(false);
  };

  Mic.prototype._flush = function () {
    if (!this.pendingN) return;
    var pcm = new Int16Array(this.pendingN), o = 0;
    this.pending.forEach(function (part) {
      for (var i = 0; i < part.length; i++) {
        var s = Math.max(-1, Math.min(1, part[i]));
        pcm[o++] = s < 0 ? Math.round(s * 32768) : Math.round(s * 32767);
      }
    });
    this.pending = []; this.pendingN = 0;
    this.samplesSent += pcm.length;
    this.onChunk(pcm.buffer);
  };

  /* Seconds of 16 kHz audio handed over so far. */
  Mic.prototype.seconds = function () { return (this.samplesSent + this.pendingN) / OUT_RATE; };

  Mic.prototype.stop = function () {
    if (this.stopped) return;
    this._flush(true);
    this.stopped = true;
    try { this.source.disconnect(); } catch (e) { /* already gone */ }
    try { this.node.disconnect(); } catch (e) { /* already gone */ }
    if (this.stream) this.stream.getTracks().forEach(function (t) { t.stop(); });
    if (this.ctx) this.ctx.close();
  };

  window.MockmicMic = Mic;
  window.MockmicResampler = Resampler;
})();
