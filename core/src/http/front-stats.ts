import type { Logger } from '../api/services';

/** What the HTTP front counts, for the stats line: an attack or an overload shows here. */
export interface FrontCounters {
  /** Connections whose request head is still arriving, now and at most since start. */
  pendingHeads: number;
  peakPendingHeads: number;
  /** Connections closed because their head did not arrive whole in time. */
  headTimeouts: number;
  /** Heads answered 400, 414, 431 or 505. */
  badRequests: number;
  /** Connections closed at once: too many heads pending from their address. */
  refusedConnections: number;
  /** Connections whose head was still arriving, closed to make room (too many pending in all). */
  evictedHeads: number;
  /** Requests that were not streams, whose response did not start in time or stopped moving. */
  requestTimeouts: number;
  /** Open file descriptors at the last check, and the process's limit. */
  openFiles: number;
  openFilesLimit: number;
}

/** Warnings about one kind of trouble are logged at most this often, with a count of the rest. */
const WARNING_INTERVAL_MS = 10_000;

/** The counters, and warnings that say what is happening without flooding the log during an attack. */
export class FrontStats {
  readonly counters: FrontCounters = {
    pendingHeads: 0,
    peakPendingHeads: 0,
    headTimeouts: 0,
    badRequests: 0,
    refusedConnections: 0,
    evictedHeads: 0,
    requestTimeouts: 0,
    openFiles: 0,
    openFilesLimit: 0,
  };
  private readonly lastWarning = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  headStarted(): void {
    this.counters.pendingHeads++;
    this.counters.peakPendingHeads = Math.max(this.counters.peakPendingHeads, this.counters.pendingHeads);
  }

  headEnded(): void {
    this.counters.pendingHeads--;
  }

  /** Log `message` unless a warning of this `kind` went out less than 10 s ago (then count it). */
  warn(kind: string, message: string, fields: Record<string, unknown> = {}): void {
    const now = this.now();
    const last = this.lastWarning.get(kind);
    if (last && now - last.at < WARNING_INTERVAL_MS) {
      last.suppressed++;
      return;
    }
    const suppressed = last?.suppressed ?? 0;
    this.lastWarning.set(kind, { at: now, suppressed: 0 });
    this.logger.warn(message, { ...fields, ...(suppressed > 0 ? { sinceLastWarning: suppressed } : {}) });
  }
}
