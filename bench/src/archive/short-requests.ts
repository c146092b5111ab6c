/**
 * Many short requests, one per connection: a 4 KiB range of a recording, C at a time, each
 * connection closed by the server once its answer is out. What a server spends on taking a
 * connection, reading and answering its request, and closing it, with almost nothing to send.
 */
import net from 'node:net';

/** Make `count` requests for a 4 KiB range of `target`, `concurrency` at a time; resolves to how many were not answered 206. */
export function shortRequests(port: number, target: string, count: number, concurrency: number): Promise<number> {
  const request = `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: bytes=0-4095\r\nUser-Agent: short-requests\r\nConnection: close\r\n\r\n`;
  let started = 0;
  let finished = 0;
  let failed = 0;
  return new Promise((resolve) => {
    const one = (): void => {
      started++;
      const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
      let statusLine = '';
      socket.on('data', (chunk: Buffer) => {
        if (statusLine === '') statusLine = chunk.toString('latin1', 0, 12);
      });
      socket.on('error', () => {});
      socket.on('close', () => {
        if (!statusLine.startsWith('HTTP/1.1 206')) failed++;
        finished++;
        if (finished === count) resolve(failed);
        else if (started < count) one();
      });
    };
    for (let i = 0; i < Math.min(concurrency, count); i++) one();
  });
}
