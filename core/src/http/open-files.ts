import fs from 'node:fs';
import { readFileLimit } from '../runtime/system-limits';
import type { FrontStats } from './front-stats';

/** How often the descriptors in use are counted while a port is open. */
const CHECK_INTERVAL_MS = 5000;
/** Above this share of the limit, new connections are about to be refused by the system. */
const WARN_AT = 0.9;

/**
 * Counts the process's open file descriptors against its limit. When every descriptor is taken,
 * the system refuses new connections before Node sees them (libuv accepts and closes them), so
 * this count is how running out shows: in the stats line, and as a warning near the limit.
 */
export class OpenFiles {
  private timer?: NodeJS.Timeout;

  constructor(private readonly stats: FrontStats) {}

  watch(on: boolean): void {
    if (on && !this.timer) {
      this.timer = setInterval(() => void this.check(), CHECK_INTERVAL_MS);
      this.timer.unref();
      void this.check();
    } else if (!on && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private async check(): Promise<void> {
    const limit = readFileLimit()?.soft ?? Number.POSITIVE_INFINITY;
    const open = await countOpenFiles();
    if (open === undefined) return; // not Linux, or /proc is not mounted: nothing to count
    const counters = this.stats.counters;
    counters.openFiles = open;
    counters.openFilesLimit = Number.isFinite(limit) ? limit : 0;
    if (open >= limit * WARN_AT) {
      this.stats.warn('open-files', 'nearly every file descriptor is in use: new connections will be refused by the system', { open, limit });
    }
  }
}

/**
 * Linux 6.2 and later give the count as the size of /proc/self/fd: one stat. Before that, the
 * directory is read, which makes an entry per descriptor (2.6 % of an archive server's CPU with
 * 5,000 listeners, each holding two).
 */
async function countOpenFiles(): Promise<number | undefined> {
  try {
    const { size } = await fs.promises.stat('/proc/self/fd');
    return size > 0 ? size : (await fs.promises.readdir('/proc/self/fd')).length;
  } catch {
    return undefined;
  }
}
