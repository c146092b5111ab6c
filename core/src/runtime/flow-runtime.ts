import type { AudioLevels, Component, ComponentClass, ListenerInfo } from '../api/component';
import type { AppSinkHandle, GstElementHandle, PipelineMessage, RunningPart } from '../api/running';
import type { Logger } from '../api/services';
import { FlowcastError, isFlowcastError } from '../errors/flowcast-error';
import type { ResolvedComponent, ResolvedFlow } from '../flow/types';
import { assemblePlan, type PipelinePlan } from '../pipeline/assemble';
import { loadGstBinding, type GstPipeline, type RawBusMessage } from '../pipeline/gst';
import { ComponentPart, componentOfElement, elementName } from '../pipeline/part-builder';
import { applyProperties, checkFactories, setLevelMetering } from '../pipeline/apply';
import type { RegistryComponent } from '../registry/types';
import type { SchemaCompiler } from '../registry/schema-compiler';
import { isPlayingTransition, toPipelineMessage } from './bus';
import { planLiveChange, type LiveChange } from './live-change';
import { createFlowContainer, resolveComponent, type CoreServices } from './container';

/** How long a pipeline may take to reach PLAYING before its bus is drained for the reason. */
const STARTUP_DRAIN_AFTER_MS = 1000;
const STARTUP_LIMIT_MS = 15_000;
const MAX_DRAIN_POLLS = 16;

type FailureListener = (error: FlowcastError) => void;
type EndListener = () => void;

/** Where component classes come from: the registry, or the test kit's own parts around it. */
export interface ImplementationLoader {
  loadImplementation(component: RegistryComponent): ComponentClass;
}

/** How a runtime may be used beyond one start and one stop. */
export interface FlowRuntimeOptions {
  /**
   * The flow is rebuilt after a failure (`flowcast serve`): a start that fails suspends what can
   * outlive a pipeline (a streamer's listeners) instead of stopping it, and `suspend()` then
   * `start()` again runs a new pipeline with those same component instances.
   */
  readonly restartable?: boolean;
}

/**
 * Runs one flow: resolves its components by DI, builds and plays its pipeline, attributes every
 * bus error to the component that raised it, and stops everything it started. Holds no global
 * state, so a flow can equally run in a child process. Under `flowcast serve` it is restartable:
 * after a failure, `suspend()` ends the pipeline and `start()` builds a new one, keeping the
 * components that implement `suspend` (and their listeners) across the two.
 */
export class FlowRuntime {
  private readonly components = new Map<string, Component>();
  private readonly started: string[] = [];
  /** Components suspended across a restart: started before, holding what they kept. */
  private readonly held = new Set<string>();
  private pipeline?: GstPipeline;
  private plan?: PipelinePlan;
  private failureListeners: FailureListener[] = [];
  private endListeners: EndListener[] = [];
  private stopping = false;
  private failed = false;
  /** The components of the current run: all of them, or fewer while a failover feed is left out. */
  private active: ResolvedFlow;
  private compiler?: SchemaCompiler;
  /** Whether `level` elements post their measurements (meterLevels), kept across pipeline restarts. */
  private metering = true;

  constructor(
    private readonly flow: ResolvedFlow,
    private readonly registry: ImplementationLoader,
    private readonly services: CoreServices,
    private readonly options: FlowRuntimeOptions = {},
  ) {
    this.active = flow;
  }

  /**
   * Components that only feed failover eaters (directly or through each other), each with the
   * components that go with it: the flow can run without them.
   */
  failoverComponents(): Map<string, Set<string>> {
    return failoverGroups(this.flow);
  }

  /** The components of the flow, upstream first. */
  get componentNames(): string[] {
    return this.flow.components.map((c) => c.name);
  }

  /** When each component that tracks it last received data (monotonic ms; undefined: not yet). */
  lastDataAt(): Map<string, number | undefined> {
    const seen = new Map<string, number | undefined>();
    for (const name of this.started) {
      const component = this.components.get(name);
      if (component?.lastDataAt) seen.set(name, component.lastDataAt());
    }
    return seen;
  }

  get name(): string {
    return this.flow.name;
  }

  /** The GStreamer description in use (for `--explain` and tests). */
  get description(): string | undefined {
    return this.plan?.description;
  }

  /** Each running component's own statistics, by component name. */
  stats(): Record<string, Readonly<Record<string, number>>> {
    const all: Record<string, Readonly<Record<string, number>>> = {};
    for (const name of this.started) {
      const stats = this.components.get(name)?.stats?.();
      if (stats) all[name] = stats;
    }
    return all;
  }

  /** Every running component's clients (streamers' listeners), by component name. */
  listeners(): Record<string, readonly ListenerInfo[]> {
    const all: Record<string, readonly ListenerInfo[]> = {};
    for (const name of this.started) {
      const listeners = this.components.get(name)?.listeners?.();
      if (listeners) all[name] = listeners;
    }
    return all;
  }

  /** Disconnect one client of a component; false when it is not connected. */
  kick(componentName: string, id: number): boolean {
    if (!this.flow.components.some((c) => c.name === componentName)) {
      throw new FlowcastError('FC_UNKNOWN_COMPONENT', `flow "${this.flow.name}" has no component "${componentName}" (it has: ${this.flow.components.map((c) => c.name).join(', ')})`);
    }
    return this.started.includes(componentName) ? (this.components.get(componentName)?.kick?.(id) ?? false) : false;
  }

  /**
   * Turn the components' audio level meters (GStreamer's `level`, ten messages a second each) on
   * or off, now and in every pipeline built after. On by default; with them off, `levels()` gives
   * the last figures measured.
   */
  meterLevels(on: boolean): void {
    if (this.metering === on) return;
    this.metering = on;
    if (this.pipeline && this.plan) setLevelMetering(this.pipeline, this.plan.elements, on);
  }

  /** The latest audio levels of every component that measures them. */
  levels(): Record<string, AudioLevels> {
    const all: Record<string, AudioLevels> = {};
    for (const name of this.started) {
      const levels = this.components.get(name)?.levels?.();
      if (levels) all[name] = levels;
    }
    return all;
  }

  /** The properties each component runs with (live changes included). */
  properties(): Record<string, Readonly<Record<string, unknown>>> {
    return Object.fromEntries(this.flow.components.map((c) => [c.name, c.properties]));
  }

  /**
   * Change properties of a running component without a restart: checked (`planLiveChange`),
   * handed to the component's `update`, and kept for the rest of the run. If the component
   * cannot apply them, it gets the previous values back and the error says why.
   */
  async update(componentName: string, requested: Readonly<Record<string, unknown>>): Promise<LiveChange> {
    const resolved = this.flow.components.find((c) => c.name === componentName);
    const component = this.components.get(componentName);
    if (!resolved || !component) {
      throw new FlowcastError('FC_UNKNOWN_COMPONENT', `flow "${this.flow.name}" has no component "${componentName}" (it has: ${this.flow.components.map((c) => c.name).join(', ')})`);
    }
    // Loaded at the first live change, not at start: a flow process that is never changed never needs ajv.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.compiler ??= new (require('../registry/schema-compiler') as typeof import('../registry/schema-compiler')).SchemaCompiler();
    const change = planLiveChange(resolved, requested, this.compiler);
    if (Object.keys(change.changes).length === 0) return change;
    try {
      if (!component.update) throw new Error('the component does not apply changes while running');
      await component.update(change.changes);
    } catch (error) {
      try {
        await component.update?.(change.previous);
      } catch (rollback) {
        this.logger(componentName).error(`could not put the previous values back: ${(rollback as Error).message}`);
      }
      const reason = isFlowcastError(error) ? error.reason : (error as Error).message;
      throw new FlowcastError('FC_LIVE_CHANGE_FAILED', `component "${componentName}" could not apply ${Object.keys(change.changes).join(', ')}: ${reason}`, { location: { component: componentName } });
    }
    resolved.properties = { ...change.properties };
    const fields = resolved.descriptor.properties.properties;
    const shown = Object.fromEntries(Object.entries(change.changes).map(([name, value]) => [name, fields[name]?.['x-secret'] ? '(secret)' : value]));
    this.logger(componentName).info('properties changed', { changes: shown });
    return change;
  }

  onFailure(listener: FailureListener): void {
    this.failureListeners.push(listener);
  }

  /** The pipeline reached end-of-stream: every sink received all its data (finite sources, tests). */
  onEnd(listener: EndListener): void {
    this.endListeners.push(listener);
  }

  /**
   * Start the flow; on any failure everything already started is stopped (or, restartable,
   * suspended) before the error is thrown. `without` leaves out failover components (see
   * failoverComponents).
   */
  async start(options: { without?: ReadonlySet<string> } = {}): Promise<void> {
    this.stopping = false;
    this.failed = false;
    this.active = withoutComponents(this.flow, options.without ?? new Set());
    try {
      this.createComponents();
      await this.preflight();
      this.plan = this.buildPlan();
      // A flow of components without elements (an archive server on its own) has no pipeline.
      this.pipeline = this.plan.elements.length > 0 ? this.createPipeline(this.plan) : undefined;
      for (const c of this.active.components) await this.startComponent(c.name);
      if (this.pipeline) await this.play(this.pipeline);
    } catch (error) {
      if (this.options.restartable) await this.suspend();
      else await this.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    if (this.stopping && !this.options.restartable) return;
    this.stopping = true;
    this.endPipeline();
    for (const [name, component] of [...this.components].reverse()) {
      if (!this.started.includes(name) && !this.held.has(name)) continue;
      try {
        await component.stop?.();
      } catch (error) {
        this.logger(name).warn(`stop failed: ${(error as Error).message}`);
      }
    }
    this.components.clear();
    this.held.clear();
    this.started.length = 0;
  }

  /**
   * End the pipeline so that `start()` can build a new one: components that implement `suspend`
   * keep what outlives a pipeline and are used again; the others are stopped and made anew.
   */
  async suspend(): Promise<void> {
    this.stopping = true;
    this.endPipeline();
    for (const name of [...this.components.keys()].reverse()) {
      const component = this.components.get(name)!;
      const wasStarted = this.started.includes(name);
      try {
        if (component.suspend) {
          if (wasStarted) await component.suspend();
          if (wasStarted || this.held.has(name)) this.held.add(name);
        } else {
          if (wasStarted) await component.stop?.();
          this.components.delete(name);
        }
      } catch (error) {
        this.logger(name).warn(`suspend failed: ${(error as Error).message}`);
        this.components.delete(name);
        this.held.delete(name);
      }
    }
    this.started.length = 0;
  }

  private endPipeline(): void {
    const pipeline = this.pipeline;
    this.pipeline = undefined;
    this.plan = undefined;
    pipeline?.stop();
  }

  private logger(component?: string): Logger {
    return component ? this.services.logger.child({ flow: this.flow.name, component }) : this.services.logger.child({ flow: this.flow.name });
  }

  private createComponents(): void {
    const container = createFlowContainer(this.flow.name, this.services);
    for (const c of this.active.components) {
      if (this.components.has(c.name)) continue; // kept across a restart
      const implementation = this.registry.loadImplementation(c.descriptor);
      this.components.set(c.name, resolveComponent(container, c, implementation, this.logger(c.name)));
    }
  }

  /** Every component's checks run; all failures are reported together, each with its own fix. */
  private async preflight(): Promise<void> {
    const failures: FlowcastError[] = [];
    for (const [name, component] of this.components) {
      try {
        await component.preflight?.();
      } catch (error) {
        failures.push(isFlowcastError(error) ? error : new FlowcastError('FC_PREFLIGHT', `component "${name}": ${(error as Error).message}`, { location: { component: name } }));
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) {
      throw new FlowcastError('FC_PREFLIGHT', failures.map((f) => f.reason).join('; '), { fix: failures.map((f) => f.fix).join('; ') });
    }
  }

  private buildPlan(): PipelinePlan {
    const parts = new Map<string, ComponentPart>();
    for (const c of this.active.components) {
      const eaten = new Set(this.active.components.flatMap((other) => other.eats.flatMap((s) => s.feeds.filter((f) => f.component === c.name).map((f) => f.feeder))));
      const counts = new Map(c.eats.map((s) => [s.eater, s.feeds.length] as const));
      const part = new ComponentPart(c.name, eaten, counts);
      this.components.get(c.name)!.build(part);
      checkFactories(part, c.descriptor.elements.map((e) => e.element));
      parts.set(c.name, part);
    }
    return assemblePlan(this.active, parts);
  }

  private createPipeline(plan: PipelinePlan): GstPipeline {
    this.logger().debug('pipeline', { description: plan.description });
    let pipeline: GstPipeline;
    try {
      pipeline = new (loadGstBinding().Pipeline)(plan.description);
    } catch (error) {
      throw new FlowcastError('FC_PIPELINE_BUILD', `GStreamer could not build the pipeline of flow "${this.flow.name}": ${(error as Error).message}`);
    }
    // Keep messages posted while the pipeline falls back to NULL (a device that fails to open),
    // and the stop's own, for a bus poll that starts after it (else it waits for ever, and the
    // process cannot exit: producer-file's decoders say more).
    (pipeline as unknown as Record<string, unknown>)['auto-flush-bus'] = false;
    applyProperties(pipeline, plan.elements);
    if (!this.metering) setLevelMetering(pipeline, plan.elements, false);
    return pipeline;
  }

  private async startComponent(name: string): Promise<void> {
    const component = this.components.get(name)!;
    const pipeline = this.pipeline;
    const part: RunningPart = {
      component: name,
      element: (localName) => {
        const handle = pipeline?.findChild(elementName(name, localName));
        if (!handle) throw new FlowcastError('FC_PIPELINE_BUILD', `component "${name}" asked for element "${localName}", which it did not add`);
        return handle as GstElementHandle & AppSinkHandle;
      },
      fail: (reason) => {
        if (pipeline === this.pipeline) this.fail(new FlowcastError('FC_COMPONENT_FAILED', `component "${name}": ${reason}`, { location: { component: name } }));
      },
    };
    await component.start?.(part);
    this.started.push(name);
  }

  /** Play and wait for PLAYING, or for the first error, which is attributed and thrown. */
  private play(pipeline: GstPipeline): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      let drains = 0;
      const settle = (error?: FlowcastError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(drainTimer);
        clearTimeout(limitTimer);
        if (error) reject(error);
        else resolve();
      };
      const onMessage = (raw: RawBusMessage): void => {
        if (pipeline !== this.pipeline) return; // a message of a pipeline since ended (restarted)
        if (raw.type === 'error') {
          const error = this.attribute(toPipelineMessage(raw));
          if (!settled) settle(error);
          else this.fail(error);
        } else if (raw.type === 'eos') {
          for (const listener of this.endListeners) listener();
        } else if (raw.type === 'element') {
          const name = componentOfElement(raw._src_element_name ?? '');
          const component = name ? this.components.get(name) : undefined;
          component?.onElementMessage?.(toPipelineMessage(raw));
        } else if (raw.type === 'warning') {
          const message = toPipelineMessage(raw);
          this.logger(componentOfElement(message.source)).warn(message.text ?? 'GStreamer warning', { element: message.source });
        } else if (!settled && isPlayingTransition(raw) && !componentOfElement(raw._src_element_name ?? '')) {
          // The pipeline itself (not one of the components' elements) reached PLAYING.
          settle();
        }
        // The binding stops polling once the pipeline is in NULL; poll again to read why it got there.
        if (!settled && drainTimer === undefined && drains > 0 && drains < MAX_DRAIN_POLLS) drain();
      };
      const drain = (): void => {
        drains++;
        pipeline.pollBus(onMessage);
      };
      let drainTimer: NodeJS.Timeout | undefined = setTimeout(() => {
        drainTimer = undefined;
        drain();
      }, STARTUP_DRAIN_AFTER_MS);
      const limitTimer = setTimeout(() => settle(new FlowcastError('FC_COMPONENT_FAILED', `flow "${this.flow.name}" did not start within ${STARTUP_LIMIT_MS / 1000} s`)), STARTUP_LIMIT_MS);
      pipeline.pollBus(onMessage);
      pipeline.play();
    });
  }

  /** Name the component whose element raised the error, and let it explain in its own words. */
  private attribute(message: PipelineMessage): FlowcastError {
    const name = componentOfElement(message.source);
    const component = name ? this.components.get(name) : undefined;
    const type = this.flow.components.find((c) => c.name === name)?.type;
    const explained = component?.explainError?.(message);
    const text = explained ?? `${message.text ?? 'GStreamer error'}${message.debug ? ` (${message.debug.split('\n').pop()})` : ''}`;
    return new FlowcastError('FC_COMPONENT_FAILED', name ? `component "${name}" (${type}) failed: ${text}` : `flow "${this.flow.name}" failed: ${text}`, {
      location: name ? { component: name } : {},
    });
  }

  private fail(error: FlowcastError): void {
    if (this.failed || this.stopping) return;
    this.failed = true;
    this.logger(error.location.component).error(error.message);
    for (const listener of this.failureListeners) listener(error);
  }
}

/** The flow without some components, and without the feeds they gave. */
function withoutComponents(flow: ResolvedFlow, left: ReadonlySet<string>): ResolvedFlow {
  if (left.size === 0) return flow;
  return {
    ...flow,
    components: flow.components
      .filter((c) => !left.has(c.name))
      .map((c) => ({ ...c, eats: c.eats.map((slot) => ({ ...slot, feeds: slot.feeds.filter((f) => !left.has(f.component)) })).filter((slot) => slot.feeds.length > 0) })),
  };
}

/**
 * Components whose every output goes into a failover eater, or into other such components: for
 * each, itself and the components upstream that exist only to feed it (left out with it).
 */
export function failoverGroups(flow: ResolvedFlow): Map<string, Set<string>> {
  const consumers = new Map<string, { component: ResolvedComponent; eater: string }[]>();
  for (const c of flow.components) for (const slot of c.eats) for (const feed of slot.feeds) consumers.set(feed.component, [...(consumers.get(feed.component) ?? []), { component: c, eater: slot.eater }]);
  const optional = new Set<string>();
  // Downstream first, so a component's consumers are decided before it.
  for (const c of [...flow.components].reverse()) {
    const eaten = consumers.get(c.name) ?? [];
    const onlyFailover = eaten.length > 0 && eaten.every((e) => optional.has(e.component.name) || e.component.descriptor.eaters.find((spec) => spec.name === e.eater)?.failover === true);
    if (onlyFailover) optional.add(c.name);
  }
  const groups = new Map<string, Set<string>>();
  for (const name of optional) {
    // It and everything optional upstream of it.
    const group = new Set([name]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const c of flow.components) {
        if (!group.has(c.name)) continue;
        for (const slot of c.eats) for (const feed of slot.feeds) if (optional.has(feed.component) && !group.has(feed.component)) { group.add(feed.component); grew = true; }
      }
    }
    // And what is downstream of it, up to the failover eater.
    for (const other of optional) if (other !== name && isUpstream(flow, name, other)) group.add(other);
    groups.set(name, group);
  }
  return groups;
}

function isUpstream(flow: ResolvedFlow, from: string, to: string): boolean {
  const seen = new Set<string>([from]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const c of flow.components) if (!seen.has(c.name) && c.eats.some((slot) => slot.feeds.some((f) => seen.has(f.component)))) { seen.add(c.name); grew = true; }
  }
  return seen.has(to);
}
