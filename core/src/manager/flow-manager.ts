import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../api/services';
import { loadRegistry } from '../cli/project';
import { formatDiagnostic } from '../flow/reporter';
import type { ResolvedFlow } from '../flow/types';
import { validateFlowText } from '../flow/validate';
import { SchemaCompiler } from '../registry/schema-compiler';
import { claimConflict } from './claims';
import { liveChanges } from './live-changes';
import { listFlowFiles } from './flow-files';
import { FlowSupervisor, type FlowState, type SupervisorEvents, type SupervisorOptions } from './flow-supervisor';
import type { FrontSettings } from '../http/front-settings';
import type { FrontCounters } from '../http/front-stats';
import { Porter } from './porter';
import type { CheckedFlow, FlowSpec, WorkerSettings } from './messages';
import type { PortedMount } from '../http/http-front';
import { FlowcastError } from '../errors/flowcast-error';
import type { Diagnostic } from '../flow/types';
import { isInside, previousVersionPath, setComponentProperties, writeFileAtomically } from './flow-edit';
import { HeldFlows } from './held-flows';

export interface ManagerOptions {
  /** Flow files and directories of flow files, as given (relative to `cwd`). */
  readonly paths: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  readonly settings: WorkerSettings;
  readonly supervisor: SupervisorOptions;
  /** The front door's settings, for the porter's listening sockets. */
  readonly front: FrontSettings;
  /** Where the names of flows an operator stopped are kept (they stay stopped across restarts). */
  readonly heldFile?: string;
  readonly events: SupervisorEvents & {
    /** A flow file that cannot run (invalid, or conflicting with a running flow), with each error. */
    refused(file: string, errors: readonly string[]): void;
  };
}

interface ManagedFlow {
  text: string;
  flow: ResolvedFlow;
  supervisor: FlowSupervisor;
}

/** One flow as the admin API sees it: its file, definition (with live changes) and supervisor. */
export interface ManagedFlowView {
  readonly file: string;
  readonly text: string;
  readonly flow: ResolvedFlow;
  readonly supervisor: FlowSupervisor;
  /** Stopped by an operator: stays stopped until started. */
  readonly held: boolean;
}

/** What a change of properties did. */
export interface PropertyChangeResult {
  /** Applied to the running flow without a restart. */
  readonly live: boolean;
  /** The flow is restarted to apply them (non-live properties, when asked to). */
  readonly restarted: boolean;
  readonly changes: Readonly<Record<string, unknown>>;
  readonly file: string;
}

/** What one look at the flow files did. */
export interface ReconcileResult {
  readonly started: string[];
  readonly restarted: string[];
  /** Flows whose edit changed only live properties, applied without a restart. */
  readonly updated: string[];
  readonly stopped: string[];
  readonly refused: string[];
}

/**
 * The manager of `flowcast serve`: holds no pipeline, only one supervisor (and so one worker
 * process) per valid flow file. `reconcile()` makes the running flows match the files: a new
 * valid file starts a flow, an edited one restarts only its flow, a deleted one stops it, and an
 * invalid one is refused with its errors, leaving what runs (an older version) running.
 */
export class FlowManager {
  private readonly flows = new Map<string, ManagedFlow>();
  /** The text of each file last refused, so an unchanged invalid file is not reported again. */
  private readonly refusedTexts = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly porter: Porter;
  private readonly held?: HeldFlows;
  /** Someone watches audio levels: every flow's worker, including those started later, sends them. */
  private watchingLevels = false;

  constructor(private readonly options: ManagerOptions) {
    if (options.heldFile) this.held = new HeldFlows(options.heldFile);
    this.porter = new Porter(options.front, options.logger, (flow, port, socket, head, received) => {
      const managed = [...this.flows.values()].find((f) => f.flow.name === flow);
      return managed ? managed.supervisor.handOver(port, socket, head, received) : false;
    });
  }

  /** The porter's front-door counters (heads pending, timeouts, refusals), for the stats line. */
  porterStats(): Readonly<FrontCounters> {
    return this.porter.counters();
  }

  /** Workers send audio levels only while someone watches them (the admin API's event stream). */
  watchLevels(on: boolean): void {
    this.watchingLevels = on;
    for (const managed of this.flows.values()) managed.supervisor.watchLevels(on);
  }

  /** The state of every flow, for logs and the admin API. */
  states(): FlowState[] {
    return [...this.flows.values()].map((f) => f.supervisor.state());
  }

  /** Look at the flow files again; calls are queued, never run over each other. */
  reconcile(): Promise<ReconcileResult> {
    return this.queued(() => this.reconcileNow());
  }

  /** Stop every flow (in parallel); no reconcile runs after this. */
  async stop(): Promise<void> {
    this.closed = true;
    await this.queue;
    await Promise.all([...this.flows.values()].map((f) => f.supervisor.stop()));
    this.porter.closeAll();
  }

  private async reconcileNow(): Promise<ReconcileResult> {
    const result: ReconcileResult = { started: [], restarted: [], updated: [], stopped: [], refused: [] };
    if (this.closed) return result;
    const { cwd, logger } = this.options;
    const files = listFlowFiles(this.options.paths.map((p) => path.resolve(cwd, p)));
    const registry = loadRegistry(this.options.settings.project, this.options.env);
    // One compiler for every file of this look: a type's schema is compiled once, not once per
    // flow (compiling is most of the memory validation takes, and the manager is to stay small).
    const compiler = new SchemaCompiler();
    for (const [file, managed] of [...this.flows]) {
      if (files.includes(file) && fs.existsSync(file)) continue;
      logger.info('flow file removed: stopping its flow', { flow: managed.flow.name, file: this.shown(file) });
      this.flows.delete(file);
      await managed.supervisor.stop();
      this.porter.release(managed.flow.name);
      result.stopped.push(managed.flow.name);
    }
    for (const file of files) {
      const shown = this.shown(file);
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (error) {
        this.refuse(file, [`${shown}:1:1: error FC_FLOW_READ: cannot read the flow file: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`], result);
        continue;
      }
      const current = this.flows.get(file);
      if (current?.text === text || this.refusedTexts.get(file) === text) continue;
      this.refusedTexts.delete(file);
      const validation = validateFlowText(text, shown, registry, compiler);
      if (!validation.flow) {
        this.refusedTexts.set(file, text);
        this.refuse(file, validation.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic), result);
        continue;
      }
      const others = [...this.flows].filter(([f]) => f !== file).map(([, m]) => m.flow);
      const clash = others.find((o) => o.name === validation.flow!.name);
      const conflict = clash ? `flow name "${clash.name}" is already used by ${clash.file}` : claimConflict(validation.flow, others);
      if (conflict) {
        this.refuse(file, [`${shown}: error FC_CLAIM_CONFLICT: ${conflict}. Fix: give each flow its own name, port and mount`], result);
        continue;
      }
      const live = current ? liveChanges(current.flow, validation.flow) : undefined;
      if (current && live) {
        const failed = await current.supervisor.update({ file: shown, text }, live);
        if (!failed) {
          this.flows.set(file, { text, flow: validation.flow, supervisor: current.supervisor });
          logger.info('flow file changed: live properties applied without a restart', { flow: validation.flow.name, file: shown, changes: live });
          result.updated.push(validation.flow.name);
          continue;
        }
        logger.warn('flow file changed: live properties could not be applied; restarting the flow', { flow: validation.flow.name, reason: failed });
      }
      if (current) {
        logger.info('flow file changed: restarting its flow', { flow: validation.flow.name, file: shown });
        await current.supervisor.stop();
        this.porter.release(current.flow.name);
      }
      const supervisor = this.supervise(validation.flow.name, file, text);
      this.flows.set(file, { text, flow: validation.flow, supervisor });
      if (this.held?.has(file)) {
        void supervisor.stop(); // nothing to stop: only marks it sleeping, as the operator left it
        logger.info('flow stopped by an operator: not started', { flow: validation.flow.name, file: shown });
        continue;
      }
      supervisor.start();
      (current ? result.restarted : result.started).push(validation.flow.name);
    }
    return result;
  }

  /** Every flow, for the admin API. */
  views(): ManagedFlowView[] {
    return [...this.flows].map(([file, m]) => this.view(file, m));
  }

  /** One flow by name, or FC_UNKNOWN_FLOW naming the flows there are. */
  find(name: string): ManagedFlowView {
    const [file, managed] = this.entry(name);
    return this.view(file, managed);
  }

  private entry(name: string): [string, ManagedFlow] {
    const entry = [...this.flows].find(([, m]) => m.flow.name === name);
    if (!entry) {
      const names = [...this.flows.values()].map((m) => m.flow.name);
      throw new FlowcastError('FC_UNKNOWN_FLOW', `there is no flow "${name}" (there are: ${names.join(', ') || 'none'})`);
    }
    return entry;
  }

  /** The directory new flow files go to: the first directory `flowcast serve` was given. */
  flowsDirectory(): string | undefined {
    for (const p of this.options.paths) {
      const full = path.resolve(this.options.cwd, p);
      try {
        if (fs.statSync(full).isDirectory()) return full;
      } catch {
        // not there: not a place for new flows
      }
    }
    return undefined;
  }

  /** Start, stop or restart one flow (an operator's stop lasts across restarts of the server). */
  control(name: string, action: 'start' | 'stop' | 'restart'): Promise<void> {
    return this.queued(async () => {
      const [file, managed] = this.entry(name);
      this.held?.set(file, action === 'stop');
      if (action === 'stop') {
        await managed.supervisor.stop();
        this.porter.release(name);
        return;
      }
      if (action === 'start' && !managed.supervisor.stopped) return; // running already: nothing to do
      await managed.supervisor.stop();
      this.porter.release(name);
      managed.supervisor = this.supervise(name, file, managed.text);
      managed.supervisor.start();
    });
  }

  /**
   * Change properties of one component and keep the change in the flow file (atomically, the
   * previous version kept), so it lasts. Live properties of a running flow change without a
   * restart; any other change needs `restart` (the flow restarts with the new file), else
   * FC_PROPERTY_NOT_LIVE. A flow that is stopped just gets its file changed.
   */
  changeProperties(name: string, component: string, changes: Readonly<Record<string, unknown>>, restart: boolean): Promise<PropertyChangeResult> {
    return this.queued(async () => {
      const [file, managed] = this.entry(name);
      const resolved = managed.flow.components.find((c) => c.name === component);
      if (!resolved) {
        throw new FlowcastError('FC_UNKNOWN_COMPONENT', `flow "${name}" has no component "${component}" (it has: ${managed.flow.components.map((c) => c.name).join(', ')})`, { location: { component } });
      }
      // An edit on disk not taken up yet would be overwritten: the operator's hand edit comes first.
      let onDisk: string | undefined;
      try {
        onDisk = fs.readFileSync(file, 'utf8');
      } catch {
        onDisk = undefined;
      }
      if (onDisk !== managed.text) throw new FlowcastError('FC_FLOW_FILE_CHANGED', `${this.shown(file)} was changed on disk since the server read it; nothing was changed`);
      const running = !this.held?.has(file) && managed.supervisor.state().pid !== undefined;
      const fields = resolved.descriptor.properties.properties;
      const unknown = Object.keys(changes).find((k) => !Object.hasOwn(fields, k));
      if (unknown !== undefined) {
        throw new FlowcastError('FC_PROPERTY_INVALID', `component "${component}" (${resolved.type}) has no property "${unknown}" (it takes: ${Object.keys(fields).join(', ')})`, { location: { component, property: unknown } });
      }
      const allLive = Object.keys(changes).every((k) => fields[k]?.['x-live'] === true);
      let live = false;
      let applied = changes;
      if (running && (allLive || !restart)) {
        // The worker checks everything (known, x-live, schema) and applies or rolls back.
        const answer = await managed.supervisor.request({ action: 'update', component, changes });
        applied = answer.changes;
        live = true;
      }
      const text = setComponentProperties(managed.text, component, changes);
      const validation = validateFlowText(text, this.shown(file), loadRegistry(this.options.settings.project, this.options.env));
      if (!validation.flow) {
        const first = validation.diagnostics.find((d) => d.severity === 'error')!;
        throw new FlowcastError(first.code, first.message, { location: { component, ...(first.property ? { property: first.property } : {}) } });
      }
      writeFileAtomically(file, text);
      managed.text = text;
      managed.flow = validation.flow;
      managed.supervisor.spec = { file: managed.supervisor.spec.file, text };
      this.options.logger.info('flow file changed by the admin API', { flow: name, component, properties: Object.keys(changes), live });
      const restarted = running && !live;
      if (restarted) {
        await managed.supervisor.stop();
        this.porter.release(name);
        managed.supervisor = this.supervise(name, file, text);
        managed.supervisor.start();
      }
      return { live, restarted, changes: applied, file: this.shown(file) };
    });
  }

  /**
   * Add a flow from its YAML: checked as \`flowcast validate\` checks files (the diagnostics
   * are returned, nothing is written, when it is invalid), written to NAME.yaml in the flows
   * directory, and started.
   */
  addFlow(text: string): Promise<{ readonly name?: string; readonly file?: string; readonly diagnostics: readonly Diagnostic[] }> {
    return this.queued(async () => {
      const directory = this.flowsDirectory();
      if (!directory) throw new FlowcastError('FC_ADMIN_REQUEST', 'the server was started with flow files, not a flows directory: there is nowhere to add a flow', { fix: 'run `flowcast serve DIR` with a directory of flow files' });
      const shown = this.shown(path.join(directory, 'new-flow.yaml'));
      const validation = validateFlowText(text, shown, loadRegistry(this.options.settings.project, this.options.env));
      if (!validation.flow) return { diagnostics: validation.diagnostics };
      const name = validation.flow.name;
      if (!/^[a-z0-9][a-z0-9_-]{0,63}$/i.test(name)) throw new FlowcastError('FC_ADMIN_REQUEST', `flow name "${name}" cannot be a file name`, { fix: 'name the flow with letters, digits, dashes and underscores' });
      if ([...this.flows.values()].some((m) => m.flow.name === name)) throw new FlowcastError('FC_FLOW_EXISTS', `there is a flow "${name}" already`);
      const file = path.join(directory, `${name}.yaml`);
      if (!isInside(directory, file) || fs.existsSync(file)) throw new FlowcastError('FC_FLOW_EXISTS', `${this.shown(file)} exists already`);
      const conflict = claimConflict(validation.flow, [...this.flows.values()].map((m) => m.flow));
      if (conflict) throw new FlowcastError('FC_CLAIM_CONFLICT', conflict);
      writeFileAtomically(file, text);
      this.held?.set(file, false);
      this.options.logger.info('flow added by the admin API', { flow: name, file: this.shown(file) });
      await this.reconcileNow();
      return { name, file: this.shown(file), diagnostics: validation.diagnostics };
    });
  }

  /** Stop a flow and remove its file (kept as FILE.previous); only files inside the flows directory. */
  deleteFlow(name: string): Promise<{ readonly file: string }> {
    return this.queued(async () => {
      const [file] = this.entry(name);
      const directory = this.flowsDirectory();
      if (!directory || !isInside(directory, file)) {
        throw new FlowcastError('FC_ADMIN_REQUEST', `flow "${name}" comes from ${this.shown(file)}, outside the flows directory: the admin API does not delete it`, { fix: 'remove the file yourself, or run `flowcast serve` on a directory' });
      }
      fs.renameSync(file, previousVersionPath(file));
      this.held?.set(file, false);
      this.options.logger.info('flow deleted by the admin API', { flow: name, file: this.shown(file) });
      await this.reconcileNow();
      return { file: this.shown(file) };
    });
  }

  private view(file: string, m: ManagedFlow): ManagedFlowView {
    return { file: this.shown(file), text: m.text, flow: m.flow, supervisor: m.supervisor, held: this.held?.has(file) ?? false };
  }

  private queued<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private supervise(name: string, file: string, text: string): FlowSupervisor {
    const porter = { register: (flow: string, mount: PortedMount) => this.porter.register(flow, mount), unregister: (flow: string, mount: PortedMount) => this.porter.unregister(flow, mount) };
    // Checked once per text of the flow, not at every (re)start of its worker: a restart loop must
    // not compile the schemas again each time (it grew the manager by 30 MB in 200 restarts).
    let checked: { text: string; flow: CheckedFlow | undefined } | undefined;
    const check = (spec: FlowSpec): CheckedFlow | undefined => {
      if (checked?.text !== spec.text) checked = { text: spec.text, flow: this.checkForWorker(spec) };
      return checked.flow;
    };
    const supervisor = new FlowSupervisor(name, { file: this.shown(file), text }, this.options.settings, this.options.supervisor, this.options.logger, this.options.events, porter, check);
    supervisor.watchLevels(this.watchingLevels);
    return supervisor;
  }

  /**
   * Validate a flow again for a worker about to start (with the registry as it is now, as the
   * worker would), so that the worker needs no validator of its own; undefined when it does not
   * pass, and the worker then validates it itself and reports why it refuses it.
   */
  private checkForWorker(spec: FlowSpec): CheckedFlow | undefined {
    try {
      const registry = loadRegistry(this.options.settings.project, this.options.env);
      const flow = validateFlowText(spec.text, spec.file, registry).flow;
      if (!flow) return undefined;
      const used = new Set(flow.components.map((c) => c.descriptor.package));
      return { flow, packages: registry.file.packages.filter((p) => used.has(p.name)) };
    } catch {
      return undefined; // the worker validates it itself, and says what is wrong
    }
  }

  private refuse(file: string, errors: string[], result: ReconcileResult): void {
    const running = this.flows.get(file);
    this.options.logger.error(running ? 'flow file refused: the previous version keeps running' : 'flow file refused: not started', {
      file: this.shown(file),
      errors,
      ...(running ? { flow: running.flow.name } : {}),
    });
    this.options.events.refused(this.shown(file), errors);
    result.refused.push(this.shown(file));
  }

  private shown(file: string): string {
    return path.relative(this.options.cwd, file) || file;
  }
}
