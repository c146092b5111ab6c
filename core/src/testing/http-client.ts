import http from 'node:http';
import net from 'node:net';

/**
 * Read a live HTTP stream with Node's own client for `seconds`, or until `bytes` arrived.
 * Resolves with the status, headers and body received.
 */
export function readStream(
  url: string,
  limits: { seconds?: number; bytes?: number } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const request = http.get(url, (response) => {
      const finish = (): void => {
        clearTimeout(timer);
        request.destroy();
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) });
      };
      const timer = setTimeout(finish, (limits.seconds ?? 5) * 1000);
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        length += chunk.length;
        if (limits.bytes !== undefined && length >= limits.bytes) finish();
      });
      response.on('end', finish);
      response.on('error', finish);
    });
    request.on('error', reject);
  });
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Whether something accepts connections on 127.0.0.1:port. */
export function isPortOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
