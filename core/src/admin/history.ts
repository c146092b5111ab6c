import type { FlowSummary } from './flow-views';

/** How often a point is kept, and how many: one hour at one point every 10 s. */
export const HISTORY_EVERY_MS = 10_000;
const HISTORY_POINTS = 360;

/** One moment of the station: listeners and bitrate sent, per flow. */
export interface HistoryPoint {
  /** ms since the epoch. */
  readonly time: number;
  readonly flows: Readonly<Record<string, { readonly listeners: number; readonly bitrate: number }>>;
}

/** Listeners and bitrate over the last hour, so a dashboard opened now shows the hour behind it. */
export class History {
  private readonly points: HistoryPoint[] = [];

  record(flows: readonly FlowSummary[], time = Date.now()): void {
    this.points.push({ time, flows: Object.fromEntries(flows.map((f) => [f.name, { listeners: f.listeners, bitrate: f.bitrate }])) });
    if (this.points.length > HISTORY_POINTS) this.points.splice(0, this.points.length - HISTORY_POINTS);
  }

  all(): readonly HistoryPoint[] {
    return this.points;
  }
}
