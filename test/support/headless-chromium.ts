/**
 * Headless Chromium as the client of the browser tests: a page served by a small server of the
 * test's own (another origin than the stream, as a web player is), which posts what it saw to
 * /report, and a browser process that is stopped with everything it started.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@flowcast/core/testing';

export const CHROMIUM_FLAGS = [
  '--headless=new',
  '--no-sandbox', // run as root in CI containers
  '--disable-gpu',
  '--disable-dev-shm-usage', // containers often have a small /dev/shm
  '--no-first-run',
  '--autoplay-policy=no-user-gesture-required', // nobody is there to click play
];

/** Fails the test with the reason when there is no Chromium (npm test's setup installs it). */
export function requireChromium(): void {
  const chromium = spawnSync('chromium', ['--version'], { encoding: 'utf8' });
  assert.equal(chromium.status, 0, `chromium is needed for this test (npm test's setup installs it): ${chromium.error?.message ?? chromium.stderr}`);
}

export interface ReportingPage<Report> {
  url: string;
  /** The first report the page posts. */
  report: Promise<Report>;
  /** The first report (already posted or still to come) that `wanted` accepts. */
  reportWhere(wanted: (report: Report) => boolean): Promise<Report>;
  close(): void;
}

/** Serves `html` at / (and `files` at their paths) and collects the JSON the page POSTs to /report. */
export async function serveReportingPage<Report>(html: string, files: Record<string, { type: string; body: Buffer | string }> = {}): Promise<ReportingPage<Report>> {
  const reports: Report[] = [];
  let wake: () => void = () => undefined;
  const server = http.createServer((request, response) => {
    if (request.method === 'POST' && request.url === '/report') {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        response.end();
        reports.push(JSON.parse(body) as Report);
        wake();
      });
      return;
    }
    const file = files[request.url ?? ''];
    if (file) response.writeHead(200, { 'Content-Type': file.type }).end(file.body);
    else response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const reportWhere = async (wanted: (report: Report) => boolean): Promise<Report> => {
    for (;;) {
      const found = reports.find(wanted);
      if (found !== undefined) return found;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  return { url: `http://127.0.0.1:${port}/`, report: reportWhere(() => true), reportWhere, close: () => server.close() };
}

export interface RunningChromium {
  /** Kills the browser and every process it started, and removes its profile. */
  stop(): Promise<void>;
}

/** Opens `url` in headless Chromium with a fresh profile, in its own process group. */
export function launchChromium(url: string): RunningChromium {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-chromium-'));
  const browser = spawn('chromium', [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, url], { stdio: 'ignore', detached: true });
  const exited = new Promise((resolve) => browser.once('exit', resolve));
  return {
    async stop() {
      process.kill(-browser.pid!, 'SIGKILL');
      await exited;
      // The browser's helpers may still be letting go of the profile for a moment.
      fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    },
  };
}
