import path from 'node:path';
import type { AudioLevels } from '../api/component';
import type { Logger } from '../api/services';
import { FlowcastError, isFlowcastError } from '../errors/flowcast-error';
import type { ResolvedFlow } from '../flow/types';
import { Registry } from '../registry/registry';
import { frontSettingsFromEnvironment } from '../http/front-settings';
import { HttpFront, type PorterLink } from '../http/http-front';
import type { ErrorCode } from '../errors/codes';
import type { Socket } from 'node:net';
import { FlowRuntime } from '../runtime/flow-runtime';
import { ProcessLimits } from '../runtime/system-limits';
import { Backoff } from './backoff';
import type { FlowSpec, ManagerMessage, MoodReport, WorkerMessage, WorkerRequest, WorkerSettings } from './messages';

/** How often the worker sends its components' audio levels (ms): the meters' frame rate. */
const LEVELS_EVERY_MS = 200;
/**
 * The meters stay on this long after a flow's levels were asked for (a dashboard opening the
 * flow, about to watch it) before they go back to sleep (ms).
 */
const LEVELS_ASKED_KEEP_MS = 10_000;
/** How long an answer waits for meters just turned on to report (they report every 100 ms). */
const FRESH_LEVELS_WAIT_MS = 300;
import type { Mood } from './moods';

/**
 * How often the worker looks for hungry components (feeds gone silent): half the hungry time,
 * within these bounds. Each look takes what the streamers' sinks queued, which costs a little
 * CPU, so not more often than needed.
 */
const HUNGER_CHECK_MIN_MS = 1000;
const HUNGER_CHECK_MAX_MS = 5000;

/** The worker's end of the channel to the manager. */
export interface ManagerChannel {
  send(message: WorkerMessage): void;
}

/**
 * One flow in its own process (`flowcast serve` forks one per flow). Runs the flow's pipeline,
 * reports each component's mood, and rebuilds the pipeline after a failure with exponential
 * backoff, forever; components that can (streamer-http) keep their listeners across the rebuild.
 */
export class FlowWorker {
  private runtime?: FlowRuntime;
  private readonly http: HttpFront;
  private readonly mountRequests = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private nextMountId = 1;
  private readonly moods = new Map<string, { mood: Mood; reason: string }>();
  private backoff?: Backoff;
  private settings?: WorkerSettings;
  private attempt = 0;
  private restartTimer?: NodeJS.Timeout;
  /** Components left out after they failed (they only fed a failover eater), and when to try them again. */
  private leftOut?: ReadonlySet<string>;
  private retryTimer?: NodeJS.Timeout;
  /** A pipeline is being taken down to run it with or without the left-out components. */
  private switching = false;
  private hungerTimer?: NodeJS.Timeout;
  private statsTimer?: NodeJS.Timeout;
  private levelsTimer?: NodeJS.Timeout;
  private watchLevels = false;
  /** The meters were turned on for a request for levels; they go back to sleep at this timer. */
  private levelsAskedTimer?: NodeJS.Timeout;
  private runningSince = 0;
  private stopping = false;
  private stopped?: Promise<void>;
  private urls: string[] = [];
  private announced: string[] = [];

  constructor(
    private readonly channel: ManagerChannel,
    private readonly env: NodeJS.ProcessEnv,
    private readonly logger: Logger,
    private readonly now: () => number = () => performance.now(),
  ) {
    // The manager checked these settings before it started any worker. Its porter owns the
    // listening sockets: this worker's mounts are routed here, and connections handed over.
    const porter: PorterLink = {
      register: (mount) =>
        new Promise((resolve, reject) => {
          const id = this.nextMountId++;
          this.mountRequests.set(id, { resolve, reject });
          this.channel.send({ type: 'mount', id, mount });
        }),
      unregister: (mount) => this.channel.send({ type: 'unmount', mount }),
    };
    this.http = new HttpFront({ logger, settings: frontSettingsFromEnvironment(env), porter });
  }

  /** A connection the manager's porter accepted for one of this worker's mounts. */
  accept(message: Extract<ManagerMessage, { type: 'connection' }>, socket: Socket): void {
    this.http.serveAccepted(message.port, socket, message.head, Buffer.from(message.received, 'base64'));
  }

  handle(message: ManagerMessage): void {
    switch (message.type) {
      case 'ping':
        this.channel.send({ type: 'pong', seq: message.seq });
        return;
      case 'start':
        void this.start(message.flow, message.settings);
        return;
      case 'stop':
        void this.stop().then(() => this.channel.send({ type: 'stopped' }));
        return;
      case 'mounted': {
        const request = this.mountRequests.get(message.id);
        this.mountRequests.delete(message.id);
        if (!message.error) request?.resolve();
        else request?.reject(new FlowcastError(message.error.code as ErrorCode, message.error.reason, message.error.fix ? { fix: message.error.fix } : {}));
        return;
      }
      case 'connection':
        return; // comes with its socket: see accept()
      case 'request':
        void this.answer(message.id, message.request);
        return;
      case 'watch':
        this.watchLevels = message.levels;
        this.meter();
        this.timeLevels();
        return;
    }
  }

  /** Do what the manager's admin API asks of the running flow, and say how it went. */
  private async answer(id: number, request: WorkerRequest): Promise<void> {
    try {
      const runtime = this.runtime;
      if (!runtime || this.stopping) throw new FlowcastError('FC_FLOW_NOT_RUNNING', 'the flow is not running');
      // While the pipeline is being rebuilt, its elements are not there to change or ask.
      if (request.action === 'update' && (this.restartTimer || this.switching)) throw new FlowcastError('FC_FLOW_NOT_RUNNING', 'the flow is restarting after a failure', { fix: 'try again once it is happy (`flowcast status`)' });
      let result: unknown;
      switch (request.action) {
        case 'update': {
          const change = await runtime.update(request.component, request.changes);
          result = { changes: change.changes, previous: change.previous };
          break;
        }
        case 'listeners':
          result = runtime.listeners();
          break;
        case 'stats':
          result = this.restartTimer ? {} : { ...runtime.stats(), http: this.http.stats() };
          break;
        case 'kick':
          result = { kicked: runtime.kick(request.component, request.id) };
          break;
        case 'levels':
          result = this.restartTimer ? {} : await this.freshLevels(runtime);
          break;
      }
      this.channel.send({ type: 'reply', id, result });
    } catch (error) {
      const flowcast = isFlowcastError(error);
      this.channel.send({
        type: 'reply',
        id,
        error: {
          code: flowcast ? error.code : 'FC_COMPONENT_FAILED',
          reason: flowcast ? error.reason : String((error as Error)?.message ?? error),
          fix: flowcast ? error.fix : '',
          ...(flowcast && error.location.component ? { component: error.location.component } : {}),
          ...(flowcast && error.location.property ? { property: error.location.property } : {}),
        },
      });
    }
  }

  /**
   * The meters measure while someone watches them or just asked for them, and only then: each
   * `level` element posts ten messages a second, handled on this process's JavaScript thread.
   */
  private meter(): void {
    this.runtime?.meterLevels(this.watchLevels || this.levelsAskedTimer !== undefined);
  }

  /** Levels asked for once (a flow's detail): the meters wake if they sleep, and report first. */
  private async freshLevels(runtime: FlowRuntime): Promise<Record<string, AudioLevels>> {
    const asleep = !this.watchLevels && this.levelsAskedTimer === undefined;
    clearTimeout(this.levelsAskedTimer);
    this.levelsAskedTimer = setTimeout(() => {
      this.levelsAskedTimer = undefined;
      this.meter();
    }, LEVELS_ASKED_KEEP_MS);
    if (asleep) {
      this.meter();
      await new Promise((resolve) => setTimeout(resolve, FRESH_LEVELS_WAIT_MS));
    }
    return runtime.levels();
  }

  /** Levels are sent while someone watches them, and only then (the manager says when: `watch`). */
  private timeLevels(): void {
    if (this.watchLevels && this.runtime && !this.stopping) this.levelsTimer ??= setInterval(() => this.reportLevels(), LEVELS_EVERY_MS);
    else {
      clearInterval(this.levelsTimer);
      this.levelsTimer = undefined;
    }
  }

  /** Send the latest audio levels, for the dashboard's meters. */
  private reportLevels(): void {
    const runtime = this.runtime;
    if (!runtime || this.restartTimer || this.stopping) return;
    const levels = runtime.levels();
    if (Object.keys(levels).length > 0) this.channel.send({ type: 'levels', levels });
  }

  private async start(spec: FlowSpec, settings: WorkerSettings): Promise<void> {
    if (this.runtime) return;
    this.settings = settings;
    this.backoff = new Backoff(settings.backoff);
    const checked = spec.checked ? { flow: spec.checked.flow, registry: new Registry(settings.project, { format: 1, packages: [...spec.checked.packages], components: [] }) } : this.validate(spec, settings);
    if (!checked) return;
    const { flow, registry } = checked;
    this.runtime = new FlowRuntime(
      flow,
      registry,
      {
        logger: this.logger,
        http: this.http,
        paths: { project: settings.project, flowDirectory: path.dirname(path.resolve(settings.project, spec.file)), logs: path.resolve(settings.project, this.env.FLOWCAST_LOG_DIR ?? 'logs') },
        clock: { now: () => Date.now(), monotonic: () => performance.now() },
        announcer: { announce: (label, url) => this.urls.push(`${label}: ${url}`) },
        system: new ProcessLimits(),
      },
      { restartable: true },
    );
    this.meter();
    this.runtime.onFailure((error) => void this.failed(error));
    // A live station's stream does not end: a source that ran out (a file, a device gone) is a failure.
    this.runtime.onEnd(() => void this.failed(new FlowcastError('FC_COMPONENT_FAILED', `flow "${flow.name}": the stream ended (a source reached its end)`)));
    const hungerCheckMs = Math.min(HUNGER_CHECK_MAX_MS, Math.max(HUNGER_CHECK_MIN_MS, settings.hungryAfterMs / 2));
    this.hungerTimer = setInterval(() => this.checkHunger(), hungerCheckMs);
    const statsEvery = Number(this.env.FLOWCAST_STATS_INTERVAL ?? 30) * 1000;
    this.statsTimer = setInterval(() => this.reportStats(), Number.isFinite(statsEvery) && statsEvery > 0 ? statsEvery : 30_000);
    this.timeLevels();
    await this.attemptStart();
  }

  /**
   * The flow as this worker checks it itself (the manager could not: see FlowSpec), or undefined
   * after telling the manager why it is refused. The validator is loaded only then.
   */
  private validate(spec: FlowSpec, settings: WorkerSettings): { flow: ResolvedFlow; registry: Registry } | undefined {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { loadRegistry } = require('../cli/project') as typeof import('../cli/project');
    const { validateFlowText } = require('../flow/validate') as typeof import('../flow/validate');
    const { formatDiagnostic } = require('../flow/reporter') as typeof import('../flow/reporter');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const registry = loadRegistry(settings.project, this.env);
    const validation = validateFlowText(spec.text, spec.file, registry);
    if (validation.flow) return { flow: validation.flow, registry };
    this.channel.send({ type: 'refused', errors: validation.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic) });
    return undefined;
  }

  private async attemptStart(): Promise<void> {
    const runtime = this.runtime!;
    this.attempt++;
    this.urls = [];
    const running = runtime.componentNames.filter((c) => !this.leftOut?.has(c));
    this.setMoods(running.map((component) => ({ component, mood: 'waking', reason: this.attempt === 1 ? 'starting' : `restarting (attempt ${this.attempt})` })));
    try {
      await runtime.start(this.leftOut ? { without: this.leftOut } : {});
    } catch (error) {
      await this.failed(error);
      return;
    }
    if (this.stopping) return;
    this.runningSince = this.now();
    this.backoff!.happy(this.runningSince);
    this.setMoods(running.map((component) => ({ component, mood: 'happy', reason: 'playing' })));
    // Components kept across a restart (a streamer and its mount) do not announce themselves again.
    if (this.urls.length === 0) this.urls = this.announced;
    this.announced = this.urls;
    this.channel.send({ type: 'running', urls: this.urls, attempt: this.attempt });
  }

  /** The pipeline failed (while starting or running): suspend it and try again after the backoff. */
  private async failed(error: unknown): Promise<void> {
    if (this.stopping || this.restartTimer || this.switching) return;
    const runtime = this.runtime!;
    const message = isFlowcastError(error) ? error.message : String((error as Error)?.stack ?? error);
    const culprit = isFlowcastError(error) ? error.location.component : undefined;
    const group = culprit !== undefined && !this.leftOut ? runtime.failoverComponents().get(culprit) : undefined;
    if (group) return this.runWithout(group, culprit!, message);
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.leftOut = undefined;
    this.setMoods(
      runtime.componentNames.map((component) =>
        culprit === undefined || component === culprit ? { component, mood: 'sad', reason: message } : { component, mood: 'waking', reason: `waiting for ${culprit} to be restarted` },
      ),
    );
    const delay = this.backoff!.next(this.now());
    this.restartTimer = setTimeout(() => {
      void (async () => {
        if (this.stopping) return;
        await this.attemptStart();
        this.restartTimer = undefined;
      })();
    }, delay);
    this.logger.warn('flow failed; restarting', { flow: runtime.name, attempt: this.attempt + 1, inMs: delay, reason: message });
    this.channel.send({ type: 'restarting', attempt: this.attempt + 1, inMs: delay, reason: message, ...(culprit !== undefined ? { component: culprit } : {}) });
    await runtime.suspend();
  }

  /**
   * A component that only feeds a failover eater (a switch's main) failed: the flow goes on at
   * once without it (the switch plays its backup), and the whole flow is tried again after the
   * backoff; if the component fails again, the same happens, with a longer wait. The wait counts
   * from when the flow plays without it: on a slow start the backup is still heard for the whole
   * wait, and the retry never suspends a start that is still under way.
   */
  private async runWithout(group: ReadonlySet<string>, culprit: string, message: string): Promise<void> {
    const runtime = this.runtime!;
    this.setMoods([...group].map((component) => (component === culprit ? { component, mood: 'sad', reason: message } : { component, mood: 'sad', reason: `left out with ${culprit}` })));
    const delay = this.backoff!.next(this.now());
    this.logger.warn('component failed; the flow goes on without it and tries it again later', { flow: runtime.name, component: culprit, leftOut: [...group], retryInMs: delay, reason: message });
    this.leftOut = group;
    this.channel.send({ type: 'restarting', attempt: this.attempt, inMs: delay, reason: message, component: culprit, leftOut: true });
    this.switching = true; // no other restart while this one is under way
    await runtime.suspend();
    this.switching = false;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.attemptStart();
    // Stopped, or the start without it failed too (failed() then restarts the whole flow).
    if (this.stopping || this.restartTimer || this.leftOut !== group) return;
    this.retryTimer = setTimeout(() => {
      void (async () => {
        this.retryTimer = undefined;
        if (this.stopping || this.restartTimer || this.switching) return;
        this.leftOut = undefined;
        this.switching = true;
        await runtime.suspend();
        this.switching = false;
        await this.attemptStart();
      })();
    }, delay);
  }

  /** A component whose feed has been silent longer than hungryAfterMs is hungry; happy again when data comes. */
  private checkHunger(): void {
    const runtime = this.runtime;
    if (!runtime || this.stopping || this.restartTimer) return;
    const now = this.now();
    const limit = this.settings!.hungryAfterMs;
    const changes: MoodReport[] = [];
    for (const [component, last] of runtime.lastDataAt()) {
      const current = this.moods.get(component);
      if (current?.mood !== 'happy' && current?.mood !== 'hungry') continue;
      const silentFor = now - Math.max(last ?? 0, this.runningSince);
      if (silentFor > limit && current.mood === 'happy') changes.push({ component, mood: 'hungry', reason: `no data from upstream for ${(silentFor / 1000).toFixed(1)} s` });
      else if (silentFor <= limit && current.mood === 'hungry') changes.push({ component, mood: 'happy', reason: 'data flows again' });
    }
    if (changes.length > 0) this.setMoods(changes);
    if ([...this.moods.values()].every((m) => m.mood === 'happy')) this.backoff?.happy(now);
  }

  private reportStats(): void {
    const runtime = this.runtime;
    if (!runtime || this.restartTimer) return;
    const components = { ...runtime.stats(), http: this.http.stats() };
    for (const [component, stats] of Object.entries(components)) this.logger.info('stats', { flow: runtime.name, component, ...stats });
    this.channel.send({ type: 'stats', components });
  }

  /** Record moods and tell the manager when any changed (the manager logs the changes). */
  private setMoods(reports: MoodReport[]): void {
    let changed = false;
    for (const report of reports) {
      const key = report.component ?? '';
      const before = this.moods.get(key);
      if (before?.mood === report.mood && before.reason === report.reason) continue;
      this.moods.set(key, { mood: report.mood, reason: report.reason });
      changed = true;
    }
    if (changed) this.channel.send({ type: 'moods', moods: [...this.moods].map(([component, state]) => ({ component, ...state })) });
  }

  /** Stop the flow for good: listeners closed, files flushed. */
  stop(): Promise<void> {
    this.stopped ??= this.stopNow();
    return this.stopped;
  }

  private async stopNow(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    clearTimeout(this.retryTimer);
    clearInterval(this.hungerTimer);
    clearInterval(this.statsTimer);
    clearInterval(this.levelsTimer);
    clearTimeout(this.levelsAskedTimer);
    await this.runtime?.stop();
    await this.http.closeAll();
    if (this.runtime) this.setMoods(this.runtime.componentNames.map((component) => ({ component, mood: 'sleeping', reason: 'stopped' })));
  }
}
