import fs from 'node:fs';
import path from 'node:path';
import { isFlowcastError } from '../../errors/flowcast-error';
import { frontSettingsFromEnvironment } from '../../http/front-settings';
import { createLogger, loggerOptionsFromEnvironment } from '../../log/logger';
import { FlowManager } from '../../manager/flow-manager';
import type { WorkerSettings } from '../../manager/messages';
import type { SupervisorOptions } from '../../manager/flow-supervisor';
import { SystemdNotifier } from '../../manager/systemd-notify';
import { watchFlowFiles } from '../../manager/watch';
import { EXIT, type CommandIO } from '../io';
import { AdminServer, adminSettingsFromEnvironment, type AdminSettings } from '../../admin/admin-server';
import { LogTail } from '../../admin/log-tail';
import { stateDirectory, TokenStore, tokenFile } from '../../admin/tokens';
import { findProjectRoot } from '../project';

export const SERVE_HELP = `Usage: flowcast serve [FILE|DIR ...]

Run a station: every flow file named (a directory means its *.yaml files; default: the project's
flows/ directory), each flow in a worker process of its own, under one manager process. A flow
that fails is rebuilt by itself with growing waits (1 s, 2 s, 4 s … at most 60 s, back to 1 s after
60 s without trouble), forever, and streamer-http keeps its listeners connected meanwhile. A
worker that crashes or stops answering is replaced.

An invalid flow file is refused with its errors (as \`flowcast validate\` prints them) and the
others start; so is a flow that claims a port or mount another flow holds. Edited flow files are
picked up by themselves (and on SIGHUP): a valid edit restarts only that flow, an invalid one
leaves the running version alone; a new file starts a flow, a removed one stops it.
Ctrl-C (SIGINT) or SIGTERM stops every flow and exits 0. Exit status 2: no flow could start.

Moods (logged on every change, for each flow and component): waking (starting), happy (data
flows), hungry (no data from upstream for FLOWCAST_HUNGRY_AFTER seconds, default 5), sad (an error,
with the message), lost (its worker did not answer heartbeats), sleeping (stopped).

Environment: FLOWCAST_HUNGRY_AFTER (s, 5), FLOWCAST_HEARTBEAT (s between pings, 1),
FLOWCAST_LOST_AFTER (s without an answer, 5), FLOWCAST_RESTART_MIN (s, 1), FLOWCAST_RESTART_MAX
(s, 60), FLOWCAST_RESTART_RESET (s happy, 60), FLOWCAST_WATCH=0 (no file watching), and the log
settings of \`flowcast run\`.

Admin API and dashboard (docs/admin.md): FLOWCAST_ADMIN_PORT (8900; off turns it off),
FLOWCAST_ADMIN_HOST (127.0.0.1), FLOWCAST_ADMIN_CERT and FLOWCAST_ADMIN_KEY (PEM files: HTTPS).
Every request needs a token: \`flowcast token create NAME --role read|admin\`.`;

/** A number of seconds from the environment, as milliseconds. */
function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = Number(env[name] ?? fallback);
  return (Number.isFinite(value) && value > 0 ? value : fallback) * 1000;
}

export async function serveCommand(paths: string[], options: { project?: string }, io: CommandIO, signals: NodeJS.EventEmitter): Promise<number> {
  const root = findProjectRoot(options.project, io.cwd);
  const targets = paths.length > 0 ? paths : [path.join(root, 'flows')];
  let front;
  let adminSettings: AdminSettings | undefined;
  try {
    front = frontSettingsFromEnvironment(io.env); // the porter's, and the workers' (same environment)
    adminSettings = adminSettingsFromEnvironment(io.env);
  } catch (error) {
    io.err(isFlowcastError(error) ? error.message : String(error));
    return EXIT.invalid;
  }
  const logs = new LogTail();
  const logOptions = loggerOptionsFromEnvironment(io.env, process.stderr);
  const logger = createLogger({ ...logOptions, sink: { write: (line) => (logOptions.sink.write(line), logs.add(line)) } });
  let admin: AdminServer | undefined;
  const settings: WorkerSettings = {
    project: root,
    hungryAfterMs: seconds(io.env, 'FLOWCAST_HUNGRY_AFTER', 5),
    backoff: { initialMs: seconds(io.env, 'FLOWCAST_RESTART_MIN', 1), maxMs: seconds(io.env, 'FLOWCAST_RESTART_MAX', 60), resetAfterMs: seconds(io.env, 'FLOWCAST_RESTART_RESET', 60) },
  };
  const supervisor: SupervisorOptions = {
    heartbeatMs: seconds(io.env, 'FLOWCAST_HEARTBEAT', 1),
    lostAfterMs: seconds(io.env, 'FLOWCAST_LOST_AFTER', 5),
    stopTimeoutMs: 4000,
  };
  const manager = new FlowManager({
    paths: targets,
    cwd: io.cwd,
    env: io.env,
    logger,
    settings,
    supervisor,
    front,
    heldFile: path.join(stateDirectory(root, io.env), 'stopped-flows.json'),
    events: {
      moods: () => admin?.moodsChanged(),
      levels: (flow, levels) => admin?.levels(flow, levels),
      output: (flow, chunk) => logs.addOutput(flow, chunk.toString('utf8')),
      running: (flow, urls, attempt) => io.out([`flow "${flow}" is running${attempt > 1 ? ` (pipeline start ${attempt})` : ''}`, ...urls.map((u) => `  ${u}`)].join('\n')),
      refused: (file, errors) => {
        for (const error of errors) io.err(error);
        io.err(`${file}: refused`);
      },
    },
  });

  const systemd = new SystemdNotifier(io.env, logger);
  const describe = (): string => {
    const states = manager.states();
    return `${states.length} flow${states.length === 1 ? '' : 's'}: ${states.map((s) => `${s.name} ${s.mood}`).join(', ')}`;
  };
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => (finish = resolve));
  let stopping = false;
  const onStop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    systemd.stopping();
    logger.info('stopping', { signal, flows: manager.states().length });
    void manager.stop().then(() => finish(EXIT.ok));
  };
  const onReload = (): void => {
    logger.info('reloading flow files', { signal: 'SIGHUP' });
    void manager.reconcile().then(() => systemd.status(describe()));
  };
  signals.on('SIGINT', onStop);
  signals.on('SIGTERM', onStop);
  signals.on('SIGHUP', onReload);

  const first = await manager.reconcile();
  if (first.started.length === 0 && manager.views().length === 0 && !stopping) {
    io.err(first.refused.length > 0 ? 'flowcast serve: no flow could start' : `flowcast serve: no flow files in ${targets.join(', ')}`);
    signals.removeListener('SIGINT', onStop);
    signals.removeListener('SIGTERM', onStop);
    signals.removeListener('SIGHUP', onReload);
    await manager.stop();
    return EXIT.invalid;
  }
  logger.info('serving', { flows: first.started, refused: first.refused });
  if (adminSettings) {
    const server = new AdminServer({ manager, logs, tokens: new TokenStore(tokenFile(root, io.env)), logger, settings: adminSettings });
    try {
      const url = await server.listen();
      admin = server;
      io.out(`admin API and dashboard: ${url}`);
      logger.info('admin API listening', { url });
    } catch (error) {
      // The station runs without it rather than not at all; the operator is told why.
      logger.error(`admin API not started: ${(error as Error).message}`, { host: adminSettings.host, port: adminSettings.port });
    }
  }
  systemd.ready(describe());
  systemd.startWatchdog(() => !stopping);
  const statusTimer = systemd.enabled ? setInterval(() => systemd.status(describe()), 10_000) : undefined;
  const statsEvery = Number(io.env.FLOWCAST_STATS_INTERVAL ?? 30) * 1000;
  const statsTimer = setInterval(() => logger.info('stats', { component: 'porter', ...manager.porterStats() }), Number.isFinite(statsEvery) && statsEvery > 0 ? statsEvery : 30_000);
  statsTimer.unref();
  const watcher = io.env.FLOWCAST_WATCH === '0' ? undefined : watchFlowFiles(targets.map((t) => path.resolve(io.cwd, t)).filter((t) => fs.existsSync(t)), () => void manager.reconcile(), (error) => logger.warn(`watching flow files: ${error.message}`));

  const code = await done;
  await admin?.close();
  clearInterval(statusTimer);
  clearInterval(statsTimer);
  systemd.stopWatchdog();
  watcher?.close();
  signals.removeListener('SIGINT', onStop);
  signals.removeListener('SIGTERM', onStop);
  signals.removeListener('SIGHUP', onReload);
  return code;
}
