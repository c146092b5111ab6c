import { spawn } from 'node:child_process';
import { MarkerDetector, PlayoutClock, type MarkerHeard } from '../latency/marker-detector';
import { FlashDetector, flashDelayMs } from '../latency/flash-detector';
import { EXIT, type CommandIO } from '../io';

export const LATENCY_HELP = `Usage: flowcast latency URL [--seconds N]

Measure how far behind live a listener hears and a viewer sees a stream: plays URL (Ogg, WebM,
MP3, HLS, …) the way a player does (GStreamer's decodebin, sound and picture played out in real
time from the moment it starts) and listens for the markers of a producer-test with
\`marker: true\`: a short tone at each wall-clock second, whose pitch tells which, and the picture
flashing white as long. Prints each marker's delay, then the median, minimum and maximum; for a
stream with video, the same for the flashes and when the first picture was shown.
The server and this command must share a clock (the same machine, or NTP-synced ones).
A real player adds its own output buffer (tens to hundreds of ms) to these figures.
--seconds N listens for N seconds (default 10).`;

const RATE = 16000;
const BYTES_PER_SAMPLE = 2;
/** The picture is watched as this many grey pixels a side: enough to tell white from the test card. */
const FRAME_SIDE = 16;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface LatencyResult {
  markers: MarkerHeard[];
  /** When each flash of the picture was shown (ms since the epoch); none for a stream without video. */
  flashes: number[];
  /** How long after the player started its first picture was shown (ms), if it had video. */
  firstPictureMs?: number;
  error?: string;
}

/** Play `url` for `seconds` and resolve with the markers heard and the flashes seen. */
export function measureLatency(url: string, seconds: number, onMarker: (marker: MarkerHeard) => void = () => undefined): Promise<LatencyResult> {
  return new Promise((resolve) => {
    const startedAt = Date.now();
    // Argument list, no shell: the URL is one argument of souphttpsrc, never pipeline text. Sound
    // to fd 1, picture (when there is one) to fd 3, both played out on the pipeline's clock as a
    // player does; the picture's sink does not wait for a first frame (async=false), so a stream
    // without video plays all the same.
    const player = spawn(
      'gst-launch-1.0',
      [
        '-q', 'souphttpsrc', `location=${url}`, 'is-live=true', '!', 'decodebin', 'name=d',
        'd.', '!', 'queue', '!', 'audioconvert', '!', 'audioresample', '!', `audio/x-raw,format=S16LE,channels=1,rate=${RATE}`, '!', 'fdsink', 'fd=1', 'sync=true',
        'd.', '!', 'queue', '!', 'videoconvert', '!', 'videoscale', '!', `video/x-raw,format=GRAY8,width=${FRAME_SIDE},height=${FRAME_SIDE}`, '!', 'fdsink', 'fd=3', 'sync=true', 'async=false',
      ],
      { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] },
    );
    const flashes: number[] = [];
    const pictures = new FlashDetector(FRAME_SIDE * FRAME_SIDE, (flash) => flashes.push(flash.seenAtMs));
    (player.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => pictures.push(chunk, Date.now()));
    const markers: MarkerHeard[] = [];
    const clock = new PlayoutClock(RATE);
    const detector = new MarkerDetector(RATE, (n) => clock.playedAtMs(n), (marker) => {
      markers.push(marker);
      onMarker(marker);
    });
    let received = 0;
    let odd: Buffer | undefined;
    let errors = '';
    player.stdout!.on('data', (chunk: Buffer) => {
      const now = Date.now();
      const data = odd ? Buffer.concat([odd, chunk]) : chunk;
      const whole = data.length - (data.length % BYTES_PER_SAMPLE);
      odd = whole < data.length ? data.subarray(whole) : undefined;
      clock.arrived(received, now);
      const samples = new Int16Array(whole / BYTES_PER_SAMPLE);
      for (let i = 0; i < samples.length; i++) samples[i] = data.readInt16LE(i * BYTES_PER_SAMPLE);
      received += samples.length;
      detector.push(samples);
    });
    player.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const timer = setTimeout(() => player.kill('SIGTERM'), seconds * 1000);
    player.on('close', () => {
      clearTimeout(timer);
      const firstPictureMs = pictures.firstFrameAtMs === undefined ? undefined : pictures.firstFrameAtMs - startedAt;
      resolve({ markers, flashes, ...(firstPictureMs !== undefined ? { firstPictureMs } : {}), ...(received === 0 && pictures.frameCount === 0 && errors ? { error: errors.trim().split('\n')[0] } : {}) });
    });
  });
}

export async function latencyCommand(url: string | undefined, options: { seconds?: string | undefined }, io: CommandIO): Promise<number> {
  if (!url || !/^https?:\/\/[!-~]+$/.test(url)) {
    io.err('flowcast latency: give the http:// URL of a stream (flowcast latency --help)');
    return EXIT.invalid;
  }
  const seconds = options.seconds === undefined ? 10 : Number(options.seconds);
  if (!Number.isFinite(seconds) || seconds < 2 || seconds > 3600) {
    io.err('flowcast latency: --seconds takes a number from 2 to 3600');
    return EXIT.invalid;
  }
  const { markers, flashes, firstPictureMs, error } = await measureLatency(url, seconds, (m) =>
    io.out(`marker of ${new Date(m.sentSecond * 1000).toISOString().slice(11, 19)} heard ${(m.latencyMs / 1000).toFixed(3)} s later`),
  );
  if (error) {
    io.err(`flowcast latency: could not play ${url}: ${error}`);
    return EXIT.failed;
  }
  if (firstPictureMs !== undefined) io.out(`first picture shown ${(firstPictureMs / 1000).toFixed(3)} s after the player started`);
  if (markers.length === 0 && flashes.length === 0) {
    io.err(`flowcast latency: no marker heard or seen in ${seconds} s. Fix: the stream's source must be a producer-test with "marker: true"`);
    return EXIT.failed;
  }
  const soundMs = markers.length > 0 ? median(markers.map((m) => m.latencyMs)) : undefined;
  if (markers.length > 0) {
    const delays = markers.map((m) => m.latencyMs / 1000);
    io.out(`${markers.length} markers: median ${median(delays).toFixed(3)} s, min ${Math.min(...delays).toFixed(3)} s, max ${Math.max(...delays).toFixed(3)} s behind live`);
  }
  if (flashes.length > 0) {
    const delays = flashes.map((t) => flashDelayMs(t, soundMs) / 1000);
    const modulo = soundMs === undefined ? ' (modulo 1 s: no sound markers to tell the second)' : '';
    io.out(`${flashes.length} flashes: median ${median(delays).toFixed(3)} s, min ${Math.min(...delays).toFixed(3)} s, max ${Math.max(...delays).toFixed(3)} s behind live (picture)${modulo}`);
  }
  return EXIT.ok;
}
