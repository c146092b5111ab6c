import { LATENCY_MARKER } from '@flowcast/core';

/**
 * Page-side JavaScript that listens to a media element through Web Audio for producer-test's
 * latency markers (see core's LATENCY_MARKER) and collects how far behind the wall clock each
 * one is heard: `window.markerDelays` (seconds). The element must be CORS-readable
 * (crossorigin, or MSE as hls.js uses) and not muted.
 */
export function markerListenerScript(elementId: string): string {
  return `
window.markerDelays = [];
(() => {
  const element = document.getElementById(${JSON.stringify(elementId)});
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 2048;
  context.createMediaElementSource(element).connect(analyser);
  analyser.connect(context.destination);
  element.addEventListener('play', () => context.resume());
  const samples = new Float32Array(analyser.fftSize);
  const base = ${LATENCY_MARKER.baseHz}, step = ${LATENCY_MARKER.stepHz}, cycle = ${LATENCY_MARKER.cycle};
  let quietSince = Date.now();
  let busy = false;
  setInterval(() => {
    if (busy) return;
    analyser.getFloatTimeDomainData(samples);
    const recent = Math.round(context.sampleRate * 0.01);
    let peak = 0;
    for (let i = samples.length - recent; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]));
    const now = Date.now();
    if (peak < 0.05) { quietSince = Math.min(quietSince, now); return; }
    if (now - quietSince < 500) { quietSince = Infinity; return; }
    // An onset after half a second of silence: read the tone 50 ms later for its pitch.
    busy = true;
    const heardAt = now;
    setTimeout(() => {
      analyser.getFloatTimeDomainData(samples);
      const length = Math.round(context.sampleRate * 0.04);
      let crossings = 0;
      for (let i = samples.length - length + 1; i < samples.length; i++) if ((samples[i] >= 0) !== (samples[i - 1] >= 0)) crossings++;
      const frequency = crossings / 2 / 0.04;
      const slot = Math.round((frequency - base) / step);
      if (slot >= 0 && slot < cycle && Math.abs(frequency - (base + step * slot)) < step / 3) {
        let second = Math.floor(heardAt / 1000);
        while (second % cycle !== slot) second--;
        window.markerDelays.push((heardAt - second * 1000) / 1000);
      }
      quietSince = Infinity;
      busy = false;
    }, 50);
  }, 5);
})();`;
}
