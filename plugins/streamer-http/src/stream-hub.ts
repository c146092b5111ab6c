import type { AccessRecord, Connection } from '@flowcast/core';
import { corsHeaders } from './cors';
import { stationHeaders } from './station-headers';
import { admissionRefusal, type ListenerPolicy } from './policy';
import { StreamHeaders, syncDetectorFor, type SyncDetector } from '@flowcast/core';
import { MatroskaTimeline } from './matroska-timeline';
import type { FanoutAddon } from './native';
import { RawConnection, type SentTally } from './raw-connection';
import { StreamLog, type LogEntry } from './stream-log';
import { carriesIcy, IcyFramer, icyResponseHead, type IcyMetadata } from './icy';

/** The headers of the stream's 200 answer, to a GET (the hub writes them) and a HEAD alike. */
export function streamHeaders(contentType: string, policy: Pick<ListenerPolicy, 'allowOrigin' | 'station'>): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Cache-Control': 'no-cache, no-store',
    ...corsHeaders(policy.allowOrigin ?? ''),
    ...stationHeaders(policy.station ?? {}),
    Connection: 'close',
  };
}

/** What the hub knows of a listener's request, for the access log. */
export interface ListenerRequest {
  /** The listener's address: the peer's, or the client a trusted proxy named (client-address.ts). */
  remoteAddress: string;
  /** The peer's port (through a proxy, the proxy's). */
  remotePort: number;
  requestLine: string;
  referer?: string;
  userAgent?: string;
  /** The user a bouncer let in, for the access log. */
  user?: string;
  /** Disconnect at this time (ms since the epoch): its credentials expire then. */
  until?: number;
  /** It sent `Icy-MetaData: 1`: it gets ICY metadata blocks if the stream carries them (icy.ts). */
  icyMetadata?: boolean;
}

/**
 * A listener is a connection (a file descriptor) and a position in the shared log: no stream
 * object of its own, no copy of the data. `next` is the next entry to hand to the connection.
 */
interface Listener {
  /** The listener's number on this hub, for the admin API's list and kick. */
  readonly id: number;
  readonly conn: RawConnection;
  readonly request: ListenerRequest;
  readonly start: number;
  next: number;
  /** Stream offset just past the last byte handed to the socket. */
  streamPosition: number;
  /** Response body bytes handed to the socket (stream headers and data; not the HTTP header). */
  bytes: number;
  /** The length of its HTTP head, the first bytes its connection sent. */
  headBytes: number;
  /** Set when it is disconnected for a limit: its reset discards what the kernel still held for it. */
  dropped?: boolean;
  /**
   * How much stream its burst holds before the newest buffer (ms): a listener that takes the
   * burst as it comes stays that far behind live, so soft-lag and hard-lag count from there and a
   * burst longer than soft-lag is not undone as soon as it is sent.
   */
  lagAllowanceMs: number;
  /** Not written to while the kernel refuses more (drain), or holds a full window (kernel). */
  blocked?: 'drain' | 'kernel';
  /**
   * When something was last handed to the socket (monotonic ms, whole: a number that is not a
   * small integer is a boxed heap number of its own, 16 B more per listener).
   */
  lastWrite: number;
  /** Set when it would pass hard-lag before the next sweep: it is looked at again at that moment. */
  hardLagCheck?: NodeJS.Timeout;
  /** Its ICY framing, if it asked for metadata on an MP3 or AAC stream: it is written to alone, not with sendMany. */
  icy?: IcyFramer;
}

export interface HubStats {
  clients: number;
  peakClients: number;
  connects: number;
  refused: number;
  /** Response body bytes the kernel took for listeners (what a dropped listener's reset discarded aside). */
  bytesSent: number;
  /** Listeners disconnected for falling too far behind. */
  drops: number;
  /** Listeners an operator disconnected (admin API kick). */
  kicks: number;
  resyncs: number;
  /** Stream bitrate over the last 10 s, and since the start, in bits/s. */
  currentBitrate: number;
  averageBitrate: number;
  uptime: number;
}

export interface ListenerState {
  /** Its number on this hub (for kick). */
  id: number;
  remoteAddress: string;
  userAgent?: string;
  /** When it connected (ms since the epoch). */
  connectedAt: number;
  /** How far behind the live stream its client is (ms), as of the last sweep. */
  lagMs: number;
  remotePort: number;
  /** Response body bytes handed to the connection. */
  bytes: number;
  /** Handed to the connection, not yet taken by the kernel. */
  pendingBytes: number;
  /** Held by the kernel (unsent or unacknowledged), as of the last sweep. */
  kernelQueue: number;
  /** Received by the client's kernel, not yet read by the client (an estimate), as of the last sweep. */
  clientUnread: number;
  blocked?: 'drain' | 'kernel';
}

export interface HubEvents {
  dropped(request: ListenerRequest, reason: string): void;
  closed(record: AccessRecord): void;
}

const BITRATE_WINDOW_MS = 10_000;
/**
 * The most the stream log holds, whatever the time limits ask (twice burst-size when that is
 * more). 30 s of a 10 Mbit/s stream is 37.5 MiB.
 */
const LOG_MAX_BYTES = 64 * 1024 * 1024;
/**
 * Listeners a write or a sweep visits before it yields to the event loop. About 2 ms of work (a
 * sendmsg or a getsockopt and the policy for each): what a new listener waits at most.
 */
const SLICE = 256;
/** Distinct request strings the hub shares between listeners; past this many, new ones are kept as they come. */
const MAX_SHARED_STRINGS = 4096;
/** The most buffers one sendMany takes (the addon's iovec); a listener further behind is written to alone. */
const MAX_BUFFERS_PER_WRITE = 256;
/** Kernel data a listener may have unacknowledged before it is written to no more (at least). */
const MIN_SEND_WINDOW = 64 * 1024;

/**
 * Fans one live stream out to many sockets. Every buffer is one Buffer written to each socket
 * as is; a listener that cannot take more is skipped and catches up from the shared log in one
 * corked write when it can, is resynced to the latest sync point past the soft limit, and is
 * disconnected past the hard limit.
 */
export class StreamHub {
  private readonly listeners = new Set<Listener>();
  private readonly waiting = new Set<{ conn: RawConnection; request: ListenerRequest; start: number }>();
  private readonly log: StreamLog;
  /** The stream's format, from the caps: its content type and the HTTP head every listener gets. */
  private format?: { contentType: string; responseHead: Buffer };
  /** Which buffers are the stream headers, and what they are (from the caps, or flagged as such). */
  private readonly headers = new StreamHeaders();
  /**
   * The headers a new listener needs first are known: the caps carry them, or data has come since
   * the caps were set. Listeners wait until then, because muxers set caps before their headers are
   * complete (webmmux adds streamheader only after pushing the header pieces), and a listener
   * admitted at such caps would miss its headers.
   */
  private started = false;
  /**
   * The pipeline is being rebuilt (`newStream()`): the next stream's headers go to connected
   * listeners in line, as a new chained stream, and new listeners wait for its first data.
   */
  private restarting = false;
  /** Seq of the new stream's first header in the log, and of its first data: no burst or resync starts before. */
  private newHeadersSeq?: number;
  private streamStartSeq = 0;
  private isSync: SyncDetector = () => true;
  /** Matroska/WebM: cluster times kept going forward across restarts (see MatroskaTimeline). */
  private timeline?: MatroskaTimeline;
  private readonly counters = { peakClients: 0, connects: 0, refused: 0, drops: 0, kicks: 0, resyncs: 0 };
  /** Body bytes sent to listeners that have left; those still here count from their connections. */
  private bytesSentToDeparted = 0;
  /**
   * What the kernel took for the connections still here (their HTTP heads included), added up by
   * the connections as they send, and the length of those heads: stats() adds nothing up itself,
   * so a scrape costs the same at 10 listeners or 10,000.
   */
  private readonly sentToConnected: SentTally = { bytes: 0 };
  private headBytesOfConnected = 0;
  private lastListenerId = 0;
  private readonly startedAt: number;
  private flushTimer?: NodeJS.Timeout;
  /** When the caller said the next sweep would come (monotonic ms). */
  private nextSweepAt = 0;
  /** getsockopt's answer, shared by all connections. */
  private readonly tcpScratch = new Float64Array(2);
  /** A sweep slice's descriptors and their TCP states (tcpStates), reused from slice to slice. */
  private readonly sliceFds = new Int32Array(SLICE);
  private readonly sliceStates = new Float64Array(SLICE * 3);
  /** A write slice's sendMany results. */
  private readonly sliceResults = new Float64Array(SLICE * 2);
  /** Strings of listeners' requests, shared between listeners (sharedRequest). */
  private readonly strings = new Map<string, string>();
  /** What a connection calls as it closes: one function for all, not a closure per listener. */
  private readonly forgetWaiting = (pending: { conn: RawConnection; request: ListenerRequest; start: number }): void => {
    this.waiting.delete(pending);
    this.sentToConnected.bytes -= pending.conn.sentBytes;
  };
  private readonly listenerClosed = (listener: Listener): void => this.closed(listener);
  /** The next slices of a flush or sweep in progress. */
  private readonly slices = new Set<NodeJS.Immediate>();
  /** The title block and interval for listeners that ask for ICY metadata (useIcy). */
  private icy?: { metadata: IcyMetadata; interval: number };

  constructor(
    private policy: ListenerPolicy,
    private readonly now: () => number,
    private readonly events: HubEvents,
    private readonly fanout: FanoutAddon,
  ) {
    const burstMs = policy.burst.mode === 'time' ? policy.burst.ms : 0;
    const burstBytes = policy.burst.mode === 'bytes' ? policy.burst.bytes : 0;
    // Keep a burst, and what a listener that started with one may lag by behind it.
    this.log = new StreamLog(burstMs, burstBytes, Math.max(LOG_MAX_BYTES, burstBytes * 2), Math.max(policy.hardLagMs, BITRATE_WINDOW_MS));
    this.startedAt = now();
  }

  get contentType(): string | undefined {
    return this.format?.contentType;
  }

  /** The stream's format, from the caps: its content type and the headers a new listener needs first. */
  setFormat(contentType: string, headers: Buffer[]): void {
    const head = Object.entries(streamHeaders(contentType, this.policy)).map(([name, value]) => `${name}: ${value}\r\n`);
    const responseHead = Buffer.from(`HTTP/1.0 200 OK\r\n${head.join('')}\r\n`, 'latin1');
    this.format = { contentType, responseHead };
    this.headers.setCaps(headers);
    this.isSync = syncDetectorFor(contentType, headers);
    // Kept across a restart's new format: it knows where the old stream's time had got to.
    this.timeline = /webm|matroska/.test(contentType) ? (this.timeline ?? new MatroskaTimeline()) : undefined;
    this.started = false;
    if (headers.length > 0 && !this.restarting) this.start();
  }

  /**
   * The stream will start again from new headers (its pipeline failed and is rebuilt): connected
   * listeners stay and get the new stream's headers in line before its data, as a new chained
   * stream (Ogg) or a new segment (Matroska); new listeners wait for the new stream's first data.
   */
  newStream(): void {
    this.restarting = true;
    this.timeline?.newStream();
    this.newHeadersSeq = undefined;
  }

  /**
   * A new chained stream starts here, with these headers (an Ogg title change: ogg-chain.ts):
   * connected listeners get them in line, new listeners get them first and start from here.
   */
  chain(headers: Buffer[], arrivedAt = this.now()): void {
    if (!this.format) return;
    this.headers.setCaps(headers);
    this.isSync = syncDetectorFor(this.format.contentType, headers);
    this.newHeadersSeq = undefined;
    for (const header of headers) this.fanOut(this.appendInline(header, arrivedAt));
    this.streamStartSeq = this.log.head;
  }

  /** Whether the stream is being restarted (no data since `newStream()`). */
  get isRestarting(): boolean {
    return this.restarting;
  }

  /**
   * Disconnect every listener (the stream did not come back in time) but keep the mount. A
   * plain close, not a reset: the player has everything that was sent, and may reconnect.
   */
  release(reason: string): void {
    for (const listener of [...this.listeners]) {
      this.counters.drops++;
      this.events.dropped(listener.request, reason);
      listener.conn.destroy();
    }
    for (const pending of this.waiting) pending.conn.destroy();
    this.waiting.clear();
  }

  /**
   * New limits while running (`client-limit`, `bandwidth-limit`, lags, timeouts): they apply
   * from the next admission, write and sweep on. The burst and the hard lag stay as they were:
   * they size the stream log.
   */
  setPolicy(policy: ListenerPolicy): void {
    this.policy = { ...policy, burst: this.policy.burst, hardLagMs: this.policy.hardLagMs };
  }

  /** Give listeners that ask for it ICY metadata, every `interval` bytes, from `metadata` (MP3 and AAC streams only). */
  useIcy(metadata: IcyMetadata, interval: number): void {
    this.icy = { metadata, interval };
  }

  /** Why a new listener would be refused now, or undefined. */
  refusal(): string | undefined {
    return admissionRefusal(this.policy, this.listeners.size + this.waiting.size, this.currentBitrate());
  }

  noteRefused(): void {
    this.counters.refused++;
  }

  /** Take over the connection of a GET request that was accepted: from here on it is only its descriptor. */
  add(connection: Connection, request: ListenerRequest): void {
    this.counters.connects++;
    const start = Date.now();
    const conn = RawConnection.adopt(connection, this.fanout, this.sentToConnected);
    if (!conn) return;
    const shared = this.sharedRequest(request);
    if (!this.started) {
      const pending = { conn, request: shared, start };
      this.waiting.add(pending);
      conn.onClose(this.forgetWaiting, pending);
    } else {
      this.admit(conn, shared, start);
    }
  }

  /**
   * The request with its strings shared between listeners that sent the same ones: most send the
   * same request line and one of a few user agents, and each copy (a string built from pieces,
   * or a slice that keeps the whole header line) costs some 50 to 100 bytes per listener.
   */
  private sharedRequest(request: ListenerRequest): ListenerRequest {
    return {
      remoteAddress: this.shared(request.remoteAddress),
      remotePort: request.remotePort,
      requestLine: this.shared(request.requestLine),
      ...(request.referer ? { referer: this.shared(request.referer) } : {}),
      ...(request.userAgent ? { userAgent: this.shared(request.userAgent) } : {}),
      ...(request.user ? { user: request.user } : {}),
      ...(request.until !== undefined ? { until: request.until } : {}),
      ...(request.icyMetadata ? { icyMetadata: true } : {}),
    };
  }

  private shared(text: string): string {
    const known = this.strings.get(text);
    if (known !== undefined) return known;
    if (this.strings.size >= MAX_SHARED_STRINGS || text.length > 512) return text;
    // A flat copy: the caller's may be a string built from pieces or a slice of a longer one.
    const flat = Buffer.from(text, 'utf8').toString('utf8');
    this.strings.set(flat, flat);
    return flat;
  }

  /**
   * A new buffer from the pipeline, which reached the sink at `arrivedAt` (monotonic ms), with
   * GStreamer's flags on it (BufferFlag bits): to every listener that can take it, as one shared
   * Buffer.
   */
  publish(buffer: Buffer, arrivedAt = this.now(), flags = 0): void {
    if (this.headers.take(buffer, flags)) {
      // A restarted stream's headers reach connected listeners in line, after the old stream's data.
      if (this.restarting) this.fanOut(this.appendInline(buffer, arrivedAt));
      return;
    }
    if (this.restarting) {
      this.restarting = false;
      this.streamStartSeq = this.log.head;
    }
    if (!this.started && this.format) this.start();
    const sent = this.timeline ? this.timeline.rewrite(buffer, arrivedAt) : buffer;
    this.fanOut(this.log.append(sent, this.isSync(sent, flags), arrivedAt));
  }

  private appendInline(header: Buffer, arrivedAt: number): LogEntry {
    const entry = this.log.append(header, false, arrivedAt);
    this.newHeadersSeq ??= entry.seq;
    return entry;
  }

  private fanOut(entry: LogEntry): void {
    const interval = this.policy.writeIntervalMs ?? 0;
    if (interval <= 0) {
      for (const listener of this.listeners) {
        if (!this.retryDrain(listener)) continue;
        if (listener.next === entry.seq) this.send(listener, entry);
        else this.catchUp(listener);
      }
    } else if (!this.flushTimer && this.listeners.size > 0) {
      // Coalesce: the buffers of one interval go to each socket in one writev.
      this.flushTimer = setTimeout(() => this.flush(), interval);
    }
  }

  /**
   * Take over a connection that has had the stream up to `after` (one of the stream's buffers)
   * from elsewhere (archive-http, following the recording of this stream) and go on from the
   * buffer after it, as with any listener. False, with the connection untouched, when `after` is not
   * in the log (too old, or not here yet).
   */
  continueAfter(connection: Connection, request: ListenerRequest, after: Buffer): boolean {
    if (!this.started || !this.format) return false;
    let found: LogEntry | undefined;
    for (let seq = this.log.head - 1; seq >= this.log.oldest && !found; seq--) {
      const entry = this.log.at(seq);
      if (entry && entry.data.length === after.length && entry.data.equals(after)) found = entry;
    }
    if (!found) return false;
    this.counters.connects++;
    const conn = RawConnection.adopt(connection, this.fanout, this.sentToConnected);
    if (!conn) return true; // it left meanwhile: handed over all the same
    const listener: Listener = {
      id: ++this.lastListenerId,
      conn,
      request,
      start: Date.now(),
      next: found.seq + 1,
      streamPosition: found.offset + found.data.length,
      bytes: 0,
      headBytes: 0,
      lagAllowanceMs: 0,
      lastWrite: Math.round(this.now()),
    };
    this.listeners.add(listener);
    conn.onClose(this.listenerClosed, listener);
    conn.refreshTransport(this.tcpScratch);
    conn.cork();
    this.sendBacklog(listener);
    this.uncork(listener);
    return true;
  }

  /** The headers are known: listeners waiting are admitted (at first data, before it, so that they get it). */
  private start(): void {
    this.started = true;
    for (const pending of this.waiting) this.admit(pending.conn, pending.request, pending.start);
    this.waiting.clear();
  }

  private flush(): void {
    this.flushTimer = undefined;
    this.inSlices([...this.listeners], (slice) => this.flushSlice(slice));
  }

  /**
   * One slice of a write: each listener gets what it lacks up to the head, as catchUp() gives it.
   * Those that lack the same buffers, with nothing waiting and no resync due (every listener that
   * keeps up), get them in one native call for all (sendMany); the others one by one.
   */
  private flushSlice(slice: Listener[]): void {
    const head = this.log.head;
    const groups = new Map<number, Listener[]>();
    for (const listener of slice) {
      if (!this.listeners.has(listener) || !this.retryDrain(listener) || listener.next >= head) continue;
      const keepsUp =
        !listener.icy && listener.conn.writableLength === 0 && head - listener.next <= MAX_BUFFERS_PER_WRITE && listener.next >= this.log.oldest;
      if (keepsUp && this.lagOfNext(listener) <= this.policy.softLagMs + listener.lagAllowanceMs) {
        const group = groups.get(listener.next);
        if (group) group.push(listener);
        else groups.set(listener.next, [listener]);
      } else this.catchUp(listener);
    }
    for (const [next, group] of groups) this.sendToGroup(next, group);
  }

  /** Everything from `next` to the head to every listener of `group` (all at `next`, nothing waiting), in one native call. */
  private sendToGroup(next: number, group: Listener[]): void {
    const entries: LogEntry[] = [];
    for (let seq = next; seq < this.log.head; seq++) entries.push(this.log.at(seq)!);
    const buffers = entries.map((entry) => entry.data);
    const last = entries[entries.length - 1]!;
    const total = last.offset + last.data.length - entries[0]!.offset;
    const fds = this.sliceFds.subarray(0, group.length);
    group.forEach((listener, i) => (fds[i] = listener.conn.descriptor));
    const results = this.sliceResults.subarray(0, group.length * 2);
    this.fanout.sendMany(fds, buffers, results);
    const now = Math.round(this.now());
    group.forEach((listener, i) => {
      listener.next = last.seq + 1;
      listener.streamPosition = last.offset + last.data.length;
      listener.bytes += total;
      listener.lastWrite = now;
      if (!listener.conn.sentWithOthers(buffers, results[2 * i]!, results[2 * i + 1]!)) listener.blocked ??= 'drain';
    });
  }

  /**
   * Visit `listeners` (a snapshot) SLICE at a time, yielding to the event loop between slices:
   * an accept, a new listener's burst, a published buffer wait behind one slice at most, never
   * behind a whole sweep of thousands of sockets. A listener that left meanwhile is skipped
   * (`visit` checks); one that joined meanwhile was given everything up to the head on admission,
   * so the next write or sweep is its first. Up to SLICE listeners, all is done at once.
   */
  private inSlices(listeners: Listener[], visit: (slice: Listener[]) => void, done?: () => void): void {
    let start = 0;
    const step = (): void => {
      const slice = listeners.slice(start, start + SLICE);
      start += SLICE;
      visit(slice);
      if (start >= listeners.length) {
        done?.();
        return;
      }
      const next = setImmediate(() => {
        this.slices.delete(next);
        step();
      });
      this.slices.add(next);
    };
    step();
  }

  /** A listener the kernel refused data to: send what waits; true when it can take more. */
  private retryDrain(listener: Listener): boolean {
    if (listener.blocked === 'drain' && listener.conn.flush()) listener.blocked = undefined;
    return !listener.blocked;
  }

  /**
   * Once a second: forget listeners that left, read each one's kernel queue, stop writing to
   * those whose window is full, resume the others, and disconnect those past the hard limits.
   * A listener that would pass hard-lag before the next sweep (due in `nextSweepInMs`) unless it
   * takes more is looked at again at that moment, so hard-lag is kept to the millisecond rather
   * than to the sweep.
   */
  sweep(nextSweepInMs = 0): void {
    this.nextSweepAt = this.now() + nextSweepInMs;
    this.forgetDepartedWaiting();
    // The peak is counted once the sweep has closed every listener that left: a client that
    // connects and resets at once (a port scan, a flood) is not a listener the peak should show.
    this.inSlices([...this.listeners], (slice) => this.sweepSlice(slice, nextSweepInMs), () => this.countPeak());
  }

  /** The TCP states of `conns` (at most SLICE) in one native call (tcpStates), in sliceStates: 3 numbers each. */
  private readStates(conns: readonly RawConnection[]): Float64Array {
    const fds = this.sliceFds.subarray(0, conns.length);
    const states = this.sliceStates.subarray(0, conns.length * 3);
    conns.forEach((conn, i) => (fds[i] = conn.descriptor));
    if (conns.length > 0) this.fanout.tcpStates(fds, states);
    return states;
  }

  /** Close the connections of listeners waiting for the stream that left, SLICE per native call. */
  private forgetDepartedWaiting(): void {
    const waiting = [...this.waiting];
    for (let start = 0; start < waiting.length; start += SLICE) {
      const slice = waiting.slice(start, start + SLICE).filter((pending) => !pending.conn.isClosed);
      const states = this.readStates(slice.map((pending) => pending.conn));
      slice.forEach((pending, i) => {
        if (states[3 * i + 2] === 1) pending.conn.closeGone();
      });
    }
  }

  /**
   * One slice of a sweep: the TCP state of all its listeners in one native call (tcpStates), the
   * departed closed, then each one's limits.
   */
  private sweepSlice(slice: Listener[], nextSweepInMs: number): void {
    const here = slice.filter((listener) => this.listeners.has(listener));
    const states = this.readStates(here.map((listener) => listener.conn));
    const open: Listener[] = [];
    here.forEach((listener, i) => {
      if (states[3 * i + 2] === 1) listener.conn.closeGone();
      else {
        listener.conn.takeTransport(states[3 * i]!, states[3 * i + 1]!);
        open.push(listener);
      }
    });
    const now = this.now();
    const window = Math.max(MIN_SEND_WINDOW, (this.currentBitrate() / 8) * 2);
    for (const listener of open) {
      if (!this.listeners.has(listener)) continue;
      const conn = listener.conn;
      const waitingBytes = conn.kernelQueue + conn.writableLength;
      const untilHardLag = this.enforceHardLag(listener, now);
      if (untilHardLag < 0) continue;
      if (untilHardLag < nextSweepInMs) this.checkHardLagIn(listener, untilHardLag);
      if (listener.request.until !== undefined && Date.now() >= listener.request.until) this.drop(listener, 'its credentials expired');
      else if (this.policy.idleTimeoutMs > 0 && now - listener.lastWrite > this.policy.idleTimeoutMs) this.drop(listener, 'nothing to send for too long');
      else if (waitingBytes > this.policy.maxClientBuffer) this.drop(listener, `${waitingBytes} bytes waiting to be sent`);
      else if (conn.kernelQueue > window) listener.blocked ??= 'kernel';
      else if (listener.blocked === 'kernel') {
        listener.blocked = undefined;
        this.catchUp(listener);
      } else if (listener.blocked === 'drain' && this.retryDrain(listener)) this.catchUp(listener);
    }
  }

  private countPeak(): void {
    this.counters.peakClients = Math.max(this.counters.peakClients, this.listeners.size + this.waiting.size);
  }

  /** Each listener's state, for tests and the coming admin API. */
  listenerStates(): ListenerState[] {
    const now = this.now();
    return [...this.listeners].map((l) => ({
      id: l.id,
      remoteAddress: l.request.remoteAddress,
      ...(l.request.userAgent !== undefined ? { userAgent: l.request.userAgent } : {}),
      connectedAt: l.start,
      lagMs: Math.round(Math.min(this.lagMs(l, l.conn.kernelQueue + l.conn.writableLength + l.conn.clientUnread, now), 1e9)),
      remotePort: l.request.remotePort,
      bytes: l.bytes,
      pendingBytes: l.conn.writableLength,
      kernelQueue: l.conn.kernelQueue,
      clientUnread: l.conn.clientUnread,
      ...(l.blocked ? { blocked: l.blocked } : {}),
    }));
  }

  /** Disconnect one listener (an operator's kick); false when it is not (or no longer) here. */
  kick(id: number): boolean {
    const listener = [...this.listeners].find((l) => l.id === id);
    if (!listener) return false;
    this.drop(listener, 'disconnected by an operator', 'kicks');
    return true;
  }

  /** Listeners that connected since the hub started (admitted or waiting; refused ones not). */
  get connects(): number {
    return this.counters.connects;
  }

  /** Listeners connected, including those waiting for the stream to start. */
  get listenerCount(): number {
    return this.listeners.size + this.waiting.size;
  }

  /**
   * The hub's counters, without visiting any listener: listeners that left since the last sweep
   * still count until it notices them (within a second while anybody listens), and the peak is
   * the most the sweeps counted.
   */
  stats(): HubStats {
    const elapsed = Math.max(1, this.now() - this.startedAt);
    // A listener whose HTTP head the kernel has not wholly taken yet counts less than nothing for a moment.
    const bytesSent = this.bytesSentToDeparted + Math.max(0, this.sentToConnected.bytes - this.headBytesOfConnected);
    return {
      clients: this.listeners.size + this.waiting.size,
      ...this.counters,
      bytesSent,
      currentBitrate: Math.round(this.currentBitrate()),
      averageBitrate: Math.round((this.log.totalBytes * 8 * 1000) / elapsed),
      uptime: Math.round(elapsed / 1000),
    };
  }

  closeAll(): void {
    clearTimeout(this.flushTimer);
    for (const slice of this.slices) clearImmediate(slice);
    this.slices.clear();
    for (const listener of this.listeners) {
      clearTimeout(listener.hardLagCheck);
      listener.conn.destroy();
    }
    for (const pending of this.waiting) pending.conn.destroy();
    this.waiting.clear();
  }

  private admit(conn: RawConnection, request: ListenerRequest, start: number): void {
    if (conn.isClosed || !this.format) return;
    const listener: Listener = {
      id: ++this.lastListenerId,
      conn,
      request,
      start,
      next: this.burstStart(),
      streamPosition: 0,
      bytes: 0,
      headBytes: 0,
      lagAllowanceMs: 0,
      lastWrite: Math.round(this.now()),
    };
    const burstEntry = this.log.at(listener.next);
    const newestEntry = this.log.at(this.log.head - 1);
    listener.streamPosition = burstEntry?.offset ?? this.log.totalBytes;
    // Its span, not its age: the newest buffer's age is no lag, since a listener that has read
    // everything sent to it is behind by nothing until the next buffer comes.
    listener.lagAllowanceMs = burstEntry && newestEntry ? Math.round(newestEntry.time - burstEntry.time) : 0;
    const icy = this.icy && request.icyMetadata && carriesIcy(this.format.contentType) ? this.icy : undefined;
    if (icy) listener.icy = new IcyFramer(icy.metadata, icy.interval);
    const responseHead = icy ? icyResponseHead(this.format.responseHead, icy.interval) : this.format.responseHead;
    this.listeners.add(listener);
    conn.onClose(this.listenerClosed, listener);
    conn.refreshTransport(this.tcpScratch); // the client's window before anything is sent: its empty buffer
    conn.cork();
    listener.headBytes = responseHead.length;
    this.headBytesOfConnected += listener.headBytes;
    conn.write(responseHead);
    const headers = this.headers.current;
    for (const header of headers) this.write(listener, header);
    this.sendBacklog(listener); // the burst: never a lag to resync
    this.uncork(listener);
  }

  /** Send what was corked; what the kernel refused makes the listener wait for a retry. */
  private uncork(listener: Listener): void {
    listener.conn.uncork();
    if (listener.conn.writableLength > 0) listener.blocked ??= 'drain';
  }

  /** Where a new listener starts: never before the current stream's first data. */
  private burstStart(): number {
    return Math.max(this.streamStartSeq, this.burstStartInLog());
  }

  private burstStartInLog(): number {
    const burst = this.policy.burst;
    switch (burst.mode) {
      case 'off':
        return this.log.head;
      case 'latest-sync':
        return this.log.latestSync();
      case 'bytes':
        return this.log.burstStart({ bytes: burst.bytes }, this.now());
      case 'time':
        return this.log.burstStart({ ms: burst.ms }, this.now());
    }
  }

  /** Resync the listener if it is past soft-lag, then hand it everything up to the head. */
  private catchUp(listener: Listener): void {
    if (listener.next < this.log.head && this.lagOfNext(listener) > this.policy.softLagMs + listener.lagAllowanceMs) this.resync(listener);
    this.sendBacklog(listener);
  }

  /** Hand everything from the listener's position to the head to its socket, in one writev. */
  private sendBacklog(listener: Listener): void {
    const corked = listener.next < this.log.head - 1;
    if (corked) listener.conn.cork();
    while (!listener.blocked && listener.next < this.log.head) {
      const entry = this.log.at(listener.next);
      if (entry) this.send(listener, entry);
      else this.resync(listener); // Its position has left the log: further behind than anything kept.
    }
    if (corked) this.uncork(listener);
  }

  private resync(listener: Listener): void {
    const latest = this.log.latestSync();
    // A listener still in the previous stream must not skip the new stream's headers.
    const crossesRestart = this.newHeadersSeq !== undefined && listener.next < this.newHeadersSeq && latest >= this.newHeadersSeq;
    listener.next = crossesRestart ? this.newHeadersSeq! : latest;
    listener.streamPosition = this.log.at(listener.next)?.offset ?? this.log.totalBytes;
    this.counters.resyncs++;
  }

  private send(listener: Listener, entry: LogEntry): void {
    listener.next = entry.seq + 1;
    listener.streamPosition = entry.offset + entry.data.length;
    this.write(listener, entry.data);
  }

  private write(listener: Listener, data: Buffer): void {
    const accepted = listener.icy ? this.writeIcy(listener, data) : listener.conn.write(data);
    listener.lastWrite = Math.round(this.now());
    listener.bytes += data.length;
    if (!accepted) listener.blocked ??= 'drain';
  }

  /** `data` to an ICY listener, with the metadata blocks that fall due inside it, in one writev. */
  private writeIcy(listener: Listener, data: Buffer): boolean {
    const conn = listener.conn;
    const pieces: Buffer[] = [];
    listener.icy!.frame(data, (piece) => pieces.push(piece));
    const last = pieces.pop()!;
    if (pieces.length > 0) {
      // The stream before the block and the block go in one writev (or with the caller's uncork).
      conn.cork();
      for (const piece of pieces) conn.write(piece);
      conn.uncork();
    }
    return conn.write(last);
  }

  /**
   * Drop the listener if it is past hard-lag, as of its last transport refresh; otherwise the ms
   * it has before it is, if it takes nothing more (negative when dropped).
   */
  private enforceHardLag(listener: Listener, now: number): number {
    const conn = listener.conn;
    const lag = this.lagMs(listener, conn.kernelQueue + conn.writableLength + conn.clientUnread, now);
    const left = this.policy.hardLagMs + listener.lagAllowanceMs - lag;
    if (left >= 0) return left;
    if (Number.isFinite(lag)) this.drop(listener, `${Math.round(lag / 1000)} s behind the live stream`);
    else this.drop(listener, `further behind the live stream than the ${Math.round(this.log.heldMs(now) / 1000)} s held for it`);
    return -1;
  }

  /**
   * Look at the listener again in `ms`, when it would pass hard-lag if it took nothing more. One
   * that took some meanwhile has a later moment, looked at too if it comes before the next sweep.
   */
  private checkHardLagIn(listener: Listener, ms: number): void {
    clearTimeout(listener.hardLagCheck);
    listener.hardLagCheck = setTimeout(() => {
      listener.hardLagCheck = undefined;
      if (!this.listeners.has(listener)) return;
      listener.conn.refreshTransport(this.tcpScratch);
      const now = this.now();
      const untilHardLag = this.enforceHardLag(listener, now);
      if (untilHardLag >= 0 && now + untilHardLag < this.nextSweepAt) this.checkHardLagIn(listener, untilHardLag);
    }, Math.ceil(ms) + 1);
  }

  /** How far behind live the listener's client really is: the oldest byte it has not read yet. */
  private lagMs(listener: Listener, unreadBytes: number, now: number): number {
    const received = listener.streamPosition - unreadBytes;
    if (received >= this.log.totalBytes) return 0;
    const entry = this.log.entryAtOffset(Math.max(0, received));
    return entry ? now - entry.time : Number.POSITIVE_INFINITY;
  }

  private lagOfNext(listener: Listener): number {
    const entry = this.log.at(listener.next);
    return entry ? this.now() - entry.time : Number.POSITIVE_INFINITY;
  }

  /** Disconnect a listener past a limit, with a reset: the kernel lets go of its queue now. */
  private drop(listener: Listener, reason: string, counter: 'drops' | 'kicks' = 'drops'): void {
    listener.dropped = true;
    this.counters[counter]++;
    this.events.dropped(listener.request, reason);
    listener.conn.abort();
    this.listeners.delete(listener);
  }

  private closed(listener: Listener): void {
    clearTimeout(listener.hardLagCheck);
    this.listeners.delete(listener);
    const bytes = this.bodyBytesSent(listener);
    this.bytesSentToDeparted += bytes;
    this.sentToConnected.bytes -= listener.conn.sentBytes;
    this.headBytesOfConnected -= listener.headBytes;
    const r = listener.request;
    this.events.closed({
      remoteAddress: r.remoteAddress,
      requestLine: r.requestLine,
      status: 200,
      bytes,
      ...(r.referer ? { referer: r.referer } : {}),
      ...(r.userAgent ? { userAgent: r.userAgent } : {}),
      ...(r.user ? { user: r.user } : {}),
      start: listener.start,
      end: Date.now(),
    });
  }

  /**
   * Body bytes the listener got: what the kernel took for it while it is connected, and once it
   * is gone what it acknowledged (so neither data that waited in Node, nor what reached a client
   * that had already left, nor what a drop's reset discarded, counts).
   */
  private bodyBytesSent(listener: Listener): number {
    return Math.max(0, listener.conn.deliveredBytes - listener.headBytes);
  }

  private currentBitrate(): number {
    return this.log.bitsPerSecond(this.now(), BITRATE_WINDOW_MS);
  }
}
