import v8 from 'node:v8';
import vm from 'node:vm';
import type { FanoutAddon } from './native';

/** New listeners since the last trim before the next one is worth it. */
const TRIM_AFTER_CONNECTS = 256;
/**
 * While listeners keep coming, at most one trim in this long (ms): a trim pauses JavaScript (a full
 * collection, then malloc_trim walks the C heap), and new listeners would wait behind it.
 */
const TRIM_EVERY_MS = 60_000;

/**
 * Gives the C heap's free pages back to the system after waves of new listeners. Each connection
 * passes through Node (a socket, the HTTP parser) before the streamer takes its descriptor over,
 * and what that frees stays in glibc's heap, in holes it does not return by itself: about 1.8 KB
 * of resident memory per listener that joined, measured with bench/src/listener-memory.ts. A trim
 * (malloc_trim) once a wave is over (no new listener since the previous sweep), or every minute while
 * it goes on, returns it. Most of that memory is only freed once V8 has collected the sockets that
 * own it (their C++ halves go with their JavaScript objects, which live long enough to reach the
 * old generation, collected rarely), so a full collection comes first: it pauses JavaScript for
 * 10 to 20 milliseconds with thousands of listeners (measured: bench/README.md), once per wave.
 */
export class MemoryTrimmer {
  private connectsAtLastTrim = 0;
  private lastTrimAt: number;
  private connectsAtLastSweep = 0;

  constructor(
    private readonly addon: Pick<FanoutAddon, 'trimMemory'>,
    private readonly now: () => number,
    private readonly collectGarbage: () => void = fullCollection(),
  ) {
    this.lastTrimAt = now();
  }

  /** Called at each sweep with the listeners that connected so far. True when it trimmed. */
  afterSweep(connects: number): boolean {
    const now = this.now();
    const waveOver = connects === this.connectsAtLastSweep;
    this.connectsAtLastSweep = connects;
    if (connects - this.connectsAtLastTrim < TRIM_AFTER_CONNECTS) return false;
    if (!waveOver && now - this.lastTrimAt < TRIM_EVERY_MS) return false;
    this.connectsAtLastTrim = connects;
    this.lastTrimAt = now;
    this.collectGarbage();
    this.addon.trimMemory();
    return true;
  }
}

/**
 * A full garbage collection on demand: V8's gc(), which a flag exposes to contexts created after
 * it is set (the process's own global is left as it is). Twice: the first finds what died (the
 * sockets of a wave of listeners, interleaved on the same heap pages with the listeners that
 * stay), the second moves the survivors off the pages it left sparse, which V8 picks by the live
 * bytes the first counted, and gives those pages back. One collection left most of those pages
 * resident (bench/README.md, "Memory: what a listener costs").
 */
function fullCollection(): () => void {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
  };
}
