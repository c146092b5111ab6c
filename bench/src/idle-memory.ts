/**
 * What an idle flow process costs in memory, by part: `node bench/dist/src/idle-memory.js`
 * (about 40 s). Starts, side by side, a bare `node` (a timer and nothing else), the benchmark's
 * encode in a bare Node process through gstreamer-superficial (node-host.ts: no Flowcast code),
 * `flowcast run` of the benchmark's flow, and `flowcast serve` of five such flows (a manager and
 * five workers), waits BENCH_IDLE_MEMORY_WAIT_S (20) seconds with nobody listening, then reads
 * /proc of each process: VmRSS, RssAnon (private), RssFile, Pss (its share of pages shared with
 * other processes), threads, and /proc/PID/smaps grouped by mapping (the node binary, libgst*,
 * GStreamer's plugins, other libraries, the C heap, anonymous memory: V8's heap, thread stacks,
 * glibc's arenas). Prints Markdown.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { flowYaml } from './encode';
import { FLOWCAST_CLI, runNodeFlags } from './flowcast';
import { freePort, log, REPO_ROOT, sleep, spawnTracked, stopChild, type Spawned } from './util';

interface Memory {
  vmRss: number;
  rssAnon: number;
  rssFile: number;
  pss: number;
  threads: number;
  /** kB resident by group of mappings. */
  groups: Record<string, number>;
}

const GROUPS = ['node binary', 'libgst* (GStreamer core)', 'GStreamer plugins', 'other libraries', 'C heap ([heap])', 'anonymous (V8 heap, stacks, arenas)', 'other'] as const;

function groupOf(name: string): (typeof GROUPS)[number] {
  if (name === '' || name.startsWith('[anon')) return 'anonymous (V8 heap, stacks, arenas)';
  if (name === '[heap]') return 'C heap ([heap])';
  if (name.includes('/gstreamer-1.0/')) return 'GStreamer plugins';
  if (/\/libgst[^/]*$/.test(name)) return 'libgst* (GStreamer core)';
  if (name === fs.realpathSync(process.execPath)) return 'node binary';
  if (name.startsWith('/')) return 'other libraries';
  return 'other';
}

function memoryOf(pid: number): Memory {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const groups: Record<string, number> = {};
  let current: string = 'other';
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) current = groupOf(mapping[1]!.trim());
    else if (line.startsWith('Rss:')) groups[current] = (groups[current] ?? 0) + Number(line.split(/\s+/)[1]);
  }
  return { vmRss: kb('VmRSS'), rssAnon: kb('RssAnon'), rssFile: kb('RssFile'), pss: Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? NaN), threads: kb('Threads'), groups };
}

function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function main(): Promise<void> {
  const waitS = Number(process.env.BENCH_IDLE_MEMORY_WAIT_S ?? 20);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-idle-memory-'));
  const flows = path.join(dir, 'flows');
  fs.mkdirSync(flows);
  for (let i = 1; i <= 5; i++) fs.writeFileSync(path.join(flows, `bench${i}.yaml`), flowYaml(await freePort()).replace('name: bench', `name: bench${i}`));
  const runFlow = path.join(dir, 'run.yaml');
  fs.writeFileSync(runFlow, flowYaml(await freePort()));
  const env = { ...process.env, FLOWCAST_LOG: 'json', FLOWCAST_ADMIN_PORT: String(await freePort()), FLOWCAST_WATCH: '0' };
  const node = [process.execPath, ...runNodeFlags()];
  const started: { label: string; spawned: Spawned }[] = [
    { label: 'bare node (a timer)', spawned: spawnTracked('bare node', [process.execPath, '-e', 'setInterval(() => {}, 1000)'], { logFile: path.join(dir, 'bare.log') }) },
    { label: 'the encode in bare Node (node-host.js)', spawned: spawnTracked('node-host', [...node, path.join(__dirname, 'node-host.js')], { logFile: path.join(dir, 'node-host.log') }) },
    { label: '`flowcast run`', spawned: spawnTracked('flowcast run', [...node, FLOWCAST_CLI, 'run', runFlow], { cwd: REPO_ROOT, env, logFile: path.join(dir, 'run.log') }) },
    { label: '`flowcast serve` manager', spawned: spawnTracked('flowcast serve', [...node, FLOWCAST_CLI, 'serve', flows], { cwd: REPO_ROOT, env, logFile: path.join(dir, 'serve.log') }) },
  ];
  log(`idle-memory: waiting ${waitS} s (logs in ${dir})`);
  await sleep(waitS * 1000);
  const rows: { label: string; memory: Memory }[] = [];
  for (const { label, spawned } of started) {
    rows.push({ label, memory: memoryOf(spawned.pid) });
    if (label.includes('serve')) {
      childrenOf(spawned.pid).forEach((pid, i) => rows.push({ label: `\`flowcast serve\` worker ${i + 1}`, memory: memoryOf(pid) }));
    }
  }
  for (const { spawned } of started) await stopChild(spawned);
  const mb = (kb: number): string => (kb / 1024).toFixed(1);
  const out: string[] = [];
  out.push(`Idle for ${waitS} s, nobody listening; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}. MB (MiB).`, '');
  out.push(`| Process | VmRSS | RssAnon (private) | RssFile | Pss | threads | ${GROUPS.join(' | ')} |`);
  out.push(`| --- | ${Array(5 + GROUPS.length).fill('---:').join(' | ')} |`);
  for (const { label, memory } of rows) {
    out.push(`| ${label} | ${mb(memory.vmRss)} | ${mb(memory.rssAnon)} | ${mb(memory.rssFile)} | ${mb(memory.pss)} | ${memory.threads} | ${GROUPS.map((g) => mb(memory.groups[g] ?? 0)).join(' | ')} |`);
  }
  const workers = rows.filter((r) => r.label.includes('worker'));
  const manager = rows.find((r) => r.label.includes('manager'));
  const workersPss = workers.reduce((sum, r) => sum + r.memory.pss, 0);
  out.push('', `Five flows under one \`flowcast serve\`: Pss of the ${workers.length} workers ${mb(workersPss)} MB, with the manager ${mb(workersPss + (manager?.memory.pss ?? 0))} MB; RssAnon of the workers ${mb(workers.reduce((sum, r) => sum + r.memory.rssAnon, 0))} MB.`);
  process.stdout.write(out.join('\n') + '\n');
  if (workers.length !== 5) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
