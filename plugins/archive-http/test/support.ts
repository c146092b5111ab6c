import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { CATALOG_FILE, jsonLine, OGG_HEADER_BOS, pageAt, type OggPage } from '@flowcast/core';
import { freePort, startFlow, writeFlow, type RunningFlow } from '@flowcast/core/testing';

export const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function tempDir(prefix = 'archive-'): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.once('exit', () => fs.rmSync(directory, { recursive: true, force: true }));
  return directory;
}

/** `flowcast run` of a flow with one archive-http serving `directory` on a free port of 127.0.0.1. */
export async function serveArchive(directory: string, flowName = 'archive'): Promise<{ flow: RunningFlow; port: number }> {
  const port = await freePort();
  const flow = await startFlow(
    writeFlow(`name: ${flowName}
components:
  archive:
    type: archive-http
    properties: { directory: ${JSON.stringify(directory)}, port: ${port}, bind-address: 127.0.0.1 }
`),
    { cwd: ROOT },
  );
  return { flow, port };
}

/** A directory holding one closed recording `name` with these bytes, listed in its catalog. */
export function oneRecording(name: string, bytes: Buffer): string {
  const directory = tempDir();
  fs.writeFileSync(path.join(directory, name), bytes);
  fs.writeFileSync(path.join(directory, CATALOG_FILE), jsonLine({ open: name, type: 'application/ogg', start: 0 }) + jsonLine({ close: name, end: 1, size: bytes.length, reason: 'stop' }));
  return directory;
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One request with the path sent exactly as given (no normalisation), read to its end or for `forMs`. */
export function request(port: number, rawPath: string, options: { method?: string; headers?: Record<string, string>; forMs?: number } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      const done = (): void => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', done);
      if (options.forMs !== undefined) {
        setTimeout(() => {
          res.removeAllListeners('end');
          req.destroy();
          done();
        }, options.forMs);
      }
    });
    req.on('error', (error) => (options.forMs !== undefined ? undefined : reject(error)));
    req.end();
  });
}

/** Every whole Ogg page of a stream. */
export function pagesIn(data: Buffer): OggPage[] {
  const pages: OggPage[] = [];
  for (let at = 0; ; ) {
    const page = pageAt(data, at);
    if (!page) return pages;
    pages.push(page);
    at += page.length;
  }
}

/** Header pages first, then data pages whose sequence numbers and granule positions go on without a break. */
export function assertContinuous(data: Buffer, assert: typeof import('node:assert/strict')): { headers: OggPage[]; data: OggPage[] } {
  const pages = pagesIn(data);
  const headers = pages.filter((p, i) => i < 3 && ((p.headerType & OGG_HEADER_BOS) !== 0 || p.granule === 0n));
  const rest = pages.slice(headers.length);
  assert.ok(headers.length >= 1 && (headers[0]!.headerType & OGG_HEADER_BOS) !== 0, 'starts with the stream headers');
  assert.ok(rest.length > 0, 'has data');
  rest.forEach((p, i) => {
    if (i === 0) return;
    assert.equal(p.sequence, rest[i - 1]!.sequence + 1, `page ${p.sequence} follows ${rest[i - 1]!.sequence}: no gap, no repeat`);
    assert.ok(p.granule === -1n || p.granule > rest[i - 1]!.granule, 'granule positions go on');
  });
  assert.equal(pages.reduce((n, p) => n + p.length, 0), data.length, 'whole pages only');
  return { headers, data: rest };
}

/** Decode an Ogg Vorbis stream with GStreamer to 16-bit WAV and count its sample frames. */
export function decodedSamples(data: Buffer, channels: number): number {
  const directory = tempDir('decode-');
  const input = path.join(directory, 'in.ogg');
  const output = path.join(directory, 'out.wav');
  fs.writeFileSync(input, data);
  execFileSync('gst-launch-1.0', ['-q', 'filesrc', `location=${input}`, '!', 'oggdemux', '!', 'vorbisdec', '!', 'audioconvert', '!', 'audio/x-raw,format=S16LE', '!', 'wavenc', '!', 'filesink', `location=${output}`]);
  const wav = fs.readFileSync(output);
  const dataAt = wav.indexOf('data');
  return wav.readUInt32LE(dataAt + 4) / (2 * channels);
}
