import net, { type Socket } from 'node:net';
import { socketDescriptor } from './socket-descriptor';

/**
 * What Node's TCP server hands over for each accepted connection before it makes a Socket of it
 * (libuv's handle, a TCPWrap): a descriptor, its peer, and a way to close it.
 */
export interface TcpHandle {
  readonly fd: number;
  getpeername(out: { address?: string; port?: number }): number;
  close(): void;
}

/**
 * An accepted TCP connection as the HTTP front passes it on. Node's Socket (a stream with its
 * buffers and events, about half of what accepting a connection costs Node) is made only when
 * something asks for it; a request answered from the descriptor alone, such as a recording the
 * file sender takes over, never has one.
 *
 * Whoever is handed a Connection owns it, and must end it one of three ways: `socket()` and use
 * the socket; `destroy()`; or give it to something that takes it over (FileSender.send).
 */
export class Connection {
  private made?: Socket;
  private closed = false;
  /** The peer, asked of the kernel when first wanted (most answers never need it). */
  private peer?: { address?: string; port?: number };

  private constructor(
    private readonly handle: TcpHandle | undefined,
    socket: Socket | undefined,
    private readonly onSocket: ((socket: Socket) => void) | undefined,
  ) {
    if (socket) this.made = socket;
  }

  /** A connection accepted from a listening socket; `onSocket` is told when its Socket is made. */
  static accepted(handle: TcpHandle, onSocket?: (socket: Socket) => void): Connection {
    return new Connection(handle, undefined, onSocket);
  }

  /** A connection that already is a Socket (one the porter passed over from the manager). */
  static of(socket: Socket): Connection {
    return new Connection(undefined, socket, undefined);
  }

  /** The client's address ('-' when the connection was closed before it was asked). */
  get remoteAddress(): string {
    return this.peerOf().address ?? '-';
  }

  get remotePort(): number {
    return this.peerOf().port ?? 0;
  }

  private peerOf(): { address?: string; port?: number } {
    if (this.peer) return this.peer;
    if (this.made) this.peer = { address: this.made.remoteAddress, port: this.made.remotePort };
    else {
      this.peer = {};
      if (!this.closed) this.handle?.getpeername(this.peer);
    }
    return this.peer;
  }

  /** Its descriptor, while it is open (a socket that is not TCP, in tests, may have none). */
  get fd(): number | undefined {
    if (this.made) return socketDescriptor(this.made);
    return this.closed || !this.handle || this.handle.fd < 0 ? undefined : this.handle.fd;
  }

  /** Whether its Socket has been made (and is where it is read, written and closed). */
  get hasSocket(): boolean {
    return this.made !== undefined;
  }

  /**
   * Its Node Socket, made at the first call: paused, with half-open allowed (see PortServer), and
   * destroyed on an error (a reset, a failed write).
   */
  socket(): Socket {
    if (this.made) return this.made;
    if (this.closed || !this.handle) throw new Error('the connection is closed');
    // What Node's own server does for each connection it accepts (lib/net.js, onconnection).
    const socket = new net.Socket({ handle: this.handle, allowHalfOpen: true, pauseOnCreate: true, readable: true, writable: true } as net.SocketConstructorOpts);
    // A reset or a failed write ends the connection; nothing else is to be done about it.
    socket.on('error', () => socket.destroy());
    this.made = socket;
    this.onSocket?.(socket);
    return socket;
  }

  /** Close it now, whatever is queued. */
  destroy(): void {
    if (this.made) {
      this.made.destroy();
      return;
    }
    if (this.closed) return;
    this.closed = true;
    this.handle?.close();
  }
}
