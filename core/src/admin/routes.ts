import type { AudioLevels } from '../api/component';
import { FlowcastError } from '../errors/flowcast-error';
import type { FlowManager } from '../manager/flow-manager';
import { flowSummary, type FlowSummary } from './flow-views';
import type { CounterTotals } from './counter-totals';
import type { History } from './history';
import type { LogTail } from './log-tail';
import type { Role } from './tokens';

/** What a route handler gets: validated parameters, query and body. */
export interface RouteInput {
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
}

export interface RouteAnswer {
  readonly status?: number;
  readonly body: unknown;
}

/** What the routes work with. */
export interface AdminContext {
  readonly manager: FlowManager;
  readonly logs: LogTail;
  /** The latest audio levels of each flow's components. */
  readonly levels: Map<string, Readonly<Record<string, AudioLevels>>>;
  /** Listeners and bitrate over the last hour. */
  readonly history: History;
  /** The streamers' counters added up across worker restarts, for /metrics. */
  readonly counters: CounterTotals;
}

/** One route: what it takes (JSON Schemas, checked with ajv before the handler runs) and who may call it. */
export interface Route {
  readonly method: 'get' | 'post' | 'patch' | 'delete';
  /** koa-router style path (`/api/flows/:flow`). */
  readonly path: string;
  readonly role: Role;
  readonly summary: string;
  readonly params?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly query?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly body?: Readonly<Record<string, unknown>>;
  /** Answers with a stream of Server-Sent Events instead (handled by the server). */
  readonly events?: 'flows' | 'logs';
  readonly handler?: (input: RouteInput, context: AdminContext) => Promise<RouteAnswer>;
}

const NAME = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$', maxLength: 128 };
const FLOW = { flow: NAME };

/** Fresh statistics from the worker when it runs, else what it last sent. */
async function summary(context: AdminContext, name: string): Promise<FlowSummary> {
  const view = context.manager.find(name);
  let stats;
  const { pid, workerStarts } = view.supervisor.state();
  try {
    if (!view.held && pid !== undefined) {
      stats = await view.supervisor.request({ action: 'stats' });
      context.counters.observe(name, `${workerStarts}/${pid}`, stats);
    }
  } catch {
    // not running (any more): what it last sent
  }
  return flowSummary(view, stats);
}

/** Every flow's summary (a flow removed meanwhile is left out). */
export async function allSummaries(context: AdminContext): Promise<FlowSummary[]> {
  const all = await Promise.all(context.manager.views().map((v) => summary(context, v.flow.name).catch(() => undefined)));
  return all.filter((s): s is FlowSummary => s !== undefined);
}

/**
 * A flow's latest audio levels: asked of its worker (workers send them by themselves only while
 * an event stream is open), else the last ones sent.
 */
async function latestLevels(context: AdminContext, name: string): Promise<Readonly<Record<string, AudioLevels>>> {
  const view = context.manager.find(name);
  try {
    if (!view.held && view.supervisor.state().pid !== undefined) return await view.supervisor.request({ action: 'levels' });
  } catch {
    // not running (any more): what it last sent
  }
  return context.levels.get(name) ?? {};
}

async function listeners(context: AdminContext, flow: string): Promise<unknown[]> {
  const view = context.manager.find(flow);
  if (view.held || view.supervisor.state().pid === undefined) return [];
  let answer;
  try {
    answer = await view.supervisor.request({ action: 'listeners' });
  } catch {
    return [];
  }
  return Object.entries(answer).flatMap(([component, list]) => list.map((l) => ({ flow, component, ...l })));
}

export const ROUTES: readonly Route[] = [
  {
    method: 'get',
    path: '/api/flows',
    role: 'read',
    summary: 'Every flow with its mood and the mood and reason of each component, listeners and bitrate',
    handler: async (_input, context) => ({ body: { flows: await allSummaries(context) } }),
  },
  {
    method: 'post',
    path: '/api/flows',
    role: 'admin',
    summary: 'Add a flow from its YAML: checked as `flowcast validate` checks files (422 with the diagnostics, line and column), written to NAME.yaml in the flows directory, started',
    body: { type: 'object', required: ['yaml'], additionalProperties: false, properties: { yaml: { type: 'string', minLength: 1, maxLength: 262144 } } },
    handler: async (input, context) => {
      const result = await context.manager.addFlow((input.body as { yaml: string }).yaml);
      if (!result.name) return { status: 422, body: { error: { code: result.diagnostics.find((d) => d.severity === 'error')?.code ?? 'FC_FLOW_SHAPE', message: 'the flow is not valid', fix: 'fix each diagnostic and send it again' }, diagnostics: result.diagnostics } };
      return { status: 201, body: { name: result.name, file: result.file, diagnostics: result.diagnostics } };
    },
  },
  {
    method: 'get',
    path: '/api/flows/:flow',
    role: 'read',
    summary: "One flow: its components (type, mood, reason, properties, live properties), addresses, restarts, listeners, bitrate and each component's statistics",
    params: FLOW,
    handler: async (input, context) => {
      const { componentStats, ...flow } = await summary(context, input.params.flow!);
      return { body: { ...flow, stats: componentStats ?? {}, levels: await latestLevels(context, flow.name) } };
    },
  },
  {
    method: 'delete',
    path: '/api/flows/:flow',
    role: 'admin',
    summary: 'Stop a flow and remove its file (kept as FILE.previous); only flows whose file is in the flows directory',
    params: FLOW,
    handler: async (input, context) => ({ body: { deleted: input.params.flow, ...(await context.manager.deleteFlow(input.params.flow!)) } }),
  },
  {
    method: 'post',
    path: '/api/flows/:flow/:action',
    role: 'admin',
    summary: 'Start, stop or restart a flow (a stopped flow stays stopped across server restarts until started)',
    params: { ...FLOW, action: { type: 'string', enum: ['start', 'stop', 'restart'] } },
    handler: async (input, context) => {
      await context.manager.control(input.params.flow!, input.params.action as 'start' | 'stop' | 'restart');
      return { body: await summary(context, input.params.flow!) };
    },
  },
  {
    method: 'patch',
    path: '/api/flows/:flow/components/:component',
    role: 'admin',
    summary: 'Change properties of a component; live ones apply without a restart, and every change is written to the flow file (previous version kept). Others answer 409 "needs a restart" unless ?restart=true',
    params: { ...FLOW, component: NAME },
    query: { restart: { type: 'string', enum: ['true', 'false'] } },
    body: { type: 'object', minProperties: 1, maxProperties: 64, propertyNames: { pattern: '^[a-z][a-z0-9-]{0,63}$' } },
    handler: async (input, context) => {
      const result = await context.manager.changeProperties(input.params.flow!, input.params.component!, input.body as Record<string, unknown>, input.query.restart === 'true');
      return { body: result };
    },
  },
  {
    method: 'get',
    path: '/api/flows/:flow/listeners',
    role: 'read',
    summary: "A flow's listeners: address, user agent, connected time, bytes, lag",
    params: FLOW,
    handler: async (input, context) => ({ body: { listeners: await listeners(context, input.params.flow!) } }),
  },
  {
    method: 'delete',
    path: '/api/flows/:flow/listeners/:component/:id',
    role: 'admin',
    summary: 'Disconnect (kick) one listener',
    params: { ...FLOW, component: NAME, id: { type: 'string', pattern: '^[0-9]{1,15}$' } },
    handler: async (input, context) => {
      const view = context.manager.find(input.params.flow!);
      const { kicked } = await view.supervisor.request({ action: 'kick', component: input.params.component!, id: Number(input.params.id) });
      if (!kicked) throw new FlowcastError('FC_LISTENER_GONE', `listener ${input.params.id} of "${input.params.component}" is not connected`);
      return { body: { kicked: Number(input.params.id) } };
    },
  },
  {
    method: 'get',
    path: '/api/listeners',
    role: 'read',
    summary: 'Every listener of every flow, or of one mount (?mount=/live.ogg)',
    query: { mount: { type: 'string', maxLength: 1024 } },
    handler: async (input, context) => {
      const all = (await Promise.all(context.manager.views().map((v) => listeners(context, v.flow.name)))).flat();
      const mount = input.query.mount as string | undefined;
      return { body: { listeners: mount ? all.filter((l) => (l as { mount?: string }).mount === mount) : all } };
    },
  },
  {
    method: 'get',
    path: '/api/history',
    role: 'read',
    summary: 'Listeners and bitrate per flow over the last hour, one point every 10 s',
    handler: async (_input, context) => ({ body: { every: 10, points: context.history.all() } }),
  },
  {
    method: 'get',
    path: '/api/logs',
    role: 'read',
    summary: 'The last lines of the server log (?lines=N, at most 1000); with ?follow=true, a stream of Server-Sent Events (`log`) of new lines',
    query: { lines: { type: 'string', pattern: '^[0-9]{1,4}$' }, follow: { type: 'string', enum: ['true', 'false'] } },
    events: 'logs',
    handler: async (input, context) => ({ body: { lines: context.logs.tail(Math.min(1000, Number(input.query.lines ?? 100))) } }),
  },
  {
    method: 'get',
    path: '/api/events',
    role: 'read',
    summary: 'Server-Sent Events: `flows` (every flow, at once and on every mood change and every 2 s with fresh statistics) and `levels` (audio levels per flow and component, 5 a second)',
    events: 'flows',
  },
  {
    method: 'get',
    path: '/api/openapi.json',
    role: 'read',
    summary: 'This document',
  },
  {
    method: 'get',
    path: '/metrics',
    role: 'read',
    summary: 'Prometheus metrics (also without a token from the local machine)',
  },
];
