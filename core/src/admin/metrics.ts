import fs from 'node:fs';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { MOODS } from '../manager/moods';
import { allSummaries, type AdminContext } from './routes';

/** Counters of streamer statistics, as metric name → statistic name. */
const MOUNT_COUNTERS: Readonly<Record<string, [string, string]>> = {
  flowcast_mount_connects_total: ['connects', 'Listener connections accepted'],
  flowcast_mount_refused_total: ['refused', 'Listener connections refused (limits)'],
  flowcast_mount_bytes_sent_total: ['bytesSent', 'Response body bytes sent to listeners'],
  flowcast_mount_drops_total: ['drops', 'Listeners disconnected for falling too far behind'],
  flowcast_mount_kicks_total: ['kicks', 'Listeners disconnected by an operator'],
  flowcast_mount_resyncs_total: ['resyncs', 'Listeners moved forward to the live stream'],
};

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
  collectDefaultMetrics({ register: registry, prefix: 'flowcast_manager_' });
  const mountLabels = ['flow', 'component', 'mount'] as const;
  const listeners = new Gauge({ name: 'flowcast_mount_listeners', help: 'Listeners connected', labelNames: mountLabels, registers: [registry] });
  const bitrate = new Gauge({ name: 'flowcast_mount_bitrate_bits', help: 'Stream bitrate over the last 10 s (bits/s)', labelNames: mountLabels, registers: [registry] });
  const counters = Object.entries(MOUNT_COUNTERS).map(([name, [stat, help]]) => ({ stat, gauge: new Gauge({ name, help, labelNames: mountLabels, registers: [registry] }) }));
  const mood = new Gauge({ name: 'flowcast_component_mood', help: 'A component\'s mood (1 for the one it is in)', labelNames: ['flow', 'component', 'mood'], registers: [registry] });
  const flowMood = new Gauge({ name: 'flowcast_flow_mood', help: 'A flow\'s mood (1 for the one it is in)', labelNames: ['flow', 'mood'], registers: [registry] });
  const restarts = new Gauge({ name: 'flowcast_flow_restarts_total', help: 'Pipeline restarts since the server started', labelNames: ['flow'], registers: [registry] });
  const workerStarts = new Gauge({ name: 'flowcast_flow_worker_starts_total', help: 'Worker processes started (1 + replacements)', labelNames: ['flow'], registers: [registry] });
  const workerCpu = new Gauge({ name: 'flowcast_worker_cpu_seconds_total', help: 'CPU time of the flow\'s worker process', labelNames: ['flow'], registers: [registry] });
  const workerRss = new Gauge({ name: 'flowcast_worker_resident_memory_bytes', help: 'Resident memory of the flow\'s worker process', labelNames: ['flow'], registers: [registry] });
  // One collect for all of them: every gauge is reset and filled from the same snapshot.
  new Gauge({
    name: 'flowcast_flows',
    help: 'Flows the server manages',
    registers: [registry],
    async collect() {
      const flows = await allSummaries(context);
      for (const g of [listeners, bitrate, mood, flowMood, restarts, workerStarts, workerCpu, workerRss, ...counters.map((c) => c.gauge)]) g.reset();
      this.set(flows.length);
      for (const flow of flows) {
        const view = context.manager.find(flow.name);
        const stats = view.supervisor.state().stats;
        for (const m of MOODS) flowMood.set({ flow: flow.name, mood: m }, flow.mood === m ? 1 : 0);
        restarts.set({ flow: flow.name }, flow.restarts);
        workerStarts.set({ flow: flow.name }, flow.workerStarts);
        const usage = flow.pid !== undefined ? processUsage(flow.pid) : undefined;
        if (usage) {
          workerCpu.set({ flow: flow.name }, usage.cpu);
          workerRss.set({ flow: flow.name }, usage.rss);
        }
        for (const component of flow.components) {
          for (const m of MOODS) mood.set({ flow: flow.name, component: component.name, mood: m }, component.mood === m ? 1 : 0);
          if (component.mount === undefined) continue;
          const labels = { flow: flow.name, component: component.name, mount: component.mount };
          const s = flow.componentStats?.[component.name] ?? stats[component.name] ?? {};
          listeners.set(labels, s.clients ?? 0);
          bitrate.set(labels, s.currentBitrate ?? 0);
          for (const c of counters) c.gauge.set(labels, s[c.stat] ?? 0);
        }
      }
    },
  });
  return registry;
}
