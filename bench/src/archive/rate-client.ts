/**
 * N listeners reading one URL at a stream's rate, as on-demand listeners do (a player reads a
 * recording about as fast as it plays it): each socket is paused whenever it is ahead of
 * `rate` bytes per second, so the server sees TCP flow control, not a fast download.
 *   node rate-client.js HOST PORT PATH CONNECTIONS RATE_BYTES_PER_S SECONDS
 * Prints a line `steady` when every listener has been connecting for 2 s (the connections are
 * made over the first second) and `closing` before it closes them all, so that the server's CPU
 * can be read per phase; then one JSON line: { bytes, connected, failed, steadySeconds }.
 */
import net from 'node:net';

const [host, portText, path, countText, rateText, secondsText] = process.argv.slice(2) as [string, string, string, string, string, string];
const port = Number(portText);
const count = Number(countText);
const rate = Number(rateText);
const seconds = Number(secondsText);

let bytes = 0;
let connected = 0;
let failed = 0;
const started = Date.now();
const sockets: { socket: net.Socket; received: number; since: number }[] = [];

function open(i: number): void {
  const socket = net.connect({ host, port });
  const entry = { socket, received: 0, since: 0 };
  socket.on('connect', () => {
    connected++;
    entry.since = Date.now();
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: rate-client/${i}\r\n\r\n`);
  });
  socket.on('data', (chunk: Buffer) => {
    entry.received += chunk.length;
    bytes += chunk.length;
    if (entry.received > rate * ((Date.now() - entry.since) / 1000 + 1)) socket.pause();
  });
  socket.on('error', () => failed++);
  sockets.push(entry);
}

for (let i = 0; i < count; i++) setTimeout(() => open(i), Math.floor((i * 1000) / Math.max(1, count)));
const pacer = setInterval(() => {
  const now = Date.now();
  for (const entry of sockets) if (entry.socket.isPaused() && entry.received <= rate * ((now - entry.since) / 1000 + 1)) entry.socket.resume();
}, 100);
// The steady phase: every listener connected and reading at the stream's rate (the bench reads the
// server's CPU at these two lines).
const STEADY_AFTER_MS = 3000;
let steadyAt = 0;
setTimeout(() => {
  steadyAt = Date.now();
  console.log('steady');
}, Math.min(STEADY_AFTER_MS, seconds * 500));
setTimeout(() => {
  clearInterval(pacer);
  const steadySeconds = (Date.now() - steadyAt) / 1000;
  console.log('closing');
  for (const entry of sockets) entry.socket.destroy();
  console.log(JSON.stringify({ bytes, connected, failed, seconds: (Date.now() - started) / 1000, steadySeconds }));
  process.exit(0);
}, seconds * 1000);
