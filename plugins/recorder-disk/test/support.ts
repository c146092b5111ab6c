import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BufferFlag, OGG_HEADER_BOS, readCatalog, scanOggFile, type Logger, type OggPage } from '@flowcast/core';

export const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

/** A fresh directory, removed when the test process exits. */
export function tempDir(prefix = 'recorder-'): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.once('exit', () => fs.rmSync(directory, { recursive: true, force: true }));
  return directory;
}

export interface EncodedStream {
  headers: Buffer[];
  /** Data pages with their stream time (ms) as oggmux stamps them. */
  pages: { bytes: Buffer; pts: number }[];
}

/**
 * A real Vorbis-in-Ogg stream made by GStreamer (audiotestsrc → vorbisenc → oggmux, as the
 * producer-test → encoder-vorbis → muxer-ogg flow makes it), cut into its pages.
 */
export function encodedStream(seconds: number): EncodedStream {
  const file = path.join(tempDir('ogg-'), 'tone.ogg');
  const buffers = Math.ceil((seconds * 44100) / 1024);
  execFileSync('gst-launch-1.0', ['-q', 'audiotestsrc', `num-buffers=${buffers}`, '!', 'audio/x-raw,rate=44100,channels=2', '!', 'vorbisenc', '!', 'oggmux', '!', 'filesink', `location=${file}`]);
  const headers: Buffer[] = [];
  const pages: { bytes: Buffer; pts: number }[] = [];
  let previousGranule = 0n;
  scanOggFile(file, (page: OggPage) => {
    if ((page.headerType & OGG_HEADER_BOS) !== 0 || (page.granule === 0n && pages.length === 0)) headers.push(Buffer.from(page.bytes));
    else {
      pages.push({ bytes: Buffer.from(page.bytes), pts: Number((previousGranule * 1000n) / 44100n) });
      if (page.granule >= 0n) previousGranule = page.granule;
    }
  });
  return { headers, pages };
}

export const HEADER_FLAGS = BufferFlag.header;

/** A logger that keeps what it is told, for assertions. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = {
    lines,
    debug: (m: string) => void lines.push(`debug ${m}`),
    info: (m: string, f?: object) => void lines.push(`info ${m} ${f ? JSON.stringify(f) : ''}`),
    warn: (m: string, f?: object) => void lines.push(`warn ${m} ${f ? JSON.stringify(f) : ''}`),
    error: (m: string, f?: object) => void lines.push(`error ${m} ${f ? JSON.stringify(f) : ''}`),
    child: () => logger,
  };
  return logger;
}

export interface FilePages {
  file: string;
  headers: OggPage[];
  data: OggPage[];
  size: number;
}

/** A recording's pages: the header pages it starts with, then its data pages. */
export function pagesOf(file: string): FilePages {
  const headers: OggPage[] = [];
  const data: OggPage[] = [];
  const size = scanOggFile(file, (page) => {
    if (data.length === 0 && ((page.headerType & OGG_HEADER_BOS) !== 0 || page.granule === 0n)) headers.push(page);
    else data.push(page);
  });
  return { file, headers, data, size };
}

/**
 * The recordings of a directory, in order, checked to be one stream cut in pieces: every file
 * whole pages only, starting with the same headers, and the data pages of consecutive files
 * consecutive (page sequence numbers and granule positions go on: no gap, no overlap).
 */
export function assertSeamless(directory: string, assert: typeof import('node:assert/strict')): FilePages[] {
  const recordings = readCatalog(directory).recordings;
  const files = recordings.map((r) => pagesOf(path.join(directory, r.file)));
  files.forEach((f) => assert.equal(f.size, fs.statSync(f.file).size, `${f.file}: whole pages only`));
  const headerBytes = Buffer.concat(files[0]!.headers.map((p) => p.bytes));
  for (const f of files) assert.ok(Buffer.concat(f.headers.map((p) => p.bytes)).equals(headerBytes), `${f.file} starts with the stream headers`);
  for (let i = 1; i < files.length; i++) {
    const before = files[i - 1]!.data.at(-1)!;
    const after = files[i]!.data[0]!;
    assert.equal(after.sequence, before.sequence + 1, `${files[i]!.file} goes on from page ${before.sequence} of ${files[i - 1]!.file}`);
    assert.ok(after.granule > before.granule, 'granule positions go on');
  }
  return files;
}
