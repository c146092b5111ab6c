import type { ResolvedFlow } from '../flow/types';
import type { RegistryPackage } from '../registry/types';
/**
 * Everything the manager and a flow's worker say to each other. Messages are plain JSON objects
 * with a `type` field and nothing else shared (no handles, no memory), so the channel could later
 * be a socket to a worker on another host instead of Node's IPC pipe.
 */
import type { PortedMount } from '../http/http-front';
import type { RequestHead } from '../http/request-head';
import type { AudioLevels, ListenerInfo } from '../api/component';
import type { Mood } from './moods';

/** What the manager (its admin API) asks of a running flow; answered by a `reply` of the same id. */
export type WorkerRequest =
  | { readonly action: 'update'; readonly component: string; readonly changes: Readonly<Record<string, unknown>> }
  | { readonly action: 'listeners' }
  | { readonly action: 'stats' }
  /** The components' latest audio levels (asked when nobody watches them: see `watch`). */
  | { readonly action: 'levels' }
  | { readonly action: 'kick'; readonly component: string; readonly id: number };

/** The answers, by action. */
export interface WorkerAnswers {
  update: { readonly changes: Readonly<Record<string, unknown>>; readonly previous: Readonly<Record<string, unknown>> };
  listeners: Readonly<Record<string, readonly ListenerInfo[]>>;
  kick: { readonly kicked: boolean };
  stats: Readonly<Record<string, Readonly<Record<string, number>>>>;
  levels: Readonly<Record<string, AudioLevels>>;
}

/** Why a request failed, as a FlowcastError says it. */
export interface RequestError {
  readonly code: string;
  readonly reason: string;
  readonly fix: string;
  readonly component?: string;
  readonly property?: string;
}

/**
 * The flow a worker runs: the file's path (for messages) and its text, and, when the manager
 * checked it against the registry just before starting the worker, the result (`checked`): the
 * worker then runs it as it is, without loading the flow validator (the YAML parser, ajv and
 * the compiled schemas, some 8 MB a worker would keep for its whole life). Without `checked` the
 * worker validates the text itself.
 */
export interface FlowSpec {
  readonly file: string;
  readonly text: string;
  readonly checked?: CheckedFlow;
}

/** A flow the manager validated: its components resolved, and the plugin packages that provide them. */
export interface CheckedFlow {
  readonly flow: ResolvedFlow;
  readonly packages: readonly RegistryPackage[];
}

/** Tunables the manager passes down, so a worker needs no environment of its own. */
export interface WorkerSettings {
  /** Project directory (plugins, registry, logs). */
  readonly project: string;
  /** A feed silent this long makes its component hungry (ms). */
  readonly hungryAfterMs: number;
  /** First and longest wait between pipeline restarts (ms), and how long happy resets the wait. */
  readonly backoff: { readonly initialMs: number; readonly maxMs: number; readonly resetAfterMs: number };
}

export type ManagerMessage =
  | { readonly type: 'start'; readonly flow: FlowSpec; readonly settings: WorkerSettings }
  | { readonly type: 'ping'; readonly seq: number }
  | { readonly type: 'stop' }
  /** The answer to a `mount`: routed here, or why not. */
  | { readonly type: 'mounted'; readonly id: number; readonly error?: { readonly code: string; readonly reason: string; readonly fix: string } }
  /**
   * A connection for one of the worker's mounts, its socket passed with the message: the porter
   * read its head (`head`) and every byte so far (`received`, base64).
   */
  | { readonly type: 'connection'; readonly port: number; readonly head: RequestHead; readonly received: string }
  | { readonly type: 'request'; readonly id: number; readonly request: WorkerRequest }
  /**
   * Someone watches (a dashboard's event stream is open): send `levels` a few times a second;
   * else send none. A station nobody watches costs no messages but the heartbeats.
   */
  | { readonly type: 'watch'; readonly levels: boolean };

/** One component's mood (or, without `component`, the flow's own, such as while it is built). */
export interface MoodReport {
  readonly component?: string;
  readonly mood: Mood;
  readonly reason: string;
}

export type WorkerMessage =
  | { readonly type: 'pong'; readonly seq: number }
  | { readonly type: 'moods'; readonly moods: readonly MoodReport[] }
  | { readonly type: 'running'; readonly urls: readonly string[]; readonly attempt: number }
  /** The pipeline failed (because of `component`, when known) and is rebuilt after `inMs`; or, with `leftOut`, the flow goes on without that component. */
  | { readonly type: 'restarting'; readonly attempt: number; readonly inMs: number; readonly reason: string; readonly component?: string; readonly leftOut?: boolean }
  | { readonly type: 'stats'; readonly components: Readonly<Record<string, Readonly<Record<string, number>>>> }
  | { readonly type: 'refused'; readonly errors: readonly string[] }
  /** Route this mount's connections to me (answered by `mounted`). */
  | { readonly type: 'mount'; readonly id: number; readonly mount: PortedMount }
  | { readonly type: 'unmount'; readonly mount: PortedMount }
  | { readonly type: 'stopped' }
  | { readonly type: 'reply'; readonly id: number; readonly result?: unknown; readonly error?: RequestError }
  /** The latest audio levels of each component that measures them (a few times a second, while watched). */
  | { readonly type: 'levels'; readonly levels: Readonly<Record<string, AudioLevels>> };

const MANAGER_TYPES = new Set(['start', 'ping', 'stop', 'mounted', 'connection', 'request', 'watch']);
const WORKER_TYPES = new Set(['pong', 'moods', 'running', 'restarting', 'stats', 'refused', 'mount', 'unmount', 'stopped', 'reply', 'levels']);

export function isManagerMessage(value: unknown): value is ManagerMessage {
  return typeof value === 'object' && value !== null && MANAGER_TYPES.has((value as { type?: unknown }).type as string);
}

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return typeof value === 'object' && value !== null && WORKER_TYPES.has((value as { type?: unknown }).type as string);
}
