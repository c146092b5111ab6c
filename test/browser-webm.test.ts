/**
 * A viewer in a browser: headless Chromium opens a page with a <video> element on the live WebM
 * test card (flows/test-card.yaml as shipped, on a free port) and counts the frames it decodes
 * (getVideoPlaybackQuality) and presents (requestVideoFrameCallback) while its clock advances,
 * and how far behind live it hears producer-test's wall-clock markers (Web Audio).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { freePort, startFlow, writeFlow } from '@flowcast/core/testing';
import { launchChromium, requireChromium, serveReportingPage } from './support/headless-chromium';
import { flashDelays, flashListenerScript, markerListenerScript } from './support/marker-listener';

const REPO = path.join(__dirname, '..', '..');
const PLAY_MS = 4000;
/** Windows of PLAY_MS the page may try before it reports one in which the video stalled. */
const WINDOWS = 3;
const FRAMERATE = 25;

interface ViewerReport {
  error?: number;
  timeout?: boolean;
  width?: number;
  height?: number;
  advancedS?: number;
  decoded?: number;
  presented?: number;
  firstFrameMs?: number;
  /** How far behind the wall clock each latency marker was heard, in seconds. */
  markerDelays?: number[];
  /** When each white flash of the marker was due on screen (ms since the epoch), in the reported window. */
  flashTimes?: number[];
  /** How far the clock advanced in the windows before the reported one, in which it stalled. */
  stalledWindows?: number[];
}

/** The page: plays the stream muted (autoplay), then reports what it decoded and showed over PLAY_MS. */
function viewerPage(streamUrl: string): string {
  return `<!doctype html><meta charset="utf-8"><title>viewer</title>
<video id="v" crossorigin="anonymous" autoplay playsinline src="${streamUrl}"></video>
<script>${markerListenerScript('v')}${flashListenerScript('v')}</script>
<script>
const opened = performance.now();
const video = document.getElementById('v');
const send = (report) => fetch('/report', { method: 'POST', body: JSON.stringify(report) });
let presented = 0;
let firstFrameMs;
const onFrame = (now) => {
  presented++;
  if (firstFrameMs === undefined) firstFrameMs = Math.round(now - opened);
  video.requestVideoFrameCallback(onFrame);
};
video.requestVideoFrameCallback(onFrame);
video.addEventListener('error', () => send({ error: video.error.code }));
// Chromium's progressive player sometimes stalls for seconds on a live stream and then catches up
// (GStreamer's player and hls.js do not): a window in which it stalled is followed by another, up
// to ${WINDOWS}, and the first one in which it played is reported, with the stalled ones before it.
const stalled = [];
video.addEventListener('playing', () => {
  const measure = () => {
    const start = { time: video.currentTime, decoded: video.getVideoPlaybackQuality().totalVideoFrames, presented, at: Date.now() };
    setTimeout(() => {
      const quality = video.getVideoPlaybackQuality();
      const advancedS = video.currentTime - start.time;
      if (advancedS < ${(PLAY_MS / 1000) * 0.6} && stalled.length < ${WINDOWS - 1}) {
        stalled.push(advancedS);
        measure();
        return;
      }
      send({
        width: video.videoWidth, height: video.videoHeight,
        advancedS,
        decoded: quality.totalVideoFrames - start.decoded,
        presented: presented - start.presented,
        firstFrameMs,
        markerDelays: window.markerDelays,
        flashTimes: (window.flashTimes || []).filter((t) => t >= start.at && t <= Date.now()),
        stalledWindows: stalled,
      });
    }, ${PLAY_MS});
  };
  measure();
}, { once: true });
setTimeout(() => send({ timeout: true }), 45000);
</script>`;
}


test('Chromium plays the live WebM test card: its clock advances, it decodes and presents new frames, and hears the latency markers', { timeout: 90_000 }, async () => {
  requireChromium();

  const port = await freePort();
  const shipped = fs.readFileSync(path.join(REPO, 'flows', 'test-card.yaml'), 'utf8');
  assert.match(shipped, /port: 8802/);
  // As shipped, with the latency marker instead of the steady tone.
  const withMarker = shipped.replace('port: 8802', `port: ${port}, bind-address: 127.0.0.1`).replace('properties: { pattern: smpte,', 'properties: { marker: true, pattern: smpte,');
  assert.match(withMarker, /marker: true/);
  const flow = await startFlow(writeFlow(withMarker), { cwd: REPO });
  const page = await serveReportingPage<ViewerReport>(viewerPage(`http://127.0.0.1:${port}/card.webm`));
  const browser = launchChromium(page.url);
  try {
    const report = await page.report;
    const shown = JSON.stringify(report);
    assert.ok(!report.timeout && report.error === undefined, `the video did not play: ${shown}`);
    assert.deepEqual([report.width, report.height], [640, 360], shown);
    const seconds = PLAY_MS / 1000;
    // Playing live, the clock advances with the wall clock but for short stalls at the live edge
    // (more of them on a loaded machine), and the frames of the time played are decoded and shown.
    const advanced = report.advancedS ?? 0;
    assert.ok(advanced >= seconds * 0.6, `the video clock advanced ${advanced} s in ${seconds} s: ${shown}`);
    assert.ok((report.decoded ?? 0) >= FRAMERATE * advanced * 0.8, `decoded ${report.decoded} frames in ${advanced} s of video: ${shown}`);
    assert.ok((report.presented ?? 0) >= FRAMERATE * advanced * 0.6, `presented ${report.presented} frames in ${advanced} s of video: ${shown}`);
    // Glass-to-ear: the producer's wall-clock markers, heard through Web Audio in the page.
    assert.ok((report.markerDelays?.length ?? 0) >= 2, `markers heard: ${shown}`);
    // Heard live: after its second, and at most as late as a few of Chromium's stalls put it
    // (each can cost it seconds it does not make up; `flowcast latency` measures the stream itself).
    for (const delay of report.markerDelays!) assert.ok(delay > 0 && delay < 15, `a marker heard ${delay} s after its second: ${shown}`);
    // The picture flashes white each second: seen on screen about a second apart. Chromium's
    // progressive player stalls for a few hundred ms at a time on this live stream (the tones are
    // heard later and later too, while GStreamer's player and hls.js keep a steady delay), so a gap
    // may stretch by that much, and a 100 ms flash can fall in frames it drops (a gap of two seconds).
    const flashes = report.flashTimes ?? [];
    assert.ok(flashes.length >= 2, `white flashes seen: ${shown}`);
    for (const gap of flashes.slice(1).map((t, i) => t - flashes[i]!)) assert.ok(gap > 700 && gap < 2700, `flashes ${gap} ms apart: ${shown}`);
    console.log(`# seen ${flashDelays(flashes, report.markerDelays!).join(', ')} s behind live (heard ${report.markerDelays!.join(', ')} s)`);
    if (report.stalledWindows?.length) console.log(`# Chromium stalled first: its clock advanced ${report.stalledWindows.join(', ')} s in ${seconds} s window(s) before this one`);
    console.log(`# viewer: ${shown}`);
  } finally {
    await browser.stop();
    page.close();
    assert.equal(await flow.stop(), 0);
  }
});
