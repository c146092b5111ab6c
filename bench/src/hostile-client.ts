/**
 * One hostile client process for `npm run bench:attack` (attack.ts): opens connections of one
 * kind from its source addresses and reports, as one JSON line, how the server ended each.
 *
 *   drip       a head that never ends: a header line, then one byte every `dripMs`
 *   idle       connect and send nothing
 *   keepalive  a request for a missing path, then a second request dripped on the same connection
 *   churn      connect and close at once, one after another
 *
 * Every connection is given up by the client after `giveUpMs` at the latest, so the run always
 * ends; a connection the server had not closed by then is counted as `outlived`.
 */
import net from 'node:net';

interface Params {
  kind: 'drip' | 'idle' | 'keepalive' | 'churn';
  port: number;
  /** Source addresses, used in turn (127.0.0.2, or many loopback addresses for a spread attack). */
  localAddresses: string[];
  n: number;
  /** Connections opened per second. */
  rate: number;
  dripMs: number;
  giveUpMs: number;
  path: string;
}

interface Outcome {
  /** The server closed or reset it (or refused it at connect): after how long. */
  closedAfterMs?: number;
  connectFailed?: boolean;
}

const params = JSON.parse(process.argv[2] ?? '{}') as Params;

function attack(index: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const localAddress = params.localAddresses[index % params.localAddresses.length]!;
    const socket = net.connect({ port: params.port, host: '127.0.0.1', localAddress });
    let drip: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (outcome: Outcome): void => {
      if (done) return;
      done = true;
      clearInterval(drip);
      clearTimeout(giveUp);
      socket.destroy();
      resolve(outcome);
    };
    const giveUp = setTimeout(() => finish({}), params.giveUpMs);
    const closedByServer = (): void => finish({ closedAfterMs: performance.now() - started });
    socket.on('connect', () => {
      switch (params.kind) {
        case 'churn':
          finish({ closedAfterMs: 0 });
          return;
        case 'idle':
          return;
        case 'drip':
          socket.write(`GET ${params.path} HTTP/1.1\r\nHost: x\r\nX-Drip-${index}: `);
          drip = setInterval(() => socket.write('a'), params.dripMs);
          return;
        case 'keepalive':
          socket.write(`GET /no-such-path-${index} HTTP/1.1\r\nHost: x\r\n\r\nGET ${params.path} HTTP/1.1\r\nHost: x\r\n`);
          drip = setInterval(() => socket.write('X: y\r\n'), params.dripMs);
          return;
      }
    });
    socket.on('data', () => undefined);
    socket.on('end', closedByServer);
    socket.on('error', () => (socket.connecting ? finish({ connectFailed: true, closedAfterMs: performance.now() - started }) : closedByServer()));
  });
}

async function main(): Promise<void> {
  const outcomes: Promise<Outcome>[] = [];
  const gapMs = 1000 / params.rate;
  const t0 = performance.now();
  for (let i = 0; i < params.n; i++) {
    const due = t0 + i * gapMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    outcomes.push(attack(i));
  }
  const all = await Promise.all(outcomes);
  const closed = all.filter((o) => o.closedAfterMs !== undefined).map((o) => o.closedAfterMs!);
  closed.sort((a, b) => a - b);
  process.stdout.write(
    JSON.stringify({
      kind: params.kind,
      n: params.n,
      closedByServer: closed.length,
      connectFailed: all.filter((o) => o.connectFailed).length,
      outlived: all.length - closed.length,
      medianClosedAfterMs: closed.length ? Math.round(closed[Math.floor(closed.length / 2)]!) : null,
      maxClosedAfterMs: closed.length ? Math.round(closed.at(-1)!) : null,
      ms: Math.round(performance.now() - t0),
    }) + '\n',
  );
}

void main();
