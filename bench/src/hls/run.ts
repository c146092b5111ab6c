/**
 * HLS to many phones: N players (players.ts) polling a live media playlist each target duration
 * and fetching each new segment, served by Flowcast's streamer-hls and by Debian's nginx serving
 * the same directory (the one hlssink2 writes), in interleaved rounds. For each: CPU (% of one
 * core) and RSS of the server process over the window, requests, errors and segment download
 * times. Flowcast's process also runs the encoders: its CPU with no player (measured first) is
 * given, and the serving part is the difference.
 *   npm run bench:hls                                             # 200 players, 2 rounds of 20 s
 *   HLS_PLAYERS=2000 HLS_SECONDS=30 npm run bench:hls
 * Writes bench/RESULTS-hls.md (RESULTS-hls.quick.md below 1,000 players).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureNginx } from '../archive/nginx';
import { FLOWCAST_CLI, runNodeFlags } from '../flowcast';
import { ProcWindow, type CpuSample } from '../proc';
import { BENCH_DIR, freePort, log, pollUntil, REPO_ROOT, sleep } from '../util';

const PLAYERS = Number(process.env.HLS_PLAYERS ?? 200);
const SECONDS = Number(process.env.HLS_SECONDS ?? 20);
const ROUNDS = Number(process.env.HLS_ROUNDS ?? 2);
const CLIENTS = Number(process.env.HLS_CLIENTS ?? 2);
const SEGMENT_S = 2;

function flowYaml(port: number): string {
  return `# Written by bench/src/hls/run.ts
name: bench-hls
components:
  src: { type: producer-test, properties: { pattern: ball, width: 320, height: 180, framerate: 25 } }
  video: { type: encoder-h264, eats: src:video, properties: { bitrate: 400000, keyframe-interval: ${SEGMENT_S}, speed: ultrafast, threads: 1 } }
  audio: { type: encoder-aac, eats: src:audio, properties: { bitrate: 64000 } }
  hls: { type: streamer-hls, eats: { video: video, audio: audio }, properties: { mount: /live, port: ${port}, bind-address: 127.0.0.1, segment-duration: ${SEGMENT_S}, playlist-length: 6 } }
`;
}

function nginxConf(work: string, directory: string, port: number): string {
  return `daemon off;
master_process off;
worker_processes 1;
pid ${path.join(work, 'nginx.pid')};
error_log ${path.join(work, 'nginx-error.log')};
worker_rlimit_nofile 65536;
events { worker_connections 20000; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 100000;
  client_body_temp_path ${work};
  proxy_temp_path ${work};
  fastcgi_temp_path ${work};
  uwsgi_temp_path ${work};
  scgi_temp_path ${work};
  types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; }
  server {
    listen 127.0.0.1:${port};
    location ~ \\.m3u8$ { root ${directory}; rewrite ^/hls/(.*)$ /$1 break; add_header Cache-Control "public, max-age=1"; }
    location /hls/ { alias ${directory}/; add_header Cache-Control "public, max-age=31536000, immutable"; }
  }
}
`;
}

interface Outcome {
  playlists: number;
  segments: number;
  bytes: number;
  errors: number;
  late: number;
  segmentP50Ms: number;
  segmentP99Ms: number;
  errorKinds: Record<string, number>;
}

async function runPlayers(url: string): Promise<Outcome> {
  const client = path.join(__dirname, 'players.js');
  const each = Math.ceil(PLAYERS / CLIENTS);
  const outcomes = await Promise.all(
    Array.from({ length: CLIENTS }, () => {
      const child = spawn('bash', ['-c', `ulimit -n 65536; exec node ${client} ${url} ${each} ${SECONDS}`]);
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      return new Promise<Outcome>((resolve, reject) => child.on('close', () => {
        try {
          resolve(JSON.parse(out.trim().split('\n').at(-1)!) as Outcome);
        } catch {
          reject(new Error(`players client said: ${out}`));
        }
      }));
    }),
  );
  const sum = (k: Exclude<keyof Outcome, 'errorKinds'>): number => outcomes.reduce((a, o) => a + o[k], 0);
  return {
    playlists: sum('playlists'),
    segments: sum('segments'),
    bytes: sum('bytes'),
    errors: sum('errors'),
    late: sum('late'),
    segmentP50Ms: Math.max(...outcomes.map((o) => o.segmentP50Ms)),
    segmentP99Ms: Math.max(...outcomes.map((o) => o.segmentP99Ms)),
    errorKinds: outcomes.reduce<Record<string, number>>((all, o) => {
      for (const [kind, n] of Object.entries(o.errorKinds)) all[kind] = (all[kind] ?? 0) + n;
      return all;
    }, {}),
  };
}

const load = (): string => os.loadavg().map((x) => x.toFixed(2)).join(' ');
const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

async function main(): Promise<void> {
  ensureNginx();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-bench-hls-'));
  const tmp = path.join(work, 'tmp');
  fs.mkdirSync(tmp);
  const port = await freePort();
  const nginxPort = await freePort();
  fs.writeFileSync(path.join(work, 'flow.yaml'), flowYaml(port));
  const children: ChildProcess[] = [];
  const rows: string[] = [];
  try {
    // TMPDIR: streamer-hls writes its segments under it, where nginx is pointed too.
    const flowcast = spawn('bash', ['-c', `ulimit -n 65536; exec ${process.execPath} ${runNodeFlags().join(' ')} ${FLOWCAST_CLI} run ${path.join(work, 'flow.yaml')}`], {
      cwd: REPO_ROOT,
      // Every player connects from 127.0.0.1: the front's limits on heads arriving at once from one
      // address (64) and in all would throttle them as one client, as in the other benches.
      env: { ...process.env, TMPDIR: tmp, FLOWCAST_HTTP_MAX_PENDING_PER_ADDRESS: '100000', FLOWCAST_HTTP_MAX_PENDING: '100000' },
      stdio: ['ignore', 'ignore', fs.openSync(path.join(work, 'flowcast.log'), 'w')],
    });
    children.push(flowcast);
    const flowcastUrl = `http://127.0.0.1:${port}/live/0/index.m3u8`;
    await pollUntil('the first HLS playlist', 60_000, 500, async () => ((await fetch(flowcastUrl)).status === 200 ? true : undefined));
    const directory = fs.readdirSync(tmp).find((d) => d.startsWith('flowcast-hls-'));
    if (!directory) throw new Error(`no flowcast-hls-* directory in ${tmp}`);
    const root = path.join(tmp, directory);
    fs.writeFileSync(path.join(work, 'nginx.conf'), nginxConf(work, root, nginxPort));
    const nginx = spawn('bash', ['-c', `ulimit -n 65536; exec nginx -c ${path.join(work, 'nginx.conf')} -p ${work}`], { stdio: 'ignore' });
    children.push(nginx);
    const nginxUrl = `http://127.0.0.1:${nginxPort}/hls/0/index.m3u8`;
    await pollUntil('nginx', 10_000, 200, async () => ((await fetch(nginxUrl)).status === 200 ? true : undefined));
    await sleep(3000);

    // Flowcast's process with nobody watching: the encoders and hlssink2.
    const idle = new ProcWindow(flowcast.pid!);
    await sleep(SECONDS * 1000);
    const idleSample = idle.stop();
    log(`Flowcast, no players: ${idleSample.cpuPercent.toFixed(1)} % (load ${load()})`);
    rows.push(`| Flowcast, no players (encoding) | – | ${idleSample.cpuPercent.toFixed(1)} | – | ${mb(idleSample.peakRssBytes)} | – | – | – | – | ${load()} |`);

    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['flowcast', 'nginx'] as const) : (['nginx', 'flowcast'] as const);
      for (const server of order) {
        const pid = server === 'flowcast' ? flowcast.pid! : nginx.pid!;
        const window = new ProcWindow(pid);
        const startLoad = load();
        const outcome = await runPlayers(server === 'flowcast' ? flowcastUrl : nginxUrl);
        const sample: CpuSample = window.stop();
        const serving = server === 'flowcast' ? sample.cpuPercent - idleSample.cpuPercent : sample.cpuPercent;
        const rate = (outcome.playlists + outcome.segments) / SECONDS;
        log(`round ${round + 1} ${server}: ${sample.cpuPercent.toFixed(1)} % (serving ${serving.toFixed(1)} %), ${rate.toFixed(0)} requests/s, ${outcome.errors} errors ${JSON.stringify(outcome.errorKinds)}, segment p99 ${outcome.segmentP99Ms} ms (load ${startLoad})`);
        rows.push(
          `| ${server === 'flowcast' ? 'Flowcast streamer-hls' : 'nginx (1 worker, sendfile)'} | ${round + 1} | ${sample.cpuPercent.toFixed(1)} | ${serving.toFixed(1)} | ${mb(sample.peakRssBytes)} | ${rate.toFixed(0)} | ${((outcome.bytes * 8) / SECONDS / 1e6).toFixed(1)} | ${outcome.errors} / ${outcome.late} | ${outcome.segmentP50Ms} / ${outcome.segmentP99Ms} | ${startLoad} |`,
        );
        await sleep(2000);
      }
    }
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await sleep(1000);
    fs.rmSync(work, { recursive: true, force: true });
  }
  const table = [
    `HLS to ${PLAYERS} players (${CLIENTS} client processes), each polling the media playlist every target duration (${SEGMENT_S} s segments, 320x180 H.264 400 kbit/s + AAC 64 kbit/s) and fetching each new segment over a keep-alive connection; ${ROUNDS} interleaved round(s) of ${SECONDS} s per server. CPU in % of one core (utime+stime of the server process); "serving" is Flowcast's CPU less its CPU with no players (its encoders); peak RSS sampled each second. The clients run on the same 2-core machine.`,
    '',
    '| server | round | CPU % | serving CPU % | peak RSS MB | requests/s | Mbit/s | errors / late polls | segment ms p50 / p99 | load average at start |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
  console.log(table);
  fs.writeFileSync(path.join(BENCH_DIR, PLAYERS >= 1000 ? 'RESULTS-hls.md' : 'RESULTS-hls.quick.md'), `# HLS players: Flowcast against nginx (${new Date().toISOString()})\n\n${table}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
