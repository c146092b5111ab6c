/** What the load client reports (see load-client.ts) and what a run collects. */
import type { BenchConfig } from './config';
import type { Machine } from './machine';
import type { OverheadRound } from './idle';
import type { CpuSample } from './proc';

export type ClientEvent = { event: string; [key: string]: unknown };

export type Stat = number | null;

export interface HoldResult {
  target: number;
  opened: number;
  connected: number;
  failed: number;
  failReasons: Record<string, number>;
  dropped: number;
  droppedInWindow: number;
  dropReasons: Record<string, number>;
  held: number;
  starved: number;
  rampS: Stat;
  windowS: Stat;
  bytesPerSecond: { mean: Stat; p1: Stat; p5: Stat; p50: Stat; min: Stat; max: Stat };
  ratioToStream: Stat;
  ratioToStreamP1: Stat;
  firstByteMs: { p50: Stat; p99: Stat };
  clientCpuPercent: Stat;
  clientRssMB: Stat;
}

export interface BurstResult {
  fired: number;
  succeeded: number;
  failed: number;
  pendingAtLimit: number;
  reasons: Record<string, number>;
  reset: number;
  refused: number;
  limitS: number;
  elapsedS: Stat;
  firstByteMs: { p50: Stat; p99: Stat; max: Stat };
  over1s: number;
}

export interface LatencyResult {
  listeners: number;
  measured: number;
  failures: Record<string, number>;
  firstByteMs: { p50: Stat; p99: Stat; min: Stat; max: Stat };
}

export interface StallResult {
  released: boolean;
  /** From its last read. */
  releasedAfterS: Stat;
  /** From its last read to the first byte waiting unread in its kernel. */
  firstUnreadAfterS: Stat;
  /** From the first byte it left unread: how long it was behind. */
  releasedAfterUnreadS: Stat;
  limitS: number;
  how: string;
  readBeforeStall: number;
  maxServerSendQueue: number;
  lastServerSendQueue: Stat;
  clientRecvQueue: Stat;
  clientEvent: string;
  /** What the server logged as its reason for the drop (Flowcast only). */
  serverReason?: string;
}

export type ServerName = 'flowcast' | 'icecast' | 'floor';

/** How the load client's listeners read (load-client.ts). */
export type Reader = 'onread' | 'data';

export interface HoldRecord {
  n: number;
  reader: Reader;
  /** At N = latencyUnderN: new listeners' first byte while the N are held. */
  latencyUnderLoad?: ClientEvent;
  client: ClientEvent;
  /** The server process over the hold window. */
  server?: CpuSample;
  /** Icecast only: its shout2send source over the same window. */
  source?: CpuSample;
}

export interface ServerResults {
  idle: CpuSample;
  holds: HoldRecord[];
  burst: ClientEvent;
  latency: ClientEvent;
  stall: ClientEvent;
  startToFirstByteMs: number;
}

export interface Results {
  config: BenchConfig;
  machine: Machine;
  startedAt: string;
  wallS: number;
  flowcast: ServerResults;
  icecast: ServerResults;
  icecastSourceIdle: CpuSample;
  /** The C floor (bench/floor): no stall, no start-up figures. */
  floor: FloorResults;
  /** Flowcast against gst-launch-1.0 → fakesink, side by side, one reference process per round. */
  overheadRounds: OverheadRound[];
  /** The CPU that Flowcast and the references shared during the rounds. */
  overheadCpu: number;
  flowcastStartToRunningMs: number;
  /** Set when Flowcast's pipeline no longer has the elements of the gst-launch reference. */
  pipelineWarning: string;
}

export interface FloorResults {
  idle: CpuSample;
  /** Its encode process over the same idle window. */
  sourceIdle: CpuSample;
  holds: HoldRecord[];
  burst: ClientEvent;
  latency: ClientEvent;
}
