import fs from 'node:fs';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { MOODS } from '../manager/moods';
import { MOUNT_COUNTERS } from './counter-totals';
import type { FlowSummary } from './flow-views';
import { allSummaries, type AdminContext } from './routes';

/** One scrape's metrics all come from one snapshot of the flows (taken at most this often). */
const SNAPSHOT_MS = 250;

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** A worker's CPU seconds and resident bytes from /proc, or undefined when it is gone. */
function processUsage(pid: number): { cpu: number; rss: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    const rss = Number(fields[21]) * 4096;
    return { cpu, rss };
  } catch {
    return undefined;
  }
}

/**
 * The Prometheus metrics of a `flowcast serve`: per mount (listeners, bitrate and the streamer's
 * counters), per component (mood) and flow (restarts, worker CPU and memory), and the manager
 * process's own (CPU, memory, file descriptors). Gathered when scraped, from fresh worker stats.
 */
export function createMetrics(context: AdminContext): Registry {
  const registry = new Registry();
  // The event-loop-lag monitor samples at this period (ms): prom-client's 10 ms would wake an idle
  // manager 100 times a second, for a figure that 200 ms samples give as well.
  collectDefaultMetrics({ register: registry, prefix: 'flowcast_manager_', eventLoopMonitoringPrecision: 200 });
  // prom-client collects every metric at once (in parallel): they share one snapshot per scrape.
  let snapshot: { at: number; flows: Promise<FlowSummary[]> } | undefined;
  const flows = (): Promise<FlowSummary[]> => {
    const now = performance.now();
    if (!snapshot || now - snapshot.at > SNAPSHOT_MS) snapshot = { at: now, flows: allSummaries(context) };
    return snapshot.flows;
  };
  /** A gauge filled from the snapshot at each scrape (reset first, so gone flows disappear). */
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], fill: (set: (labels: Partial<Record<L, string>>, value: number) => void, flows: FlowSummary[]) => void): void => {
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const all = await flows();
        this.reset();
        fill((labels, value) => this.set(labels, value), all);
      },
    });
  };
  /** A counter set from the snapshot at each scrape to a total the manager keeps (never lower than before). */
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[], fill: (set: (labels: Partial<Record<L, string>>, value: number) => void, flows: FlowSummary[]) => void): void => {
    new Counter<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const all = await flows();
        this.reset();
        fill((labels, value) => this.inc(labels, value), all);
      },
    });
  };
  const mountLabels = ['flow', 'component', 'mount'] as const;
  const eachMount = (all: FlowSummary[], visit: (labels: Record<(typeof mountLabels)[number], string>, stats: Readonly<Record<string, number>>) => void): void => {
    for (const flow of all) {
      for (const component of flow.components) {
        if (component.mount === undefined) continue;
        visit({ flow: flow.name, component: component.name, mount: component.mount }, flow.componentStats?.[component.name] ?? {});
      }
    }
  };
  gauge('flowcast_flows', 'Flows the server manages', [], (set, all) => set({}, all.length));
  gauge('flowcast_mount_listeners', 'Listeners connected', mountLabels, (set, all) => eachMount(all, (labels, s) => set(labels, s.clients ?? 0)));
  gauge('flowcast_mount_bitrate_bits', 'Stream bitrate over the last 10 s (bits/s)', mountLabels, (set, all) => eachMount(all, (labels, s) => set(labels, s.currentBitrate ?? 0)));
  for (const [name, [stat, help]] of Object.entries(MOUNT_COUNTERS)) {
    counter(name, `${help}, since the server started (across worker restarts)`, mountLabels, (set, all) => eachMount(all, (labels) => set(labels, context.counters.total(labels.flow, labels.component, stat))));
  }
  gauge('flowcast_mount_pipeline_latency_seconds', "How old the newest buffer was when it reached the streamer (the pipeline clock's running time less the buffer's): capture, encoding and muxing; only where it is known (a live source)", mountLabels, (set, all) =>
    eachMount(all, (labels, s) => {
      if (typeof s.pipelineLatencyMs === 'number') set(labels, s.pipelineLatencyMs / 1000);
    }),
  );
  gauge('flowcast_component_mood', "A component's mood (1 for the one it is in)", ['flow', 'component', 'mood'], (set, all) => {
    for (const flow of all) for (const c of flow.components) for (const m of MOODS) set({ flow: flow.name, component: c.name, mood: m }, c.mood === m ? 1 : 0);
  });
  gauge('flowcast_flow_mood', "A flow's mood (1 for the one it is in)", ['flow', 'mood'], (set, all) => {
    for (const flow of all) for (const m of MOODS) set({ flow: flow.name, mood: m }, flow.mood === m ? 1 : 0);
  });
  counter('flowcast_component_failures_total', 'Failures of a component that restarted its pipeline or left it out', ['flow', 'component'], (set, all) => {
    for (const flow of all) for (const c of flow.components) set({ flow: flow.name, component: c.name }, c.failures);
  });
  counter('flowcast_flow_restarts_total', 'Pipeline restarts since the server started', ['flow'], (set, all) => all.forEach((f) => set({ flow: f.name }, f.restarts)));
  counter('flowcast_flow_worker_starts_total', 'Worker processes started (1 + replacements)', ['flow'], (set, all) => all.forEach((f) => set({ flow: f.name }, f.workerStarts)));
  counter('flowcast_worker_cpu_seconds_total', "CPU time of the flow's worker process", ['flow'], (set, all) => {
    for (const f of all) {
      const usage = f.pid !== undefined ? processUsage(f.pid) : undefined;
      if (usage) set({ flow: f.name }, usage.cpu);
    }
  });
  gauge('flowcast_worker_resident_memory_bytes', "Resident memory of the flow's worker process", ['flow'], (set, all) => {
    for (const f of all) {
      const usage = f.pid !== undefined ? processUsage(f.pid) : undefined;
      if (usage) set({ flow: f.name }, usage.rss);
    }
  });
  return registry;
}
