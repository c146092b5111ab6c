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

/**
 * Page-side JavaScript that watches a video element's frames (requestVideoFrameCallback, drawn
 * small on a canvas) for the marker's white flash and collects the wall-clock time each flash was
 * due on screen: `window.flashTimes` (ms since the epoch). The element must be CORS-readable.
 */
export function flashListenerScript(elementId: string): string {
  return `
window.flashTimes = [];
(() => {
  const video = document.getElementById(${JSON.stringify(elementId)});
  const canvas = document.createElement('canvas');
  canvas.width = 16;
  canvas.height = 9;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  let darkSince = Infinity;
  const onFrame = (now, metadata) => {
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let sum = 0;
    for (let i = 0; i < pixels.length; i += 4) sum += (pixels[i] + pixels[i + 1] + pixels[i + 2]) / 3;
    const white = sum / (pixels.length / 4) > 235;
    const shownAt = performance.timeOrigin + metadata.expectedDisplayTime;
    if (!white) darkSince = Math.min(darkSince, shownAt);
    else {
      if (shownAt - darkSince > 500) window.flashTimes.push(shownAt);
      darkSince = Infinity;
    }
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
})();`;
}

/**
 * How far behind live each flash was seen, given how far behind the tones were heard: a flash
 * tells its delay only modulo a second (every flash looks the same), so it is taken as the delay
 * nearest the tones' median, which holds while sound and picture are within half a second.
 */
export function flashDelays(flashTimes: readonly number[], toneDelays: readonly number[]): number[] {
  const sorted = [...toneDelays].sort((a, b) => a - b);
  const audio = sorted[Math.floor(sorted.length / 2)]!;
  return flashTimes.map((t) => {
    const fraction = (t / 1000) % 1;
    let offset = fraction - (audio % 1);
    if (offset >= 0.5) offset -= 1;
    if (offset < -0.5) offset += 1;
    return Math.round((audio + offset) * 1000) / 1000;
  });
}
