import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Connection } from '../net/connection';

export type LogFields = Readonly<Record<string, unknown>>;

/** A logger scoped to a flow and component; the runtime chooses terminal or JSON-lines output. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(scope: LogFields): Logger;
}

/** Serves one request on a mount. The handler owns the response from here on. */
export type MountHandler = (request: IncomingMessage, response: ServerResponse) => void;

/** A GET request read off the socket by the HTTP front itself. */
export interface StreamRequest {
  readonly method: string;
  readonly url: string;
  readonly path: string;
  readonly httpVersion: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

/**
 * Takes over the connection of a GET request: nothing else will read or write it. For long-lived
 * streams, where a listener should cost a socket and nothing more (no HTTP parser, request or
 * response objects held for hours), and for files a FileSender sends from the descriptor alone.
 * The handler owns the connection: it takes its Socket (`connection.socket()`), hands it to a
 * FileSender, or destroys it. Returning false, at once and without touching the connection,
 * declines the request: the mount's `handler` gets it, as any other request.
 */
export type StreamHandler = (connection: Connection, request: StreamRequest) => void | boolean;

export interface MountOptions {
  readonly port: number;
  /** Interface to listen on (default 0.0.0.0). */
  readonly host?: string;
  /** Exact path, starting with `/`. */
  readonly path: string;
  /**
   * Also serve every path below `path` (`/archive` serves `/archive/…`), as a directory of files
   * or playlists would. The longest mount that matches a request wins.
   */
  readonly prefix?: boolean;
  readonly handler: MountHandler;
  /** When given, GET requests on this mount go here instead of `handler`. */
  readonly stream?: StreamHandler;
}

export interface Mount {
  /** The address a client on this machine uses. */
  readonly url: string;
  close(): Promise<void>;
}

/** The HTTP front: components mount handlers on ports it shares between them. */
export interface HttpService {
  mount(options: MountOptions): Promise<Mount>;
}

/** Directories a component may use. */
export interface Paths {
  /** The project directory (where package.json and flows/ are). */
  readonly project: string;
  /** The directory of the flow file being run. */
  readonly flowDirectory: string;
  /** Where components write logs such as access logs (FLOWCAST_LOG_DIR, default <project>/logs). */
  readonly logs: string;
}

/** Process limits a component may need raised, such as open files for many listeners. */
export interface SystemLimits {
  /** Raise the open-file limit to at least `count` where allowed; returns the limit now in force. */
  ensureOpenFiles(count: number): { limit: number; raised: boolean };
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Milliseconds from an arbitrary origin, monotonic. */
  monotonic(): number;
}

/** Lets a component announce a public address (printed by `flowcast run`). */
export interface Announcer {
  announce(label: string, url: string): void;
}
