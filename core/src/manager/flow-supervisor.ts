import { fork, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import path from 'node:path';
import type { Logger } from '../api/services';
import { isFlowcastError } from '../errors/flowcast-error';
import type { PortedMount } from '../http/http-front';
import type { RequestHead } from '../http/request-head';
import { RUN_NODE_FLAGS } from '../runtime/node-flags';
import { Backoff } from './backoff';
import type { AudioLevels } from '../api/component';
import { FlowcastError } from '../errors/flowcast-error';
import type { ErrorCode } from '../errors/codes';
import { isWorkerMessage, type CheckedFlow, type FlowSpec, type WorkerAnswers, type WorkerMessage, type WorkerRequest, type WorkerSettings } from './messages';

/** A worker that has not answered a request within this long is not going to (ms). */
const REQUEST_TIMEOUT_MS = 10_000;
import { worstMood, type Mood, type MoodState } from './moods';

/** The worker's entry module (compiled next to this file). */
const WORKER_MODULE = path.join(__dirname, 'worker-main.js');

export interface SupervisorOptions {
  /** How often the worker is pinged (ms). */
  readonly heartbeatMs: number;
  /** A worker that has not answered for this long is lost: killed and replaced (ms). */
  readonly lostAfterMs: number;
  /** A worker that does not stop within this long after being asked is killed (ms). */
  readonly stopTimeoutMs: number;
}

/** The porter, as one flow's supervisor uses it: the worker's mounts are routed there. */
export interface PorterAccess {
  register(flow: string, mount: PortedMount): Promise<void>;
  unregister(flow: string, mount: PortedMount): void;
}

/** What the manager knows of one flow, as an admin API would show it. */
export interface FlowState {
  readonly name: string;
  readonly file: string;
  readonly mood: Mood;
  readonly reason: string;
  readonly components: readonly ({ readonly name: string } & MoodState)[];
  readonly pid?: number;
  /** Worker processes started for this flow (1 + replacements). */
  readonly workerStarts: number;
  /** Pipeline starts reported by the current worker (1 + restarts). */
  readonly pipelineAttempts: number;
  /** Pipeline restarts scheduled since the manager started, over all of this flow's workers. */
  readonly pipelineRestarts: number;
  /** Failures of each component that restarted the pipeline or left the component out, since the manager started. */
  readonly componentFailures: Readonly<Record<string, number>>;
  readonly urls: readonly string[];
  /** Each component's latest statistics, as its worker last sent them. */
  readonly stats: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export interface SupervisorEvents {
  /** The flow's pipeline runs (first start or after a restart), with its addresses. */
  running(flow: string, urls: readonly string[], attempt: number): void;
  /** The flow's or a component's mood changed (for the admin API's event stream). */
  moods?(flow: string): void;
  /** New audio levels from the flow's components. */
  levels?(flow: string, levels: Readonly<Record<string, AudioLevels>>): void;
  /** What the flow's worker wrote to its stderr (its log), passed on to the manager's stderr too. */
  output?(flow: string, chunk: Buffer): void;
}

/**
 * The manager's side of one flow: forks its worker, pings it, turns its reports into moods
 * (logged on every change), and replaces a worker that died or stopped answering, with
 * exponential backoff, forever. A flow the worker refused (its file is invalid) is not retried.
 */
export class FlowSupervisor {
  private child?: ChildProcess;
  private componentMoods = new Map<string, MoodState>();
  private own: MoodState = { mood: 'waking', reason: 'starting' };
  private lastMood?: MoodState;
  private readonly backoff: Backoff;
  private heartbeat?: NodeJS.Timeout;
  private respawnTimer?: NodeJS.Timeout;
  private seq = 0;
  private lastPong = 0;
  private workerStarts = 0;
  private pipelineAttempts = 0;
  private urls: readonly string[] = [];
  private pipelineRestarts = 0;
  private readonly componentFailures = new Map<string, number>();
  private stats: Readonly<Record<string, Readonly<Record<string, number>>>> = {};
  private stopping?: Promise<void>;
  private refused = false;
  private nextRequestId = 1;
  private readonly requests = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  /** The current worker has mounts routed to it: connections can be handed over. */
  private accepting = false;
  /** Someone watches the audio levels: the worker (and any replacement) sends them. */
  private watchingLevels = false;

  constructor(
    readonly name: string,
    public spec: FlowSpec,
    private readonly settings: WorkerSettings,
    private readonly options: SupervisorOptions,
    private readonly logger: Logger,
    private readonly events: SupervisorEvents,
    private readonly porter: PorterAccess,
    /** Checks the flow for a worker about to start (undefined: the worker checks it itself). */
    private readonly check: (spec: FlowSpec) => CheckedFlow | undefined = () => undefined,
  ) {
    this.backoff = new Backoff(settings.backoff);
  }

  start(): void {
    this.spawn();
  }

  /** Stopped (or being stopped) for good: a new supervisor is needed to run the flow again. */
  get stopped(): boolean {
    return this.stopping !== undefined;
  }

  state(): FlowState {
    const mood = this.flowMood();
    return {
      name: this.name,
      file: this.spec.file,
      ...mood,
      components: [...this.componentMoods].map(([name, state]) => ({ name, ...state })),
      ...(this.child?.pid !== undefined && this.child.exitCode === null ? { pid: this.child.pid } : {}),
      workerStarts: this.workerStarts,
      pipelineAttempts: this.pipelineAttempts,
      pipelineRestarts: this.pipelineRestarts,
      componentFailures: Object.fromEntries(this.componentFailures),
      urls: this.urls,
      stats: this.stats,
    };
  }

  /**
   * Apply live property changes in the running worker (a reloaded file that changed only `x-live`
   * properties), component by component through `request`, and make `spec` what a replacement
   * worker starts from. Resolves with the reason when it could not (the caller restarts).
   */
  async update(spec: FlowSpec, changes: Readonly<Record<string, Readonly<Record<string, unknown>>>>): Promise<string | undefined> {
    try {
      for (const [component, properties] of Object.entries(changes)) await this.request({ action: 'update', component, changes: properties });
    } catch (error) {
      return isFlowcastError(error) ? error.reason : String((error as Error).message ?? error);
    }
    this.spec = spec;
    return undefined;
  }

  /**
   * Ask the running worker something (the admin API: a live change, its listeners, fresh stats).
   * Fails with the worker's own coded error, or FC_FLOW_NOT_RUNNING when there is no worker.
   */
  request<A extends WorkerRequest['action']>(request: Extract<WorkerRequest, { action: A }>): Promise<WorkerAnswers[A]> {
    const child = this.child;
    if (!child || !child.connected || this.stopping || this.refused) {
      return Promise.reject(new FlowcastError('FC_FLOW_NOT_RUNNING', `flow "${this.name}" is not running (${this.flowMood().mood}: ${this.flowMood().reason})`));
    }
    const id = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.requests.delete(id);
        reject(new FlowcastError('FC_FLOW_NOT_RUNNING', `flow "${this.name}": its worker did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`));
      }, REQUEST_TIMEOUT_MS);
      this.requests.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      child.send({ type: 'request', id, request });
    });
  }

  /** The worker is gone: its unanswered requests fail. */
  private failRequests(why: string): void {
    for (const [id, pending] of this.requests) {
      clearTimeout(pending.timer);
      pending.reject(new FlowcastError('FC_FLOW_NOT_RUNNING', `flow "${this.name}": ${why}`));
      this.requests.delete(id);
    }
  }

  /** Have the worker send its audio levels a few times a second (a dashboard is open), or stop. */
  watchLevels(on: boolean): void {
    if (this.watchingLevels === on) return;
    this.watchingLevels = on;
    if (this.child?.connected) this.child.send({ type: 'watch', levels: on });
  }

  /** Stop the flow: the worker closes its listeners and exits; killed if it takes too long. */
  stop(): Promise<void> {
    this.stopping ??= this.stopWorker();
    return this.stopping;
  }

  private async stopWorker(): Promise<void> {
    clearTimeout(this.respawnTimer);
    clearInterval(this.heartbeat);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (child.connected) child.send({ type: 'stop' });
      else child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), this.options.stopTimeoutMs);
      await exited;
      clearTimeout(timer);
    }
    this.own = { mood: 'sleeping', reason: 'stopped' };
    this.componentMoods = new Map([...this.componentMoods.keys()].map((name) => [name, { mood: 'sleeping', reason: 'stopped' }]));
    this.noteMoods();
  }

  /**
   * Pass a connection the porter accepted to this flow's worker, with what was read of it; false
   * when there is no worker ready for it (being replaced), so the porter answers 503.
   */
  handOver(port: number, socket: Socket, head: RequestHead, received: Buffer): boolean {
    const child = this.child;
    if (!child || !child.connected || !this.accepting || this.stopping) return false;
    child.send({ type: 'connection', port, head, received: received.toString('base64') }, socket, (error) => {
      if (error) socket.destroy();
      // Node passes one socket per round trip: this one went out once the worker had acknowledged
      // the one before. Heartbeats wait in the same queue behind a burst of connections (10,000
      // at once take several seconds), so a worker that keeps acknowledging sockets is answering.
      else if (child === this.child) this.lastPong = performance.now();
    });
    return true;
  }

  private spawn(): void {
    this.workerStarts++;
    this.accepting = false;
    this.pipelineAttempts = 0;
    this.own = { mood: 'waking', reason: this.workerStarts === 1 ? 'starting its worker' : `starting a new worker (start ${this.workerStarts})` };
    this.noteMoods();
    const child = fork(WORKER_MODULE, [], {
      execArgv: [...RUN_NODE_FLAGS],
      stdio: ['ignore', 'inherit', this.events.output ? 'pipe' : 'inherit', 'ipc'],
      serialization: 'json',
      env: workerEnvironment(process.env),
    });
    this.child = child;
    child.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      this.events.output?.(this.name, chunk);
    });
    child.on('message', (message) => {
      if (child === this.child && isWorkerMessage(message)) this.onMessage(message);
    });
    child.on('error', (error) => this.logger.warn(`worker: ${error.message}`, { flow: this.name }));
    child.on('exit', (code, signal) => {
      if (child === this.child) this.onExit(code, signal);
    });
    this.lastPong = performance.now();
    const checked = this.check(this.spec);
    child.send({ type: 'start', flow: checked ? { ...this.spec, checked } : this.spec, settings: this.settings });
    if (this.watchingLevels) child.send({ type: 'watch', levels: true });
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => this.ping(), this.options.heartbeatMs);
    this.logger.info('worker started', { flow: this.name, pid: child.pid, start: this.workerStarts });
  }

  private ping(): void {
    const child = this.child;
    if (!child || !child.connected) return;
    if (performance.now() - this.lastPong > this.options.lostAfterMs && this.own.mood !== 'lost') {
      this.own = { mood: 'lost', reason: `its worker (pid ${child.pid}) did not answer heartbeats for ${(this.options.lostAfterMs / 1000).toFixed(1)} s; killing it` };
      this.noteMoods();
      child.kill('SIGKILL');
      return;
    }
    child.send({ type: 'ping', seq: ++this.seq });
  }

  private onMessage(message: WorkerMessage): void {
    switch (message.type) {
      case 'pong':
        this.lastPong = performance.now();
        return;
      case 'moods':
        for (const m of message.moods) {
          if (!m.component) continue;
          const before = this.componentMoods.get(m.component);
          if (before?.mood !== m.mood) this.logger.info('component mood', { flow: this.name, component: m.component, mood: m.mood, reason: m.reason });
        }
        this.componentMoods = new Map(message.moods.filter((m) => m.component).map((m) => [m.component!, { mood: m.mood, reason: m.reason }]));
        if (this.own.mood !== 'lost') this.own = { mood: 'happy', reason: 'its worker answers' };
        this.noteMoods();
        if (this.flowMood().mood === 'happy') this.backoff.happy(performance.now());
        return;
      case 'running':
        this.pipelineAttempts = message.attempt;
        this.urls = message.urls;
        this.events.running(this.name, message.urls, message.attempt);
        return;
      case 'restarting':
        if (message.component !== undefined) this.componentFailures.set(message.component, (this.componentFailures.get(message.component) ?? 0) + 1);
        if (message.leftOut) return; // the flow goes on without it: no pipeline restart
        this.pipelineRestarts++;
        this.logger.warn('pipeline restart scheduled', { flow: this.name, attempt: message.attempt, inMs: message.inMs });
        return;
      case 'refused':
        this.refused = true;
        this.own = { mood: 'sad', reason: `the flow is invalid: ${message.errors.join('; ')}` };
        this.noteMoods();
        this.child?.kill('SIGTERM');
        return;
      case 'stats':
        this.stats = message.components;
        return;
      case 'mount': {
        const child = this.child;
        this.porter.register(this.name, message.mount).then(
          () => {
            if (child !== this.child) return;
            this.accepting = true;
            child?.send({ type: 'mounted', id: message.id });
          },
          (error: unknown) => {
            const flowcast = isFlowcastError(error);
            const refusal = { code: flowcast ? error.code : 'FC_PORT_IN_USE', reason: flowcast ? error.reason : String(error), fix: flowcast ? error.fix : '' };
            if (child === this.child && child?.connected) child.send({ type: 'mounted', id: message.id, error: refusal });
          },
        );
        return;
      }
      case 'unmount':
        this.porter.unregister(this.name, message.mount);
        return;
      case 'stopped':
        return;
      case 'reply': {
        const pending = this.requests.get(message.id);
        if (!pending) return;
        this.requests.delete(message.id);
        clearTimeout(pending.timer);
        if (!message.error) pending.resolve(message.result);
        else {
          const e = message.error;
          const location = { ...(e.component ? { component: e.component } : {}), ...(e.property ? { property: e.property } : {}) };
          pending.reject(new FlowcastError(e.code as ErrorCode, e.reason, { ...(e.fix ? { fix: e.fix } : {}), location }));
        }
        return;
      }
      case 'levels':
        this.events.levels?.(this.name, message.levels);
        return;
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    clearInterval(this.heartbeat);
    this.failRequests('its worker exited');
    this.accepting = false;
    if (this.stopping || this.refused) return;
    const how = signal ? `was killed by ${signal}` : `exited with status ${code}`;
    if (this.own.mood !== 'lost') this.own = { mood: 'sad', reason: `its worker (pid ${this.child?.pid}) ${how}` };
    const mood = this.own.mood === 'lost' ? 'lost' : 'sad';
    this.componentMoods = new Map([...this.componentMoods.keys()].map((name) => [name, { mood, reason: `its worker ${how}` }]));
    this.noteMoods();
    const delay = this.backoff.next(performance.now());
    this.logger.warn('worker replaced', { flow: this.name, worker: how, inMs: delay, start: this.workerStarts + 1 });
    this.respawnTimer = setTimeout(() => this.spawn(), delay);
  }

  /** The flow's own state when it is worse than its components' (a lost worker), else the worst component's. */
  private flowMood(): MoodState {
    const worst = worstMood([this.own.mood, ...[...this.componentMoods.values()].map((m) => m.mood)]);
    if (this.own.mood === worst || this.componentMoods.size === 0) return this.own;
    const [component, state] = [...this.componentMoods].find(([, m]) => m.mood === worst)!;
    return { mood: worst, reason: `${component}: ${state.reason}` };
  }

  /** Log the flow's mood and each component's whenever it changes. */
  private noteMoods(): void {
    const flow = this.flowMood();
    if (flow.mood !== this.lastMood?.mood || flow.reason !== this.lastMood.reason) {
      const log = flow.mood === 'sad' || flow.mood === 'lost' ? this.logger.warn : this.logger.info;
      log.call(this.logger, 'mood', { flow: this.name, mood: flow.mood, reason: flow.reason, components: Object.fromEntries([...this.componentMoods].map(([n, m]) => [n, m.mood])) });
      this.lastMood = flow;
    }
    this.events.moods?.(this.name);
  }
}

/** The manager's environment, without what is systemd's business with the manager alone. */
function workerEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NOTIFY_SOCKET: _socket, WATCHDOG_USEC: _usec, WATCHDOG_PID: _pid, ...rest } = env;
  return { ...rest, UV_THREADPOOL_SIZE: env.UV_THREADPOOL_SIZE ?? '64' };
}
