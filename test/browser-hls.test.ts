/**
 * A viewer on HLS in a browser without native HLS: headless Chromium loads hls.js (from npm,
 * served with the page) and plays the master playlist of a flow with two H.264 renditions and
 * AAC, counting the frames it decodes (getVideoPlaybackQuality) and presents
 * (requestVideoFrameCallback) while its clock advances, and how far behind live it hears
 * producer-test's wall-clock markers (Web Audio).
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
const FRAMERATE = 15;
const HLS_JS = require.resolve('hls.js/dist/hls.min.js');

interface ViewerReport {
  error?: number | string;
  supported?: boolean;
  timeout?: boolean;
  width?: number;
  height?: number;
  advancedS?: number;
  decoded?: number;
  presented?: number;
  firstFrameMs?: number;
  /** How far behind the wall clock each latency marker was heard, in seconds. */
  markerDelays?: number[];
  /** When each white flash of the marker was due on screen (ms since the epoch). */
  flashTimes?: number[];
}

/** The page: hls.js plays the master playlist muted (autoplay), then reports over PLAY_MS. */
function viewerPage(masterUrl: string): string {
  return `<!doctype html><meta charset="utf-8"><title>hls viewer</title>
<video id="v" autoplay playsinline></video>
<script src="/hls.js"></script>
<script>${markerListenerScript('v')}${flashListenerScript('v')}</script>
<script>
const opened = performance.now();
const video = document.getElementById('v');
const send = (report) => fetch('/report', { method: 'POST', body: JSON.stringify(report) });
if (!Hls.isSupported()) send({ supported: false });
const hls = new Hls({ lowLatencyMode: false });
hls.on(Hls.Events.ERROR, (event, data) => { if (data.fatal) send({ error: data.type + ': ' + data.details }); });
hls.loadSource('${masterUrl}');
hls.attachMedia(video);
let presented = 0;
let firstFrameMs;
const onFrame = (now) => {
  presented++;
  if (firstFrameMs === undefined) firstFrameMs = Math.round(now - opened);
  video.requestVideoFrameCallback(onFrame);
};
video.requestVideoFrameCallback(onFrame);
video.addEventListener('playing', () => {
  const start = { time: video.currentTime, decoded: video.getVideoPlaybackQuality().totalVideoFrames, presented };
  setTimeout(() => {
    const quality = video.getVideoPlaybackQuality();
    send({
      supported: true,
      width: video.videoWidth, height: video.videoHeight,
      advancedS: video.currentTime - start.time,
      decoded: quality.totalVideoFrames - start.decoded,
      presented: presented - start.presented,
      firstFrameMs,
      markerDelays: window.markerDelays,
      flashTimes: window.flashTimes,
    });
  }, ${PLAY_MS});
}, { once: true });
setTimeout(() => send({ timeout: true }), 40000);
</script>`;
}


test('Chromium plays live HLS (two H.264 renditions and AAC) through hls.js: its clock advances, frames are decoded and presented, and the latency markers are heard', { timeout: 120_000 }, async () => {
  requireChromium();

  const port = await freePort();
  const flow = await startFlow(
    writeFlow(`name: hls-browser
components:
  card:
    type: producer-test
    properties: { pattern: ball, width: 320, height: 240, framerate: ${FRAMERATE}, marker: true }
  high:
    type: encoder-h264
    eats: card:video
    properties: { bitrate: 300000, speed: ultrafast, framerate: ${FRAMERATE}, keyframe-interval: 1 }
  low:
    type: encoder-h264
    eats: card:video
    properties: { bitrate: 100000, width: 160, speed: ultrafast, framerate: ${FRAMERATE}, keyframe-interval: 1 }
  aac:
    type: encoder-aac
    eats: card:audio
  hls:
    type: streamer-hls
    eats: { video: [high, low], audio: aac }
    properties: { mount: /tv, port: ${port}, bind-address: 127.0.0.1, segment-duration: 1, playlist-length: 4 }
`),
    { cwd: REPO },
  );
  const master = `http://127.0.0.1:${port}/tv/index.m3u8`;
  // hls.js gives up on a master playlist that is not there yet: wait for the first segments.
  const until = Date.now() + 30_000;
  while ((await fetch(master)).status !== 200) {
    assert.ok(Date.now() < until, 'no master playlist in 30 s');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const page = await serveReportingPage<ViewerReport>(viewerPage(master), { '/hls.js': { type: 'text/javascript', body: fs.readFileSync(HLS_JS) } });
  const browser = launchChromium(page.url);
  try {
    const report = await page.report;
    const shown = JSON.stringify(report);
    assert.ok(report.supported !== false, `hls.js finds no Media Source Extensions for H.264 in this Chromium: ${shown}`);
    assert.ok(!report.timeout && report.error === undefined, `the video did not play: ${shown}`);
    assert.ok([320, 160].includes(report.width ?? 0), shown);
    const seconds = PLAY_MS / 1000;
    // Playing live, the clock advances with the wall clock but for short stalls at the live edge
    // (more of them on a loaded machine), and the frames of the time played are decoded and shown.
    const advanced = report.advancedS ?? 0;
    assert.ok(advanced >= seconds * 0.6, `the video clock advanced ${advanced} s in ${seconds} s: ${shown}`);
    assert.ok((report.decoded ?? 0) >= FRAMERATE * advanced * 0.8, `decoded ${report.decoded} frames in ${advanced} s of video: ${shown}`);
    assert.ok((report.presented ?? 0) >= FRAMERATE * advanced * 0.6, `presented ${report.presented} frames in ${advanced} s of video: ${shown}`);
    // Glass-to-ear: the producer's wall-clock markers, heard through Web Audio in the page.
    assert.ok((report.markerDelays?.length ?? 0) >= 2, `markers heard: ${shown}`);
    for (const delay of report.markerDelays!) assert.ok(delay > 0 && delay < 8, `a marker heard ${delay} s after its second: ${shown}`);
    // The picture flashes white each second: seen on screen at one-second steps.
    const flashes = report.flashTimes ?? [];
    assert.ok(flashes.length >= 2, `white flashes seen: ${shown}`);
    for (const gap of flashes.slice(1).map((t, i) => t - flashes[i]!)) assert.ok(gap > 700 && gap < 1300, `flashes ${gap} ms apart: ${shown}`);
    console.log(`# seen ${flashDelays(flashes, report.markerDelays!).join(', ')} s behind live (heard ${report.markerDelays!.join(', ')} s)`);
    console.log(`# hls.js viewer: ${shown}`);
  } finally {
    await browser.stop();
    page.close();
    assert.equal(await flow.stop(), 0);
  }
});
