/**
 * Preloaded into a Flowcast process by listener-memory.ts (`node -r`, through NODE_OPTIONS): on
 * SIGUSR2 it collects the garbage and writes the process's memory, by part, as one JSON line to
 * the file BENCH_MEM_PROBE_FILE names. Nothing else; a process without that variable is untouched.
 */
import fs from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';

const file = process.env.BENCH_MEM_PROBE_FILE;
if (file) {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  process.on('SIGUSR2', () => {
    const gcStart = performance.now();
    gc();
    const gcMs = performance.now() - gcStart;
    gc();
    // BENCH_MEM_PROBE_TRIM=1: what the C heap holds free, given back first (streamer-http's addon, already loaded).
    if (process.env.BENCH_MEM_PROBE_TRIM === '1') {
      const addon = Object.keys(require.cache).find((f) => f.endsWith('fanout.node'));
      if (addon) (require(addon) as { trimMemory(): boolean }).trimMemory();
    }
    const status = fs.readFileSync('/proc/self/status', 'utf8');
    const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    const m = process.memoryUsage();
    const line = { rss: kb('VmRSS'), rssAnon: kb('RssAnon'), rssFile: kb('RssFile'), heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, gcMs };
    fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
    // BENCH_MEM_PROBE_SNAPSHOTS=DIR: a heap snapshot too, to see what the heap holds per listener.
    const snapshots = process.env.BENCH_MEM_PROBE_SNAPSHOTS;
    if (snapshots) v8.writeHeapSnapshot(`${snapshots}/probe-${Date.now()}.heapsnapshot`);
  });
}
