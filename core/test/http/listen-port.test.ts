/**
 * The front's listening port hands over connections with no Socket made: a connection answered
 * from its descriptor never gets one, one that needs a Socket gets a working one, and closing a
 * connection that has none closes it for the client.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { test } from 'node:test';
import { FrontStats } from '../../src/http/front-stats';
import { listenPort } from '../../src/http/listen-port';
import type { Connection } from '../../src/net/connection';

const quiet = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

/** A port whose connections go to `onConnection`, and every Socket made of one to `sockets`. */
async function port(onConnection: (connection: Connection) => void): Promise<{ server: net.Server; port: number; sockets: net.Socket[] }> {
  const sockets: net.Socket[] = [];
  const server = await listenPort(0, '127.0.0.1', new FrontStats(quiet), { onConnection, onSocket: (socket) => sockets.push(socket) });
  return { server, port: (server.address() as net.AddressInfo).port, sockets };
}

/**
 * Connect, send `text`, and resolve with everything the server sends until the connection ends,
 * and how it ended: closed, or reset (a server closing a connection with unread bytes resets it).
 */
function exchange(portNumber: number, text: string): Promise<{ reply: string; localPort: number; reset: boolean }> {
  return new Promise((resolve) => {
    let localPort = 0;
    let reset = false;
    const client = net.connect(portNumber, '127.0.0.1', () => {
      localPort = client.localPort ?? 0;
      client.write(text);
    });
    let reply = '';
    client.on('data', (chunk: Buffer) => (reply += chunk.toString('latin1')));
    client.on('error', (error: NodeJS.ErrnoException) => (reset = error.code === 'ECONNRESET'));
    client.on('close', () => resolve({ reply, localPort, reset }));
  });
}

test('a connection comes with its descriptor and its peer, and no Socket until one is asked for', async () => {
  const seen: { fd?: number; address: string; port: number; hadSocket: boolean }[] = [];
  const { server, port: portNumber, sockets } = await port((connection) => {
    seen.push({ ...(connection.fd === undefined ? {} : { fd: connection.fd }), address: connection.remoteAddress, port: connection.remotePort, hadSocket: connection.hasSocket });
    // Read and answered on the descriptor itself, then closed: no Socket is ever made. (The port
    // defers accepting until the client has sent something, so the request is there to read.)
    fs.readSync(connection.fd!, Buffer.alloc(1024));
    fs.writeSync(connection.fd!, 'HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n');
    connection.destroy();
  });
  try {
    const { reply, localPort } = await exchange(portNumber, 'GET / HTTP/1.1\r\n\r\n');
    assert.match(reply, /^HTTP\/1\.1 204 No Content\r\n/);
    assert.equal(seen.length, 1);
    assert.ok((seen[0]!.fd ?? -1) >= 0, 'the connection has a descriptor');
    assert.equal(seen[0]!.address, '127.0.0.1');
    assert.equal(seen[0]!.port, localPort, "the peer is the client's end");
    assert.equal(seen[0]!.hadSocket, false);
    assert.equal(sockets.length, 0, 'no Socket was made');
  } finally {
    server.close();
  }
});

test("a connection's Socket, made when asked, reads and writes as Node's own would", async () => {
  const { server, port: portNumber, sockets } = await port((connection) => {
    const socket = connection.socket();
    assert.equal(connection.socket(), socket, 'made once');
    // Paused as Node's server makes them with pauseOnConnect: reading starts when asked.
    assert.equal(socket.isPaused(), true);
    socket.once('data', (chunk: Buffer) => socket.end(`echo ${chunk.toString('latin1').trim()}`));
    socket.resume();
  });
  try {
    const { reply } = await exchange(portNumber, 'hello\n');
    assert.equal(reply, 'echo hello');
    assert.equal(sockets.length, 1, 'the port was told of the Socket');
  } finally {
    server.close();
  }
});

test('destroying a connection that has no Socket closes it for the client, once', async () => {
  let connections = 0;
  const { server, port: portNumber } = await port((connection) => {
    connections++;
    connection.destroy();
    connection.destroy();
    assert.equal(connection.fd, undefined, 'a closed connection has no descriptor');
    assert.throws(() => connection.socket(), /closed/);
  });
  try {
    // Closed with the request unread: the kernel resets the connection, as it would for Node's own.
    const { reply, reset } = await exchange(portNumber, 'GET / HTTP/1.1\r\n\r\n');
    assert.equal(reply, '');
    assert.equal(reset, true);
    assert.equal(connections, 1);
  } finally {
    server.close();
  }
});
