import fs from 'node:fs';
import path from 'node:path';
import { syncDetectorFor } from '../media/sync-points';
import { CATALOG_FILE, INDEX_SUFFIX, jsonLine, readCatalog, type CatalogRecord, type CloseReason, type IndexRecord, type SyncPoint } from './index-format';
import { scanMatroskaFile } from './matroska';
import { granuleRate, OGG_HEADER_BOS, scanOggFile, type OggPage } from './ogg';

const OGG_EXTENSIONS = new Set(['.ogg', '.oga', '.opus']);
/** Matroska extensions, and the recording type when the catalog does not know it (by whether a video track is there). */
const MATROSKA_EXTENSIONS: Record<string, (video: boolean) => string> = {
  '.webm': (video) => (video ? 'video/webm' : 'audio/webm'),
  '.mkv': () => 'video/x-matroska',
  '.mka': () => 'audio/x-matroska',
};

export interface ReindexResult {
  indexed: { file: string; syncPoints: number; size: number }[];
  /** Media files left out, with why. */
  skipped: { file: string; reason: string }[];
}

interface MediaIndex {
  type: string;
  headers: number;
  syncs: { o: number; t: number }[];
  size: number;
}

/**
 * Rebuild every recording's index and the catalog from the media files themselves (Ogg, WebM and
 * Matroska), for a directory whose index was lost or damaged. Sync points come from the pages, as
 * the recorder finds them (Matroska: the clusters); stream time from the granule positions (the end
 * of the page before, so the first page's is estimated from the next page's length); wall-clock time from the catalog's start when
 * it still has the recording, else from a name made by recorder-disk's default template (UTC, to
 * the second), else from the file's modification time less its length. Each file
 * is replaced whole (written beside it, then renamed), so a crash leaves the old or the new one.
 */
export function reindexArchive(directory: string): ReindexResult {
  const previous = new Map(readCatalog(directory).recordings.map((r) => [r.file, r]));
  const result: ReindexResult = { indexed: [], skipped: [] };
  const catalog: CatalogRecord[] = [];
  const entries: { file: string; type: string; start: number; end: number; size: number; reason: CloseReason }[] = [];
  for (const name of fs.readdirSync(directory).sort()) {
    const file = path.join(directory, name);
    if (name.startsWith('.') || !fs.statSync(file).isFile()) continue;
    const extension = path.extname(name);
    const matroska: ((video: boolean) => string) | undefined = MATROSKA_EXTENSIONS[extension];
    if (!OGG_EXTENSIONS.has(extension) && !matroska) {
      if (name !== CATALOG_FILE && !name.endsWith(INDEX_SUFFIX) && !name.endsWith('.tmp')) result.skipped.push({ file: name, reason: 'not an Ogg, WebM or Matroska recording' });
      continue;
    }
    const media = matroska !== undefined ? indexMatroskaFile(file, matroska) : indexOggFile(file);
    if (!media || media.syncs.length === 0) {
      result.skipped.push({ file: name, reason: matroska !== undefined ? 'no whole clusters' : 'no whole Ogg pages with audio or video' });
      continue;
    }
    const first = media.syncs[0]!.t;
    const last = media.syncs.at(-1)!.t;
    const known = previous.get(name);
    const start = known?.start ?? startFromName(name) ?? fs.statSync(file).mtimeMs - (last - first);
    const syncs: SyncPoint[] = media.syncs.map((s) => ({ o: s.o, t: s.t, w: Math.round(start + (s.t - first)) }));
    const end = known?.end ?? Math.round(start + (last - first));
    const type = known?.type ?? media.type;
    const lines: IndexRecord[] = [{ open: name, type, start: Math.round(start), headers: media.headers }, ...syncs, { close: end, size: media.size, reason: known?.reason ?? 'reindexed' }];
    replaceFile(file + INDEX_SUFFIX, lines.map(jsonLine).join(''));
    entries.push({ file: name, type, start: Math.round(start), end, size: media.size, reason: known?.reason ?? 'reindexed' });
    result.indexed.push({ file: name, syncPoints: syncs.length, size: media.size });
  }
  entries.sort((a, b) => a.start - b.start);
  for (const e of entries) catalog.push({ open: e.file, type: e.type, start: e.start }, { close: e.file, end: e.end, size: e.size, reason: e.reason });
  replaceFile(path.join(directory, CATALOG_FILE), catalog.map(jsonLine).join(''));
  return result;
}

/** The start time in a name made by the default template `%Y-%m-%d_%H-%M-%S` in UTC. */
function startFromName(name: string): number | undefined {
  const m = /^(\d{4})-(\d\d)-(\d\d)_(\d\d)-(\d\d)-(\d\d)(?:-\d+)?\.[a-z]+$/.exec(name);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const time = Date.UTC(year, month - 1, day, hour, minute, second);
  return Number.isNaN(time) ? undefined : time;
}

function replaceFile(file: string, text: string): void {
  const temporary = `${file}.reindex-${process.pid}.tmp`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, file);
}

/** Header length, sync points (offset, stream time in ms) and valid length of an Ogg file. */
function indexOggFile(file: string): MediaIndex | undefined {
  const headers: Buffer[] = [];
  const rates = new Map<number, number>();
  const lastGranule = new Map<number, bigint>();
  const pages: { page: Omit<OggPage, 'bytes'>; sync: boolean }[] = [];
  let headerEnd = -1;
  let isSync: ((page: Buffer) => boolean) | undefined;
  const size = scanOggFile(file, (page) => {
    const inHeaders = headerEnd < 0 && ((page.headerType & OGG_HEADER_BOS) !== 0 || page.granule === 0n);
    if (inHeaders) {
      headers.push(Buffer.from(page.bytes));
      if (page.headerType & OGG_HEADER_BOS) {
        const rate = granuleRate(page.bytes);
        if (rate) rates.set(page.serial, rate);
      }
      return;
    }
    if (headerEnd < 0) {
      headerEnd = page.offset;
      const detector = syncDetectorFor('application/ogg', headers);
      isSync = (bytes) => detector(bytes, 0);
    }
    const { bytes, ...rest } = page;
    pages.push({ page: rest, sync: isSync!(bytes) });
  });
  if (headerEnd < 0) return undefined;
  // Stream time of a page: where its logical stream's previous page ended.
  const syncs: { o: number; t: number }[] = [];
  // The first page's own length is not known: take the next page's of its logical stream.
  const firstStep = new Map<number, bigint>();
  const firstGranule = new Map<number, bigint>();
  for (const { page } of pages) {
    if (page.granule < 0n || firstStep.has(page.serial)) continue;
    const first = firstGranule.get(page.serial);
    if (first === undefined) firstGranule.set(page.serial, page.granule);
    else firstStep.set(page.serial, page.granule - first);
  }
  for (const { page, sync } of pages) {
    const rate = rates.get(page.serial);
    const before = lastGranule.get(page.serial) ?? (page.granule >= 0n ? page.granule - (firstStep.get(page.serial) ?? 0n) : undefined);
    if (page.granule >= 0n) lastGranule.set(page.serial, page.granule);
    if (!sync || rate === undefined || before === undefined) continue;
    syncs.push({ o: page.offset, t: Math.max(0, Math.round((Number(before) * 1000) / rate)) });
  }
  return { type: 'application/ogg', headers: headerEnd, syncs, size };
}

/** Header length, sync points (each cluster: offset, timecode in ms) and valid length of a Matroska or WebM file. */
function indexMatroskaFile(file: string, typeOf: (video: boolean) => string): MediaIndex | undefined {
  const scan = scanMatroskaFile(file);
  if (!scan) return undefined;
  return { type: typeOf(scan.hasVideo), headers: scan.headers, syncs: scan.clusters, size: scan.valid };
}
