/**
 * N HLS players against one media playlist, as phones play a live stream: each polls the playlist
 * once per target duration (EXT-X-TARGETDURATION) and fetches every segment new to it, over a
 * keep-alive connection of its own; the first poll fetches only the newest segment (the live
 * edge). Players start spread over one target duration, as an audience does.
 *   node players.js URL_OF_MEDIA_PLAYLIST PLAYERS SECONDS
 * Prints one JSON line: requests, bytes, errors, and segment download times (p50, p99, ms).
 */
import http from 'node:http';

const [url, playersText, secondsText] = process.argv.slice(2) as [string, string, string];
const players = Number(playersText);
const seconds = Number(secondsText);
const base = new URL(url);

const counts = { playlists: 0, segments: 0, bytes: 0, errors: 0, late: 0 };
const segmentMs: number[] = [];
/** Errors by kind (an HTTP status, or the socket error's code), for the results. */
const errorKinds: Record<string, number> = {};
let stopping = false;

function get(agent: http.Agent, target: URL): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = http.get(target, { agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.setTimeout(20_000, () => request.destroy(new Error('timeout')));
  });
}

function parse(text: string): { target: number; segments: string[] } {
  const target = Number(/#EXT-X-TARGETDURATION:(\d+)/.exec(text)?.[1] ?? 2);
  const segments = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  return { target, segments };
}

async function player(startDelayMs: number): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  await new Promise((r) => setTimeout(r, startDelayMs));
  const fetched = new Set<string>();
  let first = true;
  while (!stopping) {
    const started = Date.now();
    let target = 2;
    try {
      const playlist = await get(agent, base);
      counts.playlists++;
      if (playlist.status !== 200) throw new Error(`playlist ${playlist.status}`);
      const parsed = parse(playlist.body.toString('utf8'));
      target = parsed.target;
      const wanted = first ? parsed.segments.slice(-1) : parsed.segments.filter((s) => !fetched.has(s));
      first = false;
      for (const segment of wanted) {
        if (stopping) break;
        const t0 = performance.now();
        const response = await get(agent, new URL(segment, base));
        if (response.status !== 200) throw new Error(`segment ${response.status}`);
        segmentMs.push(performance.now() - t0);
        counts.segments++;
        counts.bytes += response.body.length;
        fetched.add(segment);
      }
      if (fetched.size > 64) for (const old of [...fetched].slice(0, fetched.size - 64)) fetched.delete(old);
    } catch (error) {
      counts.errors++;
      const kind = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
    }
    const wait = target * 1000 - (Date.now() - started);
    if (wait < 0) counts.late++;
    await new Promise((r) => setTimeout(r, Math.max(0, wait)));
  }
  agent.destroy();
}

const all: Promise<void>[] = [];
for (let i = 0; i < players; i++) all.push(player(Math.floor((i * 2000) / players)));
setTimeout(() => {
  stopping = true;
  const sorted = [...segmentMs].sort((a, b) => a - b);
  const pick = (p: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0);
  console.log(JSON.stringify({ ...counts, errorKinds, segmentP50Ms: pick(50), segmentP99Ms: pick(99) }));
  process.exit(0);
}, seconds * 1000);
