import type { LiveStream, LiveStreams } from '../api/live';

/** One per flow: streamers register at creation; archive-http finds the one it hands listeners to. */
export class LiveStreamRegistry implements LiveStreams {
  private readonly streams = new Map<string, LiveStream>();

  register(port: number, mount: string, stream: LiveStream): void {
    this.streams.set(`${port} ${mount}`, stream);
  }

  get(port: number, mount: string): LiveStream | undefined {
    return this.streams.get(`${port} ${mount}`);
  }
}
