import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import Koa from 'koa';
import Router from '@koa/router';
import type { AudioLevels } from '../api/component';
import type { Logger } from '../api/services';
import { FlowcastError } from '../errors/flowcast-error';
import type { FlowManager } from '../manager/flow-manager';
import { CORE_DIRECTORY, CORE_VERSION } from '../version';
import { errorAnswer } from './admin-errors';
import { COUNTED_STATS, CounterTotals } from './counter-totals';
import { History, HISTORY_EVERY_MS } from './history';
import { AuthGate } from './auth';
import type { LogTail } from './log-tail';
import type { Registry as MetricsRegistry } from 'prom-client';
import { openApiDocument } from './openapi';
import { allSummaries, ROUTES, type AdminContext, type Route } from './routes';
import type { TokenStore } from './tokens';

/** Where the dashboard's files are (no build step: plain HTML, JS and CSS), and the chart library's. */
const DASHBOARD_DIRECTORY = path.join(CORE_DIRECTORY, 'dashboard');
const STATIC_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: path.join(DASHBOARD_DIRECTORY, 'index.html'), type: 'text/html; charset=utf-8' },
  '/ui/app.js': { file: path.join(DASHBOARD_DIRECTORY, 'app.js'), type: 'text/javascript; charset=utf-8' },
  '/ui/app.css': { file: path.join(DASHBOARD_DIRECTORY, 'app.css'), type: 'text/css; charset=utf-8' },
  '/ui/uplot.js': { file: require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  '/ui/uplot.css': { file: require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
};
/** The event stream sends every flow's state this often (with fresh statistics), and levels at most this often. */
const FLOWS_EVERY_MS = 2000;
const BODY_LIMIT = 512 * 1024;
/** Event streams (dashboards, `logs -f`) open at once. */
const MAX_STREAMS = 64;

export interface AdminSettings {
  readonly host: string;
  readonly port: number;
  readonly tls?: { readonly cert: string; readonly key: string };
}

/** Admin settings from FLOWCAST_ADMIN_* (undefined when the admin API is turned off). */
export function adminSettingsFromEnvironment(env: NodeJS.ProcessEnv): AdminSettings | undefined {
  const port = env.FLOWCAST_ADMIN_PORT ?? '8900';
  if (port === 'off' || port === '0') return undefined;
  const number = Number(port);
  if (!Number.isInteger(number) || number < 1 || number > 65535) throw new FlowcastError('FC_ADMIN_SETTINGS', `FLOWCAST_ADMIN_PORT is "${port}", not a port number (1-65535, or off)`);
  const cert = env.FLOWCAST_ADMIN_CERT;
  const key = env.FLOWCAST_ADMIN_KEY;
  if (Boolean(cert) !== Boolean(key)) throw new FlowcastError('FC_ADMIN_SETTINGS', 'FLOWCAST_ADMIN_CERT and FLOWCAST_ADMIN_KEY go together (TLS needs both files)');
  return { host: env.FLOWCAST_ADMIN_HOST ?? '127.0.0.1', port: number, ...(cert && key ? { tls: { cert, key } } : {}) };
}

export interface AdminServerOptions {
  readonly manager: FlowManager;
  readonly logs: LogTail;
  readonly tokens: TokenStore;
  readonly logger: Logger;
  readonly settings: AdminSettings;
}

/**
 * The admin API and dashboard of `flowcast serve`, in the manager process: its own koa app on its
 * own port (127.0.0.1 by default), every route behind a Bearer token (read or admin role) and its
 * input checked against the route's JSON Schemas.
 */
export class AdminServer {
  private server?: http.Server | https.Server;
  private readonly context: AdminContext;
  private readonly streams = new Set<{ send(event: string, data: unknown): void; close(): void }>();
  private flowsTimer?: NodeJS.Timeout;
  private historyTimer?: NodeJS.Timeout;
  private broadcasting = false;
  private broadcastAgain = false;
  private readonly levelsSentAt = new Map<string, number>();
  /** Open `flows` event streams: while there is one, workers send their audio levels. */
  private levelWatchers = 0;

  constructor(private readonly options: AdminServerOptions) {
    this.context = { manager: options.manager, logs: options.logs, levels: new Map<string, Readonly<Record<string, AudioLevels>>>(), history: new History(), counters: new CounterTotals(COUNTED_STATS) };
  }

  /** A flow's mood changed: every event stream gets the flows at once. */
  moodsChanged(): void {
    if (this.streams.size > 0) void this.broadcastFlows();
  }

  levels(flow: string, levels: Readonly<Record<string, AudioLevels>>): void {
    this.context.levels.set(flow, levels);
    const now = performance.now();
    if (now - (this.levelsSentAt.get(flow) ?? 0) < 150) return;
    this.levelsSentAt.set(flow, now);
    for (const stream of this.streams) stream.send('levels', { flow, levels });
  }

  async listen(): Promise<string> {
    const { settings } = this.options;
    const app = this.app();
    const server = settings.tls ? https.createServer({ cert: fs.readFileSync(settings.tls.cert), key: fs.readFileSync(settings.tls.key) }, app.callback()) : http.createServer(app.callback());
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    server.keepAliveTimeout = 5_000;
    server.maxHeadersCount = 100;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(settings.port, settings.host, () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
    this.server = server;
    const record = (): void => void allSummaries(this.context).then((flows) => this.context.history.record(flows), () => undefined);
    record();
    this.historyTimer = setInterval(record, HISTORY_EVERY_MS);
    const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
    return `${settings.tls ? 'https' : 'http'}://${host}:${settings.port}/`;
  }

  async close(): Promise<void> {
    clearInterval(this.flowsTimer);
    clearInterval(this.historyTimer);
    for (const stream of this.streams) stream.close();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private app(): Koa {
    const app = new Koa();
    app.proxy = false;
    const router = new Router();
    const ajv = new Ajv({ allErrors: false, strict: false });
    const gate = new AuthGate(this.options.tokens);
    // Made at the first scrape: a server nobody scrapes loads no prom-client and runs none of its
    // collectors (the event-loop-lag monitor wakes the process several times a second).
    let metrics: MetricsRegistry | undefined;
    const document = openApiDocument(ROUTES, CORE_VERSION);

    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        const answer = errorAnswer(error);
        if (answer.status === 500) this.options.logger.error('admin API request failed', { route: ctx.path, error: String((error as Error)?.stack ?? error) });
        ctx.status = answer.status;
        ctx.body = answer.body;
      }
      ctx.set('Cache-Control', 'no-store');
      ctx.set('X-Content-Type-Options', 'nosniff');
    });

    for (const [url, file] of Object.entries(STATIC_FILES)) {
      router.get(url, (ctx) => {
        ctx.type = file.type;
        ctx.set('Content-Security-Policy', "default-src 'self'; media-src *; connect-src 'self'; img-src 'self' data:");
        ctx.body = fs.createReadStream(file.file);
      });
    }

    for (const route of ROUTES) {
      const checks = compileChecks(ajv, route);
      router[route.method](route.path, async (ctx) => {
        const local = isLocal(ctx.socket.remoteAddress);
        await gate.check(ctx.get('authorization'), ctx.socket.remoteAddress ?? '', route.role, route.path === '/metrics' && local);
        const params = ctx.params as Record<string, string>;
        const query = { ...ctx.query } as Record<string, unknown>;
        checkInput(checks.params, params, 'path parameter');
        checkInput(checks.query, query, 'query parameter');
        let body: unknown;
        if (route.body) {
          body = await readJson(ctx.req);
          checkInput(checks.body, body, 'body');
        }
        if (route.path === '/api/openapi.json') {
          ctx.body = document;
          return;
        }
        if (route.path === '/metrics') {
          metrics ??= (require('./metrics') as typeof import('./metrics.js')).createMetrics(this.context);
          ctx.type = metrics.contentType;
          ctx.body = await metrics.metrics();
          return;
        }
        if (route.events === 'flows' || (route.events === 'logs' && query.follow === 'true')) {
          this.openStream(ctx, route.events, query);
          return;
        }
        const answer = await route.handler!({ params, query, body }, this.context);
        ctx.status = answer.status ?? 200;
        ctx.body = answer.body;
      });
    }
    app.use(router.routes());
    app.use(router.allowedMethods());
    app.use((ctx) => {
      ctx.status = 404;
      ctx.body = { error: { code: 'FC_ADMIN_REQUEST', message: `no route ${ctx.method} ${ctx.path.slice(0, 200)}`, fix: 'see /api/openapi.json' } };
    });
    return app;
  }

  /** Answer with Server-Sent Events until the client goes. */
  private openStream(ctx: Koa.Context, kind: 'flows' | 'logs', query: Record<string, unknown>): void {
    if (this.streams.size >= MAX_STREAMS) {
      ctx.status = 503;
      ctx.set('Retry-After', '10');
      ctx.body = { error: { code: 'FC_ADMIN_REQUEST', message: `${MAX_STREAMS} event streams are open already`, fix: 'close a dashboard or `flowcast logs -f`, then try again' } };
      return;
    }
    ctx.respond = false;
    const res = ctx.res;
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
    res.write(': flowcast events\n\n');
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    let unfollow = (): void => {};
    const stream = {
      send: (event: string, data: unknown) => {
        if (kind === 'logs' && event !== 'log') return;
        if (kind === 'flows' && event === 'log') return;
        if (res.writableLength > 1024 * 1024) return; // a client that does not read gets no more until it does
        res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      },
      close: () => res.end(),
    };
    this.streams.add(stream);
    if (kind === 'flows' && this.levelWatchers++ === 0) this.options.manager.watchLevels(true);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    res.on('close', () => {
      clearInterval(heartbeat);
      unfollow();
      this.streams.delete(stream);
      if (kind === 'flows' && --this.levelWatchers === 0) this.options.manager.watchLevels(false);
      if (this.streams.size === 0) {
        clearInterval(this.flowsTimer);
        this.flowsTimer = undefined;
      }
    });
    if (kind === 'logs') {
      for (const line of this.context.logs.tail(Math.min(1000, Number(query.lines ?? 20)))) stream.send('log', { line });
      unfollow = this.context.logs.follow((line) => stream.send('log', { line }));
      return;
    }
    void allSummaries(this.context).then((flows) => stream.send('flows', { flows }), () => undefined);
    this.flowsTimer ??= setInterval(() => void this.broadcastFlows(), FLOWS_EVERY_MS);
  }

  /** Send every stream the flows; changes that come while a round is under way make one more round. */
  private async broadcastFlows(): Promise<void> {
    if (this.broadcasting) {
      this.broadcastAgain = true;
      return;
    }
    this.broadcasting = true;
    do {
      this.broadcastAgain = false;
      const flows = await allSummaries(this.context).catch(() => undefined);
      if (flows) for (const stream of this.streams) stream.send('flows', { flows });
    } while (this.broadcastAgain);
    this.broadcasting = false;
  }
}

interface RouteChecks {
  params?: ValidateFunction;
  query?: ValidateFunction;
  body?: ValidateFunction;
}

function compileChecks(ajv: Ajv, route: Route): RouteChecks {
  const object = (properties: Readonly<Record<string, unknown>>, required: boolean) => ({
    type: 'object',
    properties,
    additionalProperties: false,
    ...(required ? { required: Object.keys(properties) } : {}),
  });
  return {
    ...(route.params ? { params: ajv.compile(object(route.params, true)) } : {}),
    query: ajv.compile(object(route.query ?? {}, false)),
    ...(route.body ? { body: ajv.compile(route.body) } : {}),
  };
}

function checkInput(check: ValidateFunction | undefined, value: unknown, what: string): void {
  if (!check || check(value)) return;
  const error = check.errors![0]!;
  const where = error.instancePath ? error.instancePath.slice(1) : String(error.params.additionalProperty ?? error.params.missingProperty ?? '');
  throw new FlowcastError('FC_ADMIN_REQUEST', `${what}${where ? ` "${where.slice(0, 100)}"` : ''} ${error.message ?? 'is not valid'}`);
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new FlowcastError('FC_ADMIN_REQUEST', 'the body must be JSON (Content-Type: application/json)');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) throw new FlowcastError('FC_ADMIN_REQUEST', `the body is larger than ${BODY_LIMIT / 1024} KiB`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new FlowcastError('FC_ADMIN_REQUEST', 'the body is not valid JSON');
  }
}

function isLocal(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}
