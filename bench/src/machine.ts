/** The machine and software versions a run happened on, for RESULTS.md. */
import fs from 'node:fs';
import os from 'node:os';
import { icecastVersion } from './icecast';
import { capture, REPO_ROOT } from './util';

export interface Machine {
  cpus: number;
  cpuModel: string;
  ramGiB: number;
  kernel: string;
  os: string;
  node: string;
  gstreamer: string;
  icecast: string;
  openFilesLimit: string;
  sysctl: Record<string, string>;
  flowcastRevision: string;
}

function readFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return '?';
  }
}

export function describeMachine(): Machine {
  const cpuinfo = readFile('/proc/cpuinfo');
  const osRelease = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFile('/etc/os-release'))?.[1] ?? '?';
  const commit = capture('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD']);
  const dirty = capture('git', ['-C', REPO_ROOT, 'status', '--porcelain', '--', 'core', 'plugins']);
  return {
    cpus: Number(capture('nproc', [])) || os.cpus().length,
    cpuModel: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? '?',
    ramGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    kernel: os.release(),
    os: osRelease,
    node: process.version,
    gstreamer: capture('gst-launch-1.0', ['--version']).split('\n')[1] ?? '?',
    icecast: icecastVersion(),
    openFilesLimit: capture('bash', ['-c', 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; ulimit -n']),
    sysctl: Object.fromEntries(
      ['net.core.somaxconn', 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem', 'net.ipv4.tcp_max_syn_backlog', 'net.ipv4.ip_local_port_range'].map((key) => [
        key,
        readFile(`/proc/sys/${key.replace(/\./g, '/')}`).replace(/\s+/g, ' '),
      ]),
    ),
    flowcastRevision: commit ? `${commit}${dirty ? ' + uncommitted changes in core/ or plugins/' : ''}` : 'unknown',
  };
}
