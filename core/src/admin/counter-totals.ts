/**
 * Counters of streamer statistics, as metric name → statistic name: added up in the manager
 * (CounterTotals), so that they only ever grow, across worker restarts too.
 */
export const MOUNT_COUNTERS: Readonly<Record<string, [string, string]>> = {
  flowcast_mount_connects_total: ['connects', 'Listener connections accepted'],
  flowcast_mount_refused_total: ['refused', 'Listener connections refused (limits)'],
  flowcast_mount_bytes_sent_total: ['bytesSent', 'Response body bytes sent to listeners'],
  flowcast_mount_drops_total: ['drops', 'Listeners disconnected for falling too far behind'],
  flowcast_mount_kicks_total: ['kicks', 'Listeners disconnected by an operator'],
  flowcast_mount_resyncs_total: ['resyncs', 'Listeners moved forward to the live stream'],
};

/** The streamer statistics the manager adds up (CounterTotals). */
export const COUNTED_STATS: readonly string[] = Object.values(MOUNT_COUNTERS).map(([stat]) => stat);

/**
 * Streamer counters (connects, bytes sent, drops…) added up in the manager, so that Prometheus
 * sees them only ever grow: a worker counts from zero when it starts, and a worker replaced after
 * a crash would otherwise look like a counter reset (and a crash between two scrapes like nothing
 * at all). Fed with each fresh answer of a worker (scrapes, the event stream, the history every
 * 10 s): what a worker counted after the last answer before it died is lost.
 */
export class CounterTotals {
  /** By flow and component: the worker the last figures came from, those figures, and the totals. */
  private readonly entries = new Map<string, { worker: string; last: Map<string, number>; total: Map<string, number> }>();

  constructor(private readonly names: readonly string[]) {}

  /**
   * Figures a worker answered (`worker` names it: a replaced worker has another). Within one
   * worker a counter that went down (bytes sent: a reset listener's unacknowledged bytes are taken
   * back) stays where it was until it passes its highest figure.
   */
  observe(flow: string, worker: string, stats: Readonly<Record<string, Readonly<Record<string, number>>>>): void {
    for (const [component, figures] of Object.entries(stats)) {
      if (!this.names.some((name) => typeof figures[name] === 'number')) continue;
      const key = `${flow}\u0000${component}`;
      let entry = this.entries.get(key);
      if (!entry) {
        entry = { worker, last: new Map(), total: new Map() };
        this.entries.set(key, entry);
      }
      if (entry.worker !== worker) {
        entry.worker = worker;
        entry.last.clear(); // a new worker counts from zero
      }
      for (const name of this.names) {
        const value = figures[name];
        if (typeof value !== 'number') continue;
        const last = entry.last.get(name) ?? 0;
        if (value <= last) continue;
        entry.total.set(name, (entry.total.get(name) ?? 0) + value - last);
        entry.last.set(name, value);
      }
    }
  }

  /** The total of `name` for a flow's component since the server started (0 before any figure). */
  total(flow: string, component: string, name: string): number {
    return this.entries.get(`${flow}\u0000${component}`)?.total.get(name) ?? 0;
  }

}
