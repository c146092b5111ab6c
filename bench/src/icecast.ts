/**
 * Icecast 2 (Debian's icecast2) on loopback, fed by gst-launch-1.0 … ! shout2send.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gstLaunchArgs, MOUNT, shout2sendSink } from './encode';
import { capture, commandExists, deadReason, freePort, log, pollUntil, probeFirstByte, spawnTracked, stopChild, type Spawned } from './util';

/** Icecast 2.4's own defaults (its shipped icecast.xml and docs), stated so the run is reproducible. */
export const ICECAST_LIMITS = {
  clients: 20000,
  sources: 2,
  queueSize: 524288,
  burstSize: 65535,
  clientTimeout: 30,
  headerTimeout: 15,
  sourceTimeout: 10,
};

/** Install icecast2 (as root, non-interactive) and check that shout2send exists. */
export function ensureIcecast(): void {
  if (!commandExists('icecast2')) {
    if (process.getuid?.() !== 0) throw new Error('icecast2 is not installed: run `sudo apt-get install -y icecast2`, then the benchmark again');
    log('icecast2 is missing: apt-get install -y icecast2');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    let result = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'icecast2'], { env, stdio: ['ignore', 'inherit', 'inherit'], timeout: 300000 });
    if (result.status !== 0) {
      spawnSync('apt-get', ['update'], { env, stdio: ['ignore', 'inherit', 'inherit'], timeout: 180000 });
      result = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'icecast2'], { env, stdio: ['ignore', 'inherit', 'inherit'], timeout: 300000 });
    }
    if (result.status !== 0 || !commandExists('icecast2')) throw new Error('apt-get install icecast2 failed');
  }
  if (spawnSync('gst-inspect-1.0', ['shout2send'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('the GStreamer element shout2send is missing: apt-get install -y gstreamer1.0-plugins-good');
  }
}

export function icecastVersion(): string {
  return capture('icecast2', ['-v']) || 'unknown';
}

/** Icecast refuses to run as root: it drops to this user after binding its port. */
function unprivilegedUser(): { user: string; group: string } {
  if (capture('id', ['-u', 'icecast2'])) return { user: 'icecast2', group: capture('id', ['-gn', 'icecast2']) || 'icecast' };
  return { user: 'nobody', group: capture('id', ['-gn', 'nobody']) || 'nogroup' };
}

function configXml(port: number, password: string, logDir: string, owner: { user: string; group: string }): string {
  const l = ICECAST_LIMITS;
  return `<icecast>
  <location>loopback</location>
  <admin>bench@localhost</admin>
  <limits>
    <clients>${l.clients}</clients>
    <sources>${l.sources}</sources>
    <queue-size>${l.queueSize}</queue-size>
    <client-timeout>${l.clientTimeout}</client-timeout>
    <header-timeout>${l.headerTimeout}</header-timeout>
    <source-timeout>${l.sourceTimeout}</source-timeout>
    <burst-on-connect>1</burst-on-connect>
    <burst-size>${l.burstSize}</burst-size>
  </limits>
  <authentication>
    <source-password>${password}</source-password>
    <relay-password>${password}</relay-password>
    <admin-user>admin</admin-user>
    <admin-password>${password}</admin-password>
  </authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket>
    <port>${port}</port>
    <bind-address>127.0.0.1</bind-address>
  </listen-socket>
  <fileserve>1</fileserve>
  <paths>
    <basedir>/usr/share/icecast2</basedir>
    <logdir>${logDir}</logdir>
    <webroot>/usr/share/icecast2/web</webroot>
    <adminroot>/usr/share/icecast2/admin</adminroot>
  </paths>
  <logging>
    <accesslog>access.log</accesslog>
    <errorlog>error.log</errorlog>
    <loglevel>2</loglevel>
    <logsize>10000</logsize>
  </logging>
  <security>
    <chroot>0</chroot>
    <changeowner>
      <user>${owner.user}</user>
      <group>${owner.group}</group>
    </changeowner>
  </security>
</icecast>
`;
}

export interface IcecastInstance {
  server: Spawned;
  source: Spawned;
  url: string;
  port: number;
  /** ms from spawning icecast2 and its source to the first byte served on the mount. */
  startToFirstByteMs: number;
  logDir: string;
}

/** Start icecast2 and its shout2send source in `dir` (a temp dir); resolves once the mount serves data. */
/**
 * Start icecast2 and its source. Icecast 2.4.4 now and then dies (SIGSEGV) while it starts, before
 * anything is measured: then it is started once more, and the run says so.
 */
export async function startIcecast(dir: string, label: string): Promise<IcecastInstance> {
  try {
    return await startIcecastOnce(dir, label);
  } catch (error) {
    log(`icecast2 (${label}) failed to start, starting it once more: ${(error as Error).message.split('\n')[0]}`);
    return startIcecastOnce(dir, `${label}-retry`);
  }
}

async function startIcecastOnce(dir: string, label: string): Promise<IcecastInstance> {
  const port = await freePort();
  const password = crypto.randomBytes(9).toString('base64url');
  const owner = unprivilegedUser();
  const home = path.join(dir, `icecast-${label}`);
  const logDir = path.join(home, 'log');
  fs.mkdirSync(logDir, { recursive: true });
  fs.chmodSync(dir, 0o755);
  fs.chmodSync(home, 0o755);
  if (process.getuid?.() === 0) spawnSync('chown', [`${owner.user}:${owner.group}`, logDir]);
  const conf = path.join(home, 'icecast.xml');
  fs.writeFileSync(conf, configXml(port, password, logDir, owner), { mode: 0o644 });
  const serverLog = path.join(home, 'icecast2.out');
  const sourceLog = path.join(home, 'source.out');
  const url = `http://127.0.0.1:${port}${MOUNT}`;

  const t0 = performance.now();
  const server = spawnTracked(`icecast2 (${label})`, ['icecast2', '-c', conf], { logFile: serverLog });
  const errorLog = path.join(logDir, 'error.log');
  const why = (): string | undefined => deadReason(server, fs.existsSync(errorLog) ? errorLog : serverLog);
  let source: Spawned | undefined;
  try {
    // The source needs the port open; shout2send does not retry, so wait for the listen socket.
    await pollUntil(`icecast2 (${label}) listening on ${port}`, 15000, 20, () => probeStatus(port), why);
    const started = spawnTracked(`shout2send source (${label})`, ['gst-launch-1.0', ...gstLaunchArgs(shout2sendSink(port, password))], { logFile: sourceLog });
    source = started;
    await pollUntil(`icecast2 (${label}) serving ${MOUNT}`, 20000, 20, () => probeFirstByte(url, 3000), () => why() ?? deadReason(started, sourceLog));
  } catch (error) {
    await Promise.all([stopChild(server), stopChild(source)]);
    throw error;
  }
  const startToFirstByteMs = performance.now() - t0;
  log(`icecast2 (${label}) pid ${server.pid} serving ${url}, source pid ${source.pid} (start → first byte ${startToFirstByteMs.toFixed(0)} ms)`);
  return { server, source, url, port, startToFirstByteMs, logDir };
}

/** Any HTTP answer on the port means Icecast listens (the mount answers 404 before its source). */
async function probeStatus(port: number): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}/status-json.xsl`, { signal: AbortSignal.timeout(1000) });
  await response.arrayBuffer();
}
