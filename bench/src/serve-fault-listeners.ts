/**
 * `node bench/dist/src/serve-fault-listeners.js [LISTENERS] [SAMPLE]`: a pipeline error with
 * LISTENERS (default 1000) connected (issue "A station that runs itself", Targets: ≥ 99 % of them
 * still connected and receiving decodable audio 5 s later; Icecast without a fallback: 0 %).
 *
 * One flow under `flowcast serve`: producer-fault (the test plugin that fails on demand, from
 * test/fixtures/plugins) → Vorbis → Ogg → streamer-http. LISTENERS raw HTTP listeners connect and
 * count every byte; then the source fails (the file "fail" in its control directory), the worker
 * rebuilds the pipeline after its backoff (1 s) and the streamer sends the new chained Ogg stream
 * to the listeners it held. 5 s after the failure, for 2 s: which listeners are still connected
 * and receive bytes. SAMPLE (default 20) listeners, spread over the crowd, keep everything they
 * got: each capture is decoded by GStreamer's playbin (as a player does) from the first byte on (across
 * the restart), fed as from HTTP (push mode) and read as a file (pull mode), and the part after
 * the restart (from the new stream's first page) on its own.
 * Prints one JSON object.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, oggPages, startServe } from '@flowcast/core/testing';

const REPO = path.resolve(__dirname, '..', '..', '..');
const PLUGIN_PATH = [path.join(REPO, 'plugins'), path.join(REPO, 'test', 'fixtures', 'plugins', 'producer-fault')].join(':');

interface Listener {
  bytes(): number;
  open(): boolean;
  /** Everything after the response head (only for the sample). */
  body(): Buffer;
  close(): void;
}

function listen(port: number, mount: string, keep: boolean): Listener {
  let bytes = 0;
  let open = true;
  const chunks: Buffer[] = [];
  const socket = net.connect({ port, host: '127.0.0.1' }, () => socket.write(`GET ${mount} HTTP/1.0\r\n\r\n`));
  socket.on('data', (d: Buffer) => {
    bytes += d.length;
    if (keep) chunks.push(d);
  });
  socket.on('error', () => undefined);
  socket.on('close', () => (open = false));
  return {
    bytes: () => bytes,
    open: () => open,
    body: () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      return split < 0 ? Buffer.alloc(0) : all.subarray(split + 4);
    },
    close: () => socket.destroy(),
  };
}

/**
 * Decode Ogg Vorbis with GStreamer's playbin, fed in push mode (as from an HTTP source, which a live stream
 * is) or read from a file (pull mode): the seconds of audio it gave (0 when it failed) and why.
 */
function decodedSeconds(data: Buffer, dir: string, name: string, mode: 'push' | 'pull'): Promise<{ seconds: number; error?: string }> {
  const input = path.join(dir, `${name}.ogg`);
  const wav = path.join(dir, `${name}-${mode}.wav`);
  fs.writeFileSync(input, data);
  // playbin, as a player: a chained Ogg stream's new logical stream comes on new pads, which it follows.
  const uri = mode === 'push' ? 'fd://0' : `file://${input}`;
  return new Promise((resolve) => {
    const child = execFile('gst-launch-1.0', ['-q', 'playbin', `uri=${uri}`, `audio-sink=audioconvert ! audio/x-raw,format=S16LE,rate=44100,channels=1 ! wavenc ! filesink location=${wav}`, 'video-sink=fakesink'], { timeout: 60_000 }, (error, stdout, stderr) => {
      const bytes = fs.existsSync(wav) ? fs.statSync(wav).size - 44 : 0;
      resolve(error ? { seconds: 0, error: `${stdout}${stderr}`.trim().split('\n').slice(0, 3).join(' ') } : { seconds: bytes / (44100 * 2) });
    });
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(mode === 'push' ? data : undefined);
  });
}

/** The bytes from the first page of the Ogg stream that began last (the one after the restart). */
function afterRestart(body: Buffer): Buffer | undefined {
  const pages = oggPages(body);
  const starts = pages.filter((p) => p.bos);
  if (starts.length < 2) return undefined;
  const serial = starts[starts.length - 1]!.serial;
  // Find the byte offset of that stream's first page ("OggS" + version + header type with BOS set).
  for (let at = body.indexOf('OggS'); at >= 0; at = body.indexOf('OggS', at + 1)) {
    if ((body[at + 5]! & 0x02) !== 0 && body.readUInt32LE(at + 14) === serial) return body.subarray(at);
  }
  return undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 1000);
  const sampleSize = Math.min(count, Number(process.argv[3] ?? 20));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-fault-bench-'));
  const project = path.join(scratch, 'project');
  const control = path.join(project, 'control');
  const flows = path.join(project, 'flows');
  fs.mkdirSync(control, { recursive: true });
  fs.mkdirSync(flows);
  fs.writeFileSync(path.join(project, 'package.json'), '{ "name": "fault-bench", "private": true }\n');
  const port = await freePort();
  fs.writeFileSync(
    path.join(flows, 'faulty.yaml'),
    `name: faulty
components:
  src:
    type: producer-fault
    properties: { control: ${JSON.stringify(control)} }
  enc: { type: encoder-vorbis, eats: src }
  mux: { type: muxer-ogg, eats: enc }
  web:
    type: streamer-http
    eats: mux
    properties: { mount: /faulty.ogg, port: ${port}, bind-address: 127.0.0.1, client-limit: 0 }
`,
  );
  // Every listener comes from 127.0.0.1, all at once: the front's per-address limits are lifted.
  const serve = startServe(['--project', project, flows], {
    cwd: project,
    env: { FLOWCAST_PLUGIN_PATH: PLUGIN_PATH, FLOWCAST_ADMIN_PORT: 'off', FLOWCAST_HTTP_MAX_PENDING_PER_ADDRESS: '100000', FLOWCAST_HTTP_MAX_PENDING: '100000', FLOWCAST_STATS_INTERVAL: '3600' },
  });
  const listeners: Listener[] = [];
  try {
    await serve.waitFor(/flow "faulty" is running/, 60_000);
    const every = Math.max(1, Math.floor(count / sampleSize));
    for (let i = 0; i < count; i++) {
      listeners.push(listen(port, '/faulty.ogg', i % every === 0 && listeners.filter((_, j) => j % every === 0).length < sampleSize));
      if (i % 100 === 99) await sleep(200); // in waves, as a crowd arrives
    }
    await sleep(5000);
    const before = listeners.filter((l) => l.open() && l.bytes() > 0).length;
    const mark = serve.stdout().length;
    const failedAt = performance.now();
    fs.writeFileSync(path.join(control, 'fail'), '');
    await serve.waitFor(/flow "faulty" is running \(pipeline start 2\)/, 30_000, mark);
    const backMs = performance.now() - failedAt;
    await sleep(Math.max(0, 5000 - (performance.now() - failedAt)));
    const at5s = listeners.map((l) => l.bytes());
    await sleep(2000);
    const receiving = listeners.filter((l, i) => l.open() && l.bytes() > at5s[i]!).length;
    const connected = listeners.filter((l) => l.open()).length;
    const sample = listeners.filter((_, i) => i % every === 0).slice(0, sampleSize);
    const decodes: { push: number; pull: number; after: number }[] = [];
    const errors: string[] = [];
    for (const [i, l] of sample.entries()) {
      const body = l.body();
      const tail = afterRestart(body);
      const push = await decodedSeconds(body, scratch, `s${i}`, 'push');
      const pull = await decodedSeconds(body, scratch, `s${i}`, 'pull');
      const after = tail ? await decodedSeconds(tail, scratch, `t${i}`, 'push') : { seconds: 0, error: 'no second Ogg stream' };
      for (const [what, d] of [['push', push], ['pull', pull], ['after', after]] as const) if (d.error && errors.length < 3) errors.push(`listener ${i} ${what}: ${d.error}`);
      decodes.push({ push: push.seconds, pull: pull.seconds, after: after.seconds });
    }
    const decodedAfter = decodes.filter((d) => d.after > 1).length;
    const tenths = (n: number): number => Math.round(n * 10) / 10;
    process.stdout.write(
      JSON.stringify({
        listeners: count,
        receivingBeforeFailure: before,
        pipelineBackAfterMs: Math.round(backMs),
        fiveSecondsAfterFailure: { connected, receiving, receivingPercent: Math.round((1000 * receiving) / count) / 10 },
        sample: {
          size: sample.length,
          decodedAfterRestart: decodedAfter,
          decodedAcrossRestartPush: decodes.filter((d) => d.push > d.after + 1).length,
          secondsDecodedAcrossRestartPush: decodes.map((d) => tenths(d.push)),
          secondsDecodedAcrossRestartPull: decodes.map((d) => tenths(d.pull)),
          secondsDecodedAfterRestart: decodes.map((d) => tenths(d.after)),
          errors,
        },
        loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
      }) + '\n',
    );
  } finally {
    for (const l of listeners) l.close();
    await serve.stop('SIGTERM');
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
