/**
 * `npm run bench:attack`: the front door under one hostile host, Flowcast and Icecast 2 side by
 * side, in one run (bench/README.md, "The attack run"). Writes bench/RESULTS-attack.md.
 *
 * For each server, twice: 20,000 hostile connections (four kinds of 5,000, at once: dripping
 * heads, idle sockets, keep-alive second requests, connect/close churn), first from one address
 * (127.0.0.2), then spread over 200 (127.0.1.1 to 127.0.1.200, as a host with many addresses
 * or a small botnet would), while a normal listener on 127.0.0.1 connects every 200 ms and
 * times its first byte; after each, a minute of quiet, and the server's memory and file
 * descriptors against what they were before.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFlowcast } from './flowcast';
import { ensureIcecast, icecastVersion, startIcecast } from './icecast';
import { rssBytes } from './proc';
import { killAllChildrenSync, log, percentile, probeFirstByte, REPO_ROOT, sleep, spawnTracked, stopAllChildren, stopChild } from './util';

const HOSTILE_CLIENT = path.join(__dirname, 'hostile-client.js');
const KINDS = ['drip', 'idle', 'keepalive', 'churn'] as const;

function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}: expected a positive number`);
  return value;
}

const settings = {
  connections: envNumber('BENCH_ATTACK_N', 20_000),
  /** Connections opened per second by each of the four hostile processes. */
  rate: envNumber('BENCH_ATTACK_RATE', 1000),
  dripMs: envNumber('BENCH_ATTACK_DRIP_MS', 4000),
  /** A hostile connection still open this long after it was opened counts as having escaped. */
  giveUpS: envNumber('BENCH_ATTACK_GIVE_UP_S', 90),
  recoveryS: envNumber('BENCH_ATTACK_RECOVERY_S', 60),
  probeEveryMs: envNumber('BENCH_ATTACK_PROBE_MS', 200),
  resultsFile: path.join(REPO_ROOT, 'bench', process.env.BENCH_ATTACK_RESULTS ?? 'RESULTS-attack.md'),
};

interface KindResult {
  kind: string;
  n: number;
  closedByServer: number;
  connectFailed: number;
  outlived: number;
  medianClosedAfterMs: number | null;
  maxClosedAfterMs: number | null;
}

interface ServerRun {
  name: string;
  scenario: string;
  kinds: KindResult[];
  probes: { ok: number[]; failed: number };
  rss: { before: number; peak: number; after: number };
  fds: { before: number; peak: number; after: number };
  /** Flowcast's own account: its last stats line of the HTTP front (counters since its start). */
  front?: Record<string, unknown>;
}

/** The last `stats` line of the HTTP front in a Flowcast JSON log. */
function lastFrontStats(logFile: string): Record<string, unknown> | undefined {
  const lines = fs.readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes('"stats"') && l.includes('"component":"http"'));
  const last = lines.at(-1);
  return last ? (JSON.parse(last) as Record<string, unknown>) : undefined;
}

function openFiles(pid: number): number {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return Number.NaN;
  }
}

/** Where the hostile connections come from, in each scenario. */
const SCENARIOS = [
  { label: 'one address', addresses: ['127.0.0.2'] },
  { label: '200 addresses', addresses: Array.from({ length: 200 }, (_, i) => `127.0.1.${i + 1}`) },
] as const;

async function runHostile(kind: string, port: number, path_: string, tmp: string, label: string, addresses: readonly string[]): Promise<KindResult> {
  const params = { kind, port, localAddresses: addresses, n: Math.round(settings.connections / KINDS.length), rate: settings.rate, dripMs: settings.dripMs, giveUpMs: settings.giveUpS * 1000, path: path_ };
  const logFile = path.join(tmp, `hostile-${label.replace(/\W+/g, '-')}-${kind}.log`);
  const client = spawnTracked(`hostile ${kind} (${label})`, [process.execPath, HOSTILE_CLIENT, JSON.stringify(params)], { logFile, pipeStdout: true });
  let out = '';
  client.child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await client.exited;
  const line = out.trim().split('\n').at(-1);
  if (!line) throw new Error(`hostile ${kind} (${label}) gave no result; see ${logFile}`);
  return JSON.parse(line) as KindResult;
}

async function attack(name: string, scenario: (typeof SCENARIOS)[number], pid: number, url: string, tmp: string, frontStats?: () => Record<string, unknown> | undefined): Promise<ServerRun> {
  const { port, pathname } = new URL(url);
  await sleep(3000);
  const before = { rss: rssBytes(pid), fds: openFiles(pid) };
  const peak = { ...before };
  const probes = { ok: [] as number[], failed: 0 };
  let attacking = true;
  const sampler = setInterval(() => {
    peak.rss = Math.max(peak.rss, rssBytes(pid));
    peak.fds = Math.max(peak.fds, openFiles(pid));
  }, 500);
  const prober = (async () => {
    while (attacking) {
      try {
        probes.ok.push((await probeFirstByte(url, 5000)).firstByteMs);
      } catch {
        probes.failed++;
      }
      await sleep(settings.probeEveryMs);
    }
  })();
  log(`${name}: ${settings.connections} hostile connections from ${scenario.label}`);
  const kinds = await Promise.all(KINDS.map((kind) => runHostile(kind, Number(port), pathname, tmp, `${name} ${scenario.label}`, scenario.addresses)));
  attacking = false;
  await prober;
  clearInterval(sampler);
  log(`${name}: attack over; ${settings.recoveryS} s of quiet`);
  await sleep(settings.recoveryS * 1000);
  const front = frontStats?.();
  return { name, scenario: scenario.label, kinds, probes, rss: { before: before.rss, peak: peak.rss, after: rssBytes(pid) }, fds: { before: before.fds, peak: peak.fds, after: openFiles(pid) }, ...(front ? { front } : {}) };
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
const ms = (value: number | null): string => (value === null || Number.isNaN(value) ? '–' : value.toFixed(1));

function render(runs: ServerRun[]): string {
  const rows: string[][] = [];
  const cell = (f: (r: ServerRun) => string): string[] => runs.map(f);
  for (const kind of KINDS) {
    rows.push([`${kind}: closed by the server / outlived ${settings.giveUpS} s`, ...cell((r) => { const k = r.kinds.find((x) => x.kind === kind)!; return `${k.closedByServer} / ${k.outlived}`; })]);
    rows.push([`${kind}: closed after, median / max (ms)`, ...cell((r) => { const k = r.kinds.find((x) => x.kind === kind)!; return `${ms(k.medianClosedAfterMs)} / ${ms(k.maxClosedAfterMs)}`; })]);
  }
  rows.push(['normal listener during the attack: first byte p50 / p99 / max (ms)', ...cell((r) => `${ms(percentile(r.probes.ok, 50))} / ${ms(percentile(r.probes.ok, 99))} / ${ms(percentile(r.probes.ok, 100))}`)]);
  rows.push(['normal listener during the attack: served / failed', ...cell((r) => `${r.probes.ok.length} / ${r.probes.failed}`)]);
  rows.push(['RSS before / peak / a minute after (MB)', ...cell((r) => `${mb(r.rss.before)} / ${mb(r.rss.peak)} / ${mb(r.rss.after)}`)]);
  rows.push(['RSS a minute after ÷ before', ...cell((r) => (r.rss.after / r.rss.before).toFixed(2))]);
  rows.push(['file descriptors before / peak / a minute after', ...cell((r) => `${r.fds.before} / ${r.fds.peak} / ${r.fds.after}`)]);
  const front = (key: string): string[] => cell((r) => (r.front ? String(r.front[key]) : '–'));
  rows.push(["the server's stats line (since its start): head timeouts / bad requests / refused connections", ...cell((r) => (r.front ? `${r.front.headTimeouts} / ${r.front.badRequests} / ${r.front.refusedConnections}` : '–'))]);
  rows.push(["the server's stats line: peak pending heads", ...front('peakPendingHeads')]);
  const header = `| | ${runs.map((r) => `${r.name}, ${r.scenario}`).join(' | ')} |\n|---|${runs.map(() => '---').join('|')}|`;
  return [
    '# The front door under attack: Flowcast and Icecast 2',
    '',
    `Run ${new Date().toISOString()} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Linux ${os.release()}, Node ${process.version}, ${icecastVersion()}.`,
    `\`npm run bench:attack\`: ${settings.connections} hostile connections, from one address (127.0.0.2) and then from 200 (127.0.1.1–200) (${KINDS.join(', ')}: ${settings.connections / KINDS.length} each, ${settings.rate}/s each, a byte every ${settings.dripMs} ms where they drip), a normal listener from 127.0.0.1 every ${settings.probeEveryMs} ms, then ${settings.recoveryS} s of quiet. Flowcast with its defaults (head timeout 10 s, 64 heads pending per address); Icecast with the bench's config (header-timeout 15 s).`,
    '',
    header,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  ensureIcecast();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-attack-'));
  const runs: ServerRun[] = [];
  try {
    const flowcast = await startFlowcast(tmp, 'attack', { frontDefaults: true });
    for (const scenario of SCENARIOS) runs.push(await attack('Flowcast', scenario, flowcast.server.pid, flowcast.url, tmp, () => lastFrontStats(flowcast.logFile)));
    await stopChild(flowcast.server);
    const icecast = await startIcecast(tmp, 'attack');
    for (const scenario of SCENARIOS) runs.push(await attack('Icecast', scenario, icecast.server.pid, icecast.url, tmp));
    await Promise.all([stopChild(icecast.source), stopChild(icecast.server)]);
  } finally {
    await stopAllChildren();
    if (process.env.BENCH_KEEP_TMP !== '1') fs.rmSync(tmp, { recursive: true, force: true });
  }
  const markdown = render(runs);
  fs.writeFileSync(settings.resultsFile, markdown);
  process.stdout.write(markdown);
}

process.on('SIGINT', () => {
  killAllChildrenSync();
  process.exit(130);
});
main().catch((error: unknown) => {
  killAllChildrenSync();
  process.stderr.write(`bench:attack failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
