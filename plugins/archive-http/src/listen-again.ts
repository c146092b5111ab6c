import fs from 'node:fs';
import path from 'node:path';
import { readFileIndex, type Recording, type SyncPoint } from '@flowcast/core';
import { readRange } from './file-response';
import type { GrowingFiles } from './growing-files';
import { cutAt, packetTiming } from './ogg-cut';

/** How often a listener that caught up with the recording in progress looks for more. */
const FOLLOW_POLL_MS = 250;
/** A listener that caught up waits this long for a new recording after the last one closed. */
const FOLLOW_GIVE_UP_MS = 15_000;

export interface ListenRequest {
  /** Wall-clock start, ms. */
  start: number;
  /** Wall-clock end, ms; none: to the end of the archive, then on with the recording in progress. */
  end?: number;
}

export interface ListenSource {
  directory: string;
  recordings(): Recording[];
  /** Whether the listener is still there. */
  open(): boolean;
  /** How far a recording being written can be sent (shared by the listeners following it). */
  growing: GrowingFiles;
  /**
   * Hand the listener to the live streamer once it has caught up: `after` is the last page it
   * was sent. True when the streamer took it (the stream ends here).
   */
  handOver?: (after: Buffer) => Promise<boolean>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One continuous stream from the archive: the stream headers, then the data from the first sync
 * point at or after `start`, across recordings, until the first sync point at or after `end`.
 * Consecutive recordings of one stream (rotated) carry the same headers: those are sent once, and
 * the data pages join up as the muxer wrote them, so a decoder sees the original stream. A
 * recording with other headers (the stream restarted) starts a new Ogg chain link with its own.
 * Without `end`, the stream goes on into the recording being written, following it as it grows:
 * the listener has caught up with live, a page or two behind it.
 */
export async function* listenAgain(source: ListenSource, request: ListenRequest): AsyncGenerator<Buffer> {
  let sentHeaders: Buffer | undefined;
  let started = false;
  /** The recording last read: the next one is the first that started after it. */
  let last: Recording | undefined;
  /** Wall-clock time of the last sync point sent. */
  let lastSentWall: number | undefined;
  const following = (r: Recording): boolean => (last ? r.start > last.start || (r.start === last.start && r.file > last.file) : (r.end ?? Infinity) > request.start);
  for (;;) {
    const next = source.recordings().find(following);
    if (!next) {
      if (request.end !== undefined || !started) return;
      // Caught up, and the last recording closed: wait for the recorder's next file.
      const waitedUntil = Date.now() + FOLLOW_GIVE_UP_MS;
      while (Date.now() < waitedUntil && source.open() && !source.recordings().some(following)) await sleep(FOLLOW_POLL_MS);
      if (!source.open() || !source.recordings().some(following)) return;
      continue;
    }
    last = next;
    if (started && request.end !== undefined && next.start >= request.end) return;
    const file = path.join(source.directory, next.file);
    if (!fs.existsSync(file)) continue;
    const index = readFileIndex(source.directory, next.file);
    const headerLength = index.open?.headers ?? 0;
    let from: number;
    /** The page that holds the start, cut to its packets from the start on (Ogg). */
    let lead: { bytes: Buffer; next: number } | undefined;
    const handle = await fs.promises.open(file, 'r');
    try {
      const headers = Buffer.alloc(headerLength);
      await handle.read(headers, 0, headerLength, 0);
      if (!started) {
        const first = index.syncs.find((s) => s.w >= request.start);
        lead = next.type === 'application/ogg' ? await leadingPart(handle, headers, index.syncs, request.start) : undefined;
        if (!first && !lead) continue;
        if (!lead && request.end !== undefined && first!.w >= request.end) return; // nothing recorded in the time asked
        from = lead ? lead.next : first!.o;
      } else {
        // Files that overlap (time-overlap) repeat pages: go on after the last one sent.
        const after = lastSentWall === undefined ? index.syncs[0] : index.syncs.find((s) => s.w > lastSentWall!);
        if (!after && lastSentWall !== undefined) continue;
        from = after ? after.o : headerLength;
      }
      if (!sentHeaders || !headers.equals(sentHeaders)) {
        yield headers;
        sentHeaders = headers;
      }
      started = true;
      if (lead) yield lead.bytes;
      const stop = request.end !== undefined ? index.syncs.find((s) => s.w >= request.end! && s.o >= from) : undefined;
      if (stop) {
        yield* readRange(handle, from, stop.o);
        return;
      }
      let position = from;
      for (;;) {
        const recording = source.recordings().find((r) => r.file === next.file);
        const closed = recording?.closed ?? true;
        const end = closed ? (recording?.size ?? (await handle.stat()).size) : source.growing.end(file, next.file, next.type, position);
        if (end > position) {
          yield* readRange(handle, position, end);
          position = end;
        }
        if (closed) {
          source.growing.forget(next.file);
          lastSentWall = readFileIndex(source.directory, next.file).syncs.at(-1)?.w;
        }
        if (closed || request.end !== undefined || !source.open()) break;
        if (source.handOver && next.type === 'application/ogg') {
          // Caught up with the recording: the live streamer holds the same pages, and goes on.
          const lastPage = source.growing.lastPageBefore(next.file, position);
          if (lastPage !== undefined) {
            const after = Buffer.alloc(position - lastPage);
            await handle.read(after, 0, after.length, lastPage);
            if (await source.handOver(after)) return;
          }
        }
        await sleep(FOLLOW_POLL_MS);
      }
    } finally {
      await handle.close();
    }
    if (!source.open()) return;
  }
}

/**
 * The start inside a page: the pages from the sync point before `start` to the next one, the one
 * that holds it cut to its packets at or after it (ogg-cut.ts), and where the file goes on.
 * Undefined when `start` is not inside a page of this recording or the codec's packet durations
 * cannot be told: the stream then starts at the next sync point.
 */
async function leadingPart(handle: fs.promises.FileHandle, headers: Buffer, syncs: SyncPoint[], start: number): Promise<{ bytes: Buffer; next: number } | undefined> {
  let k = -1;
  for (let i = 0; i < syncs.length && syncs[i]!.w <= start; i++) k = i;
  const before = syncs[k];
  const after = syncs[k + 1];
  if (!before || !after || after.o <= before.o) return undefined;
  const timing = packetTiming(headers);
  if (!timing) return undefined;
  const pages = Buffer.alloc(after.o - before.o);
  const { bytesRead } = await handle.read(pages, 0, pages.length, before.o);
  if (bytesRead !== pages.length) return undefined;
  // Stream time of the start, on the clock of the page it falls in; the pages end where the next begins.
  const cut = cutAt(pages, timing, after.t, before.t + (start - before.w));
  return cut ? { bytes: cut.bytes, next: after.o } : undefined;
}
