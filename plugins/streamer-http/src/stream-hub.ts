import type { ServerResponse } from 'node:http';

export interface HubStats {
  clients: number;
  peakClients: number;
  bytesSent: number;
  slowDisconnects: number;
}

/**
 * Fans one live stream out to many HTTP responses. Each buffer is one Buffer shared by every
 * client (no copy per client). A client joining gets the stream headers first, then live data
 * from the next buffer on, which for Ogg is a page boundary.
 */
export class StreamHub {
  private readonly clients = new Set<ServerResponse>();
  /** Clients that arrived before the stream's headers were known. */
  private readonly waiting = new Set<ServerResponse>();
  private headers: Buffer[] = [];
  private contentType?: string;
  private readonly stats: HubStats = { clients: 0, peakClients: 0, bytesSent: 0, slowDisconnects: 0 };

  constructor(
    private readonly maxClientBuffer: number,
    private readonly onSlowClient: (response: ServerResponse) => void,
  ) {}

  /** The stream's content type, once the first caps have been seen. */
  get format(): string | undefined {
    return this.contentType;
  }

  snapshot(): HubStats {
    return { ...this.stats, clients: this.clients.size + this.waiting.size };
  }

  /** Caps seen on the sink: the content type, and the headers every new client needs first. */
  setFormat(contentType: string, headers: Buffer[]): void {
    this.contentType = contentType;
    this.headers = headers;
    for (const response of this.waiting) this.admit(response);
    this.waiting.clear();
  }

  add(response: ServerResponse): void {
    response.once('close', () => this.remove(response));
    if (this.contentType === undefined) this.waiting.add(response);
    else this.admit(response);
    this.stats.peakClients = Math.max(this.stats.peakClients, this.clients.size + this.waiting.size);
  }

  /** One buffer for everyone. Header pages already sent on connect are not sent again. */
  broadcast(buffer: Buffer): void {
    if (this.isHeader(buffer)) return;
    for (const response of this.clients) this.send(response, buffer);
  }

  closeAll(): void {
    for (const response of [...this.clients, ...this.waiting]) response.destroy();
    this.clients.clear();
    this.waiting.clear();
  }

  private admit(response: ServerResponse): void {
    if (response.destroyed) return;
    response.writeHead(200, {
      'Content-Type': this.contentType ?? 'application/octet-stream',
      'Cache-Control': 'no-cache, no-store',
      Connection: 'close',
    });
    this.clients.add(response);
    for (const header of this.headers) this.send(response, header);
  }

  private send(response: ServerResponse, buffer: Buffer): void {
    if (response.writableLength > this.maxClientBuffer) {
      this.stats.slowDisconnects++;
      this.remove(response);
      this.onSlowClient(response);
      response.destroy();
      return;
    }
    response.write(buffer);
    this.stats.bytesSent += buffer.length;
  }

  private remove(response: ServerResponse): void {
    this.clients.delete(response);
    this.waiting.delete(response);
  }

  private isHeader(buffer: Buffer): boolean {
    return this.headers.some((header) => header.length === buffer.length && header.equals(buffer));
  }
}
