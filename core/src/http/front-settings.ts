import { FlowcastError } from '../errors/flowcast-error';

/**
 * The deadlines and limits every connection to the HTTP front lives under. A connection that is
 * not a stream can never outlive them: its head must arrive whole in `headTimeoutMs`, its
 * response must start within `requestTimeoutMs`, and a response that stops moving is cut after
 * `sendTimeoutMs`. A stream's listener is then the streamer's (its lag limits and idle timeout).
 */
export interface FrontSettings {
  readonly headTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly sendTimeoutMs: number;
  /** The request line, or one header line, at most (nginx's large_client_header_buffers: 8k). */
  readonly maxLineBytes: number;
  /** The whole head at most. */
  readonly maxHeadBytes: number;
  readonly maxHeaders: number;
  /** Connections from one address (IPv6: one /64) whose head is still arriving; more are closed at once. */
  readonly maxPendingPerAddress: number;
  /**
   * Connections from anywhere whose head is still arriving. When a new one would pass it, the
   * oldest of them is closed: a real client sends its head at once, so under a flood of slow
   * heads it is the attackers' connections that go, and descriptors stay free for listeners.
   */
  readonly maxPending: number;
}

export const DEFAULT_FRONT_SETTINGS: FrontSettings = {
  headTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  sendTimeoutMs: 60_000,
  maxLineBytes: 8 * 1024,
  maxHeadBytes: 16 * 1024,
  maxHeaders: 100,
  maxPendingPerAddress: 64,
  maxPending: 4096,
};

/** Each setting, the environment variable that sets it, and its unit there. */
const FROM_ENVIRONMENT: readonly { key: keyof FrontSettings; variable: string; unitMs: number }[] = [
  { key: 'headTimeoutMs', variable: 'FLOWCAST_HTTP_HEAD_TIMEOUT', unitMs: 1000 },
  { key: 'requestTimeoutMs', variable: 'FLOWCAST_HTTP_REQUEST_TIMEOUT', unitMs: 1000 },
  { key: 'sendTimeoutMs', variable: 'FLOWCAST_HTTP_SEND_TIMEOUT', unitMs: 1000 },
  { key: 'maxHeadBytes', variable: 'FLOWCAST_HTTP_MAX_HEAD_BYTES', unitMs: 1 },
  { key: 'maxLineBytes', variable: 'FLOWCAST_HTTP_MAX_LINE_BYTES', unitMs: 1 },
  { key: 'maxPendingPerAddress', variable: 'FLOWCAST_HTTP_MAX_PENDING_PER_ADDRESS', unitMs: 1 },
  { key: 'maxPending', variable: 'FLOWCAST_HTTP_MAX_PENDING', unitMs: 1 },
];

/** The defaults, with what the environment sets (timeouts in seconds, fractions allowed). */
export function frontSettingsFromEnvironment(env: NodeJS.ProcessEnv): FrontSettings {
  const settings: Record<string, number> = { ...DEFAULT_FRONT_SETTINGS };
  for (const { key, variable, unitMs } of FROM_ENVIRONMENT) {
    const text = env[variable];
    if (text === undefined || text === '') continue;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) {
      throw new FlowcastError('FC_USAGE', `${variable}=${JSON.stringify(text)} is not a positive number`, {
        fix: `Set ${variable} to a positive number${unitMs === 1000 ? ' of seconds' : ''}, or unset it for the default (${DEFAULT_FRONT_SETTINGS[key] / unitMs})`,
      });
    }
    settings[key] = Math.round(value * unitMs);
  }
  return settings as unknown as FrontSettings;
}
