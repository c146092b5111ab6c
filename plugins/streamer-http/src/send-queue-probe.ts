import fs from 'node:fs/promises';
import net from 'node:net';

/**
 * How many bytes each connection to our port still has in the kernel's send queue (sent but not
 * acknowledged, or not sent yet), read from /proc/net/tcp{,6}. Node cannot bound a socket's send
 * buffer, so without this a listener that stops reading silently absorbs up to 4 MB of kernel
 * buffer (minutes of audio) before the server notices, as Icecast does.
 */
export class SendQueueProbe {
  private readonly portHex: string;

  constructor(port: number, private readonly files: readonly string[] = ['/proc/net/tcp', '/proc/net/tcp6']) {
    this.portHex = port.toString(16).toUpperCase().padStart(4, '0');
  }

  /** Send-queue bytes by connection key, or undefined where /proc is not there (not Linux). */
  async sample(): Promise<Map<string, number> | undefined> {
    const queues = new Map<string, number>();
    let readAny = false;
    for (const file of this.files) {
      let text: string;
      try {
        text = await fs.readFile(file, 'latin1');
        readAny = true;
      } catch {
        continue;
      }
      this.parse(text, queues);
    }
    return readAny ? queues : undefined;
  }

  private parse(text: string, into: Map<string, number>): void {
    const needle = `:${this.portHex} `;
    let start = text.indexOf('\n') + 1;
    while (start > 0 && start < text.length) {
      const end = text.indexOf('\n', start);
      const line = text.slice(start, end < 0 ? text.length : end);
      start = end < 0 ? text.length : end + 1;
      if (!line.includes(needle)) continue;
      const fields = line.trim().split(/\s+/);
      const [local, remote, state, queues] = [fields[1], fields[2], fields[3], fields[4]];
      if (!local?.endsWith(needle.slice(0, -1)) || state !== '01' || !remote || !queues) continue;
      into.set(remote, parseInt(queues.slice(0, queues.indexOf(':')), 16));
    }
  }
}

/** The key /proc/net/tcp uses for a socket's remote end: address and port in kernel hex. */
export function connectionKey(address: string, port: number): string {
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  if (net.isIPv4(address)) return `${ipv4Hex(address)}:${portHex}`;
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (v4) return `0000000000000000FFFF0000${ipv4Hex(v4)}:${portHex}`;
  return `${ipv6Hex(address)}:${portHex}`;
}

/** 127.0.0.1 → 0100007F: the address as a little-endian 32-bit word. */
function ipv4Hex(address: string): string {
  return address
    .split('.')
    .reverse()
    .map((part) => Number(part).toString(16).toUpperCase().padStart(2, '0'))
    .join('');
}

/** Four 32-bit words, each little-endian, as /proc/net/tcp6 writes them. */
function ipv6Hex(address: string): string {
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right].map((g) => g.padStart(4, '0'));
  const bytes = groups.join('').match(/../g) ?? [];
  let hex = '';
  for (let word = 0; word < 4; word++) hex += bytes.slice(word * 4, word * 4 + 4).reverse().join('');
  return hex.toUpperCase();
}
