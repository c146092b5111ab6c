import { spawnSync } from 'node:child_process';

/** What the kernel holds for a server's connections at one moment. */
export interface SendQueues {
  connections: number;
  /** Bytes queued to send per connection (sent and not yet acknowledged, or not yet sent), on average. */
  meanQueuedBytes: number;
  /** Bytes sent again so far, over all the connections: packets the kernel dropped under memory pressure. */
  retransmittedBytes: number;
}

/**
 * The send queues of the established connections whose local port is `port`, read with iproute2's
 * `ss -tmi` (skmem's `w`, tcp_info's bytes_retrans); undefined where ss is missing. Thousands of
 * slow listeners each holding a large queue is what puts TCP under memory pressure.
 */
export function sendQueues(port: number): SendQueues | undefined {
  const ss = spawnSync('ss', ['-tmi', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (ss.status !== 0) return undefined;
  const queued = [...ss.stdout.matchAll(/skmem:\([^)]*,w(\d+)/g)].map((m) => Number(m[1]));
  const retransmitted = [...ss.stdout.matchAll(/bytes_retrans:(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
  return { connections: queued.length, meanQueuedBytes: queued.length ? queued.reduce((a, b) => a + b, 0) / queued.length : 0, retransmittedBytes: retransmitted };
}
