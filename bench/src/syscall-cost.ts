/**
 * What the streamer's two per-listener system calls cost, side by side:
 * `node bench/dist/src/syscall-cost.js [N] [SECONDS]` (default 500 listeners, 20 s).
 *
 * One process adopts N loopback connections as streamer-http does (its addon, native/fanout.c)
 * and, as its default write-interval and sweep do, sends the same 8000 bytes to all of them every
 * 500 ms (`sendMany`: a sendmsg each) and reads their TCP state every second (`tcpStates`: a
 * getsockopt(TCP_INFO) each); a child process reads the N connections with plain 'data'
 * handlers. Prints the wall time each call takes per descriptor (on loopback a send also runs
 * the receiving side's TCP in the sender's system call, as in the benchmark) and the sender's CPU.
 */
import { fork } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from './util';

interface FanoutAddon {
  adopt(fd: number): number;
  sendMany(fds: Int32Array, buffers: Buffer[], out: Float64Array): number;
  tcpStates(fds: Int32Array, out: Float64Array): number;
}

const N = process.argv[2] === 'reader' ? 0 : Number(process.argv[2] ?? 500);
const SECONDS = Number(process.argv[3] ?? 20);

function reader(port: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
  }
}

function sender(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const addon = require(path.join(REPO_ROOT, 'plugins', 'streamer-http', 'build', 'Release', 'fanout.node')) as FanoutAddon;
  const fds: number[] = [];
  const server = net.createServer({ pauseOnConnect: true }, (socket) => {
    fds.push(addon.adopt((socket as unknown as { _handle: { fd: number } })._handle.fd));
    socket.destroy();
    if (fds.length === N) measure(Int32Array.from(fds));
  });
  server.listen(0, '127.0.0.1', () => {
    const child = fork(__filename, ['reader', String((server.address() as net.AddressInfo).port), String(N)]);
    child.unref();
  });
  const measure = (descriptors: Int32Array): void => {
    const sent = new Float64Array(N * 2);
    const states = new Float64Array(N * 3);
    const buffers = [Buffer.alloc(4000, 1), Buffer.alloc(4000, 2)];
    let sendNs = 0n;
    let stateNs = 0n;
    let sends = 0;
    let reads = 0;
    const cpu = process.cpuUsage();
    const writes = setInterval(() => {
      const t = process.hrtime.bigint();
      addon.sendMany(descriptors, buffers, sent);
      sendNs += process.hrtime.bigint() - t;
      sends++;
    }, 500);
    const sweeps = setInterval(() => {
      const t = process.hrtime.bigint();
      addon.tcpStates(descriptors, states);
      stateNs += process.hrtime.bigint() - t;
      reads++;
    }, 1000);
    setTimeout(() => {
      clearInterval(writes);
      clearInterval(sweeps);
      const used = process.cpuUsage(cpu);
      const perFd = (ns: bigint, calls: number): number => Math.round((Number(ns) / 1000 / Math.max(1, calls) / N) * 100) / 100;
      process.stdout.write(`${JSON.stringify({ n: N, seconds: SECONDS, sendmsgMicrosecondsPerListener: perFd(sendNs, sends), tcpInfoMicrosecondsPerListener: perFd(stateNs, reads), senderCpuPercent: Math.round(((used.user + used.system) / 1e6 / SECONDS) * 1000) / 10 })}\n`);
      process.exit(0);
    }, SECONDS * 1000);
  };
}

if (process.argv[2] === 'reader') reader(Number(process.argv[3]), Number(process.argv[4]));
else sender();
