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

const LEVELS: Readonly<Record<LogLevel, number>> = { debug: 20, info: 30, warn: 40, error: 50 };

/**
 * JSON lines (`{"level":"info","time":ISO,…fields,"msg":…}`), or on a terminal each line
 * rewritten as a short readable one. A scope (flow, component) is merged into every record, and a
 * field given again at the call replaces the scope's instead of appearing twice.
 *
 * Written here rather than with a logging library: every flow process logs, and pino and its 28
 * modules cost each of them about 2 MB of resident memory for a few lines a minute (bench/README.md,
 * "An idle flow process"). The lines are the same as pino wrote them.
 */
export function createLogger(options: LoggerOptions, scope: LogFields = {}): Logger {
  const threshold = LEVELS[options.level];
  const write = (level: LogLevel, message: string, fields: LogFields): void => {
    if (LEVELS[level] < threshold) return;
    const line = jsonLine(level, message, fields);
    options.sink.write(options.format === 'json' ? line : prettyLine(JSON.parse(line) as Record<string, unknown>));
  };
  return scoped(write, scope);
}

function scoped(write: (level: LogLevel, message: string, fields: LogFields) => void, scope: LogFields): Logger {
  return {
    debug: (message, fields) => write('debug', message, { ...scope, ...fields }),
    info: (message, fields) => write('info', message, { ...scope, ...fields }),
    warn: (message, fields) => write('warn', message, { ...scope, ...fields }),
    error: (message, fields) => write('error', message, { ...scope, ...fields }),
    child: (more) => scoped(write, { ...scope, ...more }),
  };
}

function jsonLine(level: LogLevel, message: string, fields: LogFields): string {
  let line = `{"level":"${level}","time":"${new Date().toISOString()}"`;
  for (const key of Object.keys(fields)) {
    const value = valueJson(fields[key]);
    if (value !== undefined) line += `,${JSON.stringify(key)}:${value}`;
  }
  return `${line},"msg":${JSON.stringify(String(message))}}`;
}

/** A field's value as JSON; undefined (the field left out) for undefined and functions. */
function valueJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value, (_key, v: unknown) => (v instanceof Error ? { type: v.name, message: v.message, stack: v.stack } : typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return '"[unserializable]"'; // a cycle
  }
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
