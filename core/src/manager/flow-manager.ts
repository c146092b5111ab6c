import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../api/services';
import { loadRegistry } from '../cli/project';
import { formatDiagnostic } from '../flow/reporter';
import type { ResolvedFlow } from '../flow/types';
import { validateFlowText } from '../flow/validate';
import { claimConflict } from './claims';
import { liveChanges } from './live-changes';
import { listFlowFiles } from './flow-files';
import { FlowSupervisor, type FlowState, type SupervisorEvents, type SupervisorOptions } from './flow-supervisor';
import type { FrontSettings } from '../http/front-settings';
import type { FrontCounters } from '../http/front-stats';
import { Porter } from './porter';
import type { WorkerSettings } from './messages';
import type { PortedMount } from '../http/http-front';

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
  readonly events: SupervisorEvents & {
    /** A flow file that cannot run (invalid, or conflicting with a running flow), with each error. */
    refused(file: string, errors: readonly string[]): void;
  };
}

interface ManagedFlow {
  readonly text: string;
  readonly flow: ResolvedFlow;
  readonly supervisor: FlowSupervisor;
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

  constructor(private readonly options: ManagerOptions) {
    this.porter = new Porter(options.front, options.logger, (flow, port, socket, head, received) => {
      const managed = [...this.flows.values()].find((f) => f.flow.name === flow);
      return managed ? managed.supervisor.handOver(port, socket, head, received) : false;
    });
  }

  /** The porter's front-door counters (heads pending, timeouts, refusals), for the stats line. */
  porterStats(): Readonly<FrontCounters> {
    return this.porter.counters();
  }

  /** The state of every flow, for logs and the admin API. */
  states(): FlowState[] {
    return [...this.flows.values()].map((f) => f.supervisor.state());
  }

  /** Look at the flow files again; calls are queued, never run over each other. */
  reconcile(): Promise<ReconcileResult> {
    const next = this.queue.then(() => this.reconcileNow());
    this.queue = next.catch(() => undefined);
    return next;
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
      const validation = validateFlowText(text, shown, registry);
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
      const porter = { register: (flow: string, mount: PortedMount) => this.porter.register(flow, mount), unregister: (flow: string, mount: PortedMount) => this.porter.unregister(flow, mount) };
      const supervisor = new FlowSupervisor(validation.flow.name, { file: shown, text }, this.options.settings, this.options.supervisor, logger, this.options.events, porter);
      this.flows.set(file, { text, flow: validation.flow, supervisor });
      supervisor.start();
      (current ? result.restarted : result.started).push(validation.flow.name);
    }
    return result;
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
