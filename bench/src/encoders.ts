/**
 * Encoding overhead of the video and radio encoders: for each one, Flowcast runs a flow
 * (producer-test → encoder → muxer → streamer-http, no listener) side by side with
 * `gst-launch-1.0` running the same elements with the same properties into `fakesink sync=false`,
 * both pinned to one CPU, and the table gives their CPU over the same window and the ratio
 * (target: ≤ 1.05). Encoders run with one thread, so that both fit the CPU they share.
 *
 *   npm run bench:encoders                       # 3 rounds of 20 s per encoder (about 8 minutes)
 *   BENCH_QUICK=1 npm run bench:encoders          # 1 round of 5 s per encoder, to check it works
 *
 * Writes bench/RESULTS-encoders.md (RESULTS-encoders.quick.md when quick).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onCpus } from './affinity';
import { flowcastFactories, gstLaunchFactories } from './encode';
import { FLOWCAST_CLI, pipelineDescription, runNodeFlags } from './flowcast';
import { ProcWindow } from './proc';
import { BENCH_DIR, freePort, log, REPO_ROOT, sleep, spawnTracked, stopAllChildren, stopChild, withTimeout, type Spawned } from './util';

const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 3));
const WINDOW_S = Number(process.env.BENCH_WINDOW_S ?? (QUICK ? 5 : 20));
/**
 * Past start-up (Node, the registry, the encoder's first frames). V8's compiler and collector
 * threads keep working for 10 to 20 s after a start (0.2 % of a core in a first 10 s window after
 * 8 s, 0.00–0.04 % in later ones): the steady state is measured after 20 s.
 */
const SETTLE_S = Number(process.env.BENCH_SETTLE_S ?? (QUICK ? 3 : 20));
const CPU = process.env.BENCH_CPU ?? '0';

const WIDTH = 640;
const HEIGHT = 360;
const FRAMERATE = 25;

interface Case {
  name: string;
  /** The flow's components between the source and the streamer, as YAML (the source is `src`). */
  components: string;
  /** What streamer-http eats. */
  last: string;
  /** The source feeder: video or audio. */
  media: 'video' | 'audio';
  /** gst-launch-1.0 elements after the source's capsfilter and Flowcast's eater queue, up to the muxer. */
  reference: string[];
}

const VIDEO_CONVERSION = ['videorate', '!', 'videoscale', '!', 'videoconvert', '!', 'capsfilter', `caps=video/x-raw,framerate=${FRAMERATE}/1`];
const AUDIO_CONVERSION = ['audioconvert', '!', 'audioresample'];
const WEBM = ['!', 'queue', '!', 'webmmux', 'streamable=true', 'min-cluster-duration=500000000'];

const CASES: Case[] = [
  {
    name: 'encoder-vp8',
    media: 'video',
    components: `  enc: { type: encoder-vp8, eats: src:video, properties: { bitrate: 800000, keyframe-interval: 2, speed: 8, threads: 1 } }\n  mux: { type: muxer-webm, eats: enc }\n`,
    last: 'mux',
    reference: [...VIDEO_CONVERSION, '!', 'vp8enc', 'target-bitrate=800000', 'end-usage=cbr', 'deadline=1', 'lag-in-frames=0', 'keyframe-max-dist=50', 'cpu-used=8', 'threads=1', 'token-partitions=1', ...WEBM],
  },
  {
    name: 'encoder-vp9',
    media: 'video',
    components: `  enc: { type: encoder-vp9, eats: src:video, properties: { bitrate: 800000, keyframe-interval: 2, speed: 7, threads: 1 } }\n  mux: { type: muxer-webm, eats: enc }\n`,
    last: 'mux',
    reference: [...VIDEO_CONVERSION, '!', 'vp9enc', 'target-bitrate=800000', 'end-usage=cbr', 'deadline=1', 'lag-in-frames=0', 'keyframe-max-dist=50', 'cpu-used=7', 'threads=1', 'row-mt=false', ...WEBM],
  },
  {
    name: 'encoder-theora',
    media: 'video',
    components: `  enc: { type: encoder-theora, eats: src:video, properties: { quality: 40, keyframe-interval: 2, speed: 2 } }\n  mux: { type: muxer-ogg, eats: enc }\n`,
    last: 'mux',
    reference: [...VIDEO_CONVERSION, '!', 'theoraenc', 'quality=40', 'keyframe-auto=false', 'keyframe-freq=50', 'keyframe-force=50', 'speed-level=2', '!', 'queue', '!', 'oggmux', 'max-page-delay=500000000'],
  },
  {
    name: 'encoder-h264',
    media: 'video',
    components: `  enc: { type: encoder-h264, eats: src:video, properties: { bitrate: 800000, keyframe-interval: 2, speed: veryfast, threads: 1 } }\n  mux: { type: muxer-mpegts, eats: enc }\n`,
    last: 'mux',
    reference: [
      ...VIDEO_CONVERSION, '!', 'x264enc', 'tune=zerolatency', 'speed-preset=veryfast', 'bitrate=800', 'key-int-max=50', 'threads=1',
      '!', 'capsfilter', 'caps=video/x-h264,profile=main', '!', 'h264parse', 'config-interval=-1', '!', 'queue', '!', 'mpegtsmux', 'alignment=7',
    ],
  },
  {
    name: 'encoder-mp3',
    media: 'audio',
    components: `  enc: { type: encoder-mp3, eats: src:audio, properties: { bitrate: 128000 } }\n`,
    last: 'enc',
    reference: [...AUDIO_CONVERSION, '!', 'lamemp3enc', 'target=bitrate', 'bitrate=128', 'cbr=true', '!', 'mpegaudioparse'],
  },
  {
    name: 'encoder-aac',
    media: 'audio',
    components: `  enc: { type: encoder-aac, eats: src:audio, properties: { bitrate: 128000 } }\n  mux: { type: muxer-mpegts, eats: enc }\n`,
    last: 'mux',
    reference: [...AUDIO_CONVERSION, '!', 'voaacenc', 'bitrate=128000', '!', 'aacparse', '!', 'capsfilter', 'caps=audio/mpeg,stream-format=adts', '!', 'queue', '!', 'mpegtsmux', 'alignment=7'],
  },
];

function flowYaml(c: Case, port: number): string {
  return `# Written by bench/src/encoders.ts
name: bench-${c.name}
components:
  src: { type: producer-test, properties: { pattern: ball, width: ${WIDTH}, height: ${HEIGHT}, framerate: ${FRAMERATE}, wave: white-noise, samplerate: 44100, channels: 2 } }
${c.components}  web: { type: streamer-http, eats: ${c.last}, properties: { mount: /bench, port: ${port}, bind-address: 127.0.0.1 } }
`;
}

/** The same pipeline for gst-launch-1.0: producer-test's source and caps, a queue per eater as Flowcast adds, the case's elements, fakesink. */
function referenceArgs(c: Case): string[] {
  const source =
    c.media === 'video'
      ? ['videotestsrc', 'is-live=true', 'pattern=ball', '!', 'capsfilter', `caps=video/x-raw,width=${WIDTH},height=${HEIGHT},framerate=${FRAMERATE}/1`]
      : // producer-test's level (its audio meter) is part of the flow: here too, as `flowcast run`
        // sets it (posting nothing: the meters report only while the admin dashboard watches them).
        ['audiotestsrc', 'is-live=true', 'wave=white-noise', 'freq=440', 'volume=0.8', 'samplesperbuffer=4410', '!', 'capsfilter', 'caps=audio/x-raw,rate=44100,channels=2', '!', 'level', 'interval=100000000', 'post-messages=false'];
  return ['-q', ...source, '!', 'queue', '!', ...c.reference, '!', 'queue', '!', 'fakesink', 'sync=false'];
}

function likeForLike(description: string | undefined, c: Case): string {
  if (!description) return 'no pipeline in the debug log: not checked';
  const sorted = (xs: string[]): string => [...xs].sort().join(' ');
  const ours = gstLaunchFactories(referenceArgs(c)).slice(0, -1);
  const theirs = flowcastFactories(description).filter((f) => f !== 'flowcastbatchsink');
  return sorted(ours) === sorted(theirs) ? 'same elements' : `elements differ: Flowcast [${sorted(theirs)}], gst-launch [${sorted(ours)}]`;
}

async function startFlow(dir: string, c: Case): Promise<{ server: Spawned; logFile: string }> {
  const port = await freePort();
  const file = path.join(dir, `${c.name}.yaml`);
  fs.writeFileSync(file, flowYaml(c, port));
  const logFile = path.join(dir, `${c.name}.flowcast.log`);
  const server = spawnTracked(`flowcast ${c.name}`, onCpus(CPU, [process.execPath, ...runNodeFlags(), FLOWCAST_CLI, 'run', file]), {
    cwd: REPO_ROOT,
    env: { ...process.env, FLOWCAST_LOG: 'json', FLOWCAST_LOG_LEVEL: 'debug' },
    logFile,
    pipeStdout: true,
  });
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      let out = '';
      server.child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (/is running/.test(out)) resolve();
      });
      void server.exited.then((how) => reject(new Error(`flowcast ${c.name} ${how}; see ${logFile}`)));
    }),
    30_000,
    `flowcast ${c.name} start`,
  );
  server.child.stdout?.resume();
  return { server, logFile };
}

interface Row {
  name: string;
  flowcastPercent: number;
  gstPercent: number;
  ratios: number[];
  check: string;
}

async function measure(dir: string, c: Case): Promise<Row> {
  const flow = await startFlow(dir, c);
  const ratios: number[] = [];
  let flowcastPercent = 0;
  let gstPercent = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const gst = spawnTracked(`gst-launch ${c.name}`, onCpus(CPU, ['gst-launch-1.0', ...referenceArgs(c)]), { logFile: path.join(dir, `${c.name}.gst.log`) });
      try {
        await sleep(SETTLE_S * 1000);
        const windows = [new ProcWindow(flow.server.pid, true), new ProcWindow(gst.pid, true)];
        await sleep(WINDOW_S * 1000);
        const [ours, theirs] = windows.map((w) => w.stop());
        flowcastPercent += ours!.cpuPercent / ROUNDS;
        gstPercent += theirs!.cpuPercent / ROUNDS;
        ratios.push(ours!.cpuSeconds / theirs!.cpuSeconds);
        const split = (t: { main: number; sameName: number; other: number }): string => `main ${t.main.toFixed(2)}, runtime ${t.sameName.toFixed(2)}, streaming ${t.other.toFixed(2)}`;
        log(`${c.name} round ${round + 1}: Flowcast ${ours!.cpuPercent.toFixed(2)} % (${split(ours!.threads)}), gst-launch ${theirs!.cpuPercent.toFixed(2)} % (${split(theirs!.threads)}), ratio ${ratios.at(-1)!.toFixed(3)}`);
      } finally {
        await stopChild(gst);
      }
    }
  } finally {
    await stopChild(flow.server);
  }
  return { name: c.name, flowcastPercent, gstPercent, ratios, check: likeForLike(pipelineDescription(flow.logFile), c) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-bench-encoders-'));
  const only = process.env.BENCH_ENCODERS?.split(',');
  const rows: Row[] = [];
  try {
    for (const c of CASES.filter((x) => !only || only.includes(x.name))) rows.push(await measure(dir, c));
  } finally {
    await stopAllChildren();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const table = [
    `Encoding overhead: Flowcast against gst-launch-1.0 running the same elements, both on CPU ${CPU}, ${ROUNDS} round(s) of ${WINDOW_S} s after ${SETTLE_S} s; video ${WIDTH}x${HEIGHT} at ${FRAMERATE} frames/s, audio 44.1 kHz stereo white noise. CPU in % of one core (schedstat run time), ratio = Flowcast / gst-launch (median of rounds; target ≤ 1.05).`,
    '',
    '| encoder | Flowcast CPU % | gst-launch CPU % | ratio | ratio per round | pipelines |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.name} | ${r.flowcastPercent.toFixed(1)} | ${r.gstPercent.toFixed(1)} | ${median(r.ratios).toFixed(3)} | ${r.ratios.map((x) => x.toFixed(3)).join(', ')} | ${r.check} |`),
  ].join('\n');
  console.log(table);
  fs.writeFileSync(path.join(BENCH_DIR, QUICK ? 'RESULTS-encoders.quick.md' : 'RESULTS-encoders.md'), `# Encoder overhead (${new Date().toISOString()})\n\n${table}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
