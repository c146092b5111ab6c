import fs from 'node:fs';
import path from 'node:path';
import { isFlowcastError } from '../../errors/flowcast-error';
import { formatDiagnostic } from '../../flow/reporter';
import { validateFlowFile } from '../../flow/validate';
import { frontSettingsFromEnvironment } from '../../http/front-settings';
import { HttpFront } from '../../http/http-front';
import { createLogger, loggerOptionsFromEnvironment } from '../../log/logger';
import { FlowRuntime } from '../../runtime/flow-runtime';
import { ProcessLimits } from '../../runtime/system-limits';
import { CORE_DIRECTORY } from '../../version';
import { EXIT, type CommandIO } from '../io';
import { findProjectRoot, loadRegistry } from '../project';

export const RUN_HELP = `Usage: flowcast run [FILE]

Validate a flow file and run it until Ctrl-C (SIGINT) or SIGTERM, which stop it cleanly and exit 0.
Without FILE, runs the project's flows/default.yaml, or the default built into Flowcast: a test
tone encoded to Ogg Vorbis at http://127.0.0.1:8800/live.ogg.
An invalid flow starts nothing: its errors are printed and the exit status is 2. A component that
fails while starting or running stops the flow with its error and exit status 1.

Logs go to stderr: readable lines on a terminal, JSON lines otherwise (FLOWCAST_LOG=json|pretty,
FLOWCAST_LOG_LEVEL=debug|info|warn|error).`;

/** FLOWCAST_STATS_INTERVAL seconds between statistics lines (default 30). */
function statsInterval(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env.FLOWCAST_STATS_INTERVAL ?? 30);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : 30) * 1000;
}

export function defaultFlowFile(projectRoot: string): string {
  const own = path.join(projectRoot, 'flows', 'default.yaml');
  return fs.existsSync(own) ? own : path.join(CORE_DIRECTORY, 'flows', 'default.yaml');
}

export async function runCommand(file: string | undefined, options: { project?: string }, io: CommandIO, signals: NodeJS.EventEmitter): Promise<number> {
  const root = findProjectRoot(options.project, io.cwd);
  const flowFile = file ? path.resolve(io.cwd, file) : defaultFlowFile(root);
  const shown = path.relative(io.cwd, flowFile) || flowFile;
  const registry = loadRegistry(root, io.env);
  const validation = validateFlowFile(shown, registry);
  for (const diagnostic of validation.diagnostics) io.err(formatDiagnostic(diagnostic));
  if (!validation.flow) {
    io.err(`${shown}: not started, the flow has errors`);
    return EXIT.invalid;
  }

  const logger = createLogger(loggerOptionsFromEnvironment(io.env, process.stderr));
  let frontSettings;
  try {
    frontSettings = frontSettingsFromEnvironment(io.env);
  } catch (error) {
    io.err(isFlowcastError(error) ? error.message : String(error));
    return EXIT.invalid;
  }
  const http = new HttpFront({ logger, settings: frontSettings });
  const urls: string[] = [];
  const runtime = new FlowRuntime(validation.flow, registry, {
    logger,
    http,
    paths: { project: root, flowDirectory: path.dirname(flowFile), logs: path.resolve(root, io.env.FLOWCAST_LOG_DIR ?? 'logs') },
    clock: { now: () => Date.now(), monotonic: () => performance.now() },
    announcer: { announce: (label, url) => urls.push(`${label}: ${url}`) },
    system: new ProcessLimits(),
  });
  // Nothing reads audio levels in the foreground (the meters are the admin dashboard's, under serve).
  runtime.meterLevels(false);

  // Signals are watched from here on, so Ctrl-C while the flow is starting also ends cleanly.
  let stopRequested: ((code: number) => void) | undefined;
  let signalled = false;
  const onSignal = (signal: string): void => {
    logger.info('stopping', { flow: runtime.name, signal });
    signalled = true;
    stopRequested?.(EXIT.ok);
  };
  signals.on('SIGINT', onSignal);
  signals.on('SIGTERM', onSignal);
  const statsTimer = setInterval(() => {
    for (const [component, stats] of Object.entries(runtime.stats())) logger.info('stats', { flow: runtime.name, component, ...stats });
    logger.info('stats', { flow: runtime.name, component: 'http', ...http.stats() });
  }, statsInterval(io.env));
  statsTimer.unref();
  const shutdown = async (): Promise<void> => {
    clearInterval(statsTimer);
    signals.removeListener('SIGINT', onSignal);
    signals.removeListener('SIGTERM', onSignal);
    await runtime.stop();
    await http.closeAll();
  };

  try {
    await runtime.start();
  } catch (error) {
    await shutdown();
    if (signalled) return EXIT.ok;
    io.err(isFlowcastError(error) ? error.message : String((error as Error).stack ?? error));
    return EXIT.failed;
  }
  if (signalled) {
    await shutdown();
    return EXIT.ok;
  }
  // One write, so a reader never sees "is running" without the addresses.
  io.out([`flow "${runtime.name}" is running`, ...urls.map((url) => `  ${url}`)].join('\n'));
  logger.info('flow running', { flow: runtime.name, urls });

  return new Promise<number>((resolve) => {
    let done = false;
    const finish = (code: number): void => {
      if (done) return;
      done = true;
      void shutdown().then(() => resolve(code));
    };
    stopRequested = finish;
    runtime.onFailure((error) => {
      io.err(error.message);
      finish(EXIT.failed);
    });
    // A flow whose sources are finite (a file, a test run) is done when all of it reached the sinks.
    runtime.onEnd(() => {
      logger.info('flow ended: end of stream', { flow: runtime.name });
      finish(EXIT.ok);
    });
  });
}
