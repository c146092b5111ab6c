/**
 * The picture half of the latency marker: producer-test's `marker: true` turns the picture white
 * for 100 ms at each wall-clock second. A player's frames, scaled down to a few grey pixels and
 * played out in real time, are watched for the first white frame after a normal one.
 */

/** Mean luma (0–255) of a white frame: the test card's bars average about 120, the flash 235+. */
const WHITE = 200;

export interface FlashSeen {
  /** Wall-clock time (ms since the epoch) the white frame was shown. */
  readonly seenAtMs: number;
}

export class FlashDetector {
  /** Taken as white at first: a flash the player starts in is not an onset. */
  private white = true;
  private partial?: Buffer;
  private frames = 0;
  /** When the first frame was shown (ms since the epoch). */
  firstFrameAtMs?: number;

  constructor(
    private readonly frameBytes: number,
    private readonly onFlash: (flash: FlashSeen) => void,
  ) {}

  /** Frames as they come out of a real-time playout, `arrivedMs` when this chunk came. */
  push(chunk: Buffer, arrivedMs: number): void {
    const data = this.partial ? Buffer.concat([this.partial, chunk]) : chunk;
    let at = 0;
    for (; at + this.frameBytes <= data.length; at += this.frameBytes) {
      this.firstFrameAtMs ??= arrivedMs;
      this.frames++;
      let sum = 0;
      for (let i = at; i < at + this.frameBytes; i++) sum += data[i]!;
      const white = sum / this.frameBytes >= WHITE;
      if (white && !this.white) this.onFlash({ seenAtMs: arrivedMs });
      this.white = white;
    }
    this.partial = at < data.length ? Buffer.from(data.subarray(at)) : undefined;
  }

  get frameCount(): number {
    return this.frames;
  }
}

/**
 * A flash's delay behind its wall-clock second. Every flash looks the same, so the picture alone
 * tells the delay only modulo a second: it is taken as the one nearest `soundDelayMs` (the
 * markers' median, whose pitch names the second), which holds while picture and sound are within
 * half a second; without sound, as the delay under one second.
 */
export function flashDelayMs(seenAtMs: number, soundDelayMs: number | undefined): number {
  const fraction = seenAtMs % 1000;
  if (soundDelayMs === undefined) return fraction;
  let offset = fraction - (((soundDelayMs % 1000) + 1000) % 1000);
  if (offset >= 500) offset -= 1000;
  if (offset < -500) offset += 1000;
  return soundDelayMs + offset;
}
