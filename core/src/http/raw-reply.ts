import type { Socket } from 'node:net';

const REASONS: Readonly<Record<number, string>> = {
  302: 'Found',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
  503: 'Service Unavailable',
  505: 'HTTP Version Not Supported',
};

/**
 * A complete small HTTP response written straight to a socket, which is then closed: for answers
 * given before (or instead of) any HTTP machinery, such as a refused head or a full stream.
 */
export function writeRawReply(socket: Socket, status: number, text: string, headers: Readonly<Record<string, string>> = {}): void {
  const all = { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), Connection: 'close' };
  const lines = Object.entries(all).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.end(`HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\n${lines.join('')}\r\n${text}`);
  // What the client sends from now on is not read; the socket goes once the answer is out.
  socket.once('finish', () => socket.destroy());
}
