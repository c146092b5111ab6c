import type { LogFields, Logger } from '../api/services';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

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

export function createLogger(options: LoggerOptions, scope: LogFields = {}): Logger {
  const emit = (level: LogLevel, message: string, fields: LogFields = {}): void => {
    if (LEVEL_RANK[level] < LEVEL_RANK[options.level]) return;
    const record = { ...scope, ...fields };
    options.sink.write(options.format === 'json' ? jsonLine(level, message, record) : prettyLine(level, message, record));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (more) => createLogger(options, { ...scope, ...more }),
  };
}

function jsonLine(level: LogLevel, message: string, record: LogFields): string {
  return JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...record });
}

function prettyLine(level: LogLevel, message: string, record: LogFields): string {
  const { flow, component, ...rest } = record;
  const where = [flow, component].filter((part) => part !== undefined).join('/');
  const time = new Date().toTimeString().slice(0, 8);
  const extra = Object.entries(rest)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${time} ${level.toUpperCase().padEnd(5)} ${where ? `[${where}] ` : ''}${message}${extra ? `  ${extra}` : ''}`;
}
