import pino from 'pino';
import type { LogFields, Logger } from '../api/services';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogSink {
  write(line: string): void;
}

export interface LoggerOptions {
  /** `pretty` for a terminal, `json` for one JSON object a line. */
  format: 'pretty' | 'json';
  level: LogLevel;
  sink: LogSink;
}

/** Terminal output when stderr is a TTY, JSON lines otherwise; FLOWCAST_LOG=json|pretty overrides. */
export function loggerOptionsFromEnvironment(env: NodeJS.ProcessEnv, stream: NodeJS.WriteStream): LoggerOptions {
  const requested = env.FLOWCAST_LOG;
  const format = requested === 'json' || requested === 'pretty' ? requested : stream.isTTY ? 'pretty' : 'json';
  const level = (['debug', 'info', 'warn', 'error'] as const).find((l) => l === env.FLOWCAST_LOG_LEVEL) ?? 'info';
  return { format, level, sink: { write: (line) => stream.write(line + '\n') } };
}

/**
 * Logs through pino: levels, serialisation and JSON lines (`{"level":"info","time":ISO,…fields,
 * "msg":…}`) are pino's; on a terminal each line is rewritten as a short readable one. A scope
 * (flow, component) is merged into every record by this wrapper rather than with pino's child
 * bindings, so a field given again at the call replaces the scope's instead of appearing twice.
 */
export function createLogger(options: LoggerOptions, scope: LogFields = {}): Logger {
  const destination = {
    write: (line: string): void => {
      const text = line.endsWith('\n') ? line.slice(0, -1) : line;
      options.sink.write(options.format === 'json' ? text : prettyLine(JSON.parse(text) as Record<string, unknown>));
    },
  };
  const root = pino(
    {
      level: options.level,
      base: undefined,
      messageKey: 'msg',
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  return scoped(root, scope);
}

function scoped(root: pino.Logger, scope: LogFields): Logger {
  return {
    debug: (message, fields) => root.debug({ ...scope, ...fields }, message),
    info: (message, fields) => root.info({ ...scope, ...fields }, message),
    warn: (message, fields) => root.warn({ ...scope, ...fields }, message),
    error: (message, fields) => root.error({ ...scope, ...fields }, message),
    child: (more) => scoped(root, { ...scope, ...more }),
  };
}

function prettyLine(record: Record<string, unknown>): string {
  const { level, time, msg, flow, component, ...rest } = record;
  const where = [flow, component].filter((part) => part !== undefined).join('/');
  const clock = new Date(String(time)).toTimeString().slice(0, 8);
  const extra = Object.entries(rest)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${clock} ${String(level).toUpperCase().padEnd(5)} ${where ? `[${where}] ` : ''}${String(msg)}${extra ? `  ${extra}` : ''}`;
}
