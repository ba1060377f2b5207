/* Runs on the audio thread: hands each block of microphone samples (mono) to the page. */
class PcmCapture extends AudioWorkletProcessor {
  process(inputs) {
    var input = inputs[0];
    if (input && input.length) {
      var ch = input[0];
      if (input.length > 1) {
        var mix = new Float32Array(ch.length);
        for (var c = 0; c < input.length; c++) for (var i = 0; i < ch.length; i++) mix[i] += input[c][i] / input.length;
        ch = mix;
      } else {
        ch = ch.slice(0);
      }
      this.port.postMessage(ch, [ch.buffer]);
    }
    return true;
  }
}
registerProcessor("pcm-capture", PcmCapture);
