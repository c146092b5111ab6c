import type { Socket } from 'node:net';

/**
 * Live streams of a flow that a connection can be handed to: archive-http sends a rewinding
 * listener the recording as it is written, and once it has caught up hands its connection to the
 * streamer of the same stream, which goes on from the next buffer, so the listener ends up as any
 * other live listener.
 */
export interface LiveStream {
  /**
   * Take over a connection that has already had its response head, the stream headers and the
   * stream up to `after` (a buffer of this stream, such as an Ogg page), and go on right after
   * it. False, with the socket untouched, when `after` is not (or no longer) in what the streamer
   * holds.
   */
  continueAfter(socket: Socket, after: Buffer, listener: { remoteAddress: string; requestLine: string; userAgent?: string; user?: string; until?: number }): boolean;
}

/** The flow's live streams, by port and mount path. */
export interface LiveStreams {
  register(port: number, mount: string, stream: LiveStream): void;
  get(port: number, mount: string): LiveStream | undefined;
}
