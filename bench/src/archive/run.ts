/**
 * The archive's targets (issue 14), at a scale set by ARCHIVE_BENCH=quick|full (quick by default):
 *   1. kill -9 of a recording `flowcast run` at random moments, then restart: does each interrupted
 *      file play, how much was lost, and does `flowcast archive check` report it closed?
 *   2. a simulated day with rotate-time 3600 (real encoded pages, wall-clock times given): files,
 *      their start against the hour, gap and overlap in pages;
 *   3. listen-again: start precision over random starts in real recordings, and a 3-hour request
 *      across files of the simulated day, decoded whole;
 *   4. listing a catalog of 10,000 recordings (time to answer index.json);
 *   5. on-demand listeners reading a recording at the stream rate, and one fast download, with
 *      Flowcast's archive-http and with nginx (installed with apt-get when missing) serving the
 *      same file: CPU seconds, peak RSS, throughput.
 * Writes bench/ARCHIVE-RESULTS.md.   Run: npx tsc -b && node bench/dist/src/archive/run.js
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { CATALOG_FILE, granuleRate, jsonLine, OGG_HEADER_BOS, pageAt, readCatalog, readFileIndex, scanOggFile, BufferFlag, type Logger } from '@flowcast/core';
import { freePort, runCli, startFlow, writeFlow, type RunningFlow } from '@flowcast/core/testing';
import { Recorder } from '@flowcast/recorder-disk/dist/src/recorder';
import { spawn } from 'node:child_process';
import { cpuSeconds, rssBytes } from '../proc';
import { ensureNginx, startNginx } from './nginx';
import { sendQueues, type SendQueues } from './send-queues';
import { shortRequests } from './short-requests';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');
const FULL = process.env.ARCHIVE_BENCH === 'full';
const KILLS = FULL ? 20 : 4;
const LISTEN_STARTS = FULL ? 200 : 30;
const LISTING_SIZE = 10_000;
const DOWNLOAD_MB = Number(process.env.ARCHIVE_DOWNLOAD_MB) || (FULL ? 512 : 256);
const LISTENERS = Number(process.env.ARCHIVE_LISTENERS) || (FULL ? 5000 : 200);
/** Rounds of the serving comparison, the two servers taking turns (the machine is shared: ratios come from the same round). */
const ROUNDS = Number(process.env.ARCHIVE_ROUNDS) || 2;
/** How long the downloads wait after the listeners have gone. */
const DOWNLOAD_SETTLE_MS = 3000;
/** Fast downloads per server and round (the median counts). */
const DOWNLOADS = 5;
/** Short requests per server and round (a 4 KiB range each, one per connection), SHORT_CONCURRENCY at a time, after as many to warm up (enough CPU to read in /proc's 10 ms ticks). */
const SHORT_REQUESTS = FULL ? 20_000 : 10_000;
const SHORT_CONCURRENCY = 100;
/** Which parts run: all by default, or a comma-separated list of kills,day,listen,listing,requests,serve. */
const PARTS = new Set((process.env.ARCHIVE_PARTS ?? 'kills,day,listen,listing,requests,serve').split(','));
const LISTEN_SECONDS = Number(process.env.ARCHIVE_SECONDS) || (FULL ? 60 : 10);
/** 128 kbit/s. */
const STREAM_RATE = 16_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
const lines: string[] = [];
const say = (line: string): void => {
  console.log(line);
  lines.push(line);
};

function tempDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `archive-bench-${name}-`));
}

function recordingFlow(directory: string, extra = ''): string {
  return writeFlow(`name: bench-recording
components:
  tone: { type: producer-test }
  enc: { type: encoder-vorbis, eats: tone }
  mux: { type: muxer-ogg, eats: enc }
  rec:
    type: recorder-disk
    eats: mux
    properties: { directory: ${JSON.stringify(directory)}, rotate-time: 3600 }
${extra}`);
}

function decodesOk(file: string): boolean {
  try {
    execFileSync('gst-launch-1.0', ['-q', 'filesrc', `location=${file}`, '!', 'oggdemux', '!', 'vorbisdec', '!', 'fakesink'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

function ffprobeSeconds(file: string): number {
  return Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { encoding: 'utf8' }).trim());
}

async function kills(directory: string): Promise<void> {
  const flowFile = recordingFlow(directory);
  const killed: { file: string; at: number }[] = [];
  for (let i = 0; i < KILLS; i++) {
    const flow = await startFlow(flowFile, { cwd: REPO });
    await sleep(1000 + Math.random() * 3000);
    const open = readCatalog(directory).recordings.filter((r) => !r.closed).at(-1);
    const at = Date.now();
    flow.process.kill('SIGKILL');
    await flow.exited;
    if (open) killed.push({ file: open.file, at });
  }
  const last = await startFlow(flowFile, { cwd: REPO });
  await sleep(1000);
  await last.stop();
  const check = await runCli(['archive', 'check', directory], { cwd: REPO });
  const catalog = readCatalog(directory).recordings;
  let plays = 0;
  let closed = 0;
  const lost: number[] = [];
  const durationGap: number[] = [];
  for (const k of killed) {
    const r = catalog.find((x) => x.file === k.file);
    if (r?.closed && r.reason === 'interrupted') closed++;
    const file = path.join(directory, k.file);
    if (decodesOk(file)) plays++;
    const lastSync = readFileIndex(directory, k.file).syncs.at(-1);
    if (lastSync) lost.push(k.at - lastSync.w);
    if (r) durationGap.push((k.at - r.start) / 1000 - ffprobeSeconds(file));
  }
  say(`| kill -9 at ${KILLS} random moments | ${plays}/${killed.length} interrupted files play (GStreamer); ${closed}/${killed.length} closed as interrupted after restart; \`archive check\` exit ${check.code}: ${/\d+ recordings, \d+ closed[^\n]*/.exec(check.stdout)?.[0] ?? '?'} | last page arrived ${Math.max(...lost)} ms (max), ${Math.round(lost.reduce((a, b) => a + b, 0) / lost.length)} ms (mean) before the kill; played duration short of the wall time recorded by ${Math.max(...durationGap).toFixed(2)} s at most |`);
}

/** Real Vorbis pages from GStreamer, with their stream times. */
function encodedPages(seconds: number): { headers: Buffer[]; pages: { bytes: Buffer; pts: number }[] } {
  const file = path.join(tempDir('encode'), 'tone.ogg');
  execFileSync('gst-launch-1.0', ['-q', 'audiotestsrc', `num-buffers=${Math.ceil((seconds * 44100) / 1024)}`, '!', 'audio/x-raw,rate=44100,channels=2', '!', 'vorbisenc', '!', 'oggmux', '!', 'filesink', `location=${file}`]);
  const headers: Buffer[] = [];
  const pages: { bytes: Buffer; pts: number }[] = [];
  let granule = 0n;
  scanOggFile(file, (page) => {
    if ((page.headerType & OGG_HEADER_BOS) !== 0 || (page.granule === 0n && pages.length === 0)) headers.push(Buffer.from(page.bytes));
    else {
      pages.push({ bytes: Buffer.from(page.bytes), pts: Number((granule * 1000n) / 44100n) });
      if (page.granule > 0n) granule = page.granule;
    }
  });
  return { headers, pages };
}

async function simulatedDay(directory: string): Promise<void> {
  const stream = encodedPages(240);
  const recorder = new Recorder({ directory, template: '%Y-%m-%d_%H-%M-%S', zone: 'utc', rotateEveryMs: 3_600_000, rotateSize: 0, syncIntervalMs: 1000, retryAfterMs: 10_000 }, quiet, true);
  recorder.setFormat('application/ogg', stream.headers);
  for (const h of stream.headers) recorder.push(h, BufferFlag.header, -1, 0);
  const t0 = Date.UTC(2026, 11, 1) - 60_000;
  const step = (24 * 3_600_000 + 120_000) / stream.pages.length;
  stream.pages.forEach((p, i) => {
    recorder.push(p.bytes, 0, p.pts, t0 + i * step);
    recorder.flush();
  });
  await recorder.close(t0 + stream.pages.length * step);
  const recordings = readCatalog(directory).recordings;
  const offsets = recordings.slice(1).map((r) => r.start - Math.floor(r.start / 3_600_000) * 3_600_000);
  let gaps = 0;
  let overlaps = 0;
  let previous: number | undefined;
  for (const r of recordings) {
    let first = true;
    scanOggFile(path.join(directory, r.file), (page) => {
      if ((page.headerType & OGG_HEADER_BOS) !== 0 || page.granule === 0n) return;
      if (first && previous !== undefined) {
        if (page.sequence > previous + 1) gaps += page.sequence - previous - 1;
        if (page.sequence <= previous) overlaps += previous - page.sequence + 1;
      }
      first = false;
      previous = page.sequence;
    });
  }
  say(`| simulated day, rotate-time 3600 (${stream.pages.length} real pages, one every ${(step / 60_000).toFixed(1)} min of simulated time) | ${recordings.length} files (24 hours + the 23:59 start); each starts ${Math.max(...offsets) / 1000} s at most after its hour (one page is ${(step / 1000).toFixed(0)} s here) | gap ${gaps} pages, overlap ${overlaps} pages |`);
}

function get(port: number, pathAndQuery: string): Promise<{ status: number; body: Buffer; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: pathAndQuery, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), ms: performance.now() - started }));
      })
      .on('error', reject);
  });
}

async function serve(directory: string): Promise<{ flow: RunningFlow; port: number }> {
  const port = await freePort();
  const flow = await startFlow(
    writeFlow(`name: bench-archive
components:
  archive:
    type: archive-http
    properties: { directory: ${JSON.stringify(directory)}, port: ${port}, bind-address: 127.0.0.1 }
`),
    // Every listener connects from 127.0.0.1, all within a second: the front's limits on pending heads per address and in all are lifted.
    { cwd: REPO, env: { FLOWCAST_HTTP_MAX_PENDING_PER_ADDRESS: '100000', FLOWCAST_HTTP_MAX_PENDING: '100000' } },
  );
  return { flow, port };
}

function continuousPages(data: Buffer): { ok: boolean; pages: number } {
  let at = 0;
  let previous: number | undefined;
  let pages = 0;
  let ok = true;
  for (;;) {
    const page = pageAt(data, at);
    if (!page) break;
    at += page.length;
    if ((page.headerType & OGG_HEADER_BOS) !== 0 || page.granule === 0n) continue;
    if (previous !== undefined && page.sequence !== previous + 1) ok = false;
    previous = page.sequence;
    pages++;
  }
  return { ok: ok && at === data.length, pages };
}

/** Samples a GStreamer decoder gives for an Ogg Vorbis stream. */
function decodedSamples(data: Buffer): number {
  const directory = tempDir('decode');
  try {
    const input = path.join(directory, 'in.ogg');
    const output = path.join(directory, 'out.raw');
    fs.writeFileSync(input, data);
    execFileSync('gst-launch-1.0', ['-q', 'filesrc', `location=${input}`, '!', 'oggdemux', '!', 'vorbisdec', '!', 'audioconvert', '!', 'audio/x-raw,format=S16LE,channels=1', '!', 'filesink', `location=${output}`]);
    return fs.statSync(output).size / 2;
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

/** The granule of the last page with one in `data`, and the sample rate from its first page (identification header). */
function lastGranule(data: Buffer): bigint | undefined {
  let last: bigint | undefined;
  for (let at = 0; ; ) {
    const page = pageAt(data, at);
    if (!page) return last;
    if (page.granule > 0n) last = page.granule;
    at += page.length;
  }
}

/**
 * How far from the time asked a listen-again answer starts, in ms (positive: late), measured by
 * decoding it: the answer ends on a page whose granule is known, so its first sample is at that
 * granule less the samples decoded. The time asked maps to a granule through the recording's index
 * (the sync point before it: wall clock and stream time; the pages up to the next one).
 */
function startError(directory: string, file: string, start: number, answer: Buffer): number | undefined {
  const syncs = readFileIndex(directory, file).syncs;
  let k = -1;
  for (let i = 0; i < syncs.length && syncs[i]!.w <= start; i++) k = i;
  const before = syncs[k];
  const after = syncs[k + 1];
  if (!before || !after) return undefined;
  const recording = fs.readFileSync(path.join(directory, file));
  const rate = granuleRate(recording) ?? 44100;
  const pageEnd = lastGranule(recording.subarray(before.o, after.o));
  const answerEnd = lastGranule(answer);
  if (pageEnd === undefined || answerEnd === undefined) return undefined;
  const asked = Number(pageEnd) - ((after.t - (before.t + start - before.w)) * rate) / 1000;
  const first = Number(answerEnd) - decodedSamples(answer);
  return ((first - asked) * 1000) / rate;
}

/**
 * Samples decoded (GStreamer) from a listen-again answer against what its granule positions span
 * (from the end of the page before its first data page in the archive to its last page): a page
 * missing or repeated shows as a whole page's samples.
 */
function samplesShort(directory: string, answer: Buffer): { decoded: number; expected: number } {
  let first: number | undefined;
  let last = 0n;
  for (let at = 0; ; ) {
    const page = pageAt(answer, at);
    if (!page) break;
    if ((page.headerType & OGG_HEADER_BOS) === 0 && page.granule > 0n) {
      first ??= page.sequence;
      last = page.granule;
    }
    at += page.length;
  }
  let before = 0n;
  for (const r of readCatalog(directory).recordings) {
    scanOggFile(path.join(directory, r.file), (page) => {
      if (page.sequence === first! - 1 && page.granule > 0n) before = page.granule;
    });
  }
  return { decoded: decodedSamples(answer), expected: Number(last - before) };
}

async function listenAgain(realDirectory: string, dayDirectory: string): Promise<void> {
  const real = await serve(realDirectory);
  const errors: number[] = [];
  try {
    const recordings = readCatalog(realDirectory).recordings.filter((r) => r.closed && r.end! - r.start > 1500);
    for (let i = 0; i < LISTEN_STARTS; i++) {
      const r = recordings[i % recordings.length]!;
      const start = Math.floor(r.start + 300 + Math.random() * (r.end! - r.start - 1300));
      const answer = await get(real.port, `/archive?start=${new Date(start).toISOString()}&duration=1`);
      if (answer.status !== 200) continue;
      const error = startError(realDirectory, r.file, start, answer.body);
      if (error !== undefined) errors.push(error);
    }
  } finally {
    await real.flow.stop();
  }
  errors.sort((a, b) => a - b);
  const day = await serve(dayDirectory);
  try {
    const answer = await get(day.port, `/archive?start=2026-12-01T01:30:00Z&duration=10800`);
    const file = path.join(tempDir('listen'), 'three-hours.ogg');
    fs.writeFileSync(file, answer.body);
    const pages = continuousPages(answer.body);
    say(`| listen-again start, ${errors.length} random starts in real recordings | first sample decoded (GStreamer) against the time asked: median ${errors[Math.floor(errors.length / 2)]?.toFixed(0)} ms, min ${errors[0]?.toFixed(0)} ms, max ${errors.at(-1)?.toFixed(0)} ms (the page that holds the start is cut to its packets from there; a Vorbis decoder drops its first block, up to 23 ms, counted in) | target within 100 ms |`);
    const gap = samplesShort(dayDirectory, answer.body);
    say(
      `| listen-again 3 hours across files (simulated day, 01:30 + 3 h) | ${answer.status}, ${answer.body.length} bytes, ${pages.pages} data pages, continuous: ${pages.ok}; decodes with GStreamer: ${decodesOk(file)}; samples decoded against the granule positions: ${gap.decoded} of ${gap.expected} (${gap.expected - gap.decoded} short: a Vorbis decoder drops its first half block, at most 1024) | crosses 4 files; a missing page would be ~22,000 samples short |`,
    );
  } finally {
    await day.flow.stop();
  }
}

async function listing(): Promise<void> {
  const directory = tempDir('listing');
  const t0 = Date.UTC(2025, 0, 1);
  const text: string[] = [];
  for (let i = 0; i < LISTING_SIZE; i++) {
    const file = `rec-${String(i).padStart(5, '0')}.ogg`;
    text.push(jsonLine({ open: file, type: 'application/ogg', start: t0 + i * 3_600_000 }), jsonLine({ close: file, end: t0 + (i + 1) * 3_600_000, size: 57_600_000, reason: 'rotate' }));
  }
  fs.writeFileSync(path.join(directory, CATALOG_FILE), text.join(''));
  const served = await serve(directory);
  try {
    const cold = await get(served.port, '/archive/index.json');
    const warm: number[] = [];
    for (let i = 0; i < 20; i++) warm.push((await get(served.port, '/archive/index.json')).ms);
    warm.sort((a, b) => a - b);
    const count = (JSON.parse(cold.body.toString()) as { recordings: unknown[] }).recordings.length;
    say(`| listing ${LISTING_SIZE} recordings (index.json) | ${count} listed, ${(cold.body.length / 1e6).toFixed(1)} MB; first answer ${cold.ms.toFixed(0)} ms (catalog read), then median ${warm[10]!.toFixed(0)} ms, max ${warm.at(-1)!.toFixed(0)} ms | target < 50 ms |`);
  } finally {
    await served.flow.stop();
  }
}

/** A directory with one large "recording" (bytes only: the servers do not read it), listed in a catalog. */
function bigRecording(megabytes: number): string {
  const directory = tempDir('serve');
  const fd = fs.openSync(path.join(directory, 'big.ogg'), 'w');
  const chunk = Buffer.alloc(1 << 20, 7);
  for (let i = 0; i < megabytes; i++) fs.writeSync(fd, chunk);
  fs.closeSync(fd);
  fs.writeFileSync(path.join(directory, CATALOG_FILE), jsonLine({ open: 'big.ogg', type: 'application/ogg', start: 0 }) + jsonLine({ close: 'big.ogg', end: 1, size: megabytes << 20, reason: 'stop' }));
  return directory;
}

interface Served {
  label: string;
  pid: number;
  port: number;
  stop(): Promise<void>;
}

async function flowcastServing(directory: string): Promise<Served> {
  const { flow, port } = await serve(directory);
  return { label: 'Flowcast archive-http', pid: flow.process.pid!, port, stop: async () => void (await flow.stop()) };
}

async function nginxServing(directory: string): Promise<Served> {
  const port = await freePort();
  const work = tempDir('nginx');
  const child = startNginx(work, directory, port);
  for (let i = 0; i < 100; i++) {
    try {
      if ((await get(port, '/archive/missing')).status === 404) break;
    } catch {
      await sleep(50);
    }
  }
  return {
    label: 'nginx (sendfile, one process)',
    pid: child.pid!,
    port,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/**
 * N rate-limited listeners on one server: its CPU seconds over the whole run and in its steady
 * phase (every listener connected and reading at the stream's rate, the connections' set-up and
 * closing left out: the load client says when), and its peak RSS.
 */
async function underLoad(served: Served): Promise<{ cpu: number; steadyCpu: number; steadySeconds: number; rss: number; idleRss: number; bytes: number; connected: number; failed: number; queues?: SendQueues }> {
  const client = path.join(__dirname, 'rate-client.js');
  const idleRss = rssBytes(served.pid);
  const cpuBefore = cpuSeconds(served.pid);
  let rss = idleRss;
  const sampler = setInterval(() => (rss = Math.max(rss, rssBytes(served.pid))), 500);
  const phases: Record<string, number> = {};
  let queues: SendQueues | undefined;
  let sampleQueues: NodeJS.Timeout | undefined;
  const output = await new Promise<string>((resolve) => {
    const child = spawn('bash', ['-c', `ulimit -n 65536; exec node ${client} 127.0.0.1 ${served.port} /archive/big.ogg ${LISTENERS} ${STREAM_RATE} ${LISTEN_SECONDS}`]);
    let text = '';
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString();
      for (const phase of ['steady', 'closing']) if (phases[phase] === undefined && text.includes(`${phase}\n`)) phases[phase] = cpuSeconds(served.pid);
      // Halfway through the steady phase: what the kernel holds for the listeners.
      if (phases.steady !== undefined && !sampleQueues) sampleQueues = setTimeout(() => (queues = sendQueues(served.port)), (LISTEN_SECONDS * 1000) / 2);
    });
    child.on('exit', () => resolve(text));
  });
  clearInterval(sampler);
  clearTimeout(sampleQueues);
  const result = JSON.parse(output.trim().split('\n').at(-1)!) as { bytes: number; connected: number; failed: number; steadySeconds: number };
  const steadyCpu = (phases.closing ?? NaN) - (phases.steady ?? NaN);
  return { cpu: cpuSeconds(served.pid) - cpuBefore, steadyCpu, rss, idleRss, ...result, ...(queues ? { queues } : {}) };
}

/**
 * One fast download of the whole file: MiB/s, 0 when it came back short. With curl (written to
 * /dev/null, so the client costs little and the server's speed shows), else with Node's client.
 */
async function download(port: number): Promise<number> {
  try {
    const out = execFileSync('curl', ['-s', '-o', '/dev/null', '-w', '%{size_download} %{time_total}', `http://127.0.0.1:${port}/archive/big.ogg`], { encoding: 'utf8' }).trim();
    const [size, seconds] = out.split(' ').map(Number) as [number, number];
    return size === DOWNLOAD_MB << 20 ? size / (1 << 20) / seconds : 0;
  } catch {
    const answer = await get(port, '/archive/big.ogg');
    return answer.body.length === DOWNLOAD_MB << 20 ? answer.body.length / (1 << 20) / (answer.ms / 1000) : 0;
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const loadAverage = (): string => os.loadavg().map((l) => l.toFixed(2)).join(' ');

/**
 * The cost of a connection alone: CPU per short request (a 4 KiB range, one request per
 * connection) of Flowcast and of nginx, the two taking turns, after a warm-up of the same size.
 */
async function perRequest(): Promise<void> {
  try {
    ensureNginx();
  } catch (error) {
    say(`| short requests against nginx | not measured: ${(error as Error).message} | |`);
    return;
  }
  const directory = bigRecording(1);
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? [flowcastServing, nginxServing] : [nginxServing, flowcastServing];
      const perRequestUs = new Map<string, number>();
      for (const start of order) {
        const served = await start(directory);
        try {
          await shortRequests(served.port, '/archive/big.ogg', SHORT_REQUESTS, SHORT_CONCURRENCY);
          const before = cpuSeconds(served.pid);
          const failed = await shortRequests(served.port, '/archive/big.ogg', SHORT_REQUESTS, SHORT_CONCURRENCY);
          const us = ((cpuSeconds(served.pid) - before) / SHORT_REQUESTS) * 1e6;
          perRequestUs.set(served.label, us);
          say(`| round ${round + 1}: ${SHORT_REQUESTS} short requests (4 KiB range, one per connection, ${SHORT_CONCURRENCY} at a time), ${served.label} (load average ${loadAverage()}) | ${us.toFixed(1)} µs of CPU per request; ${failed} not answered 206 | |`);
        } finally {
          await served.stop();
        }
      }
      const [ours, theirs] = [...perRequestUs.entries()].sort(([a]) => (a.startsWith('Flowcast') ? -1 : 1)).map(([, us]) => us) as [number, number];
      say(`| round ${round + 1}, Flowcast / nginx | CPU per short request ${(ours / theirs).toFixed(2)}× | what taking, answering and closing a connection costs |`);
    }
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

/** The kernel's send queues halfway through, as the round's line says them. */
function queuesText(queues: SendQueues | undefined): string {
  if (!queues) return '';
  return `kernel send queue halfway ${(queues.meanQueuedBytes / 1024).toFixed(0)} KiB per listener (${queues.connections} connections), ${(queues.retransmittedBytes / 1e6).toFixed(1)} MB sent again so far; `;
}

async function againstNginx(): Promise<void> {
  try {
    ensureNginx();
  } catch (error) {
    say(`| ${LISTENERS} on-demand listeners, and one download, against nginx | not measured: ${(error as Error).message} | |`);
    return;
  }
  const directory = bigRecording(DOWNLOAD_MB);
  type Round = { label: string; cpu: number; steadyCpu: number; steadySeconds: number; rss: number; idleRss: number; bytes: number; connected: number; failed: number; queues?: SendQueues; mibps: number; speeds: number[]; load: string };
  const rounds: [Round, Round][] = [];
  try {
  for (let round = 0; round < ROUNDS; round++) {
    // Taking turns: who goes first alternates, so a change in the machine's load falls on both.
    const order = round % 2 === 0 ? [flowcastServing, nginxServing] : [nginxServing, flowcastServing];
    const pair: Round[] = [];
    for (const start of order) {
      const served = await start(directory);
      try {
        const load = loadAverage();
        const measured = await underLoad(served);
        // The kernel is still tearing down the connections the load client closed: a download then
        // competes with that (its first attempt ran at half speed or less, for either server).
        await sleep(DOWNLOAD_SETTLE_MS);
        const speeds: number[] = [];
        for (let i = 0; i < DOWNLOADS; i++) speeds.push(await download(served.port));
        pair.push({ label: served.label, ...measured, mibps: median(speeds), speeds, load });
      } finally {
        await served.stop();
      }
    }
    const ours = pair.find((r) => r.label.startsWith('Flowcast'))!;
    const theirs = pair.find((r) => r !== ours)!;
    rounds.push([ours, theirs]);
    for (const r of [ours, theirs]) {
      say(
        `| round ${round + 1}: ${LISTENERS} listeners at 128 kbit/s for ${LISTEN_SECONDS} s, ${r.label} (load average ${r.load}) | ${r.connected} connected, ${r.failed} failed, ${(r.bytes / 1e6).toFixed(1)} MB read; CPU ${r.cpu.toFixed(2)} s in all, ${r.steadyCpu.toFixed(2)} s in the ${r.steadySeconds.toFixed(0)} s of steady reading; RSS idle ${(r.idleRss / (1 << 20)).toFixed(1)} MiB, peak ${(r.rss / (1 << 20)).toFixed(1)} MiB (+${((r.rss - r.idleRss) / LISTENERS / 1024).toFixed(1)} KiB per listener); ${queuesText(r.queues)}one ${DOWNLOAD_MB} MiB download at ${r.mibps.toFixed(0)} MiB/s (median of ${DOWNLOADS}, curl: ${r.speeds.map((s) => s.toFixed(0)).join(', ')}) | |`,
      );
    }
    say(
      `| round ${round + 1}, Flowcast / nginx | CPU while the listeners read ${(ours.steadyCpu / Math.max(theirs.steadyCpu, 0.01)).toFixed(2)}×, CPU in all (with connecting and closing ${LISTENERS} connections) ${(ours.cpu / Math.max(theirs.cpu, 0.01)).toFixed(2)}×, peak RSS ${(ours.rss / theirs.rss).toFixed(2)}× (added by the listeners: ${((ours.rss - ours.idleRss) / Math.max(1, theirs.rss - theirs.idleRss)).toFixed(2)}×), download ${(ours.mibps / Math.max(theirs.mibps, 1)).toFixed(2)}× | targets: CPU ≤ 1.0, RSS ≤ 2.0, download ≥ 0.9 |`,
    );
  }
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  say(`# Archive bench (${FULL ? 'full' : 'quick'}), ${new Date().toISOString()}, ${os.cpus().length} CPUs`);
  say('');
  say('| target | result | notes |');
  say('| --- | --- | --- |');
  const realDirectory = tempDir('kills');
  const dayDirectory = tempDir('day');
  try {
    if (PARTS.has('kills') || PARTS.has('listen')) await kills(realDirectory);
    if (PARTS.has('day') || PARTS.has('listen')) await simulatedDay(dayDirectory);
    if (PARTS.has('listen')) await listenAgain(realDirectory, dayDirectory);
    if (PARTS.has('listing')) await listing();
    if (PARTS.has('requests')) await perRequest();
    if (PARTS.has('serve')) await againstNginx();
  } finally {
    const out = process.env.ARCHIVE_RESULTS ?? (FULL ? 'ARCHIVE-RESULTS.md' : 'ARCHIVE-RESULTS.quick.md');
    fs.writeFileSync(path.resolve(REPO, 'bench', out), lines.join('\n') + '\n');
  }
}

void main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
