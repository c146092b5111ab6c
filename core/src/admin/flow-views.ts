import type { ManagedFlowView } from '../manager/flow-manager';
import type { Mood } from '../manager/moods';

/** One component of a flow as the admin API shows it. */
export interface ComponentView {
  readonly name: string;
  readonly type: string;
  readonly eats: readonly string[];
  readonly mood: Mood;
  readonly reason: string;
  /** Its properties as it runs (secrets shown as "(secret)"). */
  readonly properties: Readonly<Record<string, unknown>>;
  /** The properties that change while it runs, with their schemas (for forms). */
  readonly live: Readonly<Record<string, unknown>>;
  readonly mount?: string;
  /** Failures of this component that restarted the flow's pipeline (or left it out), since the server started. */
  readonly failures: number;
}

export interface FlowSummary {
  readonly name: string;
  readonly file: string;
  readonly mood: Mood;
  readonly reason: string;
  /** Stopped by an operator (stays stopped across restarts until started). */
  readonly stopped: boolean;
  readonly components: readonly ComponentView[];
  readonly urls: readonly string[];
  readonly pid?: number;
  readonly restarts: number;
  readonly workerStarts: number;
  readonly listeners: number;
  /** Bits per second sent to listeners right now, over all of the flow's mounts. */
  readonly bitrate: number;
  /** Each component's statistics the summary was made from. */
  readonly componentStats?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** The flow's state as the API shows it; `stats` when fresher ones than the supervisor's are at hand. */
export function flowSummary(view: ManagedFlowView, stats?: Readonly<Record<string, Readonly<Record<string, number>>>>): FlowSummary {
  const state = view.supervisor.state();
  const moods = new Map(state.components.map((c) => [c.name, c]));
  const latest = stats ?? state.stats;
  let listeners = 0;
  let bitrate = 0;
  const components = view.flow.components.map((c): ComponentView => {
    const fields = c.descriptor.properties.properties;
    const mood = moods.get(c.name) ?? { mood: state.mood === 'waking' ? 'waking' : 'sleeping', reason: state.reason };
    const s = latest[c.name];
    if (s && typeof s.clients === 'number') listeners += s.clients;
    if (s && typeof s.currentBitrate === 'number' && typeof s.clients === 'number') bitrate += s.currentBitrate * s.clients;
    const properties = Object.fromEntries(Object.entries(c.properties).map(([k, v]) => [k, fields[k]?.['x-secret'] ? '(secret)' : v]));
    return {
      name: c.name,
      type: c.type,
      eats: [...new Set(c.eats.flatMap((e) => e.feeds.map((f) => f.component)))],
      mood: mood.mood,
      reason: mood.reason,
      properties,
      live: Object.fromEntries(Object.entries(fields).filter(([, schema]) => schema['x-live'] === true)),
      ...(typeof c.properties.mount === 'string' ? { mount: c.properties.mount } : {}),
      failures: state.componentFailures[c.name] ?? 0,
    };
  });
  return {
    name: view.flow.name,
    file: view.file,
    mood: view.held ? 'sleeping' : state.mood,
    reason: view.held ? 'stopped by an operator' : state.reason,
    stopped: view.held,
    components,
    urls: state.urls,
    ...(state.pid !== undefined ? { pid: state.pid } : {}),
    restarts: state.pipelineRestarts,
    workerStarts: state.workerStarts,
    listeners,
    bitrate,
    componentStats: latest,
  };
}
